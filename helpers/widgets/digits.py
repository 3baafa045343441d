"""Widgets for the linear models of notebooks 01-02: the logistic function, the learning rate, and an
epsilon slider that flips a digit.

The notebooks pass in their own functions and data (the hand-written `loss` and `gradient`, the
trained linear model), so a widget shows exactly the model the learner just built.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..digits import as_image
from ..checks import positive_number, whole_number
from ..errors import InvalidInputError
from ..pixels import signed_step
from . import STYLE, Explorer, show_in, wide

Sigmoid = Callable[[np.ndarray], np.ndarray]


def _stable_sigmoid(t: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -np.asarray(t, dtype=np.float64)))


# --- 01: the logistic function ----------------------------------------------------------
def logistic_point(weight: float, bias: float, x: float, sigmoid: Sigmoid | None = None) -> tuple[float, float]:
    """The score t = weight * x + bias of a one-input classifier and its probability S(t)."""
    t = weight * x + bias
    s = sigmoid or _stable_sigmoid
    return float(t), float(np.asarray(s(np.array([t], dtype=np.float64))).reshape(-1)[0])


def logistic_figure(weight: float, bias: float, x: float, sigmoid: Sigmoid | None = None,
                    x_range: tuple[float, float] = (-10.0, 10.0)) -> Figure:
    """p = S(weight * x + bias) over x, next to the plain S(x) (weight 1, bias 0), with the chosen x marked."""
    s = sigmoid or _stable_sigmoid
    xs = np.linspace(*x_range, 401)
    t, p = logistic_point(weight, bias, x, s)
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot(xs, s(xs), color="lightgrey", lw=2, label="S(x): weight 1, bias 0")
    plus_bias = f"{'-' if bias < 0 else '+'} {abs(bias):g}"
    ax.plot(xs, s(weight * xs + bias), color="tab:blue", label=f"S({weight:g}·x {plus_bias})")
    ax.plot([x], [p], "o", color="tab:red", label=f"x = {x:g}: p = {p:.3f}")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set_xlim(*x_range)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("input x")
    ax.set_ylabel("probability")
    ax.set_title(f"score t = {weight:g}·{x:g} {plus_bias} = {t:.2f}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


class LogisticExplorer(Explorer):
    """Sliders for weight, bias and input x of p = S(w·x + b); shows the S curve and the probability."""

    NAME = "logistic"
    PARTS = {"weight": "weight", "bias": "bias", "x": "x", "output": "output"}

    def __init__(self, sigmoid: Sigmoid | None = None, weight: float = 1.0, bias: float = 0.0, x: float = 2.0) -> None:
        self.sigmoid = sigmoid
        self.weight = w.FloatSlider(value=weight, min=-5.0, max=5.0, step=0.1, description="weight w",
                                    continuous_update=False, style=STYLE, layout=wide())
        self.bias = w.FloatSlider(value=bias, min=-10.0, max=10.0, step=0.5, description="bias b",
                                  continuous_update=False, style=STYLE, layout=wide())
        self.x = w.FloatSlider(value=x, min=-10.0, max=10.0, step=0.5, description="input x",
                               continuous_update=False, style=STYLE, layout=wide())
        self.output = w.Output()
        self._assemble("<b>The logistic function</b>: p = S(w·x + b)", [self.weight, self.bias, self.x, self.output])
        for control in (self.weight, self.bias, self.x):
            control.observe(lambda _: self.update(), names="value")
        self.update()

    @property
    def message(self) -> str:
        t, p = logistic_point(self.weight.value, self.bias.value, self.x.value, self.sigmoid)
        return f"score t = {t:.2f}, probability S(t) = {p:.4f}"

    def update(self) -> None:
        show_in(self.output, [logistic_figure(self.weight.value, self.bias.value, self.x.value, self.sigmoid)],
                self.message)


# --- 01: the learning rate ----------------------------------------------------------------
LinearLossFn = Callable[[np.ndarray, float, np.ndarray, np.ndarray], float]
GradientFn = Callable[[np.ndarray, float, np.ndarray, np.ndarray], tuple[np.ndarray, float]]


@dataclass
class DescentRun:
    """The training losses of one full-batch gradient-descent run, from all-zero weights."""

    learning_rate: float
    losses: list[float]
    w: np.ndarray
    b: float

    @property
    def rises(self) -> int:
        """The number of steps after which the loss was higher than before: a sign of too large a step."""
        return sum(b > a for a, b in zip(self.losses, self.losses[1:]))

    @property
    def finished(self) -> bool:
        """False if the loss became NaN or infinite (the run stops there)."""
        return math.isfinite(self.losses[-1])

    def describe(self) -> str:
        """One line with the numbers a learner should compare between rates."""
        if not self.finished:
            return f"rate {self.learning_rate:g}: the loss became {self.losses[-1]} after {len(self.losses) - 1} steps."
        return (f"rate {self.learning_rate:g}: loss {self.losses[0]:.3f} -> after 1 step {self.losses[1]:.3f}, "
                f"highest {max(self.losses):.3f}, after {len(self.losses) - 1} steps {self.losses[-1]:.3f} "
                f"(went up on {self.rises} steps)")


def descend(loss: LinearLossFn, gradient: GradientFn, X: np.ndarray, y: np.ndarray, learning_rate: float,
            steps: int = 200) -> DescentRun:
    """Taught in 01 §3: notebook 01's training loop, w <- w - rate * dL/dw, b <- b - rate * dL/db, from zeros.

    Records the loss before the first step and after each one."""
    positive_number(learning_rate, "the learning rate")
    whole_number(steps, "steps")
    weights, bias = np.zeros(X.shape[1]), 0.0
    losses = [float(loss(weights, bias, X, y))]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            grad_w, grad_b = gradient(weights, bias, X, y)
            weights = weights - learning_rate * np.asarray(grad_w)
            bias = bias - learning_rate * float(grad_b)
            losses.append(float(loss(weights, bias, X, y)))
            if not math.isfinite(losses[-1]):
                break
    return DescentRun(float(learning_rate), losses, weights, bias)


def descent_figure(runs: Sequence[DescentRun], reference: DescentRun | None = None) -> Figure:
    """Loss curves (log scale, so both a jump to 13 and a slow crawl at 0.05 are visible)."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    if reference is not None:
        ax.plot(reference.losses, "--", color="grey", label=f"rate {reference.learning_rate:g} (reference)")
    for run in runs:
        ax.plot(run.losses, label=f"rate {run.learning_rate:g}")
    ax.set_yscale("log")
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("training loss")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Training loss for different learning rates", fontsize=10)
    fig.tight_layout()
    return fig


class LearningRateExplorer(Explorer):
    """A learning-rate slider (log scale) that re-runs the gradient descent and redraws the loss curve."""

    NAME = "descent"
    PARTS = {"rate": "rate", "steps": "steps", "output": "output"}

    def __init__(self, loss: LinearLossFn, gradient: GradientFn, X: np.ndarray, y: np.ndarray,
                 learning_rate: float = 1.0, steps: int = 200, reference_rate: float = 1.0) -> None:
        self.loss, self.gradient, self.X, self.y = loss, gradient, X, y
        self.reference_rate = reference_rate
        self.last_run: DescentRun | None = None
        self.rate = w.FloatLogSlider(value=learning_rate, base=10, min=-2, max=2.5, step=0.1,
                                     description="learning rate", readout_format=".3g", continuous_update=False,
                                     style=STYLE, layout=wide())
        self.steps = w.IntSlider(value=steps, min=10, max=1000, step=10, description="steps",
                                 continuous_update=False, style=STYLE, layout=wide())
        self.output = w.Output()
        self._assemble("<b>Learning rate</b>: gradient descent from zero weights, re-run on every change",
                       [self.rate, self.steps, self.output])
        for control in (self.rate, self.steps):
            control.observe(lambda _: self.update(), names="value")
        self.update()

    def update(self) -> DescentRun:
        steps = int(self.steps.value)
        run = descend(self.loss, self.gradient, self.X, self.y, float(self.rate.value), steps)
        reference = None
        if not math.isclose(run.learning_rate, self.reference_rate):
            reference = descend(self.loss, self.gradient, self.X, self.y, self.reference_rate, steps)
        self.last_run = run
        show_in(self.output, [descent_figure([run], reference)], run.describe())
        return run


# --- 02: an epsilon slider that flips a digit ---------------------------------------------
Predict = Callable[[torch.Tensor], torch.Tensor | np.ndarray]


@dataclass
class DigitFlip:
    """One digit after the step of size epsilon, with the model's probabilities for it."""

    epsilon: float
    image: torch.Tensor
    probs: np.ndarray

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probs))


def flip_digit(predict: Predict, x: torch.Tensor | np.ndarray, direction: torch.Tensor | np.ndarray,
               epsilon: float) -> DigitFlip:
    """Move one flat digit by epsilon along sign(direction) (helpers.pixels.signed_step) and ask the model.

    predict gets a (1, 64) tensor and returns (1, classes) probabilities (a tensor or an array),
    e.g. `lambda x: linear(x).softmax(1)` for notebook 02's linear model.
    """
    x = torch.as_tensor(x).flatten()
    direction = torch.as_tensor(direction, dtype=x.dtype).flatten()
    if x.shape != direction.shape:
        raise InvalidInputError(f"the digit has {x.numel()} values, the direction {direction.numel()}.")
    image = signed_step(x, direction, float(epsilon))
    with torch.no_grad():
        probs = predict(image[None])
    if isinstance(probs, torch.Tensor):
        probs = probs.detach().cpu().numpy()
    return DigitFlip(float(epsilon), image, np.asarray(probs, dtype=np.float64).reshape(-1))


def flip_figure(flip: DigitFlip, label: int | None = None, target: int | None = None) -> Figure:
    """The perturbed digit next to the model's probabilities (true class blue, target red)."""
    fig, (ax_img, ax_bar) = plt.subplots(1, 2, figsize=(7, 2.8), gridspec_kw={"width_ratios": [1, 2]})
    ax_img.imshow(as_image(flip.image), cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_title(f"eps = {flip.epsilon:.3f}", fontsize=10)
    ax_img.axis("off")
    colours = ["lightgrey"] * len(flip.probs)
    if label is not None:
        colours[label] = "tab:blue"
    if target is not None:
        colours[target] = "tab:red"
    ax_bar.bar(range(len(flip.probs)), flip.probs, color=colours)
    ax_bar.set_xticks(range(len(flip.probs)))
    ax_bar.set_ylim(0, 1)
    ax_bar.set_xlabel("class")
    ax_bar.set_ylabel("probability")
    ax_bar.set_title(f"predicted {flip.predicted} (p = {flip.probs[flip.predicted]:.2f})", fontsize=10)
    fig.tight_layout()
    return fig


class EpsilonSlider(Explorer):
    """Slide epsilon and watch x + epsilon * sign(direction) change the model's answer for one digit."""

    NAME = "flip"
    PARTS = {"epsilon": "epsilon", "status": "status", "output": "output"}

    def __init__(self, predict: Predict, x: torch.Tensor | np.ndarray, direction: torch.Tensor | np.ndarray,
                 label: int | None = None, target: int | None = None, epsilon: float = 0.0,
                 max_epsilon: float = 0.5) -> None:
        self.predict, self.x, self.direction = predict, x, direction
        self.label = flip_digit(predict, x, direction, 0.0).predicted if label is None else int(label)
        self.target = None if target is None else int(target)
        self.last: DigitFlip | None = None
        self.epsilon = w.FloatSlider(value=epsilon, min=0.0, max=max_epsilon, step=0.005, description="epsilon",
                                     readout_format=".3f", continuous_update=False, style=STYLE, layout=wide())
        self.status = w.HTML()
        self.output = w.Output()
        self._assemble("<b>Epsilon slider</b>: every pixel moves by epsilon towards the target",
                       [self.epsilon, self.status, self.output])
        self.epsilon.observe(lambda _: self.update(), names="value")
        self.update()

    def update(self) -> DigitFlip:
        flip = flip_digit(self.predict, self.x, self.direction, float(self.epsilon.value))
        self.last = flip
        if flip.predicted == self.label:
            note = f"still a {self.label} (p = {flip.probs[self.label]:.2f})"
        else:
            note = f"<b>flipped</b>: now a {flip.predicted} (p = {flip.probs[flip.predicted]:.2f})"
        self.status.value = f"<span>eps = {flip.epsilon:.3f} ({16 * flip.epsilon:.1f} of 16 grey levels): {note}</span>"
        show_in(self.output, [flip_figure(flip, self.label, self.target)])
        return flip
