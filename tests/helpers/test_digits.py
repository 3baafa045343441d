"""helpers.digits: the bundled 8x8 digits, their [0, 1] scaling, and reproducible, stratified splits."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import digits
from helpers.errors import InvalidInputError, ParameterError, TrickNetsError


def test_load_all_is_scaled_to_unit_range() -> None:
    x, y = digits.load_all()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0  # 0..16 divided by 16, so full ink is exactly 1
    assert set(np.unique(x * 16).tolist()) <= set(range(17))  # still the 17 original grey levels
    assert sorted(np.unique(y).tolist()) == list(range(10))


def test_split_sizes_and_stratification() -> None:
    split = digits.load_split()
    assert split.x_train.shape == (1347, 64) and split.x_test.shape == (450, 64)
    assert len(split.y_train) == 1347 and len(split.y_test) == 450
    for x in (split.x_train, split.x_test):
        assert x.dtype == np.float32 and x.min() >= 0.0 and x.max() <= 1.0
    # Stratified: every class holds about a tenth of the test set (the classes have 174-183 images).
    counts = np.bincount(split.y_test, minlength=10)
    assert counts.min() >= 43 and counts.max() <= 46
    # Train and test together are exactly the data set, image for image.
    x_all, y_all = digits.load_all()
    joined = np.concatenate([split.x_train, split.x_test])
    assert np.array_equal(np.sort(joined, axis=0), np.sort(x_all, axis=0))
    assert np.array_equal(np.bincount(np.concatenate([split.y_train, split.y_test])), np.bincount(y_all))


def test_split_is_reproducible_and_seed_dependent() -> None:
    a, b = digits.load_split(seed=0), digits.load_split(seed=0)
    assert np.array_equal(a.x_test, b.x_test) and np.array_equal(a.y_train, b.y_train)
    c = digits.load_split(seed=1)
    assert not np.array_equal(a.x_test, c.x_test)
    small = digits.load_split(test_fraction=0.1)
    assert len(small.y_test) == 180 and len(small.y_train) == 1617


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5, 1.5])
def test_split_rejects_impossible_fractions(fraction: float) -> None:
    with pytest.raises(ParameterError, match="test_fraction"):
        digits.load_split(test_fraction=fraction)
    with pytest.raises(ValueError):  # also an ordinary ValueError for plain `except` clauses
        digits.load_split(test_fraction=fraction)


def test_halves_are_disjoint_stratified_and_complete() -> None:
    split = digits.load_split()
    (x1, y1), (x2, y2) = digits.halves(split.x_train, split.y_train, seed=0)
    assert len(x1) + len(x2) == len(split.x_train) and abs(len(x1) - len(x2)) <= 1
    assert len(x1) == len(y1) and len(x2) == len(y2)
    assert np.abs(np.bincount(y1, minlength=10) - np.bincount(y2, minlength=10)).max() <= 1
    rows1 = {row.tobytes() for row in x1}
    assert sum(row.tobytes() in rows1 for row in x2) <= 2  # disjoint except for identical duplicate images
    again = digits.halves(split.x_train, split.y_train, seed=0)
    assert np.array_equal(again[0][0], x1)


def test_halves_rejects_mismatched_input() -> None:
    with pytest.raises(TrickNetsError):
        digits.halves(np.zeros((10, 64)), np.zeros(9))


def test_as_image_accepts_arrays_and_grad_tensors() -> None:
    row = np.arange(64)
    img = digits.as_image(row)
    assert img.shape == (8, 8) and img[1, 0] == 8  # row-major: pixel 8 starts the second row
    grad_tensor = torch.arange(64.0, requires_grad=True) * 2
    assert digits.as_image(grad_tensor)[7, 7] == 126.0
    with pytest.raises(InvalidInputError, match="64"):
        digits.as_image(np.zeros(65))
