"""helpers.attacks: gradients, iterative attacks and FGSM, on the real network and on a digit model; bad settings."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from digit_nets import trained_mlp
from helpers import attacks, digits, images, pixels, training
from helpers.errors import InvalidInputError, ParameterError, UnknownClassError

PAPER_TOWEL = 700


def test_gradient_matches_finite_difference(lite0) -> None:
    """d log p / dx from autograd agrees with a central finite difference (the model computes in float64)."""
    x = images.load("coffee").double()
    grad, probs = attacks.class_log_prob_gradient(lite0, x, "espresso")
    assert probs.shape == (1, 1000) and abs(float(probs.sum()) - 1) < 1e-12
    direction = torch.randn(x.shape, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    h = 1e-6
    with torch.no_grad():
        up = torch.log_softmax(lite0(x + h * direction), -1)[0, 967]
        down = torch.log_softmax(lite0(x - h * direction), -1)[0, 967]
    numeric = float(up - down) / (2 * h)
    analytic = float((grad * direction).sum())
    assert math.isclose(numeric, analytic, rel_tol=0.02)  # ReLU6 kinks keep it from being exact


def test_batch_gradient_is_per_image(lite0) -> None:
    """Images in a batch do not mix: each row's gradient equals the one computed alone."""
    batch = torch.cat([images.load("coffee"), images.load("chelsea")])
    grad, _ = attacks.class_log_prob_gradient(lite0, batch, ["espresso", "tabby"])
    alone, _ = attacks.class_log_prob_gradient(lite0, batch[1:], "tabby")
    assert torch.allclose(grad[1:], alone, rtol=0, atol=1e-12)


def test_one_gradient_step_raises_the_target(lite0) -> None:
    """The whole idea: a step of 1/255 along the sign of the gradient makes the class more likely."""
    x = images.load("chelsea")
    grad, probs = attacks.class_log_prob_gradient(lite0, x, "tabby")
    after = lite0.probabilities(pixels.signed_step(x.double(), grad, 1 / 255))
    assert float(after[0, 281]) > float(probs[0, 281])


def test_targeted_attack_reaches_target_within_budget(lite0) -> None:
    x = images.load("coffee")
    result = attacks.iterative_attack(lite0, x, target="paper towel", epsilon=2 / 255, steps=8, progress=False)
    assert result.history.shape == (9, 1, 1000) and result.history.dtype == torch.float64
    assert float(result.final_probs[0, PAPER_TOWEL]) > 0.5
    assert float(result.initial_probs[0, PAPER_TOWEL]) < 0.01
    assert result.linf_255 <= 2 + 1e-9
    assert float(result.adversarial.min()) >= 0 and float(result.adversarial.max()) <= 1
    assert result.steps_to_reach(0.5)[0] is not None
    assert torch.equal(result.original, x.double())  # the input is never modified in place
    assert result.class_ids.tolist() == [PAPER_TOWEL] and result.targeted
    assert result.leading_classes()[0] == 967 and result.leading_classes()[-1] == PAPER_TOWEL
    assert repr(result) == "AttackResult(targeted, 1 image, 8 steps, largest change 2.00/255)"


def test_untargeted_attack_moves_away_from_top_class(lite0) -> None:
    x = images.load("coffee")
    result = attacks.iterative_attack(lite0, x, epsilon=2 / 255, steps=5, progress=False)
    assert int(result.class_ids[0]) == 967  # espresso: the model's own top class by default
    assert float(result.final_probs[0, 967]) < float(result.initial_probs[0, 967]) / 2
    assert not result.targeted and result.steps_to_reach(0.5)[0] is not None


def test_batched_attack_with_one_target_per_image(lite0) -> None:
    batch = torch.cat([images.load("coffee"), images.load("chelsea")])
    result = attacks.iterative_attack(lite0, batch, target=["bath towel", 852], epsilon=2 / 255, steps=3,
                                      progress=False)
    assert result.class_ids.tolist() == [434, 852]
    assert result.adversarial.shape == batch.shape and result.history.shape == (4, 2, 1000)
    for i, cid in enumerate((434, 852)):
        assert float(result.final_probs[i, cid]) > float(result.initial_probs[i, cid])


def test_chunks_give_the_same_result_as_one_batch(lite0, monkeypatch) -> None:
    """Large batches run in chunks (memory); the images do not notice."""
    batch = torch.cat([images.load("coffee"), images.load("chelsea"), images.load("grace_hopper")])
    monkeypatch.setattr(attacks, "CHUNK_VALUES", batch.numel())  # all three in one batch
    whole = attacks.iterative_attack(lite0, batch, target=23, epsilon=1 / 255, steps=2, progress=False)
    monkeypatch.setattr(attacks, "CHUNK_VALUES", 3 * 224 * 224)  # one image per chunk
    chunked = attacks.iterative_attack(lite0, batch, target=23, epsilon=1 / 255, steps=2, progress=False)
    assert torch.allclose(chunked.history, whole.history, rtol=0, atol=1e-12)
    assert torch.equal(chunked.adversarial, whole.adversarial)


@pytest.mark.parametrize("epsilon", [0, -1 / 255, float("nan"), float("inf"), 2.0, True])
def test_bad_epsilon(lite0, epsilon) -> None:
    with pytest.raises(ParameterError, match="epsilon"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=epsilon, steps=2, progress=False)


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_bad_steps(lite0, steps) -> None:
    with pytest.raises(ParameterError, match="steps"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=steps, progress=False)


def test_bad_step_size(lite0) -> None:
    with pytest.raises(ParameterError, match="step_size"):
        attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, step_size=0, progress=False)


def test_nan_input(lite0) -> None:
    x = images.black()
    x[0, 1, 10, 10] = float("nan")
    with pytest.raises(InvalidInputError, match="NaN"):
        attacks.iterative_attack(lite0, x, target=700, epsilon=1 / 255, steps=1, progress=False)


def test_values_outside_unit_range(lite0) -> None:
    with pytest.raises(InvalidInputError, match=r"255"):
        attacks.iterative_attack(lite0, images.black() + 128, target=700, epsilon=1 / 255, steps=1, progress=False)


def test_wrong_shape_for_the_network(lite0) -> None:
    with pytest.raises(InvalidInputError, match="N x 3 x H x W"):
        attacks.iterative_attack(lite0, torch.zeros(3, 224, 224), target=700, epsilon=1 / 255, progress=False)


def test_unknown_target_class(lite0) -> None:
    with pytest.raises(UnknownClassError, match="vulture"):
        attacks.iterative_attack(lite0, images.black(), target="vultur", epsilon=1 / 255, steps=1, progress=False)


def test_target_and_away_from_together(lite0) -> None:
    with pytest.raises(ParameterError, match="not both"):
        attacks.iterative_attack(lite0, images.black(), target=700, away_from=1, epsilon=1 / 255, progress=False)


def test_wrong_number_of_targets(lite0) -> None:
    batch = torch.cat([images.black(), images.black()])
    with pytest.raises(ParameterError, match="one per image"):
        attacks.iterative_attack(lite0, batch, target=[1, 2, 3], epsilon=1 / 255, steps=1, progress=False)


def test_progress_bar_can_be_switched_off(lite0, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TRICKNETS_PROGRESS", "1")
    attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=2, progress=True)
    assert "attack" in capsys.readouterr().err
    monkeypatch.setenv("TRICKNETS_PROGRESS", "0")
    attacks.iterative_attack(lite0, images.black(), target=700, epsilon=1 / 255, steps=2)
    assert capsys.readouterr().err == ""


# --- FGSM on a digit model ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data() -> tuple[torch.Tensor, torch.Tensor]:
    split = digits.load_split()
    return training.as_tensors(split.x_test[:200], split.y_test[:200])


@pytest.fixture(scope="module")
def digit_model() -> nn.Module:
    """A small linear softmax model trained briefly on the digits (about 90 %+ accurate)."""
    split = digits.load_split()
    net = training.mlp(64, 10, seed=0)
    training.train(net, split.x_train, split.y_train, epochs=8, lr=2e-2, batch_size=128)
    return net


@pytest.mark.parametrize("epsilon", [0.01, 0.1, 0.3])
def test_fgsm_stays_in_range_and_uses_the_budget(digit_model: nn.Module, data, epsilon: float) -> None:
    x, y = data
    original = x.clone()
    x_adv = attacks.fgsm(digit_model, x, y, epsilon)
    assert x_adv.shape == x.shape and x_adv.dtype == x.dtype and not x_adv.requires_grad
    assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0
    assert float((x_adv - x).abs().max()) <= epsilon + 1e-12
    assert torch.equal(x, original)  # the input batch is not modified in place
    inside = (x_adv > 0) & (x_adv < 1)  # every pixel that did not end on the boundary moved by exactly epsilon
    assert inside.any() and torch.allclose((x_adv - x).abs()[inside], torch.tensor(epsilon, dtype=x.dtype))


def test_fgsm_untargeted_raises_loss_and_targeted_lowers_it(digit_model: nn.Module, data) -> None:
    x, y = data
    with torch.no_grad():
        clean_loss = F.cross_entropy(digit_model(x), y)
        clean_acc = (digit_model(x).argmax(1) == y).double().mean()
    adv = attacks.fgsm(digit_model, x, y, 0.2)
    target = (y + 1) % 10
    towards = attacks.fgsm(digit_model, x, target, 0.2, targeted=True)
    with torch.no_grad():
        assert F.cross_entropy(digit_model(adv), y) > clean_loss + 0.5
        assert (digit_model(adv).argmax(1) == y).double().mean() < clean_acc - 0.3
        assert F.cross_entropy(digit_model(towards), target) < F.cross_entropy(digit_model(x), target) - 0.5


def test_fgsm_is_the_signed_step_of_the_summed_cross_entropy(digit_model: nn.Module, data) -> None:
    """Notebook 02's hand-written FGSM: sign of d(sum of -log p(label))/dx, one step, clipped. Bit for bit."""
    x, y = data
    x_var = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(F.cross_entropy(digit_model(x_var), y, reduction="sum"), x_var)
    assert torch.equal(attacks.fgsm(digit_model, x, y, 0.05), (x + 0.05 * grad.sign()).clamp(0, 1))


def test_fgsm_leaves_the_model_untouched(digit_model: nn.Module, data) -> None:
    x, y = data
    before = [p.detach().clone() for p in digit_model.parameters()]
    digit_model.train()
    try:
        attacks.fgsm(digit_model, x, y, 0.1)
        assert digit_model.training  # the mode is the caller's business
    finally:
        digit_model.eval()
    assert all(p.grad is None for p in digit_model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, digit_model.parameters()))


def test_fgsm_accepts_numpy_scalars_and_label_lists(digit_model: nn.Module, data) -> None:
    x, y = data
    assert torch.equal(attacks.fgsm(digit_model, x[:3], y[:3].tolist(), np.float64(0.1)),
                       attacks.fgsm(digit_model, x[:3], y[:3], 0.1))


@pytest.mark.parametrize("epsilon", [0, -0.1, math.nan, math.inf, True, "0.1", None, 1.5])
def test_fgsm_rejects_bad_epsilon(digit_model: nn.Module, data, epsilon) -> None:
    x, y = data
    with pytest.raises(ParameterError, match="epsilon"):
        attacks.fgsm(digit_model, x, y, epsilon)
    with pytest.raises(ValueError):  # also an ordinary ValueError
        attacks.fgsm(digit_model, x, y, epsilon)


def test_fgsm_rejects_bad_inputs(digit_model: nn.Module, data) -> None:
    x, y = data
    nan_x = x.clone()
    nan_x[0, 0] = math.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        attacks.fgsm(digit_model, nan_x, y, 0.1)
    with pytest.raises(InvalidInputError, match=r"\[0, 1\]"):
        attacks.fgsm(digit_model, x * 2 + 0.5, y, 0.1)
    with pytest.raises(ParameterError, match="one per image"):
        attacks.fgsm(digit_model, x, y[:-1], 0.1)
    with pytest.raises(InvalidInputError, match="0-255"):
        attacks.fgsm(digit_model, (x * 16).long(), y, 0.1)
    with pytest.raises(ParameterError, match="class ids"):
        attacks.fgsm(digit_model, x[:1], "seven", 0.1)


def _digit_net() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    return trained_mlp(60)


def test_pgd_is_notebook_02s_loop_and_beats_one_start() -> None:
    net, x, y = _digit_net()

    def by_hand(eps: float, steps: int, restarts: int, seed: int) -> torch.Tensor:
        random = torch.Generator().manual_seed(seed)
        worst, fooled = x.clone(), torch.zeros(len(x), dtype=torch.bool)
        for _ in range(restarts):
            x_adv = (x + eps * (2 * torch.rand(x.shape, generator=random, dtype=x.dtype) - 1)).clamp(0, 1)
            for _ in range(steps):
                x_adv = x_adv.detach().requires_grad_(True)
                (g,) = torch.autograd.grad(F.cross_entropy(net(x_adv), y, reduction="sum"), x_adv)
                x_adv = torch.min(torch.max(x_adv + 2.5 * eps / steps * g.sign(), x - eps), x + eps).clamp(0, 1)
            with torch.no_grad():
                wrong = net(x_adv).argmax(1) != y
            worst[wrong & ~fooled] = x_adv[wrong & ~fooled].detach()
            fooled |= wrong
        return worst

    helper = attacks.pgd(net, x, y, epsilon=0.1, steps=10, restarts=3, seed=4)
    assert torch.equal(helper, by_hand(0.1, 10, 3, 4))
    assert float((helper - x).abs().max()) <= 0.1 + 1e-12

    def accuracy(adv: torch.Tensor) -> int:
        return int((training.predict(net, adv) == y).sum())

    assert accuracy(helper) <= accuracy(attacks.pgd(net, x, y, epsilon=0.1, steps=10, restarts=1, seed=4))
    with pytest.raises(ParameterError, match="restarts"):
        attacks.pgd(net, x, y, epsilon=0.1, restarts=0)


def test_pgd_judge_decides_success_for_a_random_model() -> None:
    net, x, y = _digit_net()
    # the default judge is model(x).argmax: giving it explicitly changes nothing, bit for bit
    def argmax(v: torch.Tensor) -> torch.Tensor:
        return net(v).argmax(1)

    assert torch.equal(attacks.pgd(net, x, y, epsilon=0.1, steps=10, restarts=2, seed=1),
                       attacks.pgd(net, x, y, epsilon=0.1, steps=10, restarts=2, seed=1, judge=argmax))

    class Noisy(nn.Module):     # a random defence: every forward pass is one draw of noise
        def __init__(self) -> None:
            super().__init__()
            self.net, self.g = net, torch.Generator().manual_seed(0)

        def forward(self, v: torch.Tensor) -> torch.Tensor:
            return self.net(v + 0.3 * torch.randn(v.shape, generator=self.g, dtype=v.dtype))

    def majority(v: torch.Tensor) -> torch.Tensor:   # what the defence answers: the most frequent of 50 votes
        g = torch.Generator().manual_seed(5)
        votes = torch.stack([net(v + 0.3 * torch.randn(v.shape, generator=g, dtype=v.dtype)).argmax(1)
                             for _ in range(50)])
        return torch.mode(votes, dim=0).values

    kwargs = dict(epsilon=0.15, steps=10, restarts=1, seed=2, samples=4)
    judged = attacks.pgd(Noisy(), x, y, judge=majority, **kwargs)
    final = attacks.iterative_attack(Noisy(), x, away_from=y, epsilon=0.15, steps=10, samples=4, progress=False,
                                     start=(x + 0.15 * (2 * torch.rand(x.shape, generator=torch.Generator()
                                                                       .manual_seed(2), dtype=x.dtype) - 1)).clamp(0, 1)
                                     ).adversarial
    # an image is handed back attacked exactly when the majority is fooled at the final iterate
    fooled = majority(final) != y
    assert fooled.any() and (~fooled).any()
    assert torch.equal(judged[fooled], final[fooled]) and torch.equal(judged[~fooled], x[~fooled])
    assert int((majority(judged) != y).sum()) >= int(fooled.sum())
    with pytest.raises(InvalidInputError, match="one class id per image"):
        attacks.pgd(net, x, y, epsilon=0.1, steps=2, restarts=1, judge=lambda v: net(v))


def test_start_is_projected_and_samples_average_a_random_model() -> None:
    net, x, y = _digit_net()
    far = torch.ones_like(x)
    result = attacks.iterative_attack(net, x, away_from=y, epsilon=0.05, steps=1, start=far, progress=False)
    assert float((result.adversarial - x).abs().max()) <= 0.05 + 1e-12
    with pytest.raises(InvalidInputError, match="start"):
        attacks.iterative_attack(net, x, away_from=y, epsilon=0.05, start=far[:3], progress=False)

    class Noisy(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.g = torch.Generator().manual_seed(0)

        def forward(self, v: torch.Tensor) -> torch.Tensor:
            return net(v + 0.3 * torch.randn(v.shape, generator=self.g, dtype=v.dtype))

    noisy = Noisy()
    averaged, probs = attacks.class_log_prob_gradient(noisy, x, y, samples=4)
    noisy.g.manual_seed(0)
    singles = [attacks.class_log_prob_gradient(noisy, x, y)[0] for _ in range(4)]
    assert torch.allclose(averaged, sum(singles) / 4, rtol=0, atol=1e-12)
    assert torch.allclose(probs.sum(1), torch.ones(len(x), dtype=x.dtype))
    plain, _ = attacks.class_log_prob_gradient(net, x, y)
    assert torch.equal(attacks.class_log_prob_gradient(net, x, y, samples=1)[0], plain)
    with pytest.raises(ParameterError, match="samples"):
        attacks.class_log_prob_gradient(net, x, y, samples=0)
