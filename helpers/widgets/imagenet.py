"""The explorers of notebooks 03 and 04: run a targeted attack on an ImageNet network with your settings.

Both share one run-and-summary path (`run_attack`, `AttackRun`): notebook 03's explorer varies the
budget, the step size and the steps on one image; notebook 04's adds a choice of photo and a class
search. They compute in float32, about 4x faster than the notebooks' float64: nothing they print
is stored, so their last digits may differ between machines (helpers.settings.dtype says why).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as w
import torch
from matplotlib.figure import Figure

from .. import images, plots
from ..attacks import AttackResult, iterative_attack
from ..errors import ParameterError, TrickNetsError
from ..models import Classifier, format_predictions
from ..pixels import default_step_size
from . import STYLE, Explorer, show_in, wide

#: The explorers' precision: fast, since their outputs are not stored.
EXPLORER_DTYPE = torch.float32


@dataclass
class AttackRun:
    """One targeted attack as an explorer describes it: budgets in grey levels (1/255)."""

    image_name: str
    target_id: int
    epsilon_255: float
    step_size_255: float
    steps: int
    result: AttackResult

    @property
    def target_probability(self) -> float:
        return float(self.result.final_probs[0, self.target_id])

    def summary(self, model: Classifier) -> str:
        """The numbers of the run, one line each (class names from the model that was attacked)."""
        categories = model.categories
        curve = self.result.class_curve(self.target_id)
        reach = self.result.steps_to_reach(0.5)[0]
        lines = [f"{self.image_name} -> {categories[self.target_id]}: {self.steps} steps of {self.step_size_255:g}/255 "
                 f"inside epsilon {self.epsilon_255:g}/255",
                 "before: " + format_predictions(model.decode(self.result.initial_probs[0], 3)),
                 "after:  " + format_predictions(model.decode(self.result.final_probs[0], 3)),
                 f"target probability {100 * float(curve[0]):.2f}% -> {100 * float(curve[-1]):.2f}%; "
                 + (f"reaches 50% after step {reach}" if reach is not None else "never reaches 50%"),
                 f"largest pixel change {self.result.linf_255:.2f}/255"]
        if self.steps * self.step_size_255 < self.epsilon_255:
            lines.append(f"note: {self.steps} x {self.step_size_255:g}/255 is less than the budget, "
                         "so these steps cannot use all of it")
        return "\n".join(lines)

    def figures(self, model: Classifier) -> list[Figure]:
        """Original / adversarial / amplified difference, and the curves of every class that leads at some step."""
        categories = model.categories
        (top_before, p_before), (top_after, p_after) = (model.decode(self.result.initial_probs[0], 1)[0],
                                                        model.decode(self.result.final_probs[0], 1)[0])
        pictures = plots.show_attack(self.result.original, self.result.adversarial,
                                     labels=(f"{self.image_name}: {top_before} {100 * p_before:.1f}%",
                                             f"adversarial: {top_after} {100 * p_after:.1f}%"))
        shown = self.result.leading_classes()
        if self.target_id not in shown:
            shown.append(self.target_id)
        curves = plots.probability_curves(self.result.history, shown, categories,
                                          title=f"towards {categories[self.target_id]}: {self.steps} steps of "
                                                f"{self.step_size_255:g}/255 inside {self.epsilon_255:g}/255")
        curves.axes[0].axhline(50, color="grey", lw=0.5)
        return [pictures, curves]


def run_attack(model: Classifier, image: torch.Tensor, target: str | int, epsilon_255: float, steps: int,
               step_size_255: float | None = None, image_name: str = "image", progress: bool | None = None) -> AttackRun:
    """iterative_attack with budgets in grey levels (step size default: 2.5 * epsilon / steps, at most epsilon)."""
    target_id = model.class_index(target)
    steps = int(steps)
    step_size_255 = default_step_size(epsilon_255, steps) if step_size_255 is None else step_size_255
    result = iterative_attack(model, image, target=target_id, epsilon=epsilon_255 / 255,
                              step_size=step_size_255 / 255, steps=steps, progress=progress)
    return AttackRun(image_name, target_id, float(epsilon_255), float(step_size_255), steps, result)


class _AttackExplorerBase(Explorer):
    """Shared by both explorers: a float32 copy of the model, the run button, the status line, the output."""

    run_button: w.Button  # made by each explorer's __init__, with its own label

    def __init__(self, model: Classifier) -> None:
        self.model = model.in_precision(EXPLORER_DTYPE)
        self.last_run: AttackRun | None = None
        self.message = ""
        self.status = w.HTML()
        self.output = w.Output(layout=w.Layout(border="1px solid #ddd", min_height="60px"))

    def _attack(self, progress: bool | None) -> AttackRun:  # the attack the controls describe
        raise NotImplementedError

    def run(self, progress: bool | None = None) -> AttackRun | None:
        """Run the attack the controls describe; the summary and figures (or what to change) go to the output."""
        with self._running(self.run_button):
            try:
                run = self._attack(progress)
            except TrickNetsError as exc:
                self.message = str(exc)
                show_in(self.output, [], self.message)
                self._show_status(html.escape(self.message))
                return None
            self.last_run, self.message = run, run.summary(self.model)
            show_in(self.output, run.figures(self.model), self.message)
            self._show_status(f"Done: {html.escape(self.model.categories[run.target_id])} "
                              f"{100 * run.target_probability:.1f}% (epsilon {run.epsilon_255:g}/255, "
                              f"{run.steps} steps).")
            return run

    def _show_status(self, note: str | None = None) -> None:
        self.status.value = f"<span>{note if note is not None else self._ready_note()}</span>"

    def _ready_note(self) -> str:
        raise NotImplementedError


class BudgetExplorer(_AttackExplorerBase):
    """Notebook 03: sliders for epsilon, step size and steps of a targeted attack on one image, and a Run button."""

    NAME = "budget"
    PARTS = {"epsilon": "epsilon", "step_size": "step_size", "steps": "steps", "run": "run_button",
             "status": "status", "output": "output"}

    def __init__(self, model: Classifier, image: torch.Tensor, target: str | int = "paper towel",
                 epsilon_255: float = 4.0, step_size_255: float = 0.5, steps: int = 10, image_name: str = "image") -> None:
        super().__init__(model)
        self.image, self.image_name = image, image_name
        self.target_id = self.model.class_index(target)
        self.epsilon = w.FloatSlider(value=epsilon_255, min=0.25, max=16.0, step=0.25, description="epsilon /255",
                                     readout_format=".2f", continuous_update=False, style=STYLE, layout=wide())
        self.step_size = w.FloatSlider(value=step_size_255, min=0.05, max=8.0, step=0.05,
                                       description="step size /255", readout_format=".2f",
                                       continuous_update=False, style=STYLE, layout=wide())
        self.steps = w.IntSlider(value=steps, min=1, max=60, step=1, description="steps",
                                 continuous_update=False, style=STYLE, layout=wide())
        self.run_button = w.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="run the attack with these settings")
        name = html.escape(self.model.categories[self.target_id])
        self._assemble(f"<b>Step size and steps</b>: towards <i>{name}</i>; set the budget, press <i>Run</i>.",
                       [self.epsilon, self.step_size, self.steps, self.run_button, self.status, self.output])
        for control in (self.epsilon, self.step_size, self.steps):
            control.observe(lambda _: self._show_status(), names="value")
        self.run_button.on_click(lambda _: self.run())
        self._show_status()

    def _ready_note(self) -> str:
        return (f"{self.steps.value} steps of {self.step_size.value:g}/255 inside {self.epsilon.value:g}/255: "
                "press <i>Run</i>.")

    def _attack(self, progress: bool | None) -> AttackRun:
        return run_attack(self.model, self.image, self.target_id, float(self.epsilon.value), int(self.steps.value),
                          float(self.step_size.value), self.image_name, progress=progress)


class AttackExplorer(_AttackExplorerBase):
    """Notebook 04: choose a photo and a target class (searchable), set the budget and the steps, run."""

    NAME = "explorer"
    PARTS = {"image": "image", "search": "search", "target": "target", "epsilon": "epsilon", "steps": "steps",
             "auto_run": "auto_run", "run": "run_button", "status": "status", "output": "output"}

    def __init__(self, model: Classifier, image: str = "giant_panda", target: str | int = "vulture",
                 epsilon_255: float = 2.0, steps: int = 10, image_names: Sequence[str] | None = None) -> None:
        super().__init__(model)
        self._images: dict[str, torch.Tensor] = {}
        names = list(image_names) if image_names is not None else images.available()
        if image not in names:
            names.insert(0, image)
        self.image = w.Dropdown(options=names, value=image, description="image", style=STYLE, layout=wide())
        search_text = self.model.categories[self.model.class_index(target)] if isinstance(target, int) else str(target)
        self.search = w.Text(value=search_text, description="search class", placeholder="e.g. vulture, towel, dog",
                             continuous_update=True, style=STYLE, layout=wide())
        self.target = w.Dropdown(options=[], description="target", style=STYLE, layout=wide())
        self.epsilon = w.FloatSlider(value=epsilon_255, min=0.25, max=16.0, step=0.25, description="epsilon /255",
                                     readout_format=".2f", continuous_update=False, style=STYLE, layout=wide())
        self.steps = w.IntSlider(value=steps, min=1, max=60, step=1, description="steps",
                                 continuous_update=False, style=STYLE, layout=wide())
        self.auto_run = w.Checkbox(value=False, description="run on every change", indent=False)
        self.run_button = w.Button(description="Run attack", button_style="primary", icon="play",
                                   tooltip="run the targeted attack with these settings")
        self._assemble("<b>Attack explorer</b>: choose a photo and a target class, set the budget, press "
                       "<i>Run attack</i>.", [self.image, self.search, self.target, self.epsilon, self.steps,
                                              w.HBox([self.run_button, self.auto_run]), self.status, self.output])
        self._update_matches()
        self.search.observe(lambda _: self._update_matches(), names="value")
        for control in (self.image, self.target, self.epsilon, self.steps):
            control.observe(self._settings_changed, names="value")
        self.run_button.on_click(lambda _: self.run())
        self._show_status()

    def _update_matches(self) -> None:
        """The target list: the classes the search text finds, best first (Classifier.search_classes)."""
        text = " ".join(self.search.value.split())
        ids = self.model.search_classes(text, limit=15) if text else []
        self.target.options = [(f"{self.model.categories[i]} ({i})", i) for i in ids]
        self.target.value = ids[0] if ids else None
        self._show_status()

    def _settings_changed(self, _change: object = None) -> None:
        self._show_status()
        if self.auto_run.value:
            self.run()

    def _ready_note(self) -> str:
        if self.target.value is None:
            text = self.search.value.strip()
            return (f"No class matches {html.escape(text)!r}: try a shorter or more common word (towel, bird, car)."
                    if text else "Type part of a class name in the search box.")
        return (f"{self.image.value} &rarr; {html.escape(self.model.categories[self.target.value])}, "
                f"epsilon {self.epsilon.value:g}/255, {self.steps.value} steps: press <i>Run attack</i>.")

    def _attack(self, progress: bool | None) -> AttackRun:
        if self.target.value is None:
            # the same lookup the attack would make, for its "did you mean" message
            self.model.class_index(" ".join(self.search.value.split()) or "(empty search)")
        name = self.image.value
        if name not in self._images:
            self._images[name] = images.load(name)
        return run_attack(self.model, self._images[name], self.target.value, float(self.epsilon.value),
                          int(self.steps.value), image_name=name, progress=progress)

    def set(self, **changes: object) -> None:
        """Change several controls at once from code, e.g. explorer.set(image='cat', target='bath towel', epsilon_255=4)."""
        for key, value in changes.items():
            if key == "image":
                self.image.value = value
            elif key == "target":
                self.search.value = (self.model.categories[value] if isinstance(value, int) else str(value))
            elif key == "epsilon_255":
                self.epsilon.value = value
            elif key == "steps":
                self.steps.value = value
            else:
                raise ParameterError(f"set() takes image, target, epsilon_255 and steps, not {key!r}.")
