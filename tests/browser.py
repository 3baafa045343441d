"""A real (headless) Chromium driving JupyterLab, for tests/infrastructure/test_browser.py.

The browser is Debian's `chromium` driven by Playwright (Playwright's own browser download is not used).
Everything waits with Playwright's bounded, polling waits, never with sleeps, and the browser is closed
however a test ends. The lab itself comes from tests/lab_server.py.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from lab_server import ROOT, Lab

ARTIFACTS = ROOT / "test-artifacts"  # git-ignored; CI keeps it
CHROMIUM = Path(os.environ.get("TRICKNETS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium keeps trying to reach Google's servers (refused here: no internet).
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
INSTALL_HINT = (
    "The browser tests need Playwright (the Python package, pinned in requirements/dev.txt: "
    "`pip install -r requirements/dev.txt`) and Debian's Chromium (`apt-get install chromium`, binary "
    "/usr/bin/chromium; or point TRICKNETS_CHROMIUM at another Chromium/Chrome). "
    "`playwright install` is NOT needed (and cannot download browsers here). `.ci/run` installs both."
)


# --- the browser -----------------------------------------------------------------------------
def require_browser() -> None:
    """Fail (never skip) with install instructions when Playwright or Chromium is missing."""
    try:
        import playwright.sync_api  # noqa: F401 -- imported only to see that it is installed
    except ImportError as exc:
        pytest.fail(f"Playwright is not installed ({exc}). {INSTALL_HINT}", pytrace=False)
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"No Chromium at {CHROMIUM}. {INSTALL_HINT}", pytrace=False)


@contextmanager
def chromium_page(profile_dir: Path, failure_screenshot: Path | None = None,
                  timeout_ms: int = 30_000) -> Iterator[Any]:
    """A Playwright page in headless Chromium with a fresh, empty profile; closed on exit.

    If the block raises, the page is first saved to `failure_screenshot` (for the CI artefacts).
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    if failure_screenshot is not None:
        failure_screenshot.unlink(missing_ok=True)  # never leave an old run's picture behind

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True,
            viewport=VIEWPORT, timeout=60_000,
        )
        try:
            context.set_default_timeout(timeout_ms)
            page = context.pages[0] if context.pages else context.new_page()
            try:
                yield page
            except BaseException:
                if failure_screenshot is not None:
                    failure_screenshot.parent.mkdir(parents=True, exist_ok=True)
                    try:
                        page.screenshot(path=str(failure_screenshot), timeout=10_000)
                    except Exception:  # the original failure matters more
                        pass
                raise
        finally:
            context.close()


# --- driving a notebook ------------------------------------------------------------------------
KERNEL_IDLE = ".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator[data-status='idle']"

# True once every code cell shows an execution count ("[12]:"), or as soon as any cell shows an
# error (a run-all stops there, so waiting for the counts would only time out).
_ALL_EXECUTED_JS = """([expected]) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return false;
    const stderr = [...panel.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')];
    if (stderr.some(e => /Traceback|^\\w*Error\\b/m.test(e.textContent))) return 'error';
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
    const done = prompts.filter(p => /^\\[\\d+\\]:?$/.test(p.textContent.trim())).length;
    const idle = panel.querySelector('.jp-Notebook-ExecutionIndicator[data-status="idle"]');
    return done >= expected && prompts.length >= expected && idle ? 'done' : false;
}"""


def open_notebook(page: Any, lab: Lab, name: str, timeout_ms: int = 90_000) -> None:
    """Open a notebook by URL (the token logs the browser in) and wait until its kernel is idle."""
    page.goto(lab.notebook_url(name), wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=timeout_ms)
    wait_kernel_idle(page, timeout_ms)


def wait_kernel_idle(page: Any, timeout_ms: int) -> None:
    # The kernel name appears once a session is attached; "idle" before that would be a default.
    page.wait_for_function(
        """() => { const k = document.querySelector('.jp-NotebookPanel-toolbar .jp-KernelName');
                   return k && /Python/.test(k.textContent); }""", timeout=timeout_ms)
    page.wait_for_selector(KERNEL_IDLE, timeout=timeout_ms)


def run_menu_command(page: Any, menu: str, item: str) -> None:
    """Click a main-menu entry by the labels a learner sees, e.g. ("Run", "Run All Cells")."""
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu .lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel",
                 has_text=re.compile(f"^{re.escape(item)}$")).click()


def clear_all_outputs(page: Any) -> None:
    """Edit > Clear Outputs of All Cells, so what the test then sees can only come from this run."""
    run_menu_command(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => !document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')",
        timeout=30_000)


def run_all_cells(page: Any, n_code_cells: int, timeout_ms: int) -> None:
    """Run > Run All Cells, then wait until every code cell has run (or one failed)."""
    run_menu_command(page, "Run", "Run All Cells")
    outcome = page.wait_for_function(_ALL_EXECUTED_JS, arg=[n_code_cells], timeout=timeout_ms,
                                     polling=500).json_value()
    assert outcome == "done", "a cell failed:\n" + "\n---\n".join(error_texts(page))


# An error output (IPython's traceback, or "SyntaxError: ..." at a line start), not a mere warning.
ERROR_PATTERN = re.compile(r"Traceback|^\w*Error\b", re.MULTILINE)


def error_texts(page: Any) -> list[str]:
    """The text of every stderr/error output showing a traceback or an error."""
    texts = page.locator(".jp-NotebookPanel [data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    return [t for t in texts if ERROR_PATTERN.search(t)]


def loaded_output_images(page: Any) -> int:
    """How many images in cell outputs have actually been decoded (naturalWidth > 0)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img')]
                 .filter(img => img.complete && img.naturalWidth > 0).length""")


def wait_images_loaded(page: Any, at_least: int, timeout_ms: int = 30_000) -> int:
    """Wait (bounded) until `at_least` output images are decoded; returns how many are, for the assertion."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(
            """([n]) => [...document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img')]
                        .filter(img => img.complete && img.naturalWidth > 0).length >= n""",
            arg=[at_least], timeout=timeout_ms)
    except PlaywrightTimeoutError:
        pass  # the caller's assertion reports the count
    return loaded_output_images(page)


_NOTEBOOK_SCROLLER = ("document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
                      " || document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')")


def screenshot_whole_notebook(page: Any, path: Path, max_height: int = 16_000) -> int:
    """One picture of the whole notebook; returns its height in pixels.

    JupyterLab scrolls a notebook inside its own panel (and adds room to scroll past the end), so a
    "full page" screenshot would show one screen. Instead the panel is scrolled to the top and the
    window made as tall as the cells. Cells out of view only have estimated heights until they are
    drawn, so the window grows until the height measured stops changing. The window is restored after.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # The window height the cells need, once it has been the same for three polls in a row.
    settled_height = f"""([h]) => {{ const s = {_NOTEBOOK_SCROLLER};
        s.scrollTop = 0;
        if (window.innerHeight !== h) return false;
        const cells = s.querySelectorAll('.jp-Cell'), last = cells[cells.length - 1];
        const bottom = last.getBoundingClientRect().bottom - s.getBoundingClientRect().top + s.scrollTop;
        const need = Math.ceil(bottom + (window.innerHeight - s.clientHeight) + 40);
        const seen = (window.__tricknetsHeights = [...(window.__tricknetsHeights || []), need].slice(-3));
        return seen.length === 3 && seen.every(x => x === need) ? need : false; }}"""
    height = VIEWPORT["height"]
    try:
        for _ in range(8):
            page.evaluate("() => { window.__tricknetsHeights = []; }")
            need = page.wait_for_function(settled_height, arg=[height], polling=200, timeout=20_000).json_value()
            if need <= height or height >= max_height:
                break
            height = min(need, max_height)
            page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(VIEWPORT)
    return height


def screenshot_element(page: Any, locator: Any, path: Path, height: int = 1900) -> None:
    """A screenshot of a taller window with `locator` scrolled to its top (e.g. a widget and its output)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    try:
        locator.evaluate(
            """(el, h) => new Promise((resolve, reject) => {
                   const until = Date.now() + 15000;
                   const step = () => {
                       el.scrollIntoView({block: 'start'});
                       const top = el.getBoundingClientRect().top;
                       if (window.innerHeight === h && top >= 0 && top < 200) resolve(true);
                       else if (Date.now() > until) reject(new Error(`not scrolled into view (top ${top})`));
                       else requestAnimationFrame(step);
                   };
                   step();
               })""", height)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(VIEWPORT)


# The text of an output area plus a digest of its images' sources: changes when the output does.
SIGNATURE_JS = """el => { const imgs = [...el.querySelectorAll('img')].map(i => i.src);
    let h = 0; for (const s of imgs) for (let k = 0; k < s.length; k++) h = (h * 31 + s.charCodeAt(k)) | 0;
    return el.innerText.trim() + `\n[${imgs.length} images #${h}]`; }"""


def output_signature(locator: Any) -> str:
    return locator.evaluate(SIGNATURE_JS)


def set_slider_by_readout(slider: Any, value: float) -> str:
    """Type a value into an ipywidgets 8 slider's editable readout, as a learner can; returns the readout text."""
    readout = slider.locator(".widget-readout")
    readout.click()
    readout.press("ControlOrMeta+a")
    readout.type(f"{value:g}")
    readout.press("Enter")
    return readout.inner_text()


def nudge_slider_by_keyboard(slider: Any, presses: int) -> None:
    """Focus the slider's handle and press → (the other way a learner moves it without a mouse)."""
    handle = slider.locator(".noUi-handle").first
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")
