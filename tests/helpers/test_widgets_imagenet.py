"""helpers.widgets.imagenet: the explorers of notebooks 03 and 04, their shared run path and controls, no browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from helpers import images
from helpers.errors import ParameterError, UnknownClassError
from helpers.widgets import imagenet as explorers

VULTURE = 23


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def explorer(lite0) -> explorers.AttackExplorer:
    return explorers.AttackExplorer(lite0, image="coffee", target="vulture", epsilon_255=1.0, steps=2,
                                    image_names=["coffee", "chelsea"])


def _assert_css(explorer) -> None:
    for part, control in explorer.parts().items():
        assert explorer.CSS_CLASSES[part] in control._dom_classes
    assert explorer.CSS_CLASSES["box"] in explorer.widget._dom_classes


def test_run_attack_in_grey_levels(lite0) -> None:
    coffee = images.load("coffee")
    small = explorers.run_attack(lite0, coffee, "vulture", epsilon_255=1.0, steps=2, image_name="coffee", progress=False)
    large = explorers.run_attack(lite0, coffee, VULTURE, epsilon_255=4.0, steps=2, image_name="coffee", progress=False)
    assert small.target_id == large.target_id == VULTURE
    assert small.step_size_255 == pytest.approx(1.0) and large.step_size_255 == pytest.approx(4.0)  # 2.5 * eps / 2, capped
    assert small.result.linf_255 == pytest.approx(1.0, abs=1e-9)
    assert large.result.linf_255 == pytest.approx(4.0, abs=1e-9)
    assert large.target_probability > small.target_probability
    text = small.summary(lite0)
    assert text.startswith("coffee -> vulture: 2 steps of 1/255 inside epsilon 1/255")
    assert "before: espresso" in text and "largest pixel change 1.00/255" in text
    figures = small.figures(lite0)
    legend = [t.get_text() for t in figures[1].axes[0].get_legend().get_texts()]
    assert len(figures) == 2 and "vulture" in legend and "espresso" in legend


def test_explorers_run_in_float32(lite0, explorer) -> None:
    """Nothing an explorer prints is stored, so it uses the faster precision; the model passed in is untouched."""
    assert explorer.model.dtype == torch.float32 and lite0.dtype == torch.float64
    budget = explorers.BudgetExplorer(lite0, images.black())
    assert budget.model.dtype == torch.float32


def test_attack_explorer_controls(explorer) -> None:
    descriptions = {part: getattr(control, "description", None) for part, control in explorer.parts().items()}
    assert descriptions == {"image": "image", "search": "search class", "target": "target",
                            "epsilon": "epsilon /255", "steps": "steps", "auto_run": "run on every change",
                            "run": "Run attack", "status": "", "output": None}
    _assert_css(explorer)
    assert explorer.CSS_CLASSES["run"] == "tricknets-explorer-run"  # the browser test's hooks


def test_search_fills_the_target_list(explorer) -> None:
    assert explorer.target.value == VULTURE
    explorer.search.value = "towel"
    labels = [label for label, _ in explorer.target.options]
    assert "bath towel (434)" in labels and "paper towel (700)" in labels
    explorer.search.value = "vultur"  # a typo still finds it (Classifier.search_classes: close spellings)
    assert explorer.target.value == VULTURE


def test_moving_epsilon_changes_the_result(explorer, capsys) -> None:
    first = explorer.run(progress=False)
    explorer.epsilon.value = 4.0
    assert "epsilon 4/255" in explorer.status.value
    second = explorer.run(progress=False)
    assert first is not None and second is not None
    assert first.result.linf_255 == pytest.approx(1.0, abs=1e-4)
    assert second.result.linf_255 == pytest.approx(4.0, abs=1e-4)
    assert second.target_probability != first.target_probability
    out = capsys.readouterr().out
    assert "inside epsilon 1/255" in out and "inside epsilon 4/255" in out
    assert explorer.last_run is second and "Done: vulture" in explorer.status.value
    assert not explorer.run_button.disabled and explorer.run_button.description == "Run attack"


def test_bad_search_text_gives_a_message_not_a_traceback(explorer, capsys) -> None:
    explorer.search.value = "qwertyzz"
    assert explorer.target.value is None
    assert "No class matches" in explorer.status.value
    assert explorer.run() is None  # no exception
    out = capsys.readouterr().out
    assert "'qwertyzz' is not one of the 1000 ImageNet classes" in out and "Traceback" not in out
    assert not explorer.run_button.disabled and explorer.run_button.description == "Run attack"


def test_unknown_image_gives_a_message(lite0, capsys) -> None:
    explorer = explorers.AttackExplorer(lite0, image="no_such_photo", steps=1)
    assert explorer.run(progress=False) is None
    assert "No image called 'no_such_photo'" in capsys.readouterr().out


def test_set_and_auto_run(explorer) -> None:
    explorer.set(image="chelsea", target="bath towel", epsilon_255=2.0, steps=1)
    assert (explorer.image.value, explorer.target.value, explorer.epsilon.value, explorer.steps.value) == \
        ("chelsea", 434, 2.0, 1)
    assert explorer.last_run is None  # nothing runs until asked
    explorer.auto_run.value = True
    explorer.steps.value = 2
    assert explorer.last_run is not None and explorer.last_run.steps == 2
    with pytest.raises(ParameterError, match="epsilon_255"):
        explorer.set(budget=3)


def test_budget_explorer_runs_what_the_sliders_say(lite0, capsys) -> None:
    explorer = explorers.BudgetExplorer(lite0, images.black(), "paper towel", epsilon_255=2.0, step_size_255=0.5,
                                        steps=1, image_name="black")
    descriptions = {part: getattr(control, "description", None) for part, control in explorer.parts().items()}
    assert descriptions == {"epsilon": "epsilon /255", "step_size": "step size /255", "steps": "steps",
                            "run": "Run", "status": "", "output": None}
    _assert_css(explorer)
    assert explorer.last_run is None  # nothing runs until asked
    explorer.steps.value = 2
    assert "2 steps of 0.5/255 inside 2/255" in explorer.status.value
    run = explorer.run(progress=False)
    assert run is explorer.last_run and run.result.history.shape[0] == 3 and run.result.linf_255 <= 1.0 + 1e-6
    assert "cannot use all of it" in capsys.readouterr().out  # 2 x 0.5/255 < 2/255
    assert explorer.status.value.startswith("<span>Done: paper towel")
    assert not explorer.run_button.disabled and explorer.run_button.description == "Run"


def test_budget_explorer_refuses_an_unknown_target(lite0) -> None:
    with pytest.raises(UnknownClassError, match="paper towel"):
        explorers.BudgetExplorer(lite0, images.black(), "paper towl")
