"""Widgets to play with in the notebooks, by subject, on one small base class.

    helpers.widgets.digits   the logistic function, a learning rate, an epsilon that flips a digit (01-02)
    helpers.widgets.imagenet the step-size explorer (03) and the attack explorer (04) on an ImageNet network

Each widget's work is done by plain functions that the tests call without a browser; the classes
only wire them to ipywidgets controls. `Explorer` holds what every widget shares: stable CSS hooks
for browser tests (the box has class `tricknets-<NAME>`, each control `tricknets-<NAME>-<part>`, listed
in CSS_CLASSES), a guard that disables the run button while a run is in progress, and display.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import ClassVar

import ipywidgets as w
import matplotlib.pyplot as plt
from IPython.display import clear_output, display
from matplotlib.figure import Figure

STYLE = {"description_width": "120px"}


def wide() -> w.Layout:
    return w.Layout(width="440px")


class Explorer:
    """Base class: set NAME and PARTS (part -> attribute), build the controls, then call `_assemble`."""

    NAME: ClassVar[str]
    PARTS: ClassVar[dict[str, str]]
    CSS_CLASSES: ClassVar[dict[str, str]]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "NAME" not in cls.__dict__:  # an intermediate base class: nothing to name yet
            return
        prefix = f"tricknets-{cls.NAME}"
        cls.CSS_CLASSES = {"box": prefix, **{part: f"{prefix}-{part.replace('_', '-')}" for part in cls.PARTS}}

    def parts(self) -> dict[str, w.DOMWidget]:
        """Each control by its part name (the keys of CSS_CLASSES but 'box')."""
        return {part: getattr(self, attribute) for part, attribute in self.PARTS.items()}

    def _assemble(self, title_html: str, rows: list[w.Widget]) -> None:
        """The box: a title line, then the rows; every control gets its CSS class."""
        self.widget = w.VBox([w.HTML(title_html), *rows])
        for part, control in self.parts().items():
            control.add_class(self.CSS_CLASSES[part])
        self.widget.add_class(self.CSS_CLASSES["box"])

    @contextmanager
    def _running(self, button: w.Button) -> Iterator[None]:
        """Disable the run button (its label says "Running...") until the block ends, however it ends."""
        label = button.description
        button.disabled, button.description = True, "Running..."
        try:
            yield
        finally:
            button.disabled, button.description = False, label

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)


def show_in(output: w.Output, figures: list[Figure], text: str = "") -> None:
    """Replace what an Output shows with some text and figures (closed afterwards, so they are not drawn twice)."""
    with output:
        clear_output(wait=True)
        if text:
            print(text)
        for figure in figures:
            display(figure)
            plt.close(figure)
