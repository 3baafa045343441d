"""helpers.training: seeded models, a loop that really learns, and its hooks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from helpers import digits, training
from helpers.errors import InvalidInputError, ParameterError


@pytest.fixture(scope="module")
def split() -> digits.DigitSplit:
    return digits.load_split()


def test_mlp_shapes() -> None:
    net = training.mlp(64, 100, 100, 10)
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(64, 100), (100, 100), (100, 10)]
    assert sum(isinstance(m, nn.ReLU) for m in net) == 2  # no ReLU after the output layer
    linear = training.mlp(64, 10)
    assert len(linear) == 1 and isinstance(linear[0], nn.Linear)
    assert linear(torch.zeros(3, 64, dtype=torch.float64)).shape == (3, 10)


def test_mlp_is_seeded_and_leaves_global_rng_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    a = training.mlp(64, 20, 10, seed=5)
    after = torch.rand(3)
    assert torch.equal(after, expected)  # building a model did not consume the global RNG
    b = training.mlp(64, 20, 10, seed=5)
    c = training.mlp(64, 20, 10, seed=6)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a[0].weight, c[0].weight)


@pytest.mark.parametrize("sizes", [(64,), (64, 0, 10), (64, 2.5, 10), (64, True)])
def test_mlp_rejects_bad_sizes(sizes: tuple) -> None:
    with pytest.raises(ParameterError):
        training.mlp(*sizes)


def test_training_reduces_loss_and_learns_the_digits(split: digits.DigitSplit) -> None:
    model = training.mlp(64, 10, seed=0)
    before = training.accuracy(model, split.x_test, split.y_test)
    history = training.train(model, split.x_train, split.y_train, epochs=8, lr=2e-2, batch_size=128)
    assert len(history) == 8
    assert history[-1] < 0.5 * history[0]
    assert all(math.isfinite(v) for v in history)
    after = training.accuracy(model, split.x_test, split.y_test)
    assert before < 0.3  # an untrained model is near chance (10 %)
    assert after > 0.9
    assert not model.training  # train() hands the model back in eval mode
    assert all(p.grad is None for p in model.parameters())  # and without stale gradients


def test_training_is_deterministic(split: digits.DigitSplit) -> None:
    runs = []
    for _ in range(2):
        model = training.mlp(64, 32, 10, seed=1)
        history = training.train(model, split.x_train[:300], split.y_train[:300], epochs=3, batch_size=50, seed=7)
        runs.append((history, [p.detach().clone() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(p, q) for p, q in zip(runs[0][1], runs[1][1]))
    other = training.mlp(64, 32, 10, seed=1)
    training.train(other, split.x_train[:300], split.y_train[:300], epochs=3, batch_size=50, seed=8)
    assert not torch.equal(other[0].weight, runs[0][1][0])  # the shuffling seed matters


def test_hooks_are_called(split: digits.DigitSplit) -> None:
    seen_steps: list[int] = []
    batch_sizes: list[int] = []

    def loss_fn(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> torch.Tensor:
        batch_sizes.append(len(xb))
        return F.cross_entropy(model(xb), yb)

    def on_batch(step: int, model: nn.Module, xb: torch.Tensor, yb: torch.Tensor) -> None:
        assert model.training and xb.shape[1] == 64 and len(xb) == len(yb)
        seen_steps.append(step)

    training.train(training.mlp(64, 10), split.x_train[:250], split.y_train[:250], epochs=2, batch_size=100,
                   loss_fn=loss_fn, on_batch=on_batch)
    assert seen_steps == list(range(1, 7))  # 3 batches (100, 100, 50) per epoch, 2 epochs
    assert batch_sizes == [100, 100, 50] * 2


def test_accuracy_and_predict(split: digits.DigitSplit) -> None:
    model = training.mlp(64, 10)
    with torch.no_grad():
        model[0].weight.zero_()
        model[0].bias.copy_(torch.arange(10.0))  # always predicts class 9
    assert torch.equal(training.predict(model, split.x_test[:5]), torch.full((5,), 9))
    expected = float(np.mean(split.y_test == 9))
    assert training.accuracy(model, split.x_test, split.y_test) == pytest.approx(expected)


def test_bad_training_input_is_refused() -> None:
    model = training.mlp(64, 10)
    with pytest.raises(InvalidInputError, match="labels"):
        training.train(model, np.zeros((5, 64)), np.zeros(4))
    bad = np.zeros((5, 64))
    bad[0, 0] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        training.train(model, bad, np.zeros(5))
    with pytest.raises(ParameterError, match="epochs"):
        training.train(model, np.zeros((5, 64)), np.zeros(5), epochs=0)


def test_models_and_data_use_the_precision_setting(monkeypatch) -> None:
    """float64 by default (the same numbers on every machine); TRICKNETS_PRECISION=float32 for speed."""
    assert training.mlp(64, 10)[0].weight.dtype == torch.float64
    assert training.as_tensors(np.zeros((2, 64), np.float32), [0, 1])[0].dtype == torch.float64
    monkeypatch.setenv("TRICKNETS_PRECISION", "float32")
    assert training.mlp(64, 10)[0].weight.dtype == torch.float32
    assert training.as_tensors(np.zeros((2, 64)), [0, 1])[0].dtype == torch.float32
