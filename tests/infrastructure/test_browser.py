"""A learner's view: JupyterLab in a real browser runs notebook 04 and its attack explorer.

JupyterLab is started as the container starts it (`docker/start-lab.sh`, see tests/lab_server.py)
on a temporary copy of `notebooks/`, and headless Chromium (Debian's `chromium`, driven by
Playwright) opens notebook 04, runs all cells, checks that the figures render, then moves the
explorer's epsilon slider, presses "Run attack" and checks that the explorer's output changes.

Screenshots go to `test-artifacts/` (git-ignored; CI keeps it):
`notebook04_after_run_all.png` (the whole notebook after Run All) and `notebook04_after_slider.png`.

A second, fast test runs the same harness on a tiny notebook written here, so a failure of the
harness itself (browser, server, widgets) is told apart from a failure of notebook 04.

Playwright and Chromium missing make these tests FAIL with install instructions (`.ci/run`
installs both): `pip install -r requirements/dev.txt` and `apt-get install chromium`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

import browser
import lab_server

NOTEBOOKS = lab_server.ROOT / "notebooks"
NOTEBOOK_04 = "04_panda_to_vulture.ipynb"
RUN_ALL_LIMIT_MS = 900_000  # notebook 04 needs a few minutes on a 2-core CPU in float64 (more on a busy one)
EXPLORER_RUN_LIMIT_MS = 180_000  # one explorer run: 10 attack steps, two figures

# The attack explorer's stable hooks (helpers/widgets.py, AttackExplorer.CSS_CLASSES and descriptions).
EXPLORER = ".tricknets-explorer"
EPSILON = ".tricknets-explorer-epsilon"  # FloatSlider "epsilon /255"
RUN_BUTTON = "button.tricknets-explorer-run"  # Button "Run attack" ("Running..." while it runs)
OUTPUT = ".tricknets-explorer-output"  # Output: the printed summary, then the figures
STATUS = ".tricknets-explorer-status"  # HTML: "... epsilon 4/255, 10 steps: press Run attack."

AFTER_RUN_ALL = "notebook04_after_run_all.png"  # in test-artifacts/
AFTER_SLIDER = "notebook04_after_slider.png"

pytestmark = [pytest.mark.slow]


def code_cells_and_images(path: Path) -> tuple[int, int]:
    """(code cells, stored PNG outputs) of a notebook: what a fresh Run All must reproduce."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    pngs = sum("image/png" in out.get("data", {}) for c in code for out in c.get("outputs", []))
    return len(code), pngs


def wait_explorer_output_changed(page, before: str, timeout_ms: int) -> str:
    """Wait until the explorer's output differs from `before` and its run has finished; its new signature."""
    page.wait_for_function(
        """([outputSel, buttonSel, before]) => {
            const out = document.querySelector(outputSel), button = document.querySelector(buttonSel);
            if (!out || !button || button.disabled || !/Run attack/.test(button.textContent)) return false;
            const loaded = i => i.complete && i.naturalWidth > 0;
            if (!out.innerText.trim() || ![...out.querySelectorAll('img')].every(loaded)) return false;
            if (!document.querySelector('.jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status="idle"]'))
                return false;
            return (%s)(out) !== before;
        }""" % browser.SIGNATURE_JS,
        arg=[OUTPUT, RUN_BUTTON, before], timeout=timeout_ms, polling=500)
    return browser.output_signature(page.locator(OUTPUT))


@pytest.mark.timeout(1500)
def test_notebook_04_runs_in_the_browser_and_the_explorer_reacts(tmp_path):
    browser.require_browser()
    source = NOTEBOOKS / NOTEBOOK_04
    assert source.is_file(), f"{source} is missing"
    n_code, n_png = code_cells_and_images(source)
    assert n_png >= 1, "notebook 04 is stored without figures (store it with outputs, see CONTRIBUTING.md)"
    root = lab_server.copy_notebooks(NOTEBOOKS, tmp_path / "work")
    for name in (AFTER_RUN_ALL, AFTER_SLIDER):
        (browser.ARTIFACTS / name).unlink(missing_ok=True)  # only this run's pictures are kept

    failure = browser.ARTIFACTS / "notebook04_failure.png"
    with lab_server.running_lab(tmp_path / "home", root) as lab, browser.chromium_page(tmp_path / "profile", failure) as page:
        browser.open_notebook(page, lab, NOTEBOOK_04)
        browser.clear_all_outputs(page)  # what is checked below can only come from this run
        started = time.monotonic()
        browser.run_all_cells(page, n_code, timeout_ms=RUN_ALL_LIMIT_MS)
        print(f"Run All Cells took {time.monotonic() - started:.0f} s")  # shown with -rP or on failure

        assert not browser.error_texts(page)
        figures = browser.wait_images_loaded(page, at_least=n_png)
        assert figures >= n_png, f"{figures} figures rendered, the stored notebook has {n_png}"
        explorer = page.locator(EXPLORER)
        explorer.wait_for(state="visible")
        explorer.scroll_into_view_if_needed()  # JupyterLab renders only the cells near the view
        slider = explorer.locator(f"{EPSILON}.widget-slider")
        slider.locator(".widget-label").filter(has_text="epsilon").wait_for()
        browser.screenshot_whole_notebook(page, browser.ARTIFACTS / AFTER_RUN_ALL)

        # One run with the notebook's budget, then one with a larger budget: the output must change.
        explorer.scroll_into_view_if_needed()
        button = page.locator(RUN_BUTTON)
        first = browser.output_signature(page.locator(OUTPUT))
        if not page.locator(OUTPUT).inner_text().strip():  # the notebook did not run the explorer itself
            button.click()
            first = wait_explorer_output_changed(page, first, timeout_ms=EXPLORER_RUN_LIMIT_MS)
        old_epsilon = float(slider.locator(".widget-readout").inner_text())
        new_epsilon = old_epsilon + 2 if old_epsilon + 2 <= 16 else old_epsilon / 2
        shown = browser.set_slider_by_readout(slider, new_epsilon)
        assert float(shown) == pytest.approx(new_epsilon), shown
        # The status line says what the next run will do as soon as the slider moves (kernel round trip).
        page.locator(STATUS).filter(has_text=f"epsilon {new_epsilon:g}/255").wait_for()
        button.click()
        second = wait_explorer_output_changed(page, first, timeout_ms=EXPLORER_RUN_LIMIT_MS)
        browser.screenshot_element(page, explorer, browser.ARTIFACTS / AFTER_SLIDER)  # the slider and the new output

        assert second != first
        assert f"epsilon {old_epsilon:g}/255" in first
        assert f"epsilon {new_epsilon:g}/255" in second
        assert "[0 images" not in second, second  # the figures were redrawn
        assert not browser.error_texts(page)


# --- the harness on its own: a tiny notebook with a figure and a slider --------------------------------
TINY_CELLS = [
    "import matplotlib.pyplot as plt\n"
    "import numpy as np\n"
    "plt.plot(np.sin(np.linspace(0, 6, 50)))\n"
    "plt.title('a sine wave')\n"
    "plt.show()",
    "import ipywidgets as w\n"
    "slider = w.FloatSlider(value=2.0, min=0.25, max=16.0, step=0.25, description='epsilon /255',\n"
    "                       continuous_update=False)\n"
    "slider.add_class('tiny-epsilon')\n"
    "out = w.Output()\n"
    "out.add_class('tiny-output')\n"
    "def show(_=None):\n"
    "    with out:\n"
    "        out.clear_output(wait=True)\n"
    "        print(f'epsilon {slider.value:g}/255')\n"
    "slider.observe(show, names='value')\n"
    "show()\n"
    "w.VBox([slider, out])",
]


@pytest.mark.timeout(300)
def test_browser_harness_on_a_tiny_notebook(tmp_path):
    browser.require_browser()
    root = tmp_path / "work"
    root.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(src) for src in TINY_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, root / "tiny.ipynb")

    failure = browser.ARTIFACTS / "tiny_notebook_failure.png"
    with lab_server.running_lab(tmp_path / "home", root) as lab, browser.chromium_page(tmp_path / "profile", failure) as page:
        browser.open_notebook(page, lab, "tiny.ipynb")
        browser.run_all_cells(page, len(TINY_CELLS), timeout_ms=120_000)
        assert not browser.error_texts(page)
        assert browser.wait_images_loaded(page, at_least=1) == 1
        output = page.locator(".tiny-output")
        output.filter(has_text="epsilon 2/255").wait_for()

        slider = page.locator(".tiny-epsilon.widget-slider")
        assert browser.set_slider_by_readout(slider, 4.5) == "4.50"
        output.filter(has_text="epsilon 4.5/255").wait_for()

        browser.nudge_slider_by_keyboard(slider, 3)  # 3 steps of 0.25
        output.filter(has_text="epsilon 5.25/255").wait_for()
        assert slider.locator(".widget-readout").inner_text() == "5.25"
        assert not browser.error_texts(page)
