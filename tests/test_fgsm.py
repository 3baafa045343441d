"""helpers.fgsm: the signed step stays in range and within epsilon, hurts the model, and refuses bad settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import digits, training
from helpers.errors import AttackParameterError, InvalidInputError
from helpers.fgsm import fgsm


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def data() -> tuple[torch.Tensor, torch.Tensor]:
    split = digits.load_split()
    return training.as_tensors(split.x_test[:200], split.y_test[:200])


@pytest.fixture(scope="module")
def model() -> nn.Module:
    """A small linear softmax model trained briefly on the digits (about 90 %+ accurate)."""
    torch.set_num_threads(1)
    split = digits.load_split()
    net = training.mlp(64, 10, seed=0)
    training.train(net, split.x_train, split.y_train, epochs=8, lr=2e-2, batch_size=128)
    return net


@pytest.mark.parametrize("epsilon", [0.01, 0.1, 0.3])
def test_stays_in_range_and_within_epsilon(model: nn.Module, data, epsilon: float) -> None:
    x, y = data
    original = x.clone()
    x_adv = fgsm(model, x, y, epsilon)
    assert x_adv.shape == x.shape and x_adv.dtype == x.dtype
    assert not x_adv.requires_grad
    assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0
    assert float((x_adv - x).abs().max()) <= epsilon + 1e-6
    assert torch.equal(x, original)  # the input batch is not modified in place
    # Every pixel that did not end on the boundary moved by exactly epsilon: the step uses the whole budget.
    inside = (x_adv > 0) & (x_adv < 1)
    assert inside.any()
    assert torch.allclose((x_adv - x).abs()[inside], torch.tensor(epsilon), atol=1e-6)


def test_untargeted_raises_loss_and_targeted_lowers_it(model: nn.Module, data) -> None:
    x, y = data
    with torch.no_grad():
        clean_loss = F.cross_entropy(model(x), y)
        clean_acc = (model(x).argmax(1) == y).float().mean()
        adv = fgsm(model, x, y, 0.2)
        assert F.cross_entropy(model(adv), y) > clean_loss + 0.5
        assert (model(adv).argmax(1) == y).float().mean() < clean_acc - 0.3
        target = (y + 1) % 10
        towards = fgsm(model, x, target, 0.2, targeted=True)
        assert F.cross_entropy(model(towards), target) < F.cross_entropy(model(x), target) - 0.5


def test_matches_the_formula_for_a_linear_model(model: nn.Module, data) -> None:
    """For softmax regression, grad_x of the mean cross-entropy is W^T (p - onehot(y)) / N: its sign is the step."""
    x, y = data
    W = model[0].weight.detach()
    with torch.no_grad():
        p = model(x).softmax(1)
    grad = (p - F.one_hot(y, 10).float()) @ W / len(y)
    expected = x + 0.05 * grad.sign()
    got = fgsm(model, x, y, 0.05, bounds=(-1.0, 2.0))  # wide bounds: nothing clipped
    assert torch.allclose(got, expected, atol=1e-6)


def test_leaves_model_untouched(model: nn.Module, data) -> None:
    x, y = data
    before = [p.detach().clone() for p in model.parameters()]
    model.train()
    try:
        fgsm(model, x, y, 0.1)
        assert model.training  # mode is the caller's business
    finally:
        model.eval()
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_accepts_numpy_scalars_and_label_lists(model: nn.Module, data) -> None:
    x, y = data
    a = fgsm(model, x[:3], y[:3].tolist(), np.float32(0.1))
    b = fgsm(model, x[:3], y[:3], 0.1)
    assert torch.allclose(a, b)


@pytest.mark.parametrize("epsilon", [0, 0.0, -0.1, math.nan, math.inf, True, "0.1", None, 1.5])
def test_rejects_bad_epsilon(model: nn.Module, data, epsilon) -> None:
    x, y = data
    with pytest.raises(AttackParameterError, match="epsilon"):
        fgsm(model, x, y, epsilon)


def test_bad_epsilon_is_also_a_value_error(model: nn.Module, data) -> None:
    x, y = data
    with pytest.raises(ValueError):
        fgsm(model, x, y, -1.0)


def test_rejects_bad_inputs(model: nn.Module, data) -> None:
    x, y = data
    nan_x = x.clone()
    nan_x[0, 0] = math.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        fgsm(model, nan_x, y, 0.1)
    with pytest.raises(InvalidInputError, match="bounds"):
        fgsm(model, x * 2 + 0.5, y, 0.1)
    with pytest.raises(InvalidInputError, match="one label per row"):
        fgsm(model, x, y[:-1], 0.1)
    with pytest.raises(InvalidInputError, match="floating-point"):
        fgsm(model, (x * 16).long(), y, 0.1)
    with pytest.raises(InvalidInputError, match="batch"):
        fgsm(model, x[0], y[:1], 0.1)
    with pytest.raises(AttackParameterError, match="bounds"):
        fgsm(model, x, y, 0.1, bounds=(1.0, 0.0))
