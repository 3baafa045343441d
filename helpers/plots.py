"""The three pictures every attack needs: before/after/difference, top-k bars, probability over steps.

Each function draws into axes it is given (or a new figure) and returns the figure, so a
notebook can add to it; none of them calls plt.show().
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .images import to_numpy


def amplified(perturbation: torch.Tensor, factor: float | None = None) -> tuple[np.ndarray, float]:
    """A perturbation made visible: 0.5 + factor * delta (grey = unchanged); by default the largest change fills the range."""
    raw = perturbation.detach().float().cpu()
    raw = (raw[0] if raw.dim() == 4 else raw).permute(1, 2, 0).numpy()
    top = float(np.abs(raw).max())
    if factor is None:
        factor = 0.5 / top if top > 0 else 1.0
    return np.clip(0.5 + factor * raw, 0, 1), factor


def show_attack(original: torch.Tensor, adversarial: torch.Tensor, labels: Sequence[str] = ("original", "adversarial"),
                factor: float | None = None) -> Figure:
    """Original, adversarial and the amplified difference, side by side."""
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.8))
    picture, used = amplified(adversarial - original, factor)
    linf = float((adversarial - original).abs().max()) * 255
    panels = [(to_numpy(original), labels[0]), (to_numpy(adversarial), labels[1]),
              (picture, f"difference x {used:.0f}\n(largest change {linf:.2f}/255)")]
    for ax, (img, title) in zip(axes, panels):
        ax.imshow(img)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def show_images(images: Sequence[torch.Tensor], titles: Sequence[str], columns: int | None = None) -> Figure:
    """A row (or grid) of images with titles."""
    columns = columns or len(images)
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3.4 * columns, 3.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, img, title in zip(axes.flat, images, titles):
        ax.imshow(to_numpy(img))
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def show_gradient(grad: torch.Tensor, title: str = "gradient", ax: Axes | None = None) -> Figure:
    """A gradient as a picture: each pixel's push, scaled so the strongest fills the colour range."""
    picture, _ = amplified(grad)
    if ax is None:
        fig, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(picture)
    ax.set_title(title, fontsize=10)
    ax.axis("off")
    return ax.figure


def topk_bars(predictions: Sequence[tuple[str, float]], title: str = "", ax: Axes | None = None) -> Figure:
    """Horizontal bars of (label, probability) pairs, most likely on top."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 0.45 * len(predictions) + 0.8))
    labels = [label for label, _ in predictions][::-1]
    values = [100 * p for _, p in predictions][::-1]
    ax.barh(labels, values, color="tab:blue")
    for y, v in enumerate(values):
        ax.text(v + 1, y, f"{v:.1f}%", va="center", fontsize=9)
    ax.set_xlim(0, 110)
    ax.set_xlabel("probability (%)")
    ax.set_title(title, fontsize=10)
    ax.figure.tight_layout()
    return ax.figure


def probability_curves(history: torch.Tensor, class_ids: Sequence[int], categories: Sequence[str],
                       image: int = 0, title: str = "", ax: Axes | None = None) -> Figure:
    """Each chosen class's probability over the attack's steps (history: steps+1 x N x classes)."""
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.5, 3.8))
    steps = np.arange(history.shape[0])
    for cid in class_ids:
        ax.plot(steps, 100 * history[:, image, cid].numpy(), marker="o", markersize=3, label=categories[cid])
    ax.set_xlabel("step")
    ax.set_ylabel("probability (%)")
    ax.set_ylim(-2, 102)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.figure.tight_layout()
    return ax.figure


def leading_classes(history: torch.Tensor, image: int = 0) -> list[int]:
    """Every class that is the most likely one at some step, in order of first appearance (shows detours)."""
    seen: list[int] = []
    for cid in history[:, image].argmax(dim=-1).tolist():
        if cid not in seen:
            seen.append(cid)
    return seen
