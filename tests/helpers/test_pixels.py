"""helpers.pixels: the pixel check, the budget check, the signed step and the projection, on any shape."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from helpers import pixels
from helpers.errors import InvalidInputError, ParameterError


def test_signed_step_moves_every_value_by_the_step_and_stays_in_range() -> None:
    x = torch.full((1, 3, 4, 4), 0.5)
    g = torch.randn(1, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    y = pixels.signed_step(x, g, 0.1)
    assert torch.allclose((y - x).abs(), torch.full_like(x, 0.1))
    assert torch.equal(torch.sign(y - x), torch.sign(g))
    assert float(pixels.signed_step(torch.ones_like(x), torch.ones_like(x), 0.5).max()) == 1.0
    assert torch.equal(pixels.signed_step(x, torch.zeros_like(x), 0.3), x)  # sign(0) = 0: no move


def test_signed_step_works_on_flat_digits() -> None:
    digit = torch.linspace(0, 1, 64, dtype=torch.float64)
    stepped = pixels.signed_step(digit, torch.ones(64, dtype=torch.float64), 0.3)
    assert stepped.min() >= 0.3 - 1e-12 and stepped.max() == 1.0 and stepped.dtype == torch.float64


def test_project_stays_within_epsilon_and_range() -> None:
    x = torch.full((2, 5), 0.5)
    far = x + torch.tensor([[0.3, -0.3, 0.01, 0.6, -0.6]] * 2)
    p = pixels.project(far, x, 0.05)
    assert float((p - x).abs().max()) <= 0.05 + 1e-7
    assert torch.allclose(p[0], torch.tensor([0.55, 0.45, 0.51, 0.55, 0.45]))
    edge = torch.tensor([0.98, 0.01])
    assert pixels.project(edge + 0.5, edge, 0.1).tolist() == pytest.approx([1.0, 0.11])  # and inside [0, 1]


@pytest.mark.parametrize(("bad", "message"), [
    ("a picture", "torch.Tensor"), (torch.zeros(2, 3, dtype=torch.uint8), "0-255"), (torch.zeros(0), "empty"),
    (torch.tensor([0.5, float("nan")]), "NaN"), (torch.tensor([0.5, float("inf")]), "NaN or infinite"),
    (torch.tensor([0.5, 1.5]), r"\[0, 1\]"), (torch.tensor([-0.01]), r"\[0, 1\]"),
])
def test_check_pixels_refuses_what_a_model_must_not_see(bad: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        pixels.check_pixels(bad)


@pytest.mark.parametrize("good", [torch.zeros(1, 3, 8, 8), torch.ones(64), torch.rand(2, 64, dtype=torch.float64)])
def test_check_pixels_accepts_any_shape(good: torch.Tensor) -> None:
    pixels.check_pixels(good)


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(epsilon=0), "epsilon"), (dict(epsilon=-1 / 255), "epsilon"), (dict(epsilon=float("nan")), "epsilon"),
    (dict(epsilon=1.5), "whole pixel range"), (dict(epsilon=True), "epsilon"), (dict(epsilon="2/255"), "epsilon"),
    (dict(epsilon=0.1, steps=0), "steps"), (dict(epsilon=0.1, steps=2.0), "steps"),
    (dict(epsilon=0.1, step_size=0.0), "step_size"), (dict(epsilon=0.1, step_size=float("inf")), "step_size"),
])
def test_check_budget(kwargs: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        pixels.check_budget(**kwargs)


def test_check_budget_accepts_a_sensible_schedule() -> None:
    pixels.check_budget(2 / 255, steps=10, step_size=0.5 / 255)
    pixels.check_budget(1.0)


def test_imports_no_torchvision() -> None:
    """The digit notebooks and the checkers use it without paying for torchvision's import."""
    code = "import sys, helpers.pixels, helpers.exercises, helpers.widgets.digits; print('torchvision' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "False", result.stderr


def test_the_default_step_is_two_and_a_half_budgets_over_the_steps_at_most_one_budget() -> None:
    assert pixels.default_step_size(8 / 255, 10) == 2.5 * (8 / 255) / 10
    assert pixels.default_step_size(8 / 255, 2) == 8 / 255  # capped: one step never leaves the box
    assert pixels.default_step_size(4.0, 0) == 4.0  # no steps asked: still a number, never a ZeroDivisionError
