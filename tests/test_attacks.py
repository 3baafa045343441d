"""helpers.attacks on the real pretrained network: gradients, steps, budgets, and bad settings."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from helpers import attacks, images
from helpers.errors import AttackParameterError, InvalidInputError, UnknownClassError

PAPER_TOWEL = 700


def test_gradient_matches_finite_difference(lite0) -> None:
    """d log p / dx from autograd agrees with a central finite difference (in float64, to be exact enough)."""
    model = copy.deepcopy(lite0).double()
    x = images.load("coffee").double()
    grad, probs = attacks.class_log_prob_gradient(model, x, "espresso")
    assert probs.shape == (1, 1000) and abs(float(probs.sum()) - 1) < 1e-6
    direction = torch.randn(x.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    h = 1e-6
    with torch.no_grad():
        up = torch.log_softmax(model(x + h * direction), -1)[0, 967]
        down = torch.log_softmax(model(x - h * direction), -1)[0, 967]
    numeric = float(up - down) / (2 * h)
    analytic = float((grad * direction).sum())
    assert math.isclose(numeric, analytic, rel_tol=0.02)  # ReLU6 kinks keep it from being exact


def test_batch_gradient_is_per_image(lite0) -> None:
    """Images in a batch do not mix: each row's gradient equals the one computed alone."""
    batch = torch.cat([images.load("coffee"), images.load("chelsea")])
    grad, _ = attacks.class_log_prob_gradient(lite0, batch, ["espresso", "tabby"])
    alone, _ = attacks.class_log_prob_gradient(lite0, batch[1:], "tabby")
    assert torch.allclose(grad[1:], alone, atol=1e-5, rtol=1e-3)


def test_signed_step_and_projection() -> None:
    x = torch.full((1, 3, 4, 4), 0.5)
    g = torch.randn(1, 3, 4, 4, generator=torch.Generator().manual_seed(1))
    y = attacks.signed_step(x, g, 0.1)
    assert torch.allclose((y - x).abs(), torch.full_like(x, 0.1))
    assert torch.equal(torch.sign(y - x), torch.sign(g))
    assert float(attacks.signed_step(torch.ones_like(x), torch.ones_like(x), 0.5).max()) == 1.0  # stays in [0, 1]
    far = x + 0.3
    p = attacks.project(far, x, 0.05)
    assert float((p - x).abs().max()) <= 0.05 + 1e-7


def test_one_gradient_step_raises_the_target(lite0) -> None:
    """The whole idea: a step of 1/255 along the sign of the gradient makes the class more likely."""
    x = images.load("chelsea")
    grad, probs = attacks.class_log_prob_gradient(lite0, x, "tabby")
    after = lite0.probabilities(attacks.signed_step(x, grad, 1 / 255))
    assert float(after[0, 281]) > float(probs[0, 281])


def test_targeted_attack_reaches_target_within_budget(lite0) -> None:
    x = images.load("coffee")
    eps = 2 / 255
    result = attacks.iterative_attack(lite0, x, target="paper towel", epsilon=eps, steps=8, progress=False)
    assert result.history.shape == (9, 1, 1000)
    assert float(result.final_probs[0, PAPER_TOWEL]) > 0.5
    assert float(result.history[0, 0, PAPER_TOWEL]) < 0.01
    assert result.linf_255 <= 2 + 1e-4
    assert float(result.image.min()) >= 0 and float(result.image.max()) <= 1
    assert result.steps_to_reach(0.5)[0] is not None
    assert torch.equal(result.original, x)  # the input is never modified in place


def test_untargeted_attack_moves_away_from_top_class(lite0) -> None:
    x = images.load("coffee")
    result = attacks.iterative_attack(lite0, x, epsilon=2 / 255, steps=5, progress=False)
    assert int(result.classes[0]) == 967  # espresso: the model's own top class by default
    assert float(result.final_probs[0, 967]) < float(result.history[0, 0, 967]) / 2
    assert not result.targeted


def test_batched_attack_with_one_target_per_image(lite0) -> None:
    batch = torch.cat([images.load("coffee"), images.load("chelsea")])
    result = attacks.iterative_attack(lite0, batch, target=["bath towel", 852], epsilon=2 / 255, steps=3,
                                      progress=False)
    assert result.classes.tolist() == [434, 852]
    assert result.image.shape == batch.shape and result.history.shape == (4, 2, 1000)
    for i, cid in enumerate((434, 852)):
        assert float(result.final_probs[i, cid]) > float(result.history[0, i, cid])


@pytest.mark.parametrize("epsilon", [0, -1 / 255, float("nan"), float("inf"), 2.0])
def test_bad_epsilon(lite0, epsilon) -> None:
    with pytest.raises(AttackParameterError, match="epsilon"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=epsilon, steps=2, progress=False)


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_bad_steps(lite0, steps) -> None:
    with pytest.raises(AttackParameterError, match="steps"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=steps, progress=False)


def test_bad_step_size(lite0) -> None:
    with pytest.raises(AttackParameterError, match="step_size"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, step_size=0, progress=False)


def test_nan_input(lite0) -> None:
    x = images.black()
    x[0, 1, 10, 10] = float("nan")
    with pytest.raises(InvalidInputError, match="NaN"):
        attacks.iterative_attack(lite0, x, target=700, epsilon=1 / 255, steps=1, progress=False)


def test_values_outside_unit_range(lite0) -> None:
    with pytest.raises(InvalidInputError, match=r"255"):
        attacks.iterative_attack(lite0, images.black() + 128, target=700, epsilon=1 / 255, steps=1, progress=False)


def test_unknown_target_class(lite0) -> None:
    with pytest.raises(UnknownClassError, match="vulture"):
        attacks.iterative_attack(lite0, images.black(), target="vultur", epsilon=1 / 255, steps=1, progress=False)


def test_target_and_away_from_together(lite0) -> None:
    with pytest.raises(AttackParameterError, match="not both"):
        attacks.iterative_attack(lite0, images.black(), target=700, away_from=1, epsilon=1 / 255, progress=False)


def test_wrong_number_of_targets(lite0) -> None:
    batch = torch.cat([images.black(), images.black()])
    with pytest.raises(AttackParameterError, match="one per image"):
        attacks.iterative_attack(lite0, batch, target=[1, 2, 3], epsilon=1 / 255, steps=1, progress=False)


def test_progress_bar_can_be_switched_off(lite0, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TRICKNETS_PROGRESS", "1")
    attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=2, progress=True)
    assert "attack" in capsys.readouterr().err
    monkeypatch.setenv("TRICKNETS_PROGRESS", "0")
    attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=2)
    assert capsys.readouterr().err == ""


def test_steps_to_target_matches_the_full_attack(lite0) -> None:
    """The early-exit measurement gives the same step counts as running every image to the end."""
    batch = torch.cat([images.load("coffee"), images.load("chelsea")] * 2)
    targets = [23, 434, 23, 434]
    settings = dict(target=targets, epsilon=3 / 255, step_size=0.5 / 255, progress=False)
    fast = attacks.steps_to_target(lite0, batch, max_steps=8, **settings)
    full = attacks.iterative_attack(lite0, batch, steps=8, **settings).steps_to_reach(0.5)
    assert fast == full
    assert any(s is not None for s in fast)
    with pytest.raises(AttackParameterError, match="threshold"):
        attacks.steps_to_target(lite0, batch, threshold=1.5, max_steps=2, **settings)
