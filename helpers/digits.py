"""scikit-learn's bundled 8 x 8 handwritten digits, scaled to [0, 1] and split reproducibly (notebooks 01-02).

Notebooks 01 and 02 need a real image task that runs offline in seconds; MNIST would need a
download, the 1,797 digits ship inside scikit-learn. Pixels are scaled from 0..16 to [0, 1]
so that an attack's epsilon means the same thing ("a fraction of full brightness") here as
on the ImageNet photos of notebooks 03-05.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .errors import InvalidInputError, ParameterError

if TYPE_CHECKING:
    import torch

#: Side of one digit image in pixels; each image is a flat vector of SIDE * SIDE values.
SIDE = 8
#: The largest raw pixel value in scikit-learn's digits (4 x 4 blocks of 0/1 bits summed).
RAW_MAX = 16.0

#: Images and labels of one part of a split.
Pair = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class DigitSplit:
    """A train/test split: x_* are float32 (n, 64) arrays in [0, 1], y_* int64 labels 0-9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_all() -> tuple[np.ndarray, np.ndarray]:
    """Every digit: images (1797, 64) float32 in [0, 1] (exact: k/16) and labels (1797,) int64."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.data / RAW_MAX).astype(np.float32), data.target.astype(np.int64)


def load_split(test_fraction: float = 0.25, seed: int = 0) -> DigitSplit:
    """A stratified train/test split: the same seed always gives the same split, so notebooks are reproducible."""
    if not 0.0 < test_fraction < 1.0:
        raise ParameterError(f"test_fraction must lie strictly between 0 and 1, got {test_fraction!r}.")
    from sklearn.model_selection import train_test_split

    x, y = load_all()
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y
    )
    return DigitSplit(x_train, y_train, x_test, y_test)


def halves(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple[Pair, Pair]:
    """Two disjoint, stratified halves (P1, P2) of a training set, as Szegedy et al. split MNIST for transfer."""
    if len(x) != len(y) or len(x) < 2:
        raise InvalidInputError(f"need matching x and y with at least 2 rows, got {len(x)} and {len(y)}.")
    from sklearn.model_selection import train_test_split

    x1, x2, y1, y2 = train_test_split(x, y, test_size=0.5, random_state=seed, stratify=y)
    return (x1, y1), (x2, y2)


def as_image(row: np.ndarray | torch.Tensor) -> np.ndarray:
    """One flat 64-vector (a digit, a weight template, a gradient) as an 8 x 8 array for imshow."""
    if hasattr(row, "detach"):  # a torch tensor, possibly one that requires grad
        row = row.detach().cpu().numpy()
    arr = np.asarray(row)
    if arr.size != SIDE * SIDE:
        raise InvalidInputError(f"a digit has {SIDE * SIDE} values, got {arr.size}.")
    return arr.reshape(SIDE, SIDE)
