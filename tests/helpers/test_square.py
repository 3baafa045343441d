"""helpers.square: the gradient-free Square attack stays in its budget, fools a plain network, and is seeded."""

from __future__ import annotations

import pytest
import torch

from digit_nets import trained_mlp
from helpers import square, training
from helpers.errors import InvalidInputError


@pytest.fixture(scope="module")
def digit_net():
    return trained_mlp(100)


def test_square_attack_fools_within_budget_without_gradients(digit_net) -> None:
    net, x, y = digit_net
    for p in net.parameters():
        p.requires_grad_(False)     # no gradient is ever needed
    adv = square.square_attack(net, x, y, epsilon=0.2, side=8, queries=300, seed=0)
    for p in net.parameters():
        p.requires_grad_(True)
    assert float((adv - x).abs().max()) <= 0.2 + 1e-12 and adv.min() >= 0 and adv.max() <= 1
    clean = float((training.predict(net, x) == y).double().mean())
    attacked = float((training.predict(net, adv) == y).double().mean())
    assert clean > 0.85 and attacked < clean - 0.4
    assert torch.equal(adv, square.square_attack(net, x, y, epsilon=0.2, side=8, queries=300, seed=0))


def test_margin_is_negative_exactly_when_wrong(digit_net) -> None:
    net, x, y = digit_net
    m = square.margin(net, x, y)
    assert torch.equal(m < 0, training.predict(net, x) != y)


def test_bad_shape(digit_net) -> None:
    net, x, y = digit_net
    with pytest.raises(InvalidInputError, match="8 x 8"):
        square.square_attack(net, x[:, :10], y, epsilon=0.1, side=8)


def test_every_query_tries_a_new_point(digit_net, monkeypatch) -> None:
    # a square already at the drawn sign would repeat the current point: its sign is flipped instead
    net, x, y = digit_net
    seen: list[torch.Tensor] = []
    real_margin = square.margin

    def recording_margin(model, candidate, labels):
        seen.append(candidate.clone())
        return real_margin(model, candidate, labels)

    monkeypatch.setattr(square, "margin", recording_margin)
    square.square_attack(net, x[:20], y[:20], epsilon=0.1, side=8, queries=200, seed=3)
    # replay: each trial differs from the point kept before it (for the images still searching)
    kept = seen[0]
    best = real_margin(net, kept, y[:20])
    for trial in seen[1:]:
        active = best >= 0
        assert not (trial[active] == kept[active]).all(dim=1).any()
        m = real_margin(net, trial, y[:20])
        better = active & (m < best)
        kept = torch.where(better[:, None], trial, kept)
        best = torch.where(better, m, best)
