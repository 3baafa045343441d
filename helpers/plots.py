"""The pictures every attack needs: 8 x 8 digits, images, before/after/difference, gradients, top-k bars,
probability over steps.

Every function draws into the axes it is given (`ax=`; a sequence of axes for the multi-panel
ones) or, without them, into a new figure, and returns the figure, so a notebook can add to it;
none calls plt.show(). Notebooks 01-02 use `show_digit`, notebook 03 introduces the others.
Only matplotlib, numpy and torch are imported here (no torchvision), so the digit notebooks stay light.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from matplotlib.image import AxesImage

from .digits import as_image
from .errors import ParameterError


def to_numpy(x: torch.Tensor) -> np.ndarray:
    """One image (1 x 3 x H x W or 3 x H x W) as an H x W x 3 float array for matplotlib."""
    img = x.detach().float().cpu()
    if img.dim() == 4:
        img = img[0]
    return img.permute(1, 2, 0).clamp(0, 1).numpy()


def show_digit(ax: Axes, digit: np.ndarray | torch.Tensor, title: str | None = None, *, signed: bool = False,
               limit: float | None = None, fontsize: float | None = None) -> AxesImage:
    """One flat 64-vector as an 8 x 8 picture in `ax`, without axis lines; returns the image (for a colour bar).

    A digit (default): ink dark on white, 0 to 1. signed=True, for a weight template or a gradient: red for
    positive, blue for negative, on the scale -limit..limit (default: its own largest |value|).
    """
    picture = as_image(digit)
    if signed:
        top = float(np.abs(picture).max()) if limit is None else float(limit)
        image = ax.imshow(picture, cmap="bwr", vmin=-top, vmax=top)
    else:
        image = ax.imshow(picture, cmap="gray_r", vmin=0, vmax=1)
    if title is not None:
        ax.set_title(title, fontsize=fontsize)
    ax.axis("off")
    return image


def _axes(ax: Axes | Sequence[Axes] | None, count: int, size: tuple[float, float]) -> list[Axes]:
    """The axes to draw into: the ones given, or a new row of `count`."""
    if ax is None:
        fig, new = plt.subplots(1, count, figsize=size, squeeze=False)
        return list(new.flat)
    axes = [ax] if isinstance(ax, Axes) else list(ax)
    if len(axes) < count:
        raise ParameterError(f"this picture needs {count} axes, got {len(axes)}; pass ax=[...] with {count}.")
    return axes


def _figure(ax: Axes) -> Figure:
    """The figure `ax` draws in (the whole figure, when ax sits in a subfigure)."""
    figure = ax.get_figure(root=True)
    assert figure is not None  # every axes made by plt.subplots or a figure has one
    return figure


def amplified(change: torch.Tensor, factor: float | None = None, percentile: float = 100.0) -> tuple[np.ndarray, float]:
    """A small change made visible: 0.5 + factor * change, clipped to [0, 1] (grey = unchanged).

    By default the largest change fills the range; with percentile=99, say, the 99th percentile of
    |change| does and the few larger values are clipped, which shows the bulk of a spiky gradient.
    """
    tensor = change.detach().double().cpu()
    raw = (tensor[0] if tensor.dim() == 4 else tensor).permute(1, 2, 0).numpy()
    top = float(np.percentile(np.abs(raw), percentile))
    if factor is None:
        factor = 0.5 / top if top > 0 else 1.0
    return np.clip(0.5 + factor * raw, 0, 1), factor


def show_image(image: torch.Tensor, title: str = "", ax: Axes | None = None) -> Figure:
    """One image with a title."""
    (ax,) = _axes(ax, 1, (3.6, 3.8))
    ax.imshow(to_numpy(image))
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return _figure(ax)


def show_attack(original: torch.Tensor, adversarial: torch.Tensor, labels: Sequence[str] = ("original", "adversarial"),
                factor: float | None = None, ax: Sequence[Axes] | None = None) -> Figure:
    """Original, adversarial and the amplified difference, side by side (three axes).

    The two may live on different devices (an attack returns its result on the model's, a GPU's say): compared on
    the CPU, in float64."""
    axes = _axes(ax, 3, (11, 3.8))
    original, adversarial = original.detach().cpu().double(), adversarial.detach().cpu().double()
    picture, used = amplified(adversarial - original, factor)
    linf = float((adversarial - original).abs().max()) * 255
    show_image(original, labels[0], axes[0])
    show_image(adversarial, labels[1], axes[1])
    axes[2].imshow(picture)
    axes[2].set_title(f"difference x {used:.0f}\n(largest change {linf:.2f}/255)", fontsize=10)
    axes[2].axis("off")
    figure = _figure(axes[0])
    figure.tight_layout()
    return figure


def show_gradient(grad: torch.Tensor, title: str = "gradient", ax: Axes | None = None,
                  percentile: float = 100.0) -> Figure:
    """A gradient as a picture: grey = no effect, colours = raise/lower that value; see `amplified`."""
    (ax,) = _axes(ax, 1, (4, 4))
    picture, _ = amplified(grad, percentile=percentile)
    ax.imshow(picture)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return _figure(ax)


def topk_bars(predictions: Sequence[tuple[str, float]], title: str = "", ax: Axes | None = None) -> Figure:
    """Horizontal bars of (label, probability) pairs, most likely on top."""
    (ax,) = _axes(ax, 1, (5, 0.45 * len(predictions) + 0.8))
    labels = [label for label, _ in predictions][::-1]
    values = [100 * p for _, p in predictions][::-1]
    ax.barh(labels, values, color="tab:blue")
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.1f}%", va="center", fontsize=9)
    ax.set_xlim(0, 110)
    ax.set_xlabel("probability (%)")
    ax.set_title(title, fontsize=10)
    figure = _figure(ax)
    figure.tight_layout()
    return figure


def probability_curves(history: torch.Tensor, class_ids: Sequence[int], categories: Sequence[str],
                       image: int = 0, title: str = "", ax: Axes | None = None) -> Figure:
    """Each chosen class's probability over an attack's steps (history: steps+1 x N x classes)."""
    (ax,) = _axes(ax, 1, (6.5, 3.8))
    steps = np.arange(history.shape[0])
    for cid in class_ids:
        ax.plot(steps, 100 * history[:, image, cid].double().numpy(), marker="o", markersize=3, label=categories[cid])
    ax.set_xlabel("step")
    ax.set_ylabel("probability (%)")
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(title, fontsize=10)
    figure = _figure(ax)
    figure.tight_layout()
    return figure
