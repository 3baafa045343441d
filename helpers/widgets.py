"""The attack explorer: pick a photo and a target class, set the budget, run, look.

Notebook 04 ends with it so a learner can try their own panda -> vulture. The work is done
by plain functions (`run_attack`, `explorer_figures`), which the tests call without a browser;
`AttackExplorer` only wires them to ipywidgets controls.

Stable hooks for browser tests: every control has a fixed `description` and a CSS class
(`tricknets-explorer-<part>`, listed in `AttackExplorer.CSS_CLASSES`); the whole box has
`tricknets-explorer`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace

import ipywidgets as w
import matplotlib.pyplot as plt
import torch
from IPython.display import clear_output, display
from matplotlib.figure import Figure

from . import attacks, images, plots
from .errors import TrickNetsError, UnknownClassError
from .models import Classifier


@dataclass(frozen=True)
class ExplorerSettings:
    """One attack as the explorer describes it: budgets in grey levels (1/255), the target by name or id."""

    image: str = "giant_panda"
    target: str | int = "vulture"
    epsilon_255: float = 2.0
    steps: int = 10


@dataclass
class ExplorerRun:
    """What one run produced, with the numbers the explorer prints."""

    settings: ExplorerSettings
    target_id: int
    result: attacks.AttackResult
    before: list[tuple[str, float]]
    after: list[tuple[str, float]]

    @property
    def target_probability(self) -> float:
        return float(self.result.final_probs[0, self.target_id])

    def summary(self, categories: Sequence[str]) -> str:
        s = self.settings
        start = float(self.result.history[0, 0, self.target_id])
        return "\n".join([
            f"{s.image} -> {categories[self.target_id]}: epsilon {s.epsilon_255:g}/255, {s.steps} steps",
            "before: " + " | ".join(f"{label} {100 * p:.1f}%" for label, p in self.before),
            "after:  " + " | ".join(f"{label} {100 * p:.1f}%" for label, p in self.after),
            f"target probability {100 * start:.2f}% -> {100 * self.target_probability:.2f}%; "
            f"largest pixel change {self.result.linf_255:.2f}/255",
        ])


def resolve_target(model: Classifier, target: str | int) -> int:
    """A class id from an id, an exact name, or search text (its best match); UnknownClassError says what to try."""
    if isinstance(target, int) and not isinstance(target, bool):
        return model.class_index(target)
    text = " ".join(str(target).split())
    if text.isdigit():
        return model.class_index(int(text))
    if not text:
        raise UnknownClassError("Type part of a class name in the search box (e.g. 'vulture', 'towel', 'dog').")
    try:
        return model.class_index(text)
    except UnknownClassError:
        hits = model.search_classes(text)
        if hits:
            return hits[0]
    raise UnknownClassError(
        f"No ImageNet class matches {text!r}. Try a shorter or more common word (e.g. 'towel', 'bird', 'car'), "
        "or a class id from 0 to 999."
    )


def run_attack(model: Classifier, settings: ExplorerSettings, progress: bool | None = None,
               image: torch.Tensor | None = None) -> ExplorerRun:
    """Run the targeted iterative attack the settings describe (image: an already loaded photo, to skip loading)."""
    target_id = resolve_target(model, settings.target)
    x = images.load(settings.image) if image is None else image
    result = attacks.iterative_attack(model, x, target=target_id, epsilon=settings.epsilon_255 / 255,
                                      steps=int(settings.steps), progress=progress)
    return ExplorerRun(settings=settings, target_id=target_id, result=result,
                       before=model.decode(result.history[0, 0], 3), after=model.decode(result.final_probs[0], 3))


def explorer_figures(run: ExplorerRun, categories: Sequence[str]) -> list[Figure]:
    """The pictures of one run: original / adversarial / amplified difference, and the probability curves."""
    top_before, p_before = run.before[0]
    top_after, p_after = run.after[0]
    pictures = plots.show_attack(run.result.original, run.result.image,
                                 labels=(f"{run.settings.image}: {top_before} {100 * p_before:.1f}%",
                                         f"adversarial: {top_after} {100 * p_after:.1f}%"))
    shown = plots.leading_classes(run.result.history)
    if run.target_id not in shown:
        shown.append(run.target_id)
    curves = plots.probability_curves(run.result.history, shown, categories,
                                      title=f"towards {categories[run.target_id]}, "
                                            f"inside {run.settings.epsilon_255:g}/255")
    return [pictures, curves]


class AttackExplorer:
    """ipywidgets controls around run_attack; display the object (or `.widget`) in a notebook."""

    CSS_CLASSES = {
        "box": "tricknets-explorer",
        "image": "tricknets-explorer-image",
        "search": "tricknets-explorer-search",
        "target": "tricknets-explorer-target",
        "epsilon": "tricknets-explorer-epsilon",
        "steps": "tricknets-explorer-steps",
        "auto_run": "tricknets-explorer-auto-run",
        "run": "tricknets-explorer-run",
        "status": "tricknets-explorer-status",
        "output": "tricknets-explorer-output",
    }

    def __init__(self, model: Classifier, defaults: ExplorerSettings = ExplorerSettings(),
                 image_names: Sequence[str] | None = None) -> None:
        self.model = model
        self.last_run: ExplorerRun | None = None
        self.message = ""
        self._images: dict[str, torch.Tensor] = {}
        names = list(image_names) if image_names is not None else images.available()
        if defaults.image not in names:
            names.insert(0, defaults.image)

        style = {"description_width": "110px"}
        wide = w.Layout(width="420px")
        self.image = w.Dropdown(options=names, value=defaults.image, description="image", style=style, layout=wide)
        search_text = (model.categories[defaults.target] if isinstance(defaults.target, int) else str(defaults.target))
        self.search = w.Text(value=search_text, description="search class", placeholder="e.g. vulture, towel, dog",
                             continuous_update=True, style=style, layout=wide)
        self.target = w.Dropdown(options=[], description="target", style=style, layout=wide)
        self.epsilon = w.FloatSlider(value=defaults.epsilon_255, min=0.25, max=16.0, step=0.25,
                                     description="epsilon /255", readout_format=".2f", continuous_update=False,
                                     style=style, layout=wide)
        self.steps = w.IntSlider(value=defaults.steps, min=1, max=60, step=1, description="steps",
                                 continuous_update=False, style=style, layout=wide)
        self.auto_run = w.Checkbox(value=False, description="run on every change", indent=False)
        self.run_button = w.Button(description="Run attack", button_style="primary", icon="play",
                                   tooltip="run the targeted attack with these settings")
        self.status = w.HTML()
        self.output = w.Output(layout=w.Layout(border="1px solid #ddd", min_height="60px"))

        for part, control in self._parts().items():
            control.add_class(self.CSS_CLASSES[part])
        self.widget = w.VBox([
            w.HTML("<b>Attack explorer</b>: choose a photo and a target class, set the budget, press "
                   "<i>Run attack</i>."),
            self.image, self.search, self.target, self.epsilon, self.steps,
            w.HBox([self.run_button, self.auto_run]), self.status, self.output,
        ])
        self.widget.add_class(self.CSS_CLASSES["box"])

        self._update_matches()
        if isinstance(defaults.target, int):
            self.target.value = defaults.target
        self.search.observe(lambda _: self._update_matches(), names="value")
        for control in (self.image, self.target, self.epsilon, self.steps):
            control.observe(self._settings_changed, names="value")
        self.run_button.on_click(lambda _: self.run())
        self._show_status()

    def _parts(self) -> dict[str, w.DOMWidget]:
        return {"image": self.image, "search": self.search, "target": self.target, "epsilon": self.epsilon,
                "steps": self.steps, "auto_run": self.auto_run, "run": self.run_button, "status": self.status,
                "output": self.output}

    # --- state -------------------------------------------------------------------------
    @property
    def settings(self) -> ExplorerSettings:
        """The settings the controls show now (target: the chosen class id, or the search text if none matched)."""
        target = self.target.value if self.target.value is not None else self.search.value
        return ExplorerSettings(image=self.image.value, target=target, epsilon_255=float(self.epsilon.value),
                                steps=int(self.steps.value))

    def _update_matches(self) -> None:
        text = " ".join(self.search.value.split())
        ids: list[int] = []
        if text:
            try:
                ids = [resolve_target(self.model, text)]
            except UnknownClassError:
                ids = []
            ids += [i for i in self.model.search_classes(text, limit=15) if i not in ids]
        self.target.options = [(f"{self.model.categories[i]} ({i})", i) for i in ids]
        self.target.value = ids[0] if ids else None
        self._show_status()

    def _settings_changed(self, _change: object = None) -> None:
        self._show_status()
        if self.auto_run.value:
            self.run()

    def _show_status(self, note: str | None = None) -> None:
        if note is None:
            s = self.settings
            if self.target.value is None:
                text = self.search.value.strip()
                note = (f"No class matches {text!r}: try another word." if text
                        else "Type part of a class name in the search box.")
            else:
                note = (f"{s.image} &rarr; {html.escape(self.model.categories[self.target.value])}, "
                        f"epsilon {s.epsilon_255:g}/255, {s.steps} steps: press <i>Run attack</i>.")
        self.status.value = f"<span>{note}</span>"

    # --- running -----------------------------------------------------------------------
    def _image(self, name: str) -> torch.Tensor:
        if name not in self._images:
            self._images[name] = images.load(name)
        return self._images[name]

    def run(self, progress: bool | None = None) -> ExplorerRun | None:
        """Run the attack the controls describe; results (or a message saying what to change) go to the output."""
        settings = self.settings
        self.run_button.disabled = True
        self.run_button.description = "Running..."
        try:
            with self.output:
                clear_output(wait=True)
                try:
                    if self.target.value is None:
                        resolve_target(self.model, settings.target)  # raises with a helpful message
                    run = run_attack(self.model, settings, progress=progress, image=self._image(settings.image))
                except TrickNetsError as exc:
                    self.message = str(exc)
                    print(self.message)
                    self._show_status(html.escape(self.message))
                    return None
                self.last_run = run
                self.message = run.summary(self.model.categories)
                print(self.message)
                for fig in explorer_figures(run, self.model.categories):
                    display(fig)
                    plt.close(fig)
                self._show_status(f"Done: {html.escape(self.model.categories[run.target_id])} "
                                  f"{100 * run.target_probability:.1f}% (epsilon {settings.epsilon_255:g}/255, "
                                  f"{settings.steps} steps).")
                return run
        finally:
            self.run_button.disabled = False
            self.run_button.description = "Run attack"

    def set(self, **changes: object) -> None:
        """Change several controls at once from code, e.g. explorer.set(image='cat', target='bath towel')."""
        s = replace(self.settings, **changes)  # type: ignore[arg-type]
        self.image.value = s.image
        if "target" in changes:
            self.search.value = (self.model.categories[s.target] if isinstance(s.target, int) else str(s.target))
        self.epsilon.value = s.epsilon_255
        self.steps.value = s.steps

    def _repr_mimebundle_(self, **kwargs: object) -> dict | None:
        return self.widget._repr_mimebundle_(**kwargs)
