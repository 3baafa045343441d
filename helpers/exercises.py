"""Answer checkers for the exercises at the end of each notebook (01-06).

A checker never raises on a wrong or unfinished answer: it returns Feedback whose text is
either "Correct" or a short hint aimed at the most likely mistake, so a learner (or a room
of thirty) gets told what to look at next. Starter answers (None, `...`) get a gentle
"not yet". Each checker computes the right answer itself, from the learner's own inputs
where that makes sense, rather than comparing against a stored number. The prediction
checkers compare what a learner wrote down *before* running a cell with what it then computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from . import imagenet_groups
from .errors import TrickNetsError
from .pixels import check_pixels

if TYPE_CHECKING:  # for the annotations only: the digit notebooks import this module without torchvision
    from .models import Classifier


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str

    def __repr__(self) -> str:  # what a notebook cell shows
        return ("✅ Correct! " if self.correct else "❌ Not yet. ") + self.message

    def __bool__(self) -> bool:
        return self.correct


def _ok(message: str = "") -> Feedback:
    return Feedback(True, message)


def _hint(message: str) -> Feedback:
    return Feedback(False, message)


def _unfinished(answer: object) -> bool:
    return answer is None or answer is Ellipsis


def _call(fn: Callable, *args: object) -> tuple[object, Feedback | None]:
    """Run the learner's function; an exception becomes a hint instead of a traceback."""
    if not callable(fn):
        return None, _hint(f"expected a function, got {type(fn).__name__}; define it with `def ...` and pass its name.")
    try:
        return fn(*args), None
    except Exception as exc:  # any learner error becomes feedback
        return None, _hint(f"your function raised {type(exc).__name__}: {exc}")


def _number(fn: Callable, args: Sequence[object], unfinished: str) -> float | Feedback:
    """Run the learner's function and read one number from its answer; a hint when that fails."""
    got, problem = _call(fn, *args)
    if problem is not None:
        return problem
    if _unfinished(got):
        return _hint(unfinished)
    try:
        return float(got)  # type: ignore[arg-type]  # got is any object: float() decides, the except below
    except (TypeError, ValueError):
        return _hint("return one number (use float(...) or .item(); math.inf is a number too).")


def _array(fn: Callable, args: Sequence[object], unfinished: str, shape: tuple[int, ...],
           wrong_shape: str) -> np.ndarray | Feedback:
    """Run the learner's function and read an array of `shape` from its answer; a hint when that fails.

    `wrong_shape` may name the learner's shape as {shape}."""
    got, problem = _call(fn, *args)
    if problem is not None:
        return problem
    if _unfinished(got):
        return _hint(unfinished)
    arr = _as_array(got)
    if arr is None or arr.shape != shape:
        return _hint(wrong_shape.format(shape=None if arr is None else arr.shape))
    return arr


def _as_array(value: object) -> np.ndarray | None:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


# --- 01: logistic regression -----------------------------------------------------------
def check_sigmoid(fn: Callable[[np.ndarray], np.ndarray]) -> Feedback:
    """Exercise: write S(t) = 1 / (1 + e^-t) for a numpy array."""
    t = np.array([-30.0, -2.0, 0.0, 0.5, 3.0, 794.0])
    expected = 1.0 / (1.0 + np.exp(-t))
    with np.errstate(over="ignore"):  # np.exp(794) overflows harmlessly to inf in a naive S
        arr = _array(fn, (t.copy(),), "your function returns None: fill in the body so that it returns S(t) "
                     "for every value in t (np.exp works on whole arrays).", t.shape,
                     f"S should return one number per input (shape {t.shape}); use numpy operations, "
                     "not math.exp.")
    if isinstance(arr, Feedback):
        return arr
    with np.errstate(over="ignore", invalid="ignore"):
        flipped, complement = 1 / (1 + np.exp(t)), np.exp(-t) / (1 + np.exp(-t))
    if np.allclose(arr, flipped):
        return _hint("your S decreases as t grows: the exponent should be -t.")
    if np.allclose(arr, complement, equal_nan=True):
        return _hint("that is 1 - S(t); check which term is in the numerator.")
    if not np.allclose(arr, expected, atol=1e-9):
        return _hint(f"S(0) should be 0.5 and S(794) 1.0; yours gives {arr[2]:.3g} and {arr[-1]:.3g}.")
    return _ok("S(0) = 0.5, and a score of 794 gives a probability of 1.0 to machine precision.")


def check_loss_gradient(fn: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Feedback:
    """Exercise: the gradient of the mean cross-entropy of logistic regression, fn(w, X, y) -> dL/dw."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 5))
    y = (rng.random(20) > 0.5).astype(float)
    w = rng.normal(size=5) * 0.3
    p = 1 / (1 + np.exp(-X @ w))
    expected = X.T @ (p - y) / len(y)
    arr = _array(fn, (w.copy(), X.copy(), y.copy()), "your function returns None: return dL/dw, one "
                 "number per weight (start from p = S(X @ w)).", w.shape,
                 f"the gradient has one entry per weight (shape {w.shape}), yours has shape {{shape}}.")
    if isinstance(arr, Feedback):
        return arr
    if np.allclose(arr, -expected):
        return _hint("the sign is flipped: it is (p - y), prediction minus label.")
    if np.allclose(arr, expected * len(y)):
        return _hint("almost: the loss is a mean over the n examples, so divide the sum by n.")
    if not np.allclose(arr, expected, atol=1e-8):
        return _hint("compare with a finite difference: (L(w + h e_i) - L(w - h e_i)) / 2h for one weight i.")
    return _ok("dL/dw = Xᵀ(p - y) / n, the same formula that trains the model.")


# --- 02: breaking linear classifiers ------------------------------------------------------
def check_smallest_epsilon(answer: float | None, flips: Callable[[float], bool], tolerance: float = 0.01,
                           upper: float = 1.0) -> Feedback:
    """Exercise: the smallest epsilon at which `flips(epsilon)` turns True (found by bisection here)."""
    if _unfinished(answer):
        return _hint("set your answer to a number, e.g. by trying epsilons in a loop.")
    if not isinstance(answer, (int, float)) or not math.isfinite(answer) or answer <= 0:
        return _hint(f"epsilon is a positive number, got {answer!r}.")
    if not flips(upper):
        raise TrickNetsError(f"this example does not flip even at epsilon={upper}; pick another example.")
    lo, hi = 0.0, upper
    while hi - lo > tolerance / 4:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if flips(mid) else (mid, hi)
    if not flips(answer):
        return _hint(f"at epsilon={answer:.3f} the prediction has not flipped yet: try larger.")
    if answer > hi + tolerance:
        return _hint(f"it flips at epsilon={answer:.3f}, but already at smaller values: search below it.")
    return _ok(f"the prediction flips from about epsilon = {hi:.3f}.")


def check_logit_change(answer: float | None, w: np.ndarray, epsilon: float) -> Feedback:
    """Exercise: the largest change of w·x that a step of at most epsilon per input can cause."""
    if _unfinished(answer):
        return _hint("compute it from w and epsilon (no model needed).")
    w = np.asarray(w, dtype=np.float64)
    expected = epsilon * np.abs(w).sum()
    if not isinstance(answer, (int, float, np.floating)):
        return _hint(f"the answer is one number, got {type(answer).__name__}.")
    if math.isclose(answer, epsilon * np.linalg.norm(w), rel_tol=1e-6):
        return _hint("that is the L2 norm; each input moves by ±epsilon, so add up |w_i| (the L1 norm).")
    if math.isclose(answer, epsilon * np.abs(w.sum()), rel_tol=1e-6):
        return _hint("the signs of w cancel in that sum; the step takes sign(w_i), so every term counts positively.")
    if not math.isclose(answer, expected, rel_tol=1e-6):
        return _hint("choose each input's ±epsilon to agree with the sign of its weight, and add up the gains.")
    return _ok(f"epsilon * ||w||_1 = {expected:.3f}: it grows with the number of inputs.")


# --- 03/04: attacks on the ImageNet network -------------------------------------------
def check_signed_step(fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> Feedback:
    """Exercise: write one signed gradient step, fn(x, grad, step_size), staying inside [0, 1]."""
    g = torch.Generator().manual_seed(3)
    x = torch.rand(1, 3, 8, 8, generator=g)
    x[0, 0, 0, :4] = torch.tensor([0.0, 1.0, 0.001, 0.999])
    grad = torch.randn(1, 3, 8, 8, generator=g)
    grad[0, 0, 0, :4] = torch.tensor([-1.0, 1.0, -2.0, 3.0])
    step = 0.01
    expected = (x + step * grad.sign()).clamp(0, 1)
    got, problem = _call(fn, x.clone(), grad.clone(), step)
    if problem is not None:
        return problem
    if _unfinished(got):
        return _hint("your function returns None: return the image after one signed step of size step_size.")
    if not isinstance(got, torch.Tensor) or got.shape != x.shape:
        return _hint("return a tensor with the same shape as x.")
    got = got.detach().float()
    if torch.allclose(got, (x + step * grad).clamp(0, 1)):
        return _hint("use the *sign* of the gradient: every pixel moves by exactly step_size.")
    if torch.allclose(got, x + step * grad.sign()):
        return _hint("pixels must stay in [0, 1]: clamp the result.")
    if torch.allclose(got, (x - step * grad.sign()).clamp(0, 1)):
        return _hint("that step goes downhill; to make the class more likely, add the signed gradient.")
    if not torch.allclose(got, expected, atol=1e-6):
        return _hint("each pixel should change by exactly ±step_size (less only where [0, 1] clips it).")
    return _ok("that is the step iterative attacks repeat.")


def check_attack(model: Classifier, original: torch.Tensor, adversarial: torch.Tensor | None, target: str | int,
                 epsilon: float, threshold: float = 0.5) -> Feedback:
    """Exercise: an adversarial image within `epsilon` of `original` that the model calls `target` with p >= threshold."""
    if _unfinished(adversarial):
        return _hint("set `adversarial` to your attacked image.")
    try:
        check_pixels(adversarial)
    except TrickNetsError as exc:
        return _hint(str(exc))
    assert isinstance(adversarial, torch.Tensor)  # check_pixels has made sure
    if adversarial.shape != original.shape:
        return _hint(f"the image has shape {tuple(adversarial.shape)}, the original {tuple(original.shape)}.")
    cid = model.class_index(target)
    change = float((adversarial.detach().cpu().double() - original.detach().cpu().double()).abs().max())
    if change > epsilon + 1e-6:
        return _hint(f"some pixel changed by {255 * change:.2f}/255, over the budget of {255 * epsilon:.2f}/255: "
                     "project back with helpers.attacks.project (or pass epsilon to iterative_attack).")
    p = float(model.probabilities(adversarial.detach())[0, cid])
    name = model.categories[cid]
    if p < threshold:
        return _hint(f"'{name}' is at {100 * p:.1f}%, the goal is {100 * threshold:.0f}%: "
                     "more steps, or a smaller step size with the same budget?")
    return _ok(f"'{name}' at {100 * p:.1f}% with a largest change of {255 * change:.2f}/255.")


def check_psnr(fn: Callable[[torch.Tensor, torch.Tensor], float]) -> Feedback:
    """Exercise: the peak signal-to-noise ratio in dB of two images with pixels in [0, 1]."""
    g = torch.Generator().manual_seed(5)
    a = torch.rand(1, 3, 16, 16, generator=g)
    b = (a + (torch.rand(a.shape, generator=g) - 0.5) * 0.02).clamp(0, 1)
    mse = float(((a - b) ** 2).mean())
    expected = 10 * math.log10(1.0 / mse)
    value = _number(fn, (a.clone(), b.clone()),
                    "your function returns None: return the PSNR in decibels, one number.")
    if isinstance(value, Feedback):
        return value
    if math.isclose(value, 10 * math.log10(255.0**2 / mse), rel_tol=1e-4):
        return _hint("the peak value is 1 for pixels in [0, 1], not 255.")
    if math.isclose(value, 20 * math.log10(1.0 / mse), rel_tol=1e-4):
        return _hint("PSNR uses 10·log10 of a ratio of *squared* values (or 20·log10 of the ratio of values).")
    if not math.isclose(value, expected, rel_tol=1e-4):
        return _hint(f"expected about {expected:.1f} dB for this test pair; PSNR = 10·log10(1 / MSE).")
    return _ok(f"{expected:.1f} dB for the test pair; above about 40 dB, people rarely see a difference.")


# --- 05: dog resistance ------------------------------------------------------------------
def check_dog_mass(fn: Callable[[torch.Tensor], float]) -> Feedback:
    """Exercise: the total probability of the 118 dog classes (ImageNet ids 151-268 inclusive)."""
    g = torch.Generator().manual_seed(11)
    probs = torch.rand(1000, generator=g).softmax(0)
    dogs = imagenet_groups.class_ids("dogs")
    first, last = dogs[0], dogs[-1]
    expected = float(imagenet_groups.group_probability(probs, "dogs"))
    value = _number(fn, (probs.clone(),),
                    "your function returns None: return one number, the total probability of the dog classes.")
    if isinstance(value, Feedback):
        return value
    if math.isclose(value, float(probs[first:last].sum()), rel_tol=1e-6):
        return _hint(f"off by one: id {last} (Mexican hairless) is a dog too; Python slices stop before their end.")
    if math.isclose(value, float(probs[first + 1:last + 1].sum()), rel_tol=1e-6):
        return _hint(f"off by one: id {first} (Chihuahua) is the first dog.")
    if not math.isclose(value, expected, rel_tol=1e-6):
        return _hint(f"use probs[{first}:{last + 1}].sum(): ids {first} to {last} inclusive.")
    return _ok(f"{len(dogs)} classes, ids {first}-{last}.")


def check_median_steps(fn: Callable[[Sequence[int | None]], float]) -> Feedback:
    """Exercise: the median number of steps, where None means 'never reached' (counts as more than any number)."""
    # sorted with None as infinity: [3, 5, inf, inf, inf] -> inf; [2, 4, 6, inf] -> (4 + 6) / 2; [1, 3, 7] -> 3
    cases: list[tuple[list[int | None], float]] = [([3, 5, None, None, None], math.inf), ([2, 4, 6, None], 5.0), ([7, 1, 3], 3.0)]
    for values, expected in cases:
        value = _number(fn, (list(values),),
                        "return the median, treating None as infinitely many steps (math.inf).")
        if isinstance(value, Feedback):
            return value
        finite = sorted(v for v in values if v is not None)
        dropped = float(np.median(finite)) if finite else math.nan
        if value != expected and math.isclose(value, dropped) and None in values:
            return _hint("dropping the Nones makes hard images look easy: count 'never' as math.inf instead.")
        if not (value == expected or (math.isfinite(expected) and math.isclose(value, expected))):
            return _hint(f"for {values} the median should be {expected}.")
    return _ok("a median that honours the attacks that never got there.")


def check_target_row(fn: Callable[[Sequence[dict[str, str]]], dict[str, float]], rows: Sequence[dict[str, str]],
                     target: int, never: int) -> Feedback:
    """Exercise: fn(rows) -> {group: mean level} of the targeted attacks on `target` in a dog-study table, a level
    left empty ("never within the grid") counting as `never`."""
    def means(keep: Callable[[dict[str, str]], bool], empty: float | None) -> dict[str, float]:
        per_group: dict[str, list[float]] = {}
        for r in rows:
            if r["goal"] != str(target) or not keep(r):
                continue
            if r["level"] != "":
                per_group.setdefault(r["group"], []).append(float(r["level"]))
            elif empty is not None:
                per_group.setdefault(r["group"], []).append(float(empty))
        return {g: float(np.mean(v)) for g, v in per_group.items()}

    def same(a: dict[str, float], b: dict[str, float]) -> bool:
        return a.keys() == b.keys() and all(math.isclose(a[g], b[g], rel_tol=1e-9, abs_tol=1e-12) for g in a)

    expected = means(lambda r: r["task"] == "targeted", never)
    got, problem = _call(fn, list(rows))
    if problem is not None:
        return problem
    if _unfinished(got) or got == {}:
        return _hint("return a dict, one mean level per group: {'dog': ..., 'animal': ..., 'object': ...}.")
    if not isinstance(got, dict):
        return _hint(f"return a dict of group -> mean level, got {type(got).__name__}.")
    try:
        got = {str(g): float(v) for g, v in got.items()}
    except (TypeError, ValueError):
        return _hint("each value should be one number, the group's mean level.")
    if got.keys() != expected.keys():
        return _hint(f"one entry per group of the table's `group` column: {sorted(expected)}, got {sorted(got)}.")
    if same(got, means(lambda r: r["task"].startswith("targeted"), never)) and not same(got, expected):
        return _hint("the 'targeted-check' rows are the same attacks run again with more steps: keep task == 'targeted'.")
    if same(got, means(lambda r: r["task"] == "targeted", None)) and not same(got, expected):
        return _hint(f"leaving out the attacks that never got there makes photos look easier: count an empty level "
                     f"as {never}.")
    if not same(got, expected):
        return _hint(f"keep the rows with task == 'targeted' and goal == '{target}', read `level` as a number "
                     f"({never} when it is empty), and average per group.")
    return _ok(", ".join(f"{g} {v:.2f}" for g, v in expected.items()) + ".")


# --- 06: judging a defence ------------------------------------------------------------------
class _CountedNoise(nn.Module):
    """GaussianNoise for the EOT checker: counts its draws, and gives a batch of k stacked copies of the
    images (x.repeat) the same k draws as k separate calls, so a batched solution is checked alike."""

    def __init__(self, sigma: float, seed: int, rows: int) -> None:
        super().__init__()
        self.sigma, self.seed, self.rows = sigma, seed, rows
        self.generator = torch.Generator().manual_seed(seed)
        self.draws = 0

    def reset(self) -> None:
        self.generator.manual_seed(self.seed)
        self.draws = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, x.shape[-1])
        blocks = flat.shape[0] // self.rows if flat.shape[0] % self.rows == 0 else 1
        size = flat.shape[0] // blocks
        noise = torch.cat([torch.randn((size, flat.shape[1]), generator=self.generator, dtype=x.dtype)
                           for _ in range(blocks)])
        self.draws += blocks
        return x + self.sigma * noise.reshape(x.shape)


def check_eot_gradient(fn: Callable[[nn.Module, torch.Tensor, torch.Tensor, int], torch.Tensor]) -> Feedback:
    """Exercise: fn(model, x, labels, samples) -> the average over `samples` forward passes of a random model
    of d log p(label | x) / dx (EOT), compared with helpers.attacks.class_log_prob_gradient(..., samples).
    The noise comes from one seeded generator, so the comparison needs the same draws in the same order."""
    from .attacks import class_log_prob_gradient
    from .training import mlp

    base = mlp(6, 5, 3, seed=4).double()
    x = torch.rand(4, 6, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    noise = _CountedNoise(0.5, seed=9, rows=len(x))
    noisy = nn.Sequential(noise, base)
    labels = torch.tensor([0, 1, 2, 1])
    samples = 5
    noise.reset()
    got, problem = _call(fn, noisy, x.clone(), labels.clone(), samples)
    if problem is not None:
        return problem
    if _unfinished(got):
        return _hint("your function returns None: return the averaged gradient, one value per pixel (shape of x).")
    arr = _as_array(got)
    if arr is None or arr.shape != tuple(x.shape):
        return _hint(f"return one gradient value per input value, shape {tuple(x.shape)}.")
    draws = noise.draws

    def helper(k: int) -> np.ndarray:
        noise.reset()
        return class_log_prob_gradient(noisy, x, labels, k)[0].numpy()

    expected = helper(samples)
    if np.allclose(arr, expected, atol=1e-9):
        return _ok("the average of the per-draw gradients, as helpers.attacks computes with samples=5.")
    if np.allclose(arr, samples * expected, atol=1e-9):
        return _hint("that is the sum over the draws; divide by the number of samples.")
    if np.allclose(arr, -expected, atol=1e-9):
        return _hint("the sign is flipped: differentiate log p(label), the log-probability itself.")
    if np.allclose(arr, helper(1), atol=1e-9):
        return _hint("that is the gradient of a single draw: call the model `samples` times and average.")
    if draws != samples:
        return _hint(f"the model drew noise {draws} times for samples = {samples}. Each call draws new noise from one "
                     "seeded generator, and the checker compares with exactly `samples` draws in order: call the "
                     "model once per sample and nowhere else (an extra call, e.g. for a shape, shifts the draws).")
    return _hint("call model(x) once per sample (each call draws fresh noise), take the gradient of "
                 "log_softmax(...)[label] summed over the images, and average those gradients.")


def check_certified_radius(answer: float | None, count: int, n: int, sigma: float, alpha: float) -> Feedback:
    """Exercise: Cohen et al.'s radius sigma * Phi^-1(p_lower), p_lower the one-sided Clopper-Pearson bound."""
    from scipy import stats

    if _unfinished(answer):
        return _hint("compute the bound on p_A from the counts, then the radius from the bound.")
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating)) or not math.isfinite(answer):
        return _hint(f"the radius is one number, got {answer!r}.")
    p_lower = float(stats.beta.ppf(alpha, count, n - count + 1))
    expected = sigma * float(stats.norm.ppf(p_lower))
    close = 1e-3    # a correct answer rounded to 3 significant digits or more still counts
    if math.isclose(answer, expected, rel_tol=close):
        return _ok(f"p_A >= {p_lower:.4f} with confidence {1 - alpha:.1%}, so R = {expected:.4f}.")
    if math.isclose(answer, sigma * float(stats.norm.ppf(count / n)), rel_tol=close):
        return _hint("that uses the observed frequency count / n; the certificate needs a lower confidence bound.")
    if math.isclose(answer, sigma * float(stats.norm.ppf(stats.beta.ppf(alpha / 2, count, n - count + 1))),
                    rel_tol=close):
        return _hint("that is the two-sided interval's lower end; the certificate uses a one-sided bound at alpha.")
    if math.isclose(answer, float(stats.norm.ppf(p_lower)), rel_tol=close):
        return _hint("almost: the radius is measured in pixel units, so multiply by sigma.")
    if math.isclose(answer, p_lower, rel_tol=close):
        return _hint("that is the bound on p_A; the radius is sigma * Phi^-1(bound), scipy.stats.norm.ppf.")
    if math.isclose(answer, expected, rel_tol=5e-3):
        return _hint("very close, but rounded too far: keep the computed value (assign the variable) rather than "
                     "typing a rounded number.")
    return _hint("p_lower = scipy.stats.beta.ppf(alpha, count, n - count + 1); R = sigma * scipy.stats.norm.ppf(p_lower).")


# --- predictions: written down before a cell runs, checked against what it computed ---------
def check_choice(prediction: str | None, actual: str, choices: Sequence[str], why: str = "") -> Feedback:
    """Exercise: predict one of `choices` before running; `actual` is what the notebook then computed."""
    if _unfinished(prediction):
        return _hint(f"write your prediction first, one of: {', '.join(repr(c) for c in choices)}; then run the cell.")
    if not isinstance(prediction, str) or prediction.strip().lower() not in {c.lower() for c in choices}:
        return _hint(f"a prediction is one of {', '.join(repr(c) for c in choices)}, got {prediction!r}.")
    if prediction.strip().lower() == actual.lower():
        return _ok(f"the notebook computed {actual!r}. {why}".strip())
    return _hint(f"you predicted {prediction!r}; the notebook computed {actual!r}. {why}".strip())


def check_estimate(prediction: float | None, actual: float, tolerance: float, unit: str = "", why: str = "") -> Feedback:
    """Exercise: estimate a number before running; right if within `tolerance` (absolute) of what was computed."""
    if _unfinished(prediction):
        return _hint("write your estimate (a number) first, then run the cell.")
    if isinstance(prediction, bool) or not isinstance(prediction, (int, float)) or not math.isfinite(prediction):
        return _hint(f"an estimate is one number, got {prediction!r}.")
    if abs(prediction - actual) <= tolerance:
        return _ok(f"the notebook computed {actual:g}{unit}; you said {prediction:g}{unit}. {why}".strip())
    side = "high" if prediction > actual else "low"
    return _hint(f"you said {prediction:g}{unit}, the notebook computed {actual:g}{unit} (too {side} by more than "
                 f"{tolerance:g}{unit}). {why}".strip())
