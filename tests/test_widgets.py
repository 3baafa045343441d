"""helpers.widgets: the attack explorer's run logic and controls, without a browser."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from helpers import widgets  # noqa: E402
from helpers.errors import UnknownClassError  # noqa: E402

VULTURE = 23
FAST = widgets.ExplorerSettings(image="coffee", target="vulture", epsilon_255=1.0, steps=2)  # a packaged photo


@pytest.fixture
def explorer(lite0) -> widgets.AttackExplorer:
    return widgets.AttackExplorer(lite0, FAST, image_names=["coffee", "chelsea"])


def test_run_attack_depends_on_epsilon(lite0) -> None:
    small = widgets.run_attack(lite0, FAST, progress=False)
    large = widgets.run_attack(lite0, widgets.ExplorerSettings("coffee", "vulture", 4.0, 2), progress=False)
    assert small.target_id == large.target_id == VULTURE
    assert small.result.linf_255 == pytest.approx(1.0, abs=1e-3)
    assert large.result.linf_255 == pytest.approx(4.0, abs=1e-3)
    assert large.target_probability > small.target_probability
    assert small.before == large.before and small.after != large.after
    text = small.summary(lite0.categories)
    assert "coffee -> vulture: epsilon 1/255, 2 steps" in text and "largest pixel change 1.00/255" in text


@pytest.mark.parametrize(("text", "expected"), [("vulture", VULTURE), (" Vulture ", VULTURE), ("23", VULTURE),
                                                (VULTURE, VULTURE), ("vultur", VULTURE), ("bath towel", 434)])
def test_resolve_target(lite0, text: str | int, expected: int) -> None:
    assert widgets.resolve_target(lite0, text) == expected


@pytest.mark.parametrize(("text", "message"), [("", "search box"), ("qwertyzz", "No ImageNet class matches"),
                                               (5000, "out of range")])
def test_resolve_target_explains_bad_input(lite0, text: str | int, message: str) -> None:
    with pytest.raises(UnknownClassError, match=message):
        widgets.resolve_target(lite0, text)


def test_controls_have_stable_descriptions_and_css_classes(explorer: widgets.AttackExplorer) -> None:
    descriptions = {part: getattr(control, "description", None) for part, control in explorer._parts().items()}
    assert descriptions["image"] == "image"
    assert descriptions["search"] == "search class"
    assert descriptions["target"] == "target"
    assert descriptions["epsilon"] == "epsilon /255"
    assert descriptions["steps"] == "steps"
    assert descriptions["run"] == "Run attack"
    for part, control in explorer._parts().items():
        assert widgets.AttackExplorer.CSS_CLASSES[part] in control._dom_classes
    assert "tricknets-explorer" in explorer.widget._dom_classes


def test_search_fills_the_target_list(explorer: widgets.AttackExplorer) -> None:
    assert explorer.target.value == VULTURE
    explorer.search.value = "towel"
    labels = [label for label, _ in explorer.target.options]
    assert "bath towel (434)" in labels and "paper towel (700)" in labels
    assert explorer.settings.target == explorer.target.value


def test_moving_epsilon_changes_the_result(explorer: widgets.AttackExplorer, capsys) -> None:
    first = explorer.run(progress=False)
    explorer.epsilon.value = 4.0
    assert "epsilon 4/255" in explorer.status.value
    second = explorer.run(progress=False)
    assert first is not None and second is not None
    assert first.result.linf_255 == pytest.approx(1.0, abs=1e-3)
    assert second.result.linf_255 == pytest.approx(4.0, abs=1e-3)
    assert second.target_probability != first.target_probability
    out = capsys.readouterr().out
    assert "epsilon 1/255" in out and "epsilon 4/255" in out
    assert explorer.last_run is second and "Done: vulture" in explorer.status.value
    assert not explorer.run_button.disabled and explorer.run_button.description == "Run attack"
    plt.close("all")


def test_bad_search_text_gives_a_message_not_a_traceback(explorer: widgets.AttackExplorer, capsys) -> None:
    explorer.search.value = "qwertyzz"
    assert explorer.target.value is None
    assert "No class matches" in explorer.status.value
    assert explorer.run() is None  # no exception
    out = capsys.readouterr().out
    assert "No ImageNet class matches 'qwertyzz'" in out and "Traceback" not in out
    assert "No ImageNet class matches" in explorer.message
    assert not explorer.run_button.disabled


def test_unknown_image_gives_a_message(lite0, capsys) -> None:
    explorer = widgets.AttackExplorer(lite0, widgets.ExplorerSettings(image="no_such_photo", steps=1))
    assert explorer.run(progress=False) is None
    assert "No image called 'no_such_photo'" in capsys.readouterr().out


def test_set_and_auto_run(explorer: widgets.AttackExplorer) -> None:
    explorer.set(image="chelsea", target="bath towel", epsilon_255=2.0, steps=1)
    assert explorer.settings == widgets.ExplorerSettings("chelsea", 434, 2.0, 1)
    assert explorer.last_run is None  # nothing runs until asked
    explorer.auto_run.value = True
    explorer.steps.value = 2
    assert explorer.last_run is not None and explorer.last_run.settings.steps == 2
    plt.close("all")


def test_explorer_figures(lite0) -> None:
    run = widgets.run_attack(lite0, widgets.ExplorerSettings("coffee", "vulture", 2.0, 1), progress=False)
    figures = widgets.explorer_figures(run, lite0.categories)
    assert len(figures) == 2
    legend = [t.get_text() for t in figures[1].axes[0].get_legend().get_texts()]
    assert "vulture" in legend and "espresso" in legend
    for fig in figures:
        plt.close(fig)
