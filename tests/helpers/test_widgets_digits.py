"""helpers.widgets.digits: the plain functions behind the widgets of notebooks 01-02, and their controls."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

from helpers import digits, exercises
from helpers.errors import InvalidInputError, ParameterError
from helpers.widgets import digits as lesson_widgets


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _descriptions(explorer) -> dict[str, str | None]:
    return {part: getattr(control, "description", None) for part, control in explorer.parts().items()}


def _assert_css(explorer) -> None:
    for part, control in explorer.parts().items():
        assert explorer.CSS_CLASSES[part] in control._dom_classes
    assert explorer.CSS_CLASSES["box"] in explorer.widget._dom_classes


# --- 01: the logistic function ----------------------------------------------------------
def test_logistic_point() -> None:
    assert lesson_widgets.logistic_point(1.0, 0.0, 0.0) == (0.0, 0.5)
    t, p = lesson_widgets.logistic_point(2.0, -4.0, 3.0)
    assert t == 2.0 and p == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert lesson_widgets.logistic_point(1.0, 0.0, 800.0)[1] == 1.0  # no overflow warning needed
    # a learner's own S is used when given
    assert lesson_widgets.logistic_point(1.0, 0.0, 0.0, sigmoid=lambda t: t * 0 + 0.25)[1] == 0.25


def test_logistic_explorer_follows_its_sliders() -> None:
    explorer = lesson_widgets.LogisticExplorer()
    assert _descriptions(explorer) == {"weight": "weight w", "bias": "bias b", "x": "input x", "output": None}
    _assert_css(explorer)
    assert explorer.message == "score t = 2.00, probability S(t) = 0.8808"
    explorer.bias.value = -2.0
    assert explorer.message == "score t = 0.00, probability S(t) = 0.5000"
    fig = lesson_widgets.logistic_figure(1.0, -2.0, 2.0)
    assert len(fig.axes[0].lines) == 4  # plain S, shifted S, the marked point, the 0.5 line


# --- 01: the learning rate ----------------------------------------------------------------
def _sigmoid(t):
    return np.exp(-np.logaddexp(0.0, -t))


def _loss(w, b, X, y):
    t = X @ w + b
    return -np.mean(y * -np.logaddexp(0.0, -t) + (1 - y) * -np.logaddexp(0.0, t))


def _gradient(w, b, X, y):
    error = _sigmoid(X @ w + b) - y
    return X.T @ error / len(y), error.mean()


@pytest.fixture(scope="module")
def threes() -> tuple[np.ndarray, np.ndarray]:
    """Notebook 01's task: is this digit a 3?"""
    split = digits.load_split(test_fraction=0.25, seed=0)
    return split.x_train.astype(np.float64), (split.y_train == 3).astype(np.float64)


def test_descend_small_and_large_rates(threes) -> None:
    X, y = threes
    calm = lesson_widgets.descend(_loss, _gradient, X, y, learning_rate=1.0, steps=100)
    wild = lesson_widgets.descend(_loss, _gradient, X, y, learning_rate=30.0, steps=100)
    slow = lesson_widgets.descend(_loss, _gradient, X, y, learning_rate=0.01, steps=100)
    assert len(calm.losses) == len(wild.losses) == 101
    assert calm.losses[0] == wild.losses[0] == pytest.approx(np.log(2))  # zero weights: p = 0.5 everywhere
    assert calm.rises == 0 and max(calm.losses) == calm.losses[0] and calm.losses[-1] < 0.1
    assert wild.losses[1] > 5 * wild.losses[0]  # the first step overshoots far past the minimum
    assert wild.rises >= 1
    assert slow.losses[-1] > calm.losses[-1] + 0.2  # too small: still far from done
    assert calm.describe().startswith("rate 1: loss 0.693 -> after 1 step")


def test_descend_reports_a_blow_up_and_bad_arguments(threes) -> None:
    X, y = threes

    def naive_loss(w, b, X, y):  # log(0) = -inf once the model is certain: the run stops there
        p = 1 / (1 + np.exp(-(X @ w + b)))
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    run = lesson_widgets.descend(naive_loss, _gradient, X, y, learning_rate=300.0, steps=50)
    assert not run.finished and len(run.losses) < 51
    assert "became" in run.describe()
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ParameterError, match="learning rate"):
            lesson_widgets.descend(_loss, _gradient, X, y, learning_rate=bad)
    with pytest.raises(ParameterError, match="steps"):
        lesson_widgets.descend(_loss, _gradient, X, y, learning_rate=1.0, steps=0)


def test_learning_rate_explorer_reruns_on_change(threes) -> None:
    X, y = threes
    explorer = lesson_widgets.LearningRateExplorer(_loss, _gradient, X, y, steps=50)
    assert _descriptions(explorer) == {"rate": "learning rate", "steps": "steps", "output": None}
    _assert_css(explorer)
    first = explorer.last_run
    assert first is not None and first.learning_rate == pytest.approx(1.0) and len(first.losses) == 51
    explorer.rate.value = 30.0
    second = explorer.last_run
    assert second is not first and second.learning_rate == pytest.approx(30.0, rel=0.1)
    assert second.losses != first.losses and max(second.losses) > second.losses[0]
    explorer.steps.value = 20
    assert len(explorer.last_run.losses) == 21
    fig = lesson_widgets.descent_figure([second], reference=first)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0] == "rate 1 (reference)"


# --- 02: the epsilon slider ---------------------------------------------------------------
def _toy_model() -> torch.nn.Linear:
    """Two classes on 64 pixels: z_0 = 0.1 * sum(x) - 1.6, z_1 = 0. At x = 0.5 everywhere, z_0 = 1.6."""
    model = torch.nn.Linear(64, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.weight[0] = 0.1
        model.bias.copy_(torch.tensor([-1.6, 0.0]))
    return model


TOY_X = torch.full((64,), 0.5)


def _toy_predict(batch: torch.Tensor) -> torch.Tensor:
    return _toy_model()(batch).softmax(1)


# direction w_1 - w_0 = -0.1: every pixel darkens by eps, z_0 = 1.6 - 6.4 * eps, so the label flips just past 0.25
TOY_DIRECTION = _toy_model().weight[1].detach() - _toy_model().weight[0].detach()


def test_flip_digit_flips_past_the_threshold() -> None:
    before = lesson_widgets.flip_digit(_toy_predict, TOY_X, TOY_DIRECTION, 0.24)
    after = lesson_widgets.flip_digit(_toy_predict, TOY_X, TOY_DIRECTION, 0.26)
    assert before.predicted == 0 and after.predicted == 1
    assert before.probs.shape == (2,) and before.probs.sum() == pytest.approx(1.0)
    assert torch.allclose(after.image, torch.full((64,), 0.24))
    # the exercise checker of notebook 02 agrees with the slider
    feedback = exercises.check_smallest_epsilon(
        0.255, lambda eps: lesson_widgets.flip_digit(_toy_predict, TOY_X, TOY_DIRECTION, eps).predicted == 1)
    assert feedback.correct and "0.25" in feedback.message


def test_flip_digit_takes_arrays_and_refuses_a_wrong_direction() -> None:
    x = torch.linspace(0, 1, 64)
    unchanged = lesson_widgets.flip_digit(_toy_predict, x.numpy(), np.zeros(64), 0.3)  # sign(0) = 0: no move
    assert torch.allclose(unchanged.image, x)
    with pytest.raises(InvalidInputError, match="direction"):
        lesson_widgets.flip_digit(_toy_predict, x, torch.ones(10), 0.1)


def test_epsilon_slider_shows_the_flip() -> None:
    slider = lesson_widgets.EpsilonSlider(_toy_predict, TOY_X, TOY_DIRECTION, target=1)
    assert _descriptions(slider) == {"epsilon": "epsilon", "status": "", "output": None}
    _assert_css(slider)
    assert slider.label == 0 and "still a 0" in slider.status.value
    slider.epsilon.value = 0.3
    assert slider.last.predicted == 1 and slider.last.epsilon == pytest.approx(0.3)
    assert "flipped" in slider.status.value and "now a 1" in slider.status.value
    fig = lesson_widgets.flip_figure(slider.last, label=0, target=1)
    assert fig.axes[1].get_title().startswith("predicted 1")
