"""How the notebooks are stored: executed top to bottom, no errors, exercises in their starter state, and only
truly volatile cells (widgets, the device, timings, float32 on purpose) kept out of nbval's comparison."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NAMES = [p.stem for p in NOTEBOOKS]
WIDGETS = ("LogisticExplorer(", "LearningRateExplorer(", "EpsilonSlider(", "BudgetExplorer(", "AttackExplorer(")
#: What may justify NBVAL_IGNORE_OUTPUT: a widget, the machine's own device, a clock, float32 on purpose, or an
#: optional download. Each ignored cell must say which in a comment on its second line.
VOLATILE = re.compile(r"widget|device|time|float32|download|optional", re.I)


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_all_six_notebooks_are_there() -> None:
    assert NAMES == ["01_logistic_regression_by_hand", "02_breaking_linear_classifiers", "03_paper_towel_from_black",
                     "04_panda_to_vulture", "05_dog_resistance", "06_judging_a_defence"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_stored_executed_in_order_without_errors(path: Path) -> None:
    code = [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))
    assert any(c["outputs"] for c in code)
    for c in code:
        assert not any(o["output_type"] == "error" for o in c["outputs"]), source(c)[:80]
        for o in c["outputs"]:
            if o["output_type"] == "stream":
                assert "Traceback" not in "".join(o["text"]) and o["name"] == "stdout", source(c)[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_only_volatile_cells_are_ignored_by_nbval(path: Path) -> None:
    for c in cells(path):
        text = source(c)
        if c["cell_type"] != "code":
            continue
        if any(w in text for w in WIDGETS) and "lambda" not in text.split("\n")[0]:
            assert text.startswith("# NBVAL_IGNORE_OUTPUT"), f"a widget's view is not comparable: {text[:60]}"
        if text.startswith("# NBVAL_IGNORE_OUTPUT"):
            reason = text.split("\n")[1] if "\n" in text else ""
            assert reason.startswith("#") and VOLATILE.search(reason), f"say why this output varies: {text[:120]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_exercises_are_stored_in_their_starter_state(path: Path) -> None:
    """At least two exercises, each a checker call whose stored output is a hint, followed by a folded solution;
    at least one asks for a prediction before a cell runs."""
    all_cells = cells(path)
    texts = [source(c) for c in all_cells]
    start = next(i for i, s in enumerate(texts) if s.startswith("## Exercises"))
    checks = [i for i, s in enumerate(texts) if i > start and all_cells[i]["cell_type"] == "code"
              and "exercises.check_" in s]
    assert len(checks) >= 2
    for i in checks:
        shown = "".join(all_cells[i]["outputs"][-1]["data"]["text/plain"])
        assert shown.startswith("❌ Not yet."), shown
        assert texts[i + 1].startswith("<details><summary>"), texts[i + 1][:60]
    predictions = [s for c, s in zip(all_cells, texts)
                   if c["cell_type"] == "code" and re.search(r"exercises\.check_(choice|estimate)\(", s)]
    assert predictions, "at least one exercise asks for a prediction before running"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_every_notebook_names_its_sources(path: Path) -> None:
    prose = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    assert re.search(r"Evans|Goodfellow|Szegedy|Karpathy|Falcon", prose)
