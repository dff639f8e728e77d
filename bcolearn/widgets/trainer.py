"""The declarative training panel: Run/Stop, a progress bar, live curves and result lines, from a few specs.

:class:`TrainingPanel` asks its subclass only for a default config, small frozen specs
(:mod:`bcolearn.widgets.specs`) and ``train``; it evaluates the trained policies and writes the result
lines itself, once for every panel.

Adding a panel is a small subclass, e.g. a DAgger panel (``expert_demos`` is in :mod:`bcolearn.widgets.panels`)::

    class DAggerPanel(TrainingPanel[DAggerConfig]):
        title = "DAgger"
        intro = "The expert labels the states the learner visits; the learner retrains on all labels so far."
        config_fields = ("rounds", "bc.epochs", "bc.lr")

        @classmethod
        def default_config(cls, env_id: str) -> DAggerConfig:
            return DAggerConfig()

        def progress_spec(self, config: DAggerConfig) -> ProgressSpec:
            return ProgressSpec(total=config.rounds * config.bc.epochs)       # one unit: one BC epoch

        def curves_spec(self, env_id: str, config: DAggerConfig) -> CurvesSpec:
            return CurvesSpec(keys=("loss/bc", "eval/return_mean"), x_max=config.rounds * config.bc.epochs)

        def train(self, settings: PanelSettings, config: DAggerConfig, report: Report) -> TrainOutput:
            result = train_dagger(expert_demos(settings), config, env_id=settings.env_id, seed=settings.seed,
                                  callbacks=report(""))
            return TrainOutput({"DAgger": result}, evaluate=("DAgger",))   # evaluated and described here

Optional: ``controls_spec(values)`` (controls greyed out for these values), ``check(settings, config)``
(refuse an impossible combination with a ValueError). Nothing else is needed: the bar, the curves, Stop,
messages, the recorded :class:`~bcolearn.widgets.specs.PanelRun` and the static copy come from the base.

How a training panel runs: displayed, it trains once with its defaults in the cell (so an executed notebook
shows real curves), then shows a static copy. Run reads every setting once, on the caller's thread, then
trains in a background thread so the kernel can receive Stop. Bad settings give a message in the panel.
Taught in notebook 03; every panel of notebooks 01–06 is built this way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import ClassVar

import ipywidgets as w

from bcolearn.config import Callback, ParamValue, field_at, get_path, hyperparameters, replace_path
from bcolearn.envs import warm_up_torch
from bcolearn.evaluation import evaluate
from bcolearn.plotting import LiveCurves
from bcolearn.widgets.base import Panel
from bcolearn.widgets.controls import config_controls
from bcolearn.widgets.specs import (ConfigT, ControlsSpec, CurvesSpec, PanelRun, PanelSettings, ProgressSpec, Report,
                                    TrainOutput, describe_return)
from bcolearn.widgets.static import StaticCopy, plain_text, static_copy

__all__ = ["TrainingPanel"]


class TrainingPanel(Panel[ConfigT]):
    """A training panel: controls from config fields, Run/Stop, progress, live curves and results.

    Subclasses set :attr:`title`, :attr:`intro`, :attr:`config_fields` (and :attr:`settings_fields`) and
    implement :meth:`default_config`, :meth:`progress_spec`, :meth:`train` (and optionally
    :meth:`curves_spec`, :meth:`controls_spec`, :meth:`check`); see the module docstring.
    Used behind the scenes in notebook 03 (the BC panel); the other panels work the same way.

    Attributes:
        settings: the panel settings it was built with (the runs record those they used).
        config: the config it was built with.
        curves: the live curves.
        runs: every finished run, oldest first.
    """

    title: ClassVar[str] = "Training"
    settings_fields: ClassVar[tuple[str, ...]] = ("env_id", "n_demos", "seed")
    """The :class:`~bcolearn.widgets.specs.PanelSettings` shown as controls."""
    config_fields: ClassVar[tuple[str, ...]] = ()
    """The config paths shown as controls (``"epochs"``, ``"idm.epochs"``…)."""

    def __init__(self, env_id: str = "CartPole-v1", *, autorun: bool = True, background: bool = True,
                 **defaults: ParamValue) -> None:
        """Build the panel (nothing trains until it is displayed or Run is pressed).

        Args:
            env_id: the initial task.
            autorun: train once with the defaults when the panel is displayed.
            background: train in a background thread when Run is pressed (False: in the caller).
            **defaults: initial values of any setting (``n_demos``, ``seed``, ``eval_episodes``) or
                config field (``epochs``, ``lr``, ``idm.epochs``…), shown or not.

        Raises:
            ValueError: for an unknown name (listing the settings there are) or a refused value.
        """
        warm_up_torch()  # its one-off imports now, not during the first Run's first epoch
        self.autorun, self.background = autorun, background
        self._defaults = dict(defaults)
        settings = PanelSettings(env_id=env_id)
        for name, value in defaults.items():
            if name in hyperparameters(settings):
                settings = replace_path(settings, name, value)
        self.settings = settings
        self.config = self._config_for(env_id)
        super().__init__({**config_controls(self.settings, self.settings_fields),
                          **config_controls(self.config, self.config_fields)})
        spec = self.curves_spec(env_id, self.config)
        self.curves = LiveCurves(spec.keys, x=spec.x, env_id=env_id, title=self._curve_title(env_id),
                                 x_max=spec.x_max, layout=spec.layout, figsize=spec.figsize, ncols=spec.ncols,
                                 sources=spec.sources)
        self.runs: list[PanelRun[ConfigT]] = []
        self.running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.run_button = w.Button(description="Run", button_style="primary", icon="play",
                                   tooltip="Train with these settings")
        self.stop_button = w.Button(description="Stop", button_style="warning", icon="stop", disabled=True,
                                    tooltip="End training now, keeping what was learnt")
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.progress = w.IntProgress(value=0, min=0, max=1, description="0/0", bar_style="info",
                                      style={"description_width": "70px"}, layout={"width": "420px"})
        self.result = w.HTML("<i>Not run yet: press Run.</i>")
        buttons = w.HBox([self.run_button, self.stop_button, self.progress], layout={"align_items": "center"})
        for part, cls in ((buttons, "buttons"), (self.curves.widget, "curves"), (self.result, "result"),
                          (self.run_button, "run"), (self.stop_button, "stop"), (self.progress, "progress")):
            part.add_class(f"bcolearn-{cls}")
        self._build(buttons, self.curves.widget, self.result)
        self.controls["env_id"].observe(self._on_env_change, names="value")
        for control in self.controls.values():
            control.observe(lambda _: self._grey_out(), names="value")
            control.observe(lambda _: self._prepare_curves(), names="value")
        self._grey_out()
        self.curves.draw()  # the empty axes, drawn now so that training itself only pays for cheap redraws

    # -- what a subclass declares --------------------------------------------------------------------------

    @classmethod
    def default_config(cls, env_id: str) -> ConfigT:
        """The config this panel starts from for ``env_id`` (before the caller's defaults)."""
        raise NotImplementedError

    def progress_spec(self, config: ConfigT) -> ProgressSpec:
        """How far a run with ``config`` goes: the bar's budget and its unit."""
        raise NotImplementedError

    def curves_spec(self, env_id: str, config: ConfigT) -> CurvesSpec:
        """What the live figure shows on ``env_id`` (default: every metric against the epoch, to the budget)."""
        return CurvesSpec(x_max=self.progress_spec(config).total)

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        """Which controls have no effect with these values (default: none)."""
        return ControlsSpec()

    def check(self, settings: PanelSettings, config: ConfigT) -> None:
        """Reject an impossible combination of values with a ValueError saying what to change."""

    def train(self, settings: PanelSettings, config: ConfigT, report: Report) -> TrainOutput:
        """Run the algorithm; ``report(label)`` gives the callbacks for one learner's metrics."""
        raise NotImplementedError

    def stopped(self) -> bool:
        """True once Stop has been pressed in the current run (for :meth:`train`, between phases)."""
        return self._stop.is_set()

    # -- settings ------------------------------------------------------------------------------------------

    def _config_for(self, env_id: str) -> ConfigT:
        """The default config for ``env_id`` with the caller's defaults applied."""
        config = self.default_config(env_id)
        settings = hyperparameters(PanelSettings())
        for path, value in self._defaults.items():
            if path in settings:
                continue
            try:
                field_at(config, path)
            except ValueError:
                raise ValueError(f"{type(self).__name__} has no setting {path!r}; it has "
                                 f"{', '.join(dict.fromkeys(settings + hyperparameters(config)))}.") from None
            config = replace_path(config, path, value)
        return config

    def check_value(self, name: str, value: ParamValue) -> None:
        if name in self.settings_fields:
            replace_path(self.settings, name, value)
        else:
            replace_path(self.config, name, value)

    def _read(self, values: Mapping[str, ParamValue]) -> tuple[PanelSettings, ConfigT]:
        """Settings and config from these control values, validated; the subclass's :meth:`check` too."""
        settings = self.settings
        for name in self.settings_fields:
            settings = replace_path(settings, name, values[name])
        config = self._config_for(settings.env_id)
        for path in self.config_fields:
            config = replace_path(config, path, values[path])
        self.check(settings, config)
        return settings, config

    def _on_env_change(self, change: Mapping[str, str]) -> None:
        """A new task loads the settings known to work for it (then the caller's defaults)."""
        try:
            config = self._config_for(change["new"])
        except ValueError as err:
            self.say(str(err), error=True)
            return
        for path in self.config_fields:
            self.controls[path].value = get_path(config, path)

    def _prepare_curves(self) -> None:
        """A setting changed: show the next run's axes now (a new x range), so that Run need not render them.
        Not while training, nor for another task (the current curves would be drawn on the wrong scale)."""
        if self.running:
            return
        try:
            settings, config = self._read(self.values())
        except (ValueError, TypeError):
            return  # Run says what is wrong
        if settings.env_id == self.curves.env_id:
            self.curves.prepare(x_max=self.curves_spec(settings.env_id, config).x_max)

    def _grey_out(self) -> None:
        disabled = self.controls_spec(self.values()).disabled
        for name, control in self.controls.items():
            control.disabled = name in disabled

    # -- a run ---------------------------------------------------------------------------------------------

    def run(self, wait: bool = False) -> None:
        """Train with the current settings: what the Run button does.

        Every setting is read here, once, on the caller's thread: the run records exactly what it used, even
        if a control changes while it trains.

        Args:
            wait: train in this thread and return when done (panels built with ``background=False``
                always do). Otherwise training runs in a background thread; see :meth:`wait`.
        """
        if self.running:
            self.say("Training is already running: wait for it, or press Stop.", error=True)
            return
        values = self.values()
        try:
            settings, config = self._read(values)
        except (ValueError, TypeError) as err:
            self.say(f"Cannot run with these settings: {err}", error=True)
            return
        spec = self.progress_spec(config)
        self.running = True
        self._stop.clear()
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.progress.bar_style, self.progress.max, self.progress.value = "info", max(spec.total, 1), 0
        self._label(0, spec.total)  # never the previous run's count
        self.say(f"Training on {settings.env_id}…")
        args = (values, settings, config, spec)
        if self.background and not wait:
            self._thread = threading.Thread(target=self._run, args=args, daemon=True, name="bcolearn-panel")
            self._thread.start()
        else:
            self._run(*args)

    def stop(self) -> None:
        """End training early, keeping what was learnt: what the Stop button does."""
        if self.running:
            self._stop.set()
            self.say("Stopping after the current epoch…")

    def wait(self, timeout: float | None = None) -> None:
        """Block until a background run has finished."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _label(self, done: int, total: int) -> None:
        """The bar's label, ``done/total``, never past the budget, in a box as wide as the longest label."""
        self.progress.description = f"{min(done, total)}/{total}"
        self.progress.style.description_width = f"{2 * len(str(total)) + 2}ch"

    def _run(self, values: Mapping[str, ParamValue], settings: PanelSettings, config: ConfigT,
             spec: ProgressSpec) -> None:
        start, done = time.perf_counter(), 0

        def report(label: str) -> list[Callback]:
            def progress(metrics: Mapping[str, float]) -> bool:
                nonlocal done
                if spec.key in metrics:
                    done = int(metrics[spec.key]) if spec.by_value else done + 1
                    self.progress.value = min(done, spec.total)
                    self._label(done, spec.total)
                return self._stop.is_set()

            return [self.curves.source(label), progress]

        stopped, style = False, "danger"
        try:
            curves = self.curves_spec(settings.env_id, config)
            title = f"{self._curve_title(settings.env_id)}: run {len(self.runs) + 1}"  # new at once, at Run
            self.curves.reset(title=title, env_id=settings.env_id, x_max=curves.x_max,
                              keys=curves.keys, layout=curves.layout)
            out = self.train(settings, config, report)
            self.curves.finish()
            stopped = self._stop.is_set() and done < spec.total  # Stop pressed before training had ended
            evals = {k: evaluate(settings.env_id, out.results[k].policy, settings.eval_episodes)  # type: ignore[attr-defined]
                     for k in out.evaluate if k in out.results}
            lines = tuple(describe_return(k, ev) for k, ev in evals.items()) + out.notes
            run = PanelRun(dict(values), settings, config, dict(out.results), evals, lines, stopped,
                           time.perf_counter() - start, done, spec.total, spec.unit)
            self.runs.append(run)
            self.result.value = self._result_html(run)
            self.say("")
            style = "" if stopped else "success"  # a stopped run is not a success: a neutral bar
        except Exception as err:  # noqa: BLE001 - any failure is shown in the panel; the kernel goes on
            self.curves.finish()
            self.say(f"Training failed: {type(err).__name__}: {err}. Earlier results are kept.", error=True)
        finally:
            self.running = False
            self.run_button.disabled, self.stop_button.disabled = False, True
            self.progress.bar_style = style

    # -- results -------------------------------------------------------------------------------------------

    @property
    def last(self) -> PanelRun[ConfigT] | None:
        """The latest finished run."""
        return self.runs[-1] if self.runs else None

    @property
    def summary(self) -> str:
        """The result text shown in the panel, without HTML."""
        return plain_text(self.result.value)

    def shown_values(self, values: Mapping[str, ParamValue]) -> list[str]:
        """The settings a result names, as ``name=value``: only those that have an effect (see :meth:`controls_spec`)."""
        spec = self.controls_spec(values)
        return [spec.named[k] if k in spec.named else f"{k}={_fmt(values[k])}"
                for k in self.config_fields + ("n_demos", "seed")
                if k in values and (k not in spec.disabled or k in spec.named)]

    def _result_html(self, run: PanelRun[ConfigT]) -> str:
        head = f"Run {len(self.runs)} on {run.settings.env_id} ({', '.join(self.shown_values(run.values))})"
        if run.stopped:
            head += f"; <b>stopped early</b> after {run.progress:,} of {run.total:,} {run.unit}"
        return f"<div style='line-height:1.6'>{head}.<br>{'<br>'.join(run.lines)}</div>"

    def static_copy(self) -> StaticCopy | None:
        """The final curves and result as a plain output (None before the first run)."""
        if not self.runs:
            return None
        return static_copy(self.uid, f"{self.title} (a static copy of the panel's last run)", self.curves.png,
                           self.result.value)

    def _curve_title(self, env_id: str) -> str:
        return f"{self.title} on {env_id}"

    def _first_shown(self) -> None:
        if self.autorun and not self.runs and not self.running:
            self.run(wait=True)


def _fmt(value: ParamValue) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
