"""Every exercise checker accepts a correct answer and rejects typical wrong ones with a hint."""

from __future__ import annotations

import math

import numpy as np
import torch

from helpers import attacks, exercises, images, pixels


def _sigmoid(t):
    return 1 / (1 + np.exp(-t))


def _assert_hint(feedback: exercises.Feedback, *words: str) -> None:
    assert not feedback.correct
    assert repr(feedback).startswith("❌ Not yet.")
    for word in words:
        assert word in feedback.message, feedback.message


def test_feedback_reads_well() -> None:
    assert repr(exercises.Feedback(True, "fine")) == "✅ Correct! fine"
    assert not exercises.Feedback(False, "x")


def test_sigmoid() -> None:
    assert exercises.check_sigmoid(_sigmoid).correct
    _assert_hint(exercises.check_sigmoid(lambda t: None), "returns None")
    _assert_hint(exercises.check_sigmoid(lambda t: 1 / (1 + np.exp(t))), "-t")
    _assert_hint(exercises.check_sigmoid(lambda t: float(t[0])), "one number per input")
    _assert_hint(exercises.check_sigmoid(lambda t: 1 / 0), "ZeroDivisionError")


def test_loss_gradient() -> None:
    def right(w, X, y):
        return X.T @ (_sigmoid(X @ w) - y) / len(y)

    assert exercises.check_loss_gradient(right).correct
    _assert_hint(exercises.check_loss_gradient(lambda w, X, y: -right(w, X, y)), "sign")
    _assert_hint(exercises.check_loss_gradient(lambda w, X, y: right(w, X, y) * len(y)), "divide")
    _assert_hint(exercises.check_loss_gradient(lambda w, X, y: X @ w), "shape")
    _assert_hint(exercises.check_loss_gradient(lambda w, X, y: None), "None")


def test_smallest_epsilon() -> None:
    def flips(eps: float) -> bool:
        return eps >= 0.237

    assert exercises.check_smallest_epsilon(0.24, flips).correct
    _assert_hint(exercises.check_smallest_epsilon(0.2, flips), "not flipped yet")
    _assert_hint(exercises.check_smallest_epsilon(0.5, flips), "smaller")
    _assert_hint(exercises.check_smallest_epsilon(None, flips), "number")
    _assert_hint(exercises.check_smallest_epsilon(-1, flips), "positive")


def test_logit_change() -> None:
    w = np.array([0.5, -2.0, 1.0, -0.25])
    eps = 0.1
    assert exercises.check_logit_change(eps * np.abs(w).sum(), w, eps).correct
    _assert_hint(exercises.check_logit_change(eps * np.linalg.norm(w), w, eps), "L1")
    _assert_hint(exercises.check_logit_change(eps * abs(w.sum()), w, eps), "signs")
    _assert_hint(exercises.check_logit_change(3.0, w, eps), "sign")


def test_signed_step() -> None:
    assert exercises.check_signed_step(pixels.signed_step).correct
    _assert_hint(exercises.check_signed_step(lambda x, g, s: (x + s * g).clamp(0, 1)), "sign")
    _assert_hint(exercises.check_signed_step(lambda x, g, s: x + s * g.sign()), "clamp")
    _assert_hint(exercises.check_signed_step(lambda x, g, s: (x - s * g.sign()).clamp(0, 1)), "downhill")
    _assert_hint(exercises.check_signed_step(lambda x, g, s: None), "None")


def test_attack(lite0) -> None:
    x = images.load("coffee")
    eps = 2 / 255
    good = attacks.iterative_attack(lite0, x, target="paper towel", epsilon=eps, steps=8, progress=False).adversarial
    assert exercises.check_attack(lite0, x, good, "paper towel", eps).correct
    _assert_hint(exercises.check_attack(lite0, x, x.clone(), "paper towel", eps), "paper towel", "%")
    _assert_hint(exercises.check_attack(lite0, x, (x + 5 / 255).clamp(0, 1), "paper towel", eps), "budget")
    _assert_hint(exercises.check_attack(lite0, x, None, "paper towel", eps), "adversarial")
    nan = x.clone()
    nan[0, 0, 0, 0] = float("nan")
    _assert_hint(exercises.check_attack(lite0, x, nan, "paper towel", eps), "NaN")


def test_psnr() -> None:
    def right(a, b):
        return 10 * math.log10(1 / float(((a - b) ** 2).mean()))

    assert exercises.check_psnr(right).correct
    _assert_hint(exercises.check_psnr(lambda a, b: 10 * math.log10(255**2 / float(((a - b) ** 2).mean()))), "255")
    _assert_hint(exercises.check_psnr(lambda a, b: 20 * math.log10(1 / float(((a - b) ** 2).mean()))), "squared")
    _assert_hint(exercises.check_psnr(lambda a, b: "loud"), "one number")


def test_dog_mass() -> None:
    assert exercises.check_dog_mass(lambda p: p[151:269].sum()).correct
    _assert_hint(exercises.check_dog_mass(lambda p: p[151:268].sum()), "268")
    _assert_hint(exercises.check_dog_mass(lambda p: p[152:269].sum()), "151")
    _assert_hint(exercises.check_dog_mass(lambda p: p.sum()), "151")


def test_median_steps() -> None:
    def right(values):
        return float(np.median([math.inf if v is None else v for v in values]))

    assert exercises.check_median_steps(right).correct
    _assert_hint(exercises.check_median_steps(lambda v: float(np.median([x for x in v if x is not None]))), "inf")
    _assert_hint(exercises.check_median_steps(lambda v: None), "median")


def test_checker_never_raises_on_learner_errors() -> None:
    boom = exercises.check_signed_step(lambda x, g, s: torch.zeros(2))
    _assert_hint(boom, "same shape")
    _assert_hint(exercises.check_sigmoid("not a function"), "function")


def test_choice_prediction() -> None:
    choices = ("raise", "lower")
    assert exercises.check_choice("Lower ", "lower", choices, "the step overshoots.").correct
    assert "overshoots" in exercises.check_choice("lower", "lower", choices, "the step overshoots.").message
    _assert_hint(exercises.check_choice("raise", "lower", choices), "you predicted 'raise'", "computed 'lower'")
    _assert_hint(exercises.check_choice(None, "lower", choices), "write your prediction first", "'raise'")
    _assert_hint(exercises.check_choice("sideways", "lower", choices), "one of")
    _assert_hint(exercises.check_choice(3, "lower", choices), "one of")


def test_estimate_prediction() -> None:
    assert exercises.check_estimate(4.5, 4.63, tolerance=0.5).correct
    _assert_hint(exercises.check_estimate(10, 4.63, tolerance=0.5, unit="/255"), "too high", "4.63/255")
    _assert_hint(exercises.check_estimate(1, 4.63, tolerance=0.5), "too low")
    _assert_hint(exercises.check_estimate(None, 4.63, tolerance=0.5), "estimate")
    _assert_hint(exercises.check_estimate(float("nan"), 4.63, tolerance=0.5), "one number")
    _assert_hint(exercises.check_estimate(True, 4.63, tolerance=0.5), "one number")


def test_eot_gradient() -> None:
    def right(model, x, labels, samples):
        total = 0
        for _ in range(samples):
            x_var = x.clone().requires_grad_(True)
            log_p = torch.log_softmax(model(x_var), dim=-1).gather(1, labels[:, None]).sum()
            total = total + torch.autograd.grad(log_p, x_var)[0]
        return total / samples

    def summed(model, x, labels, samples):
        return right(model, x, labels, samples) * samples

    def one_draw(model, x, labels, samples):
        return right(model, x, labels, 1)

    assert exercises.check_eot_gradient(right)
    assert "sum" in exercises.check_eot_gradient(summed).message
    assert "single draw" in exercises.check_eot_gradient(one_draw).message
    assert "sign" in exercises.check_eot_gradient(lambda m, x, l, s: -right(m, x, l, s)).message
    assert not exercises.check_eot_gradient(lambda m, x, l, s: ...)
    assert "raised" in exercises.check_eot_gradient(lambda m, x, l, s: 1 / 0).message

    def batched(model, x, labels, samples):
        # all draws in one call: the copies stacked, their gradients summed by autograd through repeat
        x_var = x.clone().requires_grad_(True)
        log_p = torch.log_softmax(model(x_var.repeat(samples, 1)), dim=-1).gather(1, labels.repeat(samples)[:, None])
        return torch.autograd.grad(log_p.sum(), x_var)[0] / samples

    def extra_call(model, x, labels, samples):
        model(x)   # e.g. to look at the output's shape: one more draw of noise
        return right(model, x, labels, samples)

    assert exercises.check_eot_gradient(batched)
    assert "drew noise 6 times" in exercises.check_eot_gradient(extra_call).message


def test_certified_radius() -> None:
    from scipy import stats

    p_low = stats.beta.ppf(0.001, 981, 20)
    assert exercises.check_certified_radius(0.25 * stats.norm.ppf(p_low), 981, 1000, 0.25, 0.001)
    assert "frequency" in exercises.check_certified_radius(0.25 * stats.norm.ppf(0.981), 981, 1000, 0.25, 0.001).message
    assert "sigma" in exercises.check_certified_radius(stats.norm.ppf(p_low), 981, 1000, 0.25, 0.001).message
    two_sided = 0.25 * stats.norm.ppf(stats.beta.ppf(0.0005, 981, 20))
    assert "two-sided" in exercises.check_certified_radius(two_sided, 981, 1000, 0.25, 0.001).message
    assert not exercises.check_certified_radius(None, 981, 1000, 0.25, 0.001)
    assert not exercises.check_certified_radius(float("nan"), 981, 1000, 0.25, 0.001)
    exact = 0.25 * stats.norm.ppf(p_low)                    # 0.448594...
    assert exercises.check_certified_radius(0.4486, 981, 1000, 0.25, 0.001)   # rounded to 4 digits: still right
    assert exercises.check_certified_radius(round(exact, 3), 981, 1000, 0.25, 0.001)
    assert "rounded" in exercises.check_certified_radius(0.45, 981, 1000, 0.25, 0.001).message
    assert "two-sided" in exercises.check_certified_radius(round(two_sided, 4), 981, 1000, 0.25, 0.001).message
    assert not exercises.check_certified_radius(0.5, 981, 1000, 0.25, 0.001)


def test_target_row_checker() -> None:
    rows = [{"group": "dog", "task": "targeted", "goal": "852", "level": "3"},
            {"group": "dog", "task": "targeted", "goal": "852", "level": ""},
            {"group": "object", "task": "targeted", "goal": "852", "level": "1"},
            {"group": "object", "task": "targeted-check", "goal": "852", "level": "0"},
            {"group": "object", "task": "targeted", "goal": "9", "level": "5"}]

    def check(fn):
        return exercises.check_target_row(fn, rows, 852, 6)

    assert check(lambda r: {"dog": 4.5, "object": 1.0})
    assert "Not yet" in repr(check(lambda r: None))
    assert "targeted-check" in repr(check(lambda r: {"dog": 4.5, "object": 0.5}))
    assert "count an empty level as 6" in repr(check(lambda r: {"dog": 3.0, "object": 1.0}))
    assert "one entry per group" in repr(check(lambda r: {"dog": 4.5}))
    assert "raised ZeroDivisionError" in repr(check(lambda r: 1 / 0))
    assert not check(lambda r: {"dog": 4.0, "object": 1.0})
