"""Widgets to play with in notebooks 01-03: the logistic function, the learning rate, an epsilon
slider that flips a digit, and a step-size/steps explorer for black -> paper towel.

As in `helpers.widgets` (notebook 04's attack explorer), the work is done by plain functions
that the tests call without a browser (`logistic_point`, `descend`, `flip_digit`, `run_budget`
and the `*_figure` functions); the classes only wire them to ipywidgets controls. The
notebooks pass in their own data and functions (the hand-written `loss` and `gradient`, the
trained linear model), so a widget shows exactly the model the learner just built.

Stable hooks for browser tests: every control has a fixed `description` and a CSS class
`tricknets-<widget>-<part>` (listed in each class's `CSS_CLASSES`); the whole box has
`tricknets-<widget>`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import torch
from IPython.display import clear_output, display
from matplotlib.figure import Figure
from torch import nn

from .digits import as_image
from .errors import InvalidInputError, TrickNetsError

if TYPE_CHECKING:  # notebooks 01-02 need neither; importing them would load torchvision for nothing
    from .attacks import AttackResult

_STYLE = {"description_width": "120px"}


def _wide() -> w.Layout:
    return w.Layout(width="440px")


def _stable_sigmoid(t: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -np.asarray(t, dtype=np.float64)))


def _add_classes(parts: dict[str, w.DOMWidget], box: w.Box, css: dict[str, str]) -> None:
    for part, control in parts.items():
        control.add_class(css[part])
    box.add_class(css["box"])


def _show(output: w.Output, figure: Figure, text: str = "") -> None:
    """Replace what an Output shows with one figure (closed afterwards, so it is not drawn twice) and a line of text."""
    with output:
        clear_output(wait=True)
        display(figure)
        if text:
            print(text)
    plt.close(figure)


# --- 01: the logistic function ----------------------------------------------------------
Sigmoid = Callable[[np.ndarray], np.ndarray]


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


class LogisticExplorer:
    """Sliders for weight, bias and input x of p = S(w·x + b); shows the S curve and the probability."""

    CSS_CLASSES = {
        "box": "tricknets-logistic",
        "weight": "tricknets-logistic-weight",
        "bias": "tricknets-logistic-bias",
        "x": "tricknets-logistic-x",
        "output": "tricknets-logistic-output",
    }

    def __init__(self, sigmoid: Sigmoid | None = None, weight: float = 1.0, bias: float = 0.0, x: float = 2.0) -> None:
        self.sigmoid = sigmoid
        self.weight = w.FloatSlider(value=weight, min=-5.0, max=5.0, step=0.1, description="weight w",
                                    continuous_update=False, style=_STYLE, layout=_wide())
        self.bias = w.FloatSlider(value=bias, min=-10.0, max=10.0, step=0.5, description="bias b",
                                  continuous_update=False, style=_STYLE, layout=_wide())
        self.x = w.FloatSlider(value=x, min=-10.0, max=10.0, step=0.5, description="input x",
                               continuous_update=False, style=_STYLE, layout=_wide())
        self.output = w.Output()
        self.widget = w.VBox([w.HTML("<b>The logistic function</b>: p = S(w·x + b)"),
                              self.weight, self.bias, self.x, self.output])
        _add_classes(self._parts(), self.widget, self.CSS_CLASSES)
        for control in (self.weight, self.bias, self.x):
            control.observe(lambda _: self.update(), names="value")
        self.update()

    def _parts(self) -> dict[str, w.DOMWidget]:
        return {"weight": self.weight, "bias": self.bias, "x": self.x, "output": self.output}

    @property
    def message(self) -> str:
        t, p = logistic_point(self.weight.value, self.bias.value, self.x.value, self.sigmoid)
        return f"score t = {t:.2f}, probability S(t) = {p:.4f}"

    def update(self) -> None:
        fig = logistic_figure(self.weight.value, self.bias.value, self.x.value, self.sigmoid)
        _show(self.output, fig, self.message)

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)


# --- 01: the learning rate ----------------------------------------------------------------
LossFn = Callable[[np.ndarray, float, np.ndarray, np.ndarray], float]
GradientFn = Callable[[np.ndarray, float, np.ndarray, np.ndarray], tuple[np.ndarray, float]]


@dataclass
class DescentRun:
    """The training losses of one full-batch gradient-descent run, from all-zero weights."""

    learning_rate: float
    losses: list[float]
    w: np.ndarray
    b: float

    @property
    def overshoot(self) -> float:
        """How far the highest loss rose above the starting loss (0: it never did)."""
        return max(0.0, max(self.losses) - self.losses[0])

    @property
    def rises(self) -> int:
        """The number of steps after which the loss was higher than before: a sign of too large a step."""
        return sum(b > a for a, b in zip(self.losses, self.losses[1:]))

    @property
    def finished(self) -> bool:
        """False if the loss became NaN or infinite (the run stops there)."""
        return math.isfinite(self.losses[-1])


def descend(loss: LossFn, gradient: GradientFn, X: np.ndarray, y: np.ndarray, learning_rate: float,
            steps: int = 200) -> DescentRun:
    """Notebook 01's training loop: w <- w - rate * dL/dw, b <- b - rate * dL/db, from zeros, recording the loss."""
    if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate) and learning_rate > 0):
        raise InvalidInputError(f"the learning rate must be a positive number, got {learning_rate!r}.")
    if not isinstance(steps, int) or steps < 1:
        raise InvalidInputError(f"steps must be a whole number >= 1, got {steps!r}.")
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
    """Loss curves (log scale, so both a jump to 40 and a slow crawl at 0.05 are visible)."""
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


def describe_descent(run: DescentRun) -> str:
    """One line with the numbers a learner should compare between rates."""
    if not run.finished:
        return f"rate {run.learning_rate:g}: the loss became {run.losses[-1]} after {len(run.losses) - 1} steps."
    return (f"rate {run.learning_rate:g}: loss {run.losses[0]:.3f} -> after 1 step {run.losses[1]:.3f}, "
            f"highest {max(run.losses):.3f}, after {len(run.losses) - 1} steps {run.losses[-1]:.3f} "
            f"(went up on {run.rises} steps)")


class LearningRateExplorer:
    """A learning-rate slider (log scale) that re-runs the gradient descent and redraws the loss curve."""

    CSS_CLASSES = {
        "box": "tricknets-descent",
        "rate": "tricknets-descent-rate",
        "steps": "tricknets-descent-steps",
        "output": "tricknets-descent-output",
    }

    def __init__(self, loss: LossFn, gradient: GradientFn, X: np.ndarray, y: np.ndarray,
                 learning_rate: float = 1.0, steps: int = 200, reference_rate: float = 1.0) -> None:
        self.loss, self.gradient, self.X, self.y = loss, gradient, X, y
        self.reference_rate = reference_rate
        self.last_run: DescentRun | None = None
        self.rate = w.FloatLogSlider(value=learning_rate, base=10, min=-2, max=2.5, step=0.1,
                                     description="learning rate", readout_format=".3g", continuous_update=False,
                                     style=_STYLE, layout=_wide())
        self.steps = w.IntSlider(value=steps, min=10, max=1000, step=10, description="steps",
                                 continuous_update=False, style=_STYLE, layout=_wide())
        self.output = w.Output()
        self.widget = w.VBox([w.HTML("<b>Learning rate</b>: gradient descent from zero weights, re-run on every "
                                     "change"), self.rate, self.steps, self.output])
        _add_classes(self._parts(), self.widget, self.CSS_CLASSES)
        for control in (self.rate, self.steps):
            control.observe(lambda _: self.update(), names="value")
        self.update()

    def _parts(self) -> dict[str, w.DOMWidget]:
        return {"rate": self.rate, "steps": self.steps, "output": self.output}

    def update(self) -> DescentRun:
        steps = int(self.steps.value)
        run = descend(self.loss, self.gradient, self.X, self.y, float(self.rate.value), steps)
        reference = None
        if not math.isclose(run.learning_rate, self.reference_rate):
            reference = descend(self.loss, self.gradient, self.X, self.y, self.reference_rate, steps)
        self.last_run = run
        _show(self.output, descent_figure([run], reference), describe_descent(run))
        return run

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)


# --- 02: an epsilon slider that flips a digit ---------------------------------------------
Predict = Callable[[torch.Tensor], torch.Tensor | np.ndarray]


def perturb(x: torch.Tensor | np.ndarray, direction: torch.Tensor | np.ndarray, epsilon: float) -> torch.Tensor:
    """clip(x + epsilon * sign(direction), 0, 1): notebook 02's linear attack, for one flat digit."""
    x = torch.as_tensor(x, dtype=torch.float32).flatten()
    direction = torch.as_tensor(direction, dtype=torch.float32).flatten()
    if x.shape != direction.shape:
        raise InvalidInputError(f"the digit has {x.numel()} values, the direction {direction.numel()}.")
    return (x + float(epsilon) * torch.sign(direction)).clamp(0.0, 1.0)


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
    """Perturb one digit and ask the model.

    predict gets a (1, 64) float32 tensor and returns (1, classes) probabilities (a tensor or an array),
    e.g. `lambda x: linear(x).softmax(1)` for notebook 02's linear model.
    """
    image = perturb(x, direction, epsilon)
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


class EpsilonSlider:
    """Slide epsilon and watch x + epsilon * sign(direction) change the model's answer for one digit."""

    CSS_CLASSES = {
        "box": "tricknets-flip",
        "epsilon": "tricknets-flip-epsilon",
        "status": "tricknets-flip-status",
        "output": "tricknets-flip-output",
    }

    def __init__(self, predict: Predict, x: torch.Tensor | np.ndarray, direction: torch.Tensor | np.ndarray,
                 label: int | None = None, target: int | None = None, epsilon: float = 0.0,
                 max_epsilon: float = 0.5) -> None:
        self.predict, self.x, self.direction = predict, x, direction
        self.label = flip_digit(predict, x, direction, 0.0).predicted if label is None else int(label)
        self.target = None if target is None else int(target)
        self.last: DigitFlip | None = None
        self.epsilon = w.FloatSlider(value=epsilon, min=0.0, max=max_epsilon, step=0.005, description="epsilon",
                                     readout_format=".3f", continuous_update=False, style=_STYLE, layout=_wide())
        self.status = w.HTML()
        self.output = w.Output()
        self.widget = w.VBox([w.HTML("<b>Epsilon slider</b>: every pixel moves by epsilon towards the target"),
                              self.epsilon, self.status, self.output])
        _add_classes(self._parts(), self.widget, self.CSS_CLASSES)
        self.epsilon.observe(lambda _: self.update(), names="value")
        self.update()

    def _parts(self) -> dict[str, w.DOMWidget]:
        return {"epsilon": self.epsilon, "status": self.status, "output": self.output}

    def update(self) -> DigitFlip:
        flip = flip_digit(self.predict, self.x, self.direction, float(self.epsilon.value))
        self.last = flip
        if flip.predicted == self.label:
            note = f"still a {self.label} (p = {flip.probs[self.label]:.2f})"
        else:
            note = f"<b>flipped</b>: now a {flip.predicted} (p = {flip.probs[flip.predicted]:.2f})"
        self.status.value = f"<span>eps = {flip.epsilon:.3f} ({16 * flip.epsilon:.1f} of 16 grey levels): {note}</span>"
        _show(self.output, flip_figure(flip, self.label, self.target))
        return flip

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)


# --- 03: step size, steps and budget ------------------------------------------------------
@dataclass
class BudgetRun:
    """One targeted attack as the explorer describes it: budgets in grey levels (1/255)."""

    epsilon_255: float
    step_size_255: float
    steps: int
    target_id: int
    result: AttackResult
    top3: list[tuple[str, float]]

    @property
    def curve(self) -> list[float]:
        """The target's probability before each step and after the last (steps + 1 numbers)."""
        return self.result.class_curve(self.target_id).tolist()

    def summary(self, categories: Sequence[str]) -> str:
        name = categories[self.target_id]
        reach = self.result.steps_to_reach(0.5)[0]
        lines = [f"{self.steps} steps of {self.step_size_255:g}/255 inside {self.epsilon_255:g}/255: "
                 f"{name} {100 * self.curve[0]:.2f}% -> {100 * self.curve[-1]:.2f}%",
                 ("reaches 50% after step " + str(reach)) if reach is not None else "never reaches 50%",
                 "top 3: " + " | ".join(f"{label} {100 * p:.1f}%" for label, p in self.top3),
                 f"largest pixel change {self.result.linf_255:.2f}/255"]
        if self.steps * self.step_size_255 < self.epsilon_255:
            lines.append(f"note: {self.steps} x {self.step_size_255:g}/255 is less than the budget, "
                         "so these steps cannot use all of it")
        return "\n".join(lines)


def run_budget(model: nn.Module, image: torch.Tensor, target: str | int = "paper towel", epsilon_255: float = 4.0,
               step_size_255: float = 0.5, steps: int = 10, progress: bool | None = None) -> BudgetRun:
    """iterative_attack with the budget and step size in grey levels; progress=None: a tqdm bar unless
    TRICKNETS_PROGRESS=0."""
    from . import attacks

    target_id = model.class_index(target)
    result = attacks.iterative_attack(model, image, target=target_id, epsilon=epsilon_255 / 255,
                                      step_size=step_size_255 / 255, steps=int(steps), progress=progress)
    return BudgetRun(float(epsilon_255), float(step_size_255), int(steps), target_id, result,
                     model.decode(result.final_probs[0], 3))


def budget_figure(run: BudgetRun, categories: Sequence[str]) -> Figure:
    """The probability curves of every class that leads at some step, plus the target's."""
    from . import plots

    shown = plots.leading_classes(run.result.history)
    if run.target_id not in shown:
        shown.append(run.target_id)
    fig = plots.probability_curves(run.result.history, shown, categories,
                                   title=f"towards {categories[run.target_id]}: {run.steps} steps of "
                                         f"{run.step_size_255:g}/255 inside {run.epsilon_255:g}/255")
    fig.axes[0].axhline(50, color="grey", lw=0.5)
    return fig


class BudgetExplorer:
    """Sliders for epsilon, step size and steps of a targeted attack on one image, and a Run button."""

    CSS_CLASSES = {
        "box": "tricknets-budget",
        "epsilon": "tricknets-budget-epsilon",
        "step_size": "tricknets-budget-step-size",
        "steps": "tricknets-budget-steps",
        "run": "tricknets-budget-run",
        "status": "tricknets-budget-status",
        "output": "tricknets-budget-output",
    }

    def __init__(self, model: nn.Module, image: torch.Tensor, target: str | int = "paper towel",
                 epsilon_255: float = 4.0, step_size_255: float = 0.5, steps: int = 10) -> None:
        self.model, self.image = model, image
        self.target_id = model.class_index(target)
        self.last_run: BudgetRun | None = None
        self.message = ""
        self.epsilon = w.FloatSlider(value=epsilon_255, min=0.25, max=16.0, step=0.25, description="epsilon /255",
                                     readout_format=".2f", continuous_update=False, style=_STYLE, layout=_wide())
        self.step_size = w.FloatSlider(value=step_size_255, min=0.05, max=8.0, step=0.05,
                                       description="step size /255", readout_format=".2f",
                                       continuous_update=False, style=_STYLE, layout=_wide())
        self.steps = w.IntSlider(value=steps, min=1, max=60, step=1, description="steps",
                                 continuous_update=False, style=_STYLE, layout=_wide())
        self.run_button = w.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="run the attack with these settings")
        self.status = w.HTML()
        self.output = w.Output(layout=w.Layout(border="1px solid #ddd", min_height="60px"))
        name = html.escape(model.categories[self.target_id])
        self.widget = w.VBox([w.HTML(f"<b>Step size and steps</b>: towards <i>{name}</i>; set the budget, "
                                     "press <i>Run</i>."),
                              self.epsilon, self.step_size, self.steps, self.run_button, self.status, self.output])
        _add_classes(self._parts(), self.widget, self.CSS_CLASSES)
        for control in (self.epsilon, self.step_size, self.steps):
            control.observe(lambda _: self._show_status(), names="value")
        self.run_button.on_click(lambda _: self.run())
        self._show_status()

    def _parts(self) -> dict[str, w.DOMWidget]:
        return {"epsilon": self.epsilon, "step_size": self.step_size, "steps": self.steps, "run": self.run_button,
                "status": self.status, "output": self.output}

    def _show_status(self, note: str | None = None) -> None:
        if note is None:
            note = (f"{self.steps.value} steps of {self.step_size.value:g}/255 inside {self.epsilon.value:g}/255: "
                    "press <i>Run</i>.")
        self.status.value = f"<span>{note}</span>"

    def run(self, progress: bool | None = None) -> BudgetRun | None:
        """Run the attack the sliders describe; the summary and the curves go to the output."""
        self.run_button.disabled = True
        self.run_button.description = "Running..."
        try:
            with self.output:
                clear_output(wait=True)
                try:
                    run = run_budget(self.model, self.image, self.target_id, float(self.epsilon.value),
                                     float(self.step_size.value), int(self.steps.value), progress=progress)
                except TrickNetsError as exc:
                    self.message = str(exc)
                    print(self.message)
                    self._show_status(html.escape(self.message))
                    return None
                self.last_run = run
                self.message = run.summary(self.model.categories)
                print(self.message)
                fig = budget_figure(run, self.model.categories)
                display(fig)
                plt.close(fig)
            name = html.escape(self.model.categories[self.target_id])
            self._show_status(f"Done: {name} {100 * run.curve[-1]:.1f}% after {run.steps} steps.")
            return run
        finally:
            self.run_button.disabled = False
            self.run_button.description = "Run"

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)
