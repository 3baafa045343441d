"""helpers.smoothing: noise counts, the Clopper-Pearson bound, CERTIFY, PREDICT and the L2 attack; bad settings."""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats
from torch import nn

from helpers import smoothing, training
from helpers.errors import InvalidInputError, ParameterError


class Threshold(nn.Module):
    """Class 1 when the first pixel is above 0.5, else class 0: p_A under noise is known in closed form."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        score = (x[:, 0] - 0.5) * 1e6
        return torch.stack([-score, score], dim=1)


def test_counts_add_up_and_follow_the_normal_law() -> None:
    x = torch.tensor([[0.5 + 0.1, 0.0], [0.2, 0.0]], dtype=torch.float64)
    counts = smoothing.noise_counts(Threshold(), x, sigma=0.1, n=20_000, seed=0)
    assert counts.sum(1).tolist() == [20_000, 20_000]
    assert abs(counts[0, 1] / 20_000 - stats.norm.cdf(1.0)) < 0.01          # P(noise > -0.1) for sigma 0.1
    assert abs(counts[1, 0] / 20_000 - stats.norm.cdf(3.0)) < 0.005
    assert torch.equal(counts, smoothing.noise_counts(Threshold(), x, sigma=0.1, n=20_000, seed=0))


def test_lower_bound_is_clopper_pearson() -> None:
    for k in (0, 1, 500, 981, 1000):
        low = smoothing.lower_confidence_bound(k, 1000, 0.001)
        expected = stats.binomtest(k, 1000).proportion_ci(confidence_level=0.998, method="exact").low
        assert math.isclose(low, expected, abs_tol=1e-10)
        assert low <= k / 1000
    assert math.isclose(smoothing.lower_confidence_bound(1000, 1000, 0.001), 0.001 ** (1 / 1000), rel_tol=1e-12)


def test_certify_radius_is_a_true_bound_for_the_threshold_classifier() -> None:
    """For the threshold classifier g changes exactly at distance |x0 - 0.5|: a certified radius must not exceed it."""
    x = torch.tensor([[0.9, 0.0], [0.6, 0.0], [0.45, 0.0], [0.5, 0.0]], dtype=torch.float64)
    cert = smoothing.certify(Threshold(), x, sigma=0.25, n0=100, n=5000, alpha=0.001, seed=0)
    distance = (x[:, 0] - 0.5).abs()
    assert (cert.radius <= distance + 1e-12).all()
    assert cert.prediction[:2].tolist() == [1, 1] and float(cert.radius[0]) > 0.3
    assert int(cert.prediction[3]) == smoothing.ABSTAIN and float(cert.radius[3]) == 0.0   # a coin flip: abstain
    labels = torch.tensor([1, 1, 0, 0])
    assert cert.certified_accuracy(labels, 0.0) == 0.75 or int(cert.prediction[2]) == smoothing.ABSTAIN
    assert cert.certified_accuracy(labels, 0.3) == 0.25


def test_predict_abstains_on_a_coin_flip_and_answers_when_clear() -> None:
    x = torch.tensor([[0.5, 0.0], [0.9, 0.0]], dtype=torch.float64)
    assert smoothing.predict(Threshold(), x, sigma=0.25, n=1000, alpha=0.001, seed=0).tolist() == [smoothing.ABSTAIN, 1]


def test_attack_stays_in_the_ball_and_lowers_the_label() -> None:
    net = training.mlp(4, 8, 3, seed=0).double()
    x = torch.rand(6, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    y = torch.zeros(6, dtype=torch.long)
    adv = smoothing.attack(net, x, y, radius=0.3, sigma=0.1, steps=10, samples=4, seed=0)
    assert float((adv - x).norm(dim=1).max()) <= 0.3 + 1e-12 and adv.min() >= 0 and adv.max() <= 1
    with torch.no_grad():
        assert (torch.log_softmax(net(adv), 1)[:, 0] <= torch.log_softmax(net(x), 1)[:, 0] + 1e-9).float().mean() > 0.8


def test_gaussian_noise_reset_repeats_the_draws() -> None:
    layer = smoothing.GaussianNoise(0.5, seed=3)
    x = torch.zeros(2, 4, dtype=torch.float64)
    first, second = layer(x), layer(x)
    layer.reset()
    assert torch.equal(layer(x), first) and not torch.equal(first, second)


def test_bad_settings() -> None:
    x = torch.zeros(1, 2, dtype=torch.float64)
    with pytest.raises(ParameterError, match="sigma"):
        smoothing.GaussianNoise(0)
    with pytest.raises(ParameterError, match="n, the number"):
        smoothing.noise_counts(Threshold(), x, sigma=0.1, n=0)
    with pytest.raises(ParameterError, match="alpha"):
        smoothing.lower_confidence_bound(5, 10, 1.5)
    with pytest.raises(InvalidInputError, match="count"):
        smoothing.lower_confidence_bound(11, 10, 0.01)
    with pytest.raises(InvalidInputError):
        smoothing.certify(Threshold(), x + 2, sigma=0.1)
