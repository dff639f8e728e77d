"""Interactive panels: change hyperparameters, press Run, watch training happen.

A notebook cell that shows a panel is one line, e.g. ``bcolearn.widgets.bc_panel()``. Each panel has
sliders and dropdowns built from the fields of a config dataclass (their bounds, help text, choices
and log scale come from :func:`bcolearn.config.param`), a Run button, a Stop button that ends training
early and keeps what was learnt, a progress bar, live curves (:class:`bcolearn.plotting.LiveCurves`)
and a result line: the mean return with its 95 % confidence interval and the normalised score, so
that every number is seen beside the expert's and a random policy's.

How it runs:

- When the panel is displayed, it trains once with its defaults, in the cell, so that a notebook
  executed top to bottom (nbconvert, nbval) shows real curves. It then also shows the final curves
  and result as a plain image and text: committed notebooks carry no widget state, and static viewers
  show that copy instead (while the live panel is there, a style rule in the panel hides the copy).
- Afterwards, Run trains in a background thread, so the kernel stays free to receive the Stop click.
- Bad settings (values out of range, an impossible combination) give a readable message inside the
  panel; earlier results stay, and nothing is raised into the kernel.

Panels attach to training only through callbacks: the algorithms never import this module.
Panels: :func:`bc_panel` (notebook 03), :func:`idm_panel` (notebook 04), :func:`bco_panel` and
:func:`compare_panel` (notebook 05), :func:`reinforce_panel` (notebook 01). To make a panel for
another algorithm, subclass :class:`TrainingPanel` (see :class:`BCPanel` for a short example).
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import ipywidgets as w

from bcolearn.config import Callback, param, validate
from bcolearn.evaluation import EvalResult, evaluate, format_score
from bcolearn.experts import EXPERTS, REFERENCE_RETURNS, load_expert
from bcolearn.plotting import CurveAxes, LiveCurves, action_unit, png_data_uri

__all__ = [
    "bc_panel", "idm_panel", "bco_panel", "compare_panel", "reinforce_panel", "TrainingPanel", "PanelRun",
    "TrainOutput", "PanelSettings", "config_controls", "field_control", "describe_return", "StaticCopy", "static_copy",
    "hide_static_copy", "demos_panel", "DemosPanel",
]

# --- controls built from config fields ---------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSettings:
    """Settings of a panel that are not hyperparameters of the algorithm."""

    env_id: str = param("CartPole-v1", "the task (one with a bundled expert)", choices=tuple(EXPERTS))
    """The Gymnasium task."""
    n_demos: int = param(1, "expert episodes recorded as demonstrations", low=1, high=100)
    """Number of expert episodes the learner imitates."""
    seed: int = param(0, "seeds the demonstrations, the networks and the minibatches", low=0, high=2**31 - 1)
    """One seed for everything random in a run."""
    eval_episodes: int = param(20, "episodes used to evaluate the trained policy", low=2, high=1000)
    """Episodes of the final evaluation (mean, 95 % CI, normalised score)."""

    def __post_init__(self) -> None:
        validate(self)


RANGES: dict[str, tuple[float, float]] = {
    "n_demos": (1, 20), "epochs": (1, 300), "batch_size": (8, 1024), "hidden_size": (4, 256),
    "pre_demo_steps": (100, 20_000), "alpha": (0.0, 2.0), "iterations": (1, 10), "eval_every": (0, 50),
    "total_steps": (1_000, 200_000), "episodes_per_iter": (1, 32), "eval_episodes": (2, 100),
}
"""Slider ranges a learner needs (always within the field's own bounds), by field name."""


def field_control(f: dataclasses.Field, value: Any, *, name: str | None = None,
                  span: tuple[float, float] | None = None) -> w.Widget:
    """One widget for one config field, built from its :func:`~bcolearn.config.param` metadata.

    A dropdown for ``choices``, a log slider for ``log=True``, an integer or float slider for a
    bounded number (a bounded text box when the range is too wide for a slider), each with
    ``continuous_update=False``, the field's name as its description and its help text as tooltip.
    Shown in notebook 03.

    Args:
        f: a dataclass field made with :func:`~bcolearn.config.param`.
        value: the initial value.
        name: the description (default: the field's name).
        span: narrower (low, high) for the slider, clipped to the field's bounds, widened to hold ``value``.

    Returns:
        The widget.
    """
    meta = f.metadata
    common = {"description": name or f.name, "tooltip": meta["doc"], "style": {"description_width": "130px"},
              "layout": {"width": "340px"}}
    if meta["choices"] is not None:
        return w.Dropdown(options=list(meta["choices"]), value=value, **common)
    low, high = meta["low"], meta["high"]
    if span is not None:  # a narrower range for the slider, that still holds the value
        low = min(value, span[0] if low is None else max(low, span[0]))
        high = max(value, span[1] if high is None else min(high, span[1]))
    if meta["log"]:
        return w.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.25,
                                readout_format=".1e", continuous_update=False, **common)
    if isinstance(f.default, int):
        if high - low > 1000 and span is None:
            return w.BoundedIntText(value=value, min=low, max=high, continuous_update=False, **common)
        step = 1 if high - low <= 2000 else 10 ** max(0, round(math.log10((high - low) / 200)))
        return w.IntSlider(value=value, min=low, max=high, step=step, continuous_update=False, **common)
    step = 10 ** round(math.log10((high - low) / 100))
    return w.FloatSlider(value=value, min=low, max=high, step=step, continuous_update=False, **common)


def _field(config: Any, path: str) -> tuple[dataclasses.Field, Any]:
    """The dataclass field at a dotted path (``"idm.epochs"``) and its value in ``config``."""
    *outer, name = path.split(".")
    for part in outer:
        config = getattr(config, part)
    fields = {f.name: f for f in dataclasses.fields(config)}
    if name not in fields or "doc" not in fields[name].metadata:
        raise ValueError(f"{type(config).__name__} has no hyperparameter {name!r}; it has "
                         f"{', '.join(k for k, f in fields.items() if 'doc' in f.metadata)}.")
    return fields[name], getattr(config, name)


def config_controls(config: Any, paths: Sequence[str],
                    ranges: Mapping[str, tuple[float, float]] = RANGES) -> dict[str, w.Widget]:
    """Widgets for some fields of a config dataclass instance, keyed by their (dotted) path.

    Shown in notebook 03: the panels are built this way, so every slider's bounds and help text
    are those of the config field it sets.

    Args:
        config: e.g. ``BCConfig()``; nested configs are reached by dotted paths (``"idm.epochs"``).
        paths: the fields to make controls for.
        ranges: slider ranges by field name (see :data:`RANGES`).

    Returns:
        ``{path: widget}`` in the order of ``paths``.
    """
    out = {}
    for path in paths:
        f, value = _field(config, path)
        out[path] = field_control(f, value, name=path, span=ranges.get(f.name))
    return out


def _replace_path(config: Any, path: str, value: Any) -> Any:
    """A copy of a config dataclass with the field at a dotted path replaced (validated on creation)."""
    head, _, rest = path.partition(".")
    if rest:
        return dataclasses.replace(config, **{head: _replace_path(getattr(config, head), rest, value)})
    return dataclasses.replace(config, **{head: value})


# --- results -----------------------------------------------------------------------------------------------


def describe_return(label: str, result: EvalResult) -> str:
    """One line of HTML: the mean return with its 95 % CI, and the normalised score in context.

    Used by every panel; taught in notebook 06.

    Args:
        label: which policy, e.g. ``"BC"``.
        result: its evaluation.

    Returns:
        E.g. "BC: return 487.3 (95 % CI 462.0 to 500.0, 20 episodes) · normalised score 0.98
        (random policy 20.1 = 0, expert 500 = 1)".
    """
    text = (f"<b>{html.escape(label)}</b>: return <b>{result.mean:.1f}</b> (95 % CI {result.ci_low:.1f} to "
            f"{result.ci_high:.1f}, {len(result.returns)} episodes)")
    ref = REFERENCE_RETURNS.get(result.env_id)
    if result.score is not None and ref is not None:
        text += (f" · normalised score <b>{format_score(result.score)}</b> (random policy {ref.random:g} = 0, "
                 f"expert {ref.expert:g} = 1)")
    return text


@dataclass
class TrainOutput:
    """What a panel's :meth:`TrainingPanel.train` returns."""

    results: dict[str, Any]
    """What each train function returned (a TrainResult, IDMResult, BCOResult…), by label."""
    evals: dict[str, EvalResult]
    """The final evaluation of each trained policy, by label."""
    lines: list[str]
    """Result lines to show (HTML), e.g. from :func:`describe_return`."""


@dataclass
class PanelRun:
    """One press of Run: the settings used and what came out."""

    values: dict[str, Any]
    """The value of every control, by name."""
    results: dict[str, Any]
    """What each train function returned (a TrainResult, IDMResult, BCOResult…), by label."""
    evals: dict[str, EvalResult]
    """The final evaluation of each trained policy, by label (empty for the IDM panel)."""
    lines: list[str]
    """The result lines shown (HTML)."""
    stopped: bool
    """True if Stop ended training early."""
    seconds: float
    """Wall-clock time of the run."""
    progress: int
    """Training epochs (or environment steps, for REINFORCE) done."""
    total: int
    """Training epochs (or environment steps) planned."""

    @property
    def history(self) -> Any:
        """The history of the first (or only) result."""
        return next(iter(self.results.values())).history


# --- the panel ---------------------------------------------------------------------------------------------


class TrainingPanel:
    """A training panel: controls from config fields, Run/Stop, progress, live curves and results.

    Subclasses set the class attributes and implement :meth:`train` (and optionally :meth:`check`).
    Taught in notebook 03 (the BC panel); the other panels work the same way.

    Attributes:
        widget: the whole panel (an ipywidgets VBox).
        controls: every control by name (settings such as ``n_demos``, and config paths such as ``lr``).
        curves: the live curves.
        runs: every finished run, oldest first.
    """

    title: ClassVar[str] = "Training"
    intro: ClassVar[str] = ""
    settings_fields: ClassVar[tuple[str, ...]] = ("env_id", "n_demos", "seed")
    config_fields: ClassVar[tuple[str, ...]] = ()
    curves_x: ClassVar[str | Mapping[str, str]] = "epoch"
    curves_keys: ClassVar[tuple[str, ...] | None] = None
    """The metrics the live curves draw (None: all that have a group); see :meth:`curve_keys`."""
    curves_figsize: ClassVar[tuple[float, float]] = (10.0, 4.0)
    """The live figure's size in inches (a :meth:`curve_layout` of four axes needs two rows)."""
    curves_ncols: ClassVar[int | None] = None
    """Axes per row of the live figure (None: all in one row)."""
    curves_sources: ClassVar[tuple[str, ...]] = ("",)
    """The learners whose legend entries are drawn before training: ``""`` for a panel of one learner, else the
    labels that :meth:`train` passes to ``report`` (the compare panel: ``("BC", "BCO")``)."""
    progress_key: ClassVar[str] = "epoch"
    """Rows with this key advance the progress bar by one (or, with :attr:`progress_by_value`, to its value)."""
    progress_by_value: ClassVar[bool] = False
    progress_unit: ClassVar[str] = "epochs"
    unused_candidates: ClassVar[frozenset[str]] = frozenset()
    """Controls that :meth:`unused` may name: they are greyed out while they have no effect."""
    _ids = itertools.count()

    def __init__(self, env_id: str = "CartPole-v1", *, autorun: bool = True, background: bool = True,
                 **defaults: Any) -> None:
        """Build the panel (nothing trains until it is displayed or Run is pressed).

        Args:
            env_id: the initial task.
            autorun: train once with the defaults when the panel is displayed.
            background: train in a background thread when Run is pressed (False: in the caller).
            **defaults: initial values of any setting (``n_demos``, ``seed``, ``eval_episodes``) or
                config field (``epochs``, ``lr``, ``idm.epochs``…), shown or not.

        Raises:
            ValueError: for an unknown name or an invalid value.
        """
        self.autorun, self.background = autorun, background
        self._overrides = dict(defaults)
        settings_names = {f.name for f in dataclasses.fields(PanelSettings)}
        self.settings = PanelSettings(env_id=env_id, **{k: v for k, v in defaults.items() if k in settings_names})
        self.config = self._config_for(env_id)
        self.controls: dict[str, w.Widget] = {
            **config_controls(self.settings, self.settings_fields),
            **config_controls(self.config, self.config_fields),
        }
        self.curves = LiveCurves(self.curve_keys(env_id), x=self.curves_x, env_id=env_id,
                                 title=self._curve_title(env_id), x_max=self.x_max(self.config),
                                 layout=self.curve_layout(env_id), figsize=self.curves_figsize,
                                 ncols=self.curves_ncols, sources=self.curves_sources)
        self.runs: list[PanelRun] = []
        self.running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._uid = f"{id(self):x}{next(self._ids)}"
        self._build_widget()
        self.controls["env_id"].observe(self._on_env_change, names="value")
        self._may_be_unused = self.unused_candidates & set(self.controls)
        if self._may_be_unused:  # e.g. iterations does nothing while alpha = 0
            for control in self.controls.values():
                control.observe(self._grey_out_unused, names="value")
            self._grey_out_unused()
        self.curves.draw()  # the empty axes, drawn now so that training itself only pays for cheap redraws

    # -- configuration ------------------------------------------------------------------------------------

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        """The config this panel starts from for ``env_id`` (before the caller's defaults)."""
        raise NotImplementedError

    def _config_for(self, env_id: str) -> Any:
        config = self.default_config(env_id)
        settings_names = {f.name for f in dataclasses.fields(PanelSettings)}
        for path, value in self._overrides.items():
            if path not in settings_names:
                try:
                    _field(config, path)
                except ValueError as err:
                    raise ValueError(f"{type(self).__name__} has no setting {path!r}: {err} Panel settings: "
                                     f"{', '.join(sorted(settings_names))}.") from None
                config = _replace_path(config, path, value)
        return config

    def _on_env_change(self, change: Mapping[str, Any]) -> None:
        """A new task loads the settings known to work for it (then the caller's defaults)."""
        try:
            config = self._config_for(change["new"])
        except ValueError as err:
            self._say(str(err), error=True)
            return
        for path in self.config_fields:
            self.controls[path].value = _field(config, path)[1]

    def values(self) -> dict[str, Any]:
        """The value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: Any) -> None:
        """Set controls by name, as a learner would (e.g. ``panel.set(epochs=10, lr=1e-3)``).

        Raises:
            ValueError: for a name that is not a control of this panel.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"No control {name!r} in this panel; it has {', '.join(self.controls)}.")
            self.controls[name].value = value

    def _read(self) -> tuple[PanelSettings, Any]:
        """Settings and config from the controls, validated; the subclass's :meth:`check` too."""
        values = self.values()
        settings = dataclasses.replace(self.settings, **{k: values[k] for k in self.settings_fields})
        config = self._config_for(settings.env_id)
        for path in self.config_fields:
            config = _replace_path(config, path, values[path])
        self.check(settings, config)
        return settings, config

    def check(self, settings: PanelSettings, config: Any) -> None:
        """Reject impossible combinations of values with a ValueError saying what to change."""

    # -- training -----------------------------------------------------------------------------------------

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        """Run the algorithm; ``report(label)`` gives the callbacks for one learner's metrics."""
        raise NotImplementedError

    def total_epochs(self, config: Any) -> int:
        """The progress bar's end: epochs (rows with :attr:`progress_key`) the run will report."""
        raise NotImplementedError

    def x_max(self, config: Any) -> float | Mapping[str, float] | None:
        """Expected x range of the curves (the epochs, by default)."""
        return self.total_epochs(config)

    def curve_keys(self, env_id: str) -> tuple[str, ...] | None:
        """The metrics the curves draw on ``env_id`` (knowing them, the empty axes are drawn in advance)."""
        return self.curves_keys

    def curve_layout(self, env_id: str) -> tuple[CurveAxes, ...] | None:
        """The axes of the live figure on ``env_id``, laid out by hand (None: one per kind of metric)."""
        return None

    def run(self, wait: bool = False) -> None:
        """Train with the current settings: what the Run button does.

        Args:
            wait: train in this thread and return when done (panels built with ``background=False``
                always do). Otherwise training runs in a background thread; see :meth:`wait`.
        """
        if self.running:
            self._say("Training is already running: wait for it, or press Stop.", error=True)
            return
        try:
            settings, config = self._read()
        except (ValueError, TypeError) as err:
            self._say(f"Cannot run with these settings: {err}", error=True)
            return
        self.running = True
        self._stop.clear()
        self._set_busy(True)
        if self.background and not wait:
            self._thread = threading.Thread(target=self._run, args=(settings, config), daemon=True,
                                            name="bcolearn-panel")
            self._thread.start()
        else:
            self._run(settings, config)

    def stop(self) -> None:
        """End training early, keeping what was learnt: what the Stop button does."""
        if self.running:
            self._stop.set()
            self._say("Stopping after the current epoch…")

    def wait(self, timeout: float | None = None) -> None:
        """Block until a background run has finished."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self, settings: PanelSettings, config: Any) -> None:
        start, values = time.perf_counter(), self.values()
        total = self.total_epochs(config)
        done = 0
        self.progress.max, self.progress.value = max(total, 1), 0
        self._say(f"Training on {settings.env_id}…")

        def report(label: str) -> list[Callback]:
            def progress(metrics: Mapping[str, float]) -> bool:
                nonlocal done
                if self.progress_key in metrics:
                    done = int(metrics[self.progress_key]) if self.progress_by_value else done + 1
                    self.progress.value = min(done, total)
                    self.progress.description = f"{done}/{total}"
                return self._stop.is_set()

            return [self.curves.source(label), progress]

        try:
            self.curves.reset(title=self._curve_title(settings.env_id), env_id=settings.env_id,
                              x_max=self.x_max(config), keys=self.curve_keys(settings.env_id),
                              layout=self.curve_layout(settings.env_id))
            out = self.train(settings, config, report)
            self.curves.finish()
            stopped = self._stop.is_set() and done < total  # Stop pressed before training had ended
            run = PanelRun(values, out.results, out.evals, out.lines, stopped, time.perf_counter() - start, done,
                           total)
            self.runs.append(run)
            self.result.value = self._result_html(run)
            self._say("")
        except Exception as err:  # noqa: BLE001 - any failure is shown in the panel; the kernel goes on
            self.curves.finish()
            self._say(f"Training failed: {type(err).__name__}: {err}. Earlier results are kept.", error=True)
        finally:
            self.running = False
            self._set_busy(False)

    def stopped(self) -> bool:
        """True once Stop has been pressed in the current run (for :meth:`train` between phases)."""
        return self._stop.is_set()

    # -- results ------------------------------------------------------------------------------------------

    @property
    def last(self) -> PanelRun | None:
        """The latest finished run."""
        return self.runs[-1] if self.runs else None

    @property
    def summary(self) -> str:
        """The result text shown in the panel, without HTML."""
        return _plain(self.result.value)

    def _shown_values(self, values: Mapping[str, Any]) -> list[str]:
        """The settings a result names, as ``name=value``: only those that had an effect (see :meth:`unused`)."""
        unused = self.unused(values)
        return [f"{k}={_fmt(values[k])}" for k in self.config_fields + ("n_demos", "seed")
                if k in values and k not in unused]

    def unused(self, values: Mapping[str, Any]) -> set[str]:
        """Controls that have no effect with these values (greyed out, and not named in the result)."""
        return set()

    def _grey_out_unused(self, _change: Any = None) -> None:
        unused = self.unused(self.values())
        for name, control in self.controls.items():
            if name in self._may_be_unused:
                control.disabled = name in unused

    def _result_html(self, run: PanelRun) -> str:
        shown = ", ".join(self._shown_values(run.values))
        stopped = f"; <b>stopped early</b> after {run.progress:,} of {run.total:,} {self.progress_unit}"
        head = f"Run {len(self.runs)} on {run.values['env_id']} ({shown})"
        head += stopped * run.stopped + "."
        return f"<div style='line-height:1.6'>{head}<br>{'<br>'.join(run.lines)}</div>"

    def static_copy(self) -> StaticCopy:
        """The final curves and result as a plain output (an image and text), for static notebook viewers."""
        return static_copy(self._uid, f"{self.title} (a static copy of the panel's last run)", self.curves.png,
                           self.result.value)

    # -- the widget ---------------------------------------------------------------------------------------

    def _curve_title(self, env_id: str) -> str:
        return f"{self.title} on {env_id}"

    def _build_widget(self) -> None:
        self.run_button = w.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="Train with these settings")
        self.stop_button = w.Button(description="Stop", button_style="warning", icon="stop", disabled=True,
                                    tooltip="End training now, keeping what was learnt")
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.progress = w.IntProgress(value=0, min=0, max=1, description="0/0", bar_style="info",
                                      style={"description_width": "70px"}, layout={"width": "420px"})
        self.message = w.HTML("")
        self.result = w.HTML("<i>Not run yet: press Run.</i>")
        rows = [w.HBox([c, w.HTML(f"<div style='color:#666;font-size:12px;line-height:1.25'>"
                                  f"{html.escape(c.tooltip)}</div>", layout={"width": "190px", "margin": "0 0 0 8px"})],
                       layout={"align_items": "center"}) for c in self.controls.values()]
        grid = w.GridBox(rows, layout={"grid_template_columns": "repeat(auto-fill, minmax(540px, 1fr))",
                                       "grid_gap": "0 16px"})
        style = hide_static_copy(self._uid)
        parts = [w.HTML(f"<h4 style='margin:4px 0'>{html.escape(self.title)}</h4><div>{self.intro}</div>"), grid,
                 w.HBox([self.run_button, self.stop_button, self.progress], layout={"align_items": "center"}),
                 self.message, self.curves.widget, self.result, style]
        for part, cls in zip(parts, ("title", "controls", "buttons", "message", "curves", "result", "style")):
            part.add_class(f"bcolearn-{cls}")
        self.run_button.add_class("bcolearn-run")
        self.stop_button.add_class("bcolearn-stop")
        self.progress.add_class("bcolearn-progress")
        self.widget = w.VBox(parts, layout={"border": "1px solid #ddd", "padding": "6px"})
        self.widget.add_class("bcolearn-panel")

    def _set_busy(self, busy: bool) -> None:
        self.run_button.disabled = busy
        self.stop_button.disabled = not busy
        self.progress.bar_style = "info" if busy else "success"

    def _say(self, text: str, error: bool = False) -> None:
        colour = "#cf222e" if error else "#555"
        self.message.value = f"<span style='color:{colour}'>{html.escape(text)}</span>" if text else ""

    def _ipython_display_(self) -> None:
        """Show the panel; the first time, train once with the defaults and add a static copy."""
        from IPython.display import display

        display(self.widget)
        if self.autorun and not self.runs and not self.running:
            self.autorun = False
            self.run(wait=True)
            if self.runs:
                display(self.static_copy())


@dataclass(frozen=True)
class StaticCopy:
    """A plain (non-widget) output: HTML with a figure and text, and the text alone as ``text/plain``."""

    html: str
    text: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/html": self.html, "text/plain": self.text}


def static_copy(uid: str, title: str, png: bytes, body_html: str) -> StaticCopy:
    """A static copy of a panel, shown after it: committed notebooks keep no widget state, so static viewers
    (and nbval) see this instead. While the live panel is shown, its :func:`hide_static_copy` hides it.

    Used by every panel (notebooks 01–06).

    Args:
        uid: the panel's unique id (the same as given to :func:`hide_static_copy`).
        title: a bold first line.
        png: the figure.
        body_html: the result text, as HTML.

    Returns:
        The output, to ``display``.
    """
    return StaticCopy(f"<div class='bcolearn-static bcolearn-static-{uid}'><b>{html.escape(title)}</b><br>"
                      f"<img src='{png_data_uri(png)}' style='max-width:100%' alt='{html.escape(title)}'/>"
                      f"<div>{body_html}</div></div>", _plain(body_html))


def _plain(text_html: str) -> str:
    """HTML as plain text (tags dropped, line breaks kept)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text_html.replace("<br>", "\n")))


def hide_static_copy(uid: str) -> w.HTML:
    """An invisible widget whose style rule hides the panel's :func:`static_copy` while the live panel is shown."""
    return w.HTML(f"<style>.bcolearn-static-{uid} {{display: none;}}</style>", layout={"display": "none"})


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# --- the panels --------------------------------------------------------------------------------------------


def _expert_demos(settings: PanelSettings) -> list:
    from bcolearn.rollout import collect_demos

    return collect_demos(settings.env_id, load_expert(settings.env_id), settings.n_demos, settings.seed)


class BCPanel(TrainingPanel):
    """Behavioural Cloning from expert demonstrations (notebook 03)."""

    title = "Behavioural Cloning"
    intro = ("Imitate the expert's recorded actions by supervised learning. Change the settings and press "
             "<b>Run</b>; the faded dashed curves are the previous run.")
    config_fields = ("epochs", "lr", "batch_size", "hidden_size", "n_layers", "eval_every", "continuous_loss")
    curves_keys = ("loss/bc", "eval/return_mean")

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        from bcolearn.bc import recommended_bc_config

        return dataclasses.replace(recommended_bc_config(env_id), eval_every=5, eval_episodes=5)

    def total_epochs(self, config: Any) -> int:
        return config.epochs

    def _build_widget(self) -> None:
        super()._build_widget()
        self._grey_out_loss_choice(self.settings.env_id)

    def _on_env_change(self, change: Mapping[str, Any]) -> None:
        super()._on_env_change(change)
        self._grey_out_loss_choice(change["new"])

    def _grey_out_loss_choice(self, env_id: str) -> None:
        """Discrete actions always use the cross-entropy: the continuous loss control does nothing there."""
        from bcolearn.envs import describe_env

        self.controls["continuous_loss"].disabled = describe_env(env_id).discrete

    def _shown_values(self, values: Mapping[str, Any]) -> list[str]:
        from bcolearn.envs import describe_env

        if not describe_env(values["env_id"]).discrete:
            return super()._shown_values(values)
        shown = super()._shown_values(values)
        return [("loss=cross-entropy" if v.startswith("continuous_loss=") else v) for v in shown]

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        from bcolearn.bc import train_bc

        result = train_bc(_expert_demos(settings), config, env_id=settings.env_id, seed=settings.seed,
                          callbacks=report(""))
        ev = evaluate(result.policy, settings.env_id, settings.eval_episodes)
        return TrainOutput({"BC": result}, {"BC": ev}, [describe_return("BC", ev)])


class IDMPanel(TrainingPanel):
    """An inverse dynamics model trained on a random policy's transitions (notebook 04)."""

    title = "Inverse dynamics model"
    intro = ("Learn which action took the agent from s to s′, from a random policy's own transitions, then "
             "check it on the expert's transitions, which it never saw.")
    settings_fields = ("env_id", "seed")
    config_fields = ("pre_demo_steps", "idm.epochs", "idm.lr", "idm.hidden_size", "idm.n_layers",
                     "idm.input_mode", "idm.val_fraction")

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        from bcolearn.bco import recommended_bco_config

        return recommended_bco_config(env_id)

    def total_epochs(self, config: Any) -> int:
        return config.idm.epochs

    def curve_keys(self, env_id: str) -> tuple[str, ...]:
        return ("loss/idm", _action_metric(env_id, "idm"))

    def check(self, settings: PanelSettings, config: Any) -> None:
        steps, share = config.pre_demo_steps, config.idm.val_fraction
        n_val = round(steps * share)
        if n_val == 0:
            raise ValueError(f"idm.val_fraction = {share:g} of pre_demo_steps = {steps} holds out no transitions, so "
                             "the IDM's accuracy cannot be measured: raise idm.val_fraction or pre_demo_steps.")
        if n_val >= steps:
            raise ValueError(f"idm.val_fraction = {share:g} of pre_demo_steps = {steps} holds out every transition, "
                             "leaving none to train on: lower idm.val_fraction or raise pre_demo_steps.")

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        from bcolearn.idm import idm_metrics, train_idm
        from bcolearn.rollout import collect_transitions, random_policy
        from bcolearn.types import to_transitions

        data = collect_transitions(settings.env_id, random_policy(settings.env_id, settings.seed),
                                   config.pre_demo_steps, settings.seed)
        result = train_idm(data, config.idm, env_id=settings.env_id, seed=settings.seed, callbacks=report(""))
        expert = idm_metrics(result.model, to_transitions(_expert_demos(settings)), "expert")
        info = result.model.info
        if info.discrete:
            line = (f"<b>IDM</b> accuracy: <b>{result.history.last('acc/idm'):.1%}</b> on held-out random-policy "
                    f"transitions, <b>{expert['acc/expert']:.1%}</b> on the expert's "
                    f"(chance: {1 / info.n_actions:.0%})")
        else:
            unit = action_unit(settings.env_id)
            line = (f"<b>IDM</b> mean absolute action error: <b>{result.history.last('err/idm'):.3f} {unit}</b> on "
                    f"held-out random-policy transitions, <b>{expert['err/expert']:.3f} {unit}</b> on the expert's "
                    f"(actions range over {info.act_low[0]:g} to {info.act_high[0]:g} {unit})")
        return TrainOutput({"IDM": result}, {}, [line])


class BCOPanel(TrainingPanel):
    """Behavioural Cloning from Observation, BCO(0) or BCO(α), from state-only demos (notebook 05).

    Its figure tells the story of each iteration. Top: the IDM's and the policy's training losses against
    the epoch of their phase, one line per BCO iteration (the latest solid, earlier ones faded). Bottom,
    against the environment steps used so far: the return, and how well the IDM labels actions, on its
    own held-out transitions and on the expert's (whose true actions are known here only because the
    demos were recorded from the bundled expert; BCO never trains on them).
    """

    title = "Behavioural Cloning from Observation"
    intro = ("Imitate state-only demonstrations: a random policy explores, an inverse dynamics model infers the "
             "expert's actions, BC learns from them. With α > 0 the policy's own rollouts improve the IDM. "
             "Top: each phase's training, one line per iteration (earlier ones faded); bottom: the return and "
             "the IDM's labels after each iteration, against the environment steps used.")
    config_fields = ("pre_demo_steps", "alpha", "iterations", "idm.epochs", "bc.epochs", "idm.input_mode")
    curves_figsize = (10.0, 6.8)
    curves_ncols = 2
    unused_candidates = frozenset({"iterations"})

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        from bcolearn.bco import recommended_bco_config

        return recommended_bco_config(env_id)

    def unused(self, values: Mapping[str, Any]) -> set[str]:
        return _unused_without_alpha(values)

    def total_epochs(self, config: Any) -> int:
        return config.passes * (config.idm.epochs + config.bc.epochs)

    def curve_layout(self, env_id: str) -> tuple[CurveAxes, ...]:
        idm = _action_metric(env_id, "idm")  # acc/idm or err/idm
        what = "accuracy" if idm.startswith("acc/") else "action error"
        return (
            CurveAxes("idm_loss", ("loss/idm",), "epoch", "IDM training, in each BCO iteration",
                      xlabel="IDM epoch (passes over the agent's transitions)", split="bco/iteration"),
            CurveAxes("bc_loss", ("loss/bc",), "epoch", "Policy training: BC on the IDM's labels",
                      xlabel="BC epoch (passes over the labelled demos)", split="bco/iteration"),
            CurveAxes("return", ("eval/return_mean",), "env/steps", "Return after each iteration"),
            CurveAxes("labels", (idm, idm + "_demo"), "env/steps", f"IDM {what} after each iteration"),
        )

    def x_max(self, config: Any) -> Mapping[str, float]:
        steps = config.env_steps
        return {"idm_loss": config.idm.epochs, "bc_loss": config.bc.epochs, "return": steps, "labels": steps}

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        from bcolearn.bco import train_bco
        from bcolearn.types import drop_actions

        demos = _expert_demos(settings)  # recorded with the expert: their true actions score the IDM's labels
        result = train_bco(drop_actions(demos), config, env_id=settings.env_id, seed=settings.seed,
                           callbacks=report(""), expert_acts=[t.acts for t in demos])
        ev = evaluate(result.policy, settings.env_id, settings.eval_episodes)
        return TrainOutput({"BCO": result}, {"BCO": ev},
                           [describe_return("BCO", ev), _bco_note(result, settings.env_id)])


def _action_metric(env_id: str, name: str) -> str:
    """``acc/NAME`` for discrete actions, ``err/NAME`` for continuous ones (see bcolearn.training.action_metrics)."""
    from bcolearn.envs import describe_env

    return f"{'acc' if describe_env(env_id).discrete else 'err'}/{name}"


def _unused_without_alpha(values: Mapping[str, Any]) -> set[str]:
    """BCO(0) (α = 0) runs no improvement iterations: ``iterations`` and ``explore`` have no effect."""
    return {"iterations", "explore"} if values.get("alpha") == 0 else set()


def _bco_note(result: Any, env_id: str) -> str:
    last = result.history[-1]
    if "acc/idm_demo" in last:
        labelled = f"the IDM labelled {last['acc/idm_demo']:.1%} of the expert's actions right"
    else:
        labelled = (f"the IDM's mean action error on the expert's transitions was {last['err/idm_demo']:.3f} "
                    f"{action_unit(env_id)}")
    return f"BCO used {int(last['env/steps']):,} environment steps; {labelled}."


class ComparePanel(TrainingPanel):
    """BC (with the expert's actions) and BCO (states only) side by side on the same demos (notebook 05).

    Its figure: both policies' training loss and return against the epoch of their BC training (BC in
    blue, BCO in orange; BCO(α)'s earlier iterations faded), and how well BCO's IDM labels the expert's
    actions against the environment steps it used.
    """

    title = "BC vs BCO on the same demonstrations"
    intro = ("Both learn from the same expert episodes: BC sees the expert's actions, BCO only the states "
             "(plus its own environment steps). The BC settings (bc.*) are used by both.")
    config_fields = ("bc.epochs", "bc.lr", "pre_demo_steps", "alpha", "iterations")
    curves_sources = ("BC", "BCO")
    unused_candidates = frozenset({"iterations"})

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        from bcolearn.bco import recommended_bco_config

        config = recommended_bco_config(env_id)
        return dataclasses.replace(config, bc=dataclasses.replace(config.bc, eval_every=5, eval_episodes=5))

    def unused(self, values: Mapping[str, Any]) -> set[str]:
        return _unused_without_alpha(values)

    def total_epochs(self, config: Any) -> int:
        return config.bc.epochs + config.passes * (config.idm.epochs + config.bc.epochs)

    def curve_layout(self, env_id: str) -> tuple[CurveAxes, ...]:
        demo = _action_metric(env_id, "idm_demo")
        what = "accuracy" if demo.startswith("acc/") else "action error"
        epoch = "BC epoch (passes over the demos)"
        return (
            CurveAxes("policy_loss", ("loss/bc",), "epoch", "Policy training loss (BC)", xlabel=epoch,
                      split="bco/iteration"),
            CurveAxes("return", ("eval/return_mean",), "epoch", "Return while the policy trains", xlabel=epoch,
                      split="bco/iteration"),
            CurveAxes("labels", (demo,), "env/steps", f"BCO's labels: IDM {what}", sources=("BCO",),
                      ylabel=("share of expert's actions right" if what == "accuracy"
                              else f"error on expert's actions ({action_unit(env_id)})")),
        )

    def x_max(self, config: Any) -> Mapping[str, float]:
        return {"policy_loss": config.bc.epochs, "return": config.bc.epochs, "labels": config.env_steps}

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        from bcolearn.bc import train_bc
        from bcolearn.bco import train_bco
        from bcolearn.types import drop_actions

        demos = _expert_demos(settings)
        results: dict[str, Any] = {"BC": train_bc(demos, config.bc, env_id=settings.env_id, seed=settings.seed,
                                                  callbacks=report("BC"))}
        if not self.stopped():
            results["BCO"] = train_bco(drop_actions(demos), config, env_id=settings.env_id, seed=settings.seed,
                                       callbacks=report("BCO"), expert_acts=[t.acts for t in demos])
        evals = {k: evaluate(r.policy, settings.env_id, settings.eval_episodes) for k, r in results.items()}
        lines = [describe_return(k, ev) for k, ev in evals.items()]
        lines.append(_bco_note(results["BCO"], settings.env_id) if "BCO" in results else "BCO was not run (stopped).")
        return TrainOutput(results, evals, lines)


class ReinforcePanel(TrainingPanel):
    """REINFORCE, learning from rewards alone (notebook 01)."""

    title = "REINFORCE (learning from rewards alone)"
    intro = ("No demonstrations: the agent tries actions and makes those followed by high return more likely. "
             "Watch how many environment steps it needs.")
    settings_fields = ("env_id", "seed")
    config_fields = ("total_steps", "episodes_per_iter", "lr", "gamma", "hidden_size")
    curves_x = "env/steps"
    curves_keys = ("loss/reinforce", "train/return_mean", "eval/return_mean")
    progress_key, progress_by_value, progress_unit = "env/steps", True, "environment steps"

    @classmethod
    def default_config(cls, env_id: str) -> Any:
        from bcolearn.reinforce import ReinforceConfig

        return ReinforceConfig(total_steps=10_000, eval_every=5, eval_episodes=5)

    def total_epochs(self, config: Any) -> int:
        return config.total_steps

    def x_max(self, config: Any) -> float:
        return float(config.total_steps)

    def train(self, settings: PanelSettings, config: Any, report: Callable[[str], list[Callback]]) -> TrainOutput:
        from bcolearn.reinforce import train_reinforce

        result = train_reinforce(settings.env_id, config, seed=settings.seed, callbacks=report(""))
        ev = evaluate(result.policy, settings.env_id, settings.eval_episodes)
        steps = int(result.history[-1]["env/steps"])
        return TrainOutput({"REINFORCE": result}, {"REINFORCE": ev},
                           [describe_return("REINFORCE", ev), f"REINFORCE used {steps:,} environment steps."])


def bc_panel(env_id: str = "CartPole-v1", **defaults: Any) -> BCPanel:
    """The Behavioural Cloning panel: demos, epochs, learning rate, network size; live loss and return.

    Taught in notebook 03. Show it with a one-line cell, ``bcolearn.widgets.bc_panel()``: it trains once
    with its defaults (1 CartPole demo, 40 epochs: a few seconds), then Run trains again.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert).
        **defaults: initial values, e.g. ``n_demos=2, epochs=20, lr=1e-3``; ``autorun=False`` skips the
            first run, ``background=False`` trains in the caller's thread when Run is pressed.

    Returns:
        The panel (it displays itself).
    """
    return BCPanel(env_id, **defaults)


def idm_panel(env_id: str = "CartPole-v1", **defaults: Any) -> IDMPanel:
    """The inverse dynamics panel: random steps, model size, epochs, input; live loss and accuracy.

    Taught in notebook 04. Arguments as for :func:`bc_panel` (e.g. ``pre_demo_steps=500``,
    ``**{"idm.epochs": 10}``).

    Returns:
        The panel (it displays itself).
    """
    return IDMPanel(env_id, **defaults)


def bco_panel(env_id: str = "CartPole-v1", **defaults: Any) -> BCOPanel:
    """The BCO panel: random steps, α, iterations, epochs; live losses, IDM accuracy and return vs steps.

    Taught in notebook 05. Arguments as for :func:`bc_panel` (e.g. ``alpha=0.5, iterations=3``).

    Returns:
        The panel (it displays itself).
    """
    return BCOPanel(env_id, **defaults)


def compare_panel(env_id: str = "CartPole-v1", **defaults: Any) -> ComparePanel:
    """BC and BCO trained side by side on the same demonstrations, with both curves in one figure.

    Taught in notebook 05. Arguments as for :func:`bc_panel`.

    Returns:
        The panel (it displays itself).
    """
    return ComparePanel(env_id, **defaults)


def reinforce_panel(env_id: str = "CartPole-v1", **defaults: Any) -> ReinforcePanel:
    """The REINFORCE panel: interaction budget, learning rate, discount; live return vs environment steps.

    Taught in notebook 01. Arguments as for :func:`bc_panel` (e.g. ``total_steps=20_000``).

    Returns:
        The panel (it displays itself).
    """
    return ReinforcePanel(env_id, **defaults)


# --- panels for notebooks 01–03 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSettings:
    """What the demonstrations explorer shows (notebook 02)."""

    env_id: str = param("CartPole-v1", "the task (one with a bundled expert)", choices=tuple(EXPERTS))
    """The Gymnasium task."""
    n_demos: int = param(3, "expert episodes to record and draw", low=1, high=10)
    """Number of expert episodes."""
    max_steps: int = param(0, "draw the first this many steps of each episode (0: all)", low=0, high=500)
    """Steps drawn per episode (0: the whole episode)."""
    seed: int = param(0, "episode j starts from reset(seed=seed + j)", low=0, high=1000)
    """Seed of the first episode."""

    def __post_init__(self) -> None:
        validate(self)


class DemosPanel:
    """Explore expert demonstrations: pick a task and a number of episodes, see every state variable over time.

    Redraws when a control changes (no training, so no Run button). Taught in notebook 02.

    Attributes:
        widget: the whole panel.
        controls: the controls by name (``env_id``, ``n_demos``, ``max_steps``, ``seed``).
        demos: the demonstrations drawn last.
    """

    _ids = itertools.count()

    def __init__(self, env_id: str = "CartPole-v1", **defaults: Any) -> None:
        self.settings = DemoSettings(env_id=env_id, **defaults)
        self.controls = config_controls(self.settings, [f.name for f in dataclasses.fields(DemoSettings)])
        self.image = w.Image(format="png", layout={"max_width": "100%"})
        self.text, self.message = w.HTML(""), w.HTML("")
        self.demos: list = []
        self._uid = f"demos{id(self):x}{next(self._ids)}"
        style = hide_static_copy(self._uid)
        title = w.HTML("<h4 style='margin:4px 0'>Expert demonstrations</h4>")
        self.widget = w.VBox([title, w.VBox(list(self.controls.values())), self.message, self.image, self.text, style],
                             layout={"border": "1px solid #ddd", "padding": "6px"})
        self.widget.add_class("bcolearn-panel")
        for control in self.controls.values():
            control.observe(lambda _: self.update(), names="value")
        self._shown = False
        self.update()

    def set(self, **values: Any) -> None:
        """Set controls by name, as a learner would (e.g. ``panel.set(env_id="Pendulum-v1")``)."""
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"No control {name!r} in this panel; it has {', '.join(self.controls)}.")
            self.controls[name].value = value

    def update(self) -> None:
        """Record the demonstrations for the current settings and redraw; errors are shown in the panel."""
        from bcolearn.plotting import figure_png, plot_state_trajectories
        from bcolearn.rollout import collect_demos, episode_returns

        try:
            s = DemoSettings(**{name: c.value for name, c in self.controls.items()})
            self.demos = collect_demos(s.env_id, load_expert(s.env_id), s.n_demos, s.seed)
            fig = plot_state_trajectories(self.demos, s.env_id, max_demos=s.n_demos, max_steps=s.max_steps or None)
        except Exception as err:  # noqa: BLE001 - shown in the panel; the kernel goes on
            self.message.value = f"<span style='color:#cf222e'>{html.escape(f'{type(err).__name__}: {err}')}</span>"
            return
        self.settings, self.message.value = s, ""
        self.image.value = figure_png(fig)
        ref, first = REFERENCE_RETURNS[s.env_id], self.demos[0]
        acts = f"acts {first.acts.shape} {first.acts.dtype}"
        self.text.value = (f"{s.n_demos} episode(s), {sum(len(t) for t in self.demos):,} transitions; episode 0: "
                           f"obs {first.obs.shape}, {acts}. Mean return <b>{episode_returns(self.demos).mean():.1f}</b> "
                           f"(expert reference {ref.expert:g}, random policy {ref.random:g}).")

    def _ipython_display_(self) -> None:
        """Show the panel; the first time, also a static copy for viewers without widgets."""
        from IPython.display import display

        display(self.widget)
        if not self._shown:
            self._shown = True
            display(static_copy(self._uid, "Expert demonstrations (a static copy of the panel)", self.image.value,
                                self.text.value))


def demos_panel(env_id: str = "CartPole-v1", **defaults: Any) -> DemosPanel:
    """The demonstrations explorer: task, number of episodes, steps drawn; the expert's states over time.

    Taught in notebook 02. Show it with a one-line cell, ``bcolearn.widgets.demos_panel()``.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert).
        **defaults: initial values of ``n_demos``, ``max_steps`` or ``seed``.

    Returns:
        The panel (it displays itself).

    Raises:
        ValueError: for an out-of-range default.
    """
    return DemosPanel(env_id, **defaults)
