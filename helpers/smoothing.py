"""Randomized smoothing and its certificate (Cohen, Rosenfeld & Kolter 2019), for the digits of notebook 06.

The smoothed classifier g(x) is the class a base network f predicts most often for x + Gaussian noise.
If the top class has probability at least p_A, g cannot change within an L2 radius sigma * Phi^-1(p_A).
p_A is unknown; `certify` bounds it from Monte Carlo counts with a Clopper-Pearson interval (scipy), so the
radius holds with probability at least 1 - alpha. `predict` is their PREDICT (abstains when unsure),
`attack` an L2 PGD against g whose gradient averages over the noise (EOT). Every draw of noise comes from a
seeded generator, so counts, and with them radii, are the same on every machine.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from scipy import stats
from torch import nn

from .attacks import class_log_prob_gradient
from .checks import positive_number, whole_number
from .compute import chunks, model_dtype
from .errors import InvalidInputError, ParameterError
from .pixels import check_pixels

#: What `certify` and `predict` answer for an image they abstain on.
ABSTAIN = -1
#: Noisy copies pushed through the base network at once, at most (about 30 MB of float64 digits).
BATCH_VALUES = 4_000_000
#: What sigma is, for the message when it is not a positive number.
SIGMA = "sigma, the noise's standard deviation,"


class GaussianNoise(nn.Module):
    """Adds N(0, sigma^2) noise to every value, drawn from its own seeded generator (reset() starts it again).

    In front of a base network it makes the random model that randomized smoothing averages over; nothing
    is clipped to [0, 1], as in Cohen et al.'s definition of g.
    """

    def __init__(self, sigma: float, seed: int = 0) -> None:
        super().__init__()
        positive_number(sigma, SIGMA)
        self.sigma, self.seed = float(sigma), seed
        self.generator = torch.Generator().manual_seed(seed)

    def reset(self) -> None:
        self.generator.manual_seed(self.seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        noise = torch.randn(x.shape, generator=self.generator, dtype=x.dtype)
        return x + self.sigma * noise.to(x.device)

    def extra_repr(self) -> str:
        return f"sigma={self.sigma}, seed={self.seed}"


def noise_counts(model: nn.Module, x: torch.Tensor, *, sigma: float, n: int, seed: int = 0) -> torch.Tensor:
    """Taught in 06 §3: how often f predicts each class for n noisy copies of each image (N x classes, int64)."""
    positive_number(sigma, SIGMA)
    check_pixels(x, "images")
    whole_number(n, "n, the number of noisy copies")
    x = x.detach().to(model_dtype(model))
    generator = torch.Generator().manual_seed(seed)
    counts: torch.Tensor | None = None
    with torch.no_grad():
        for part in chunks(n, BATCH_VALUES, x.numel()):
            k = part.stop - part.start
            noise = torch.randn((k, *x.shape), generator=generator, dtype=x.dtype)
            logits = model((x.unsqueeze(0) + sigma * noise).reshape(k * x.shape[0], *x.shape[1:]))
            votes = logits.argmax(dim=-1).reshape(k, x.shape[0])
            if counts is None:
                counts = torch.zeros(x.shape[0], logits.shape[-1], dtype=torch.int64)
            counts.scatter_add_(1, votes.T.cpu(), torch.ones_like(votes.T.cpu()))
    assert counts is not None
    return counts


def lower_confidence_bound(count: int, n: int, alpha: float) -> float:
    """Taught in 06 §3: the one-sided (1 - alpha) Clopper-Pearson lower bound on p, seen `count` times in n draws."""
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must lie strictly between 0 and 1, got {alpha!r}.")
    if not 0 <= count <= n:
        raise InvalidInputError(f"a count must lie between 0 and n = {n}, got {count}.")
    if count == 0:
        return 0.0
    return float(stats.beta.ppf(alpha, count, n - count + 1))


@dataclass(frozen=True)
class Certificate:
    """Per image: the smoothed class (ABSTAIN = -1), the certified L2 radius (0 when abstaining), the bound on p_A."""

    prediction: torch.Tensor
    radius: torch.Tensor
    p_lower: torch.Tensor

    def certified_accuracy(self, labels: torch.Tensor, radius: float) -> float:
        """The fraction of images classified correctly with a certified radius of at least `radius`."""
        ok = (self.prediction == labels.cpu()) & (self.radius >= radius)
        return float(ok.double().mean())


def certify(model: nn.Module, x: torch.Tensor, *, sigma: float, n0: int = 100, n: int = 1000, alpha: float = 0.001,
            seed: int = 0) -> Certificate:
    """Taught in 06 §3: Cohen et al.'s CERTIFY for every image of a batch.

    n0 noisy copies pick the class c_A; n fresh copies count it; p_A's lower bound is Clopper-Pearson at
    level 1 - alpha; the radius is sigma * Phi^-1(bound), and the answer abstains when the bound is not
    above 1/2. The two sets of draws are independent (seed and seed + 1).
    """
    guess = noise_counts(model, x, sigma=sigma, n=n0, seed=seed).argmax(dim=1)
    counts = noise_counts(model, x, sigma=sigma, n=n, seed=seed + 1)
    top = counts.gather(1, guess[:, None]).squeeze(1)
    p_lower = torch.tensor([lower_confidence_bound(int(c), n, alpha) for c in top], dtype=torch.float64)
    certain = p_lower > 0.5
    radius = torch.where(certain, sigma * torch.tensor(stats.norm.ppf(p_lower.numpy())), torch.zeros_like(p_lower))
    prediction = torch.where(certain, guess, torch.full_like(guess, ABSTAIN))
    return Certificate(prediction=prediction, radius=radius, p_lower=p_lower)


def predict(model: nn.Module, x: torch.Tensor, *, sigma: float, n: int = 1000, alpha: float = 0.001,
            seed: int = 0) -> torch.Tensor:
    """Taught in 06 §3: Cohen et al.'s PREDICT, the top class of n noisy copies, or ABSTAIN.

    It abstains when a two-sided binomial test of the top count against the runner-up's cannot reject "equally
    likely" at level alpha."""
    counts = noise_counts(model, x, sigma=sigma, n=n, seed=seed)
    two = counts.topk(2, dim=1)
    answer = two.indices[:, 0].clone()
    for i, (a, b) in enumerate(two.values.tolist()):
        if stats.binomtest(int(a), int(a + b), 0.5).pvalue > alpha:
            answer[i] = ABSTAIN
    return answer


def attack(model: nn.Module, x: torch.Tensor, labels: torch.Tensor, *, radius: float, sigma: float,
           steps: int = 20, samples: int = 16, seed: int = 0) -> torch.Tensor:
    """Taught in 06 §3: an L2 PGD attack on the smoothed classifier.

    Each step follows the gradient of log f(label | x + noise) averaged over `samples` draws of noise (EOT),
    scaled to length 2.5 * radius / steps, then goes back into the L2 ball of `radius` around x and into [0, 1]."""
    check_pixels(x, "images")
    positive_number(radius, "radius, the L2 budget")
    whole_number(steps, "steps")
    noisy = nn.Sequential(GaussianNoise(sigma, seed), model)
    x0 = x.detach().to(model_dtype(model))
    step = 2.5 * radius / steps
    adv = x0.clone()
    for _ in range(steps):
        grad, _ = class_log_prob_gradient(noisy, adv, labels, samples)
        length = grad.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (grad.dim() - 1)))
        adv = adv - step * grad / length
        delta = adv - x0
        norm = delta.flatten(1).norm(dim=1).view(-1, *([1] * (grad.dim() - 1)))
        adv = (x0 + delta * torch.clamp(radius / norm.clamp_min(1e-12), max=1.0)).clamp(0.0, 1.0)
    return adv.detach()
