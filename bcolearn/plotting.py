"""Figures for the course: live training curves, static result plots and episode animations.

Every figure has a title, labelled axes with units, and a legend when it shows more than one line.
Figures are made with :class:`matplotlib.figure.Figure` directly (not ``pyplot``): they are thread-safe,
leave no global state behind, and a notebook shows a returned figure exactly once.

- :class:`LiveCurves`: a training callback that draws throttled live curves into its own image widget
  (notebooks 01, 03, 04 and 05, through :mod:`bcolearn.widgets`); :class:`CurveAxes` lays its axes out
  by hand (the BCO panel: each phase's training per iteration, and the results against interactions).
- :data:`METRICS`: the readable label and the colour of every metric, the same in every figure.
- :func:`plot_history`: the curves of one finished run (notebooks 03–05).
- :func:`plot_learning_curves`: mean and bootstrap confidence band over seeds (notebooks 05 and 06).
- :func:`plot_return_distribution`: returns per episode of several policies (notebook 06).
- :func:`plot_state_visitation`: where the expert and the learner go (covariate shift, notebooks 03 and 06).
- :func:`animate_episode`: an inline HTML animation of one episode (notebooks 01, 03 and 05).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import math
import re
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from bcolearn.envs import make_env  # also sets SDL_VIDEODRIVER=dummy, so rendering works headless
from bcolearn.evaluation import EvalResult, bootstrap_ci
from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.types import StateTrajectory

if TYPE_CHECKING:
    import ipywidgets

    from bcolearn.rollout import Policy

__all__ = [
    "LiveCurves", "plot_history", "plot_learning_curves", "plot_return_distribution", "plot_state_visitation",
    "animate_episode", "EpisodeAnimation", "metric_group", "figure_png", "CurveAxes", "METRICS", "MetricStyle",
    "metric_label", "metric_color", "ACTION_UNITS", "action_unit",
]

# --- metric names, labels, colours, groups and axis labels -------------------------------------------------

X_LABELS: dict[str, str] = {
    "epoch": "epoch (passes over the training data)",
    "iteration": "iteration (policy updates)",
    "env/steps": "environment steps (interactions)",
    "bco/iteration": "BCO iteration",
    "n_demos": "expert demonstrations (episodes)",
}
"""Axis labels, with units, for the x keys that training callbacks report."""

_SKIP = {"eval/score", "bco/iteration"}  # bookkeeping, or derived from another curve

_GROUPS: dict[str, tuple[str, str]] = {  # group -> (axes title, y label with units; {unit}: the action unit)
    "loss": ("Training loss", "loss per sample"),
    "return": ("Return", "return (sum of rewards)"),
    "accuracy": ("Action accuracy", "fraction of actions right"),
    "error": ("Action error", "mean absolute error ({unit})"),
    "other": ("Other metrics", "value"),
}


@dataclass(frozen=True)
class MetricStyle:
    """How a metric is drawn wherever it appears: its legend label and its colour."""

    label: str
    """A readable name for legends, e.g. ``"BC loss"`` for ``loss/bc``."""
    color: str
    """A matplotlib colour; never green (``C2``) or grey (``C7``): those are the expert's and the random
    policy's reference lines."""


_IDM, _EXPERT_LABELS = "C1", "C4"  # the IDM's own metrics; how well it labels the expert's transitions
METRICS: dict[str, MetricStyle] = {
    "loss/bc": MetricStyle("BC loss", "C0"),
    "loss/idm": MetricStyle("IDM loss", _IDM),
    "loss/reinforce": MetricStyle("REINFORCE loss (policy-gradient surrogate)", "C0"),
    "eval/return_mean": MetricStyle("evaluation return (mean over test episodes)", "C3"),
    "train/return_mean": MetricStyle("training return (REINFORCE's own episodes)", "C9"),
    "train/terminations": MetricStyle("training episodes that ended in a terminal state", "C5"),
    "acc/idm": MetricStyle("IDM accuracy, held-out agent transitions", _IDM),
    "err/idm": MetricStyle("IDM action error, held-out agent transitions", _IDM),
    "acc/idm_demo": MetricStyle("IDM accuracy on the expert's transitions", _EXPERT_LABELS),
    "err/idm_demo": MetricStyle("IDM action error on the expert's transitions", _EXPERT_LABELS),
    "acc/expert": MetricStyle("IDM accuracy on the expert's transitions", _EXPERT_LABELS),
    "err/expert": MetricStyle("IDM action error on the expert's transitions", _EXPERT_LABELS),
}
"""The one place where metrics get their readable labels and colours: live curves (:class:`LiveCurves`,
every panel) and static figures (:func:`plot_history`) alike. "Agent transitions" are the learner's own
(s, a, s′): a random policy's, and in BCO(α) also the policy's rollouts. Unknown metrics keep their key."""

_SPARE_COLORS = ("C5", "C6", "C8", "C9")  # for metrics without a style (never C2/C7: reference lines)
_SOURCE_COLORS = {"BC": "C0", "BCO": "C1"}  # learners shown side by side (the compare panel)
_OTHER_SOURCE_COLORS = ("C3", "C4", "C5", "C6", "C8", "C9")  # other learners, in order of appearance
_SPLIT_NAMES = {"bco/iteration": "iteration"}

ACTION_UNITS: dict[str, str] = {"Pendulum-v1": "N·m"}
"""The unit of the actions of tasks with continuous actions (Pendulum: a torque); others: "action units"."""


def metric_label(key: str) -> str:
    """The readable label of a metric (e.g. ``"loss/bc"`` → ``"BC loss"``), or the key itself if unknown.

    Used by every curve figure (notebooks 01 and 03–06); the labels live in :data:`METRICS`.
    """
    style = METRICS.get(key)
    return style.label if style is not None else key


def metric_color(key: str) -> str:
    """The colour of a metric: from :data:`METRICS`, or (unknown metrics) one picked by its name, the same
    in every figure. Never the green or grey of the reference lines."""
    style = METRICS.get(key)
    if style is not None:
        return style.color
    return _SPARE_COLORS[zlib.crc32(key.encode()) % len(_SPARE_COLORS)]


def action_unit(env_id: str | None) -> str:
    """The unit of a task's continuous actions (``"N·m"`` on Pendulum), else ``"action units"``."""
    return ACTION_UNITS.get(env_id or "", "action units")


def metric_group(key: str) -> str | None:
    """Which panel of a curve figure a metric belongs to, or None for bookkeeping keys.

    ``loss/*`` → ``"loss"``; any key with ``return`` in its name (``eval/return_mean``,
    ``train/return_mean``) → ``"return"``; ``acc/*`` → ``"accuracy"``; ``err/*`` → ``"error"``; x keys
    (``epoch``, ``iteration``, ``env/steps``), ``*_std`` spreads and ``eval/score`` → None; anything else
    → ``"other"``. Used by :class:`LiveCurves` and :func:`plot_history` (notebook 03).

    Args:
        key: a namespaced metric name, e.g. ``"loss/bc"``.

    Returns:
        The group name, or None if the key is not drawn as a curve.
    """
    if key in X_LABELS or key in _SKIP or key.endswith("_std"):
        return None
    namespace, _, name = key.rpartition("/")
    if namespace == "loss":
        return "loss"
    if "return" in name:
        return "return"
    return {"acc": "accuracy", "err": "error"}.get(namespace, "other")


def _ylabel(group: str, env_id: str | None) -> str:
    return _GROUPS[group][1].format(unit=action_unit(env_id))


@dataclass(frozen=True)
class CurveAxes:
    """One axes of a curve figure laid out by hand (see ``layout`` of :class:`LiveCurves`).

    E.g. the BCO panel (notebook 05) draws the IDM's loss against the epoch of each IDM phase, one line
    per BCO iteration (``split="bco/iteration"``), and the IDM's accuracies against environment steps.
    """

    name: str
    """An id, e.g. ``"idm_loss"`` (the key of this axes in ``x_max``)."""
    keys: tuple[str, ...]
    """The metrics drawn here (all of one kind: losses, returns, accuracies or errors)."""
    x: str
    """The x key: rows without it are not drawn here."""
    title: str
    """The axes title."""
    xlabel: str | None = None
    """The x-axis label, with units (default: from :data:`X_LABELS`)."""
    ylabel: str | None = None
    """The y-axis label, with units (default: that of the metrics' kind)."""
    split: str | None = None
    """Start a new line whenever this key's value changes (``"bco/iteration"``): the latest is drawn
    solid, the earlier ones faded. Such axes draw no "previous run"."""
    sources: tuple[str, ...] | None = None
    """Draw only these learners' curves (see :meth:`LiveCurves.source`); None: all."""

    def __post_init__(self) -> None:
        kinds = {metric_group(k) for k in self.keys}
        if not self.keys or None in kinds or len(kinds) > 1:
            raise ValueError(f"CurveAxes {self.name!r}: keys must be metrics of one kind (losses, returns, "
                             f"accuracies or errors), got {self.keys} (kinds {sorted(map(str, kinds))}).")

    @property
    def kind(self) -> str:
        """The metrics' group (``"loss"``, ``"return"``, ``"accuracy"``, ``"error"`` or ``"other"``)."""
        return metric_group(self.keys[0]) or "other"


X_CANDIDATES = ("epoch", "iteration", "env/steps", "bco/iteration")
"""With ``x="auto"``, a group is drawn against the first of these that its first row has."""


def _x_key(x: str | Mapping[str, str], group: str, row: Mapping[str, float] | None = None) -> str | None:
    """The x key of ``group``: as given, or (``"auto"``) the first of :data:`X_CANDIDATES` in ``row``."""
    chosen = x if isinstance(x, str) else x.get(group, x.get("default", "auto"))
    if chosen != "auto":
        return chosen
    return next((c for c in X_CANDIDATES if row is not None and c in row), None)


def _series(rows: Sequence[Mapping[str, float]], key: str, x: str) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)`` of ``key`` over the rows that also have ``x``, with restarting x values continued."""
    curve = _Curve("", key, "")
    for row in rows:
        if key in row and x in row:
            curve.add(float(row[x]), float(row[key]))
    return np.asarray(curve.xs), np.asarray(curve.ys)


# --- shared figure helpers ---------------------------------------------------------------------------------


def _new_figure(figsize: tuple[float, float], *, layout: str | None = "constrained", dpi: float = 100) -> Figure:
    """A pyplot-free figure with an Agg canvas, displayable in a notebook."""
    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    _enable_notebook_display()
    return fig


def _enable_notebook_display() -> None:
    """Let IPython show a pyplot-free Figure as a PNG (matplotlib-inline does this only once pyplot is used)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, figure_png)


def figure_png(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes, for image widgets and static notebook outputs (the panels of notebooks 01–06).

    Args:
        fig: a matplotlib figure.
        dpi: resolution; the figure's own if None.

    Returns:
        The PNG file's bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def _reference_lines(ax: Axes, env_id: str | None) -> list[Line2D]:
    """Dashed expert and dotted random-policy returns of ``env_id`` (nothing for other tasks)."""
    ref = REFERENCE_RETURNS.get(env_id) if env_id else None
    if ref is None:
        return []
    return [
        ax.axhline(ref.expert, color="#2ca02c", ls="--", lw=1.2, label=f"expert ({ref.expert:g})"),
        ax.axhline(ref.random, color="#7f7f7f", ls=":", lw=1.2, label=f"random policy ({ref.random:g})"),
    ]


def _set_title(ax: Axes, title: str) -> None:
    """Set an axes title that never clips: it wraps onto more lines when wider than the figure allows."""
    ax.set_title(title, wrap=True)


def _log_x_at_data(ax: Axes, xs: np.ndarray) -> None:
    """A logarithmic x axis whose ticks are the data's own x values (1, 2, 5, 10), not powers of ten.

    Raises:
        ValueError: if an x value is not positive (a log axis cannot show it).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    xs = np.unique(np.asarray(xs, dtype=float))
    if len(xs) and xs[0] <= 0:
        raise ValueError(f"log_x=True needs positive x values, got {xs[0]:g}; use log_x=False for this curve.")
    ax.set_xscale("log")
    # Up to a dozen distinct x values: a tick at each; more: 1, 2, 5 per decade.
    ax.xaxis.set_major_locator(FixedLocator(xs) if len(xs) <= 12 else LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _decorate(ax: Axes, group: str, xkey: str, env_id: str | None, *, title: str | None = None,
              xlabel: str | None = None, ylabel: str | None = None) -> list[Line2D]:
    """Title, axis labels with units and grid for one group's axes; reference lines for returns."""
    ax.set_title(title or _GROUPS[group][0], fontsize="medium")
    ax.set_xlabel(xlabel or X_LABELS.get(xkey, xkey))
    ax.set_ylabel(ylabel or _ylabel(group, env_id))
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=xkey in ("epoch", "iteration", "bco/iteration")))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    return _reference_lines(ax, env_id) if group == "return" else []


def _groups_in_order(groups: Sequence[str]) -> list[str]:
    return [g for g in _GROUPS if g in set(groups)]


@functools.lru_cache(maxsize=32)
def _action_space(env_id: str) -> tuple[int, float]:
    """(number of discrete actions, 0) or (0, mean half-range of the continuous actions); (0, 0) if unknown."""
    from bcolearn.envs import describe_env

    try:
        info = describe_env(env_id)
    except Exception:  # noqa: BLE001 - an unregistered task: no prior for the axes
        return 0, 0.0
    if info.discrete:
        return info.n_actions, 0.0
    return 0, float(np.mean(info.act_high - info.act_low)) / 2


# --- live curves -------------------------------------------------------------------------------------------

_LEGEND_BELOW_PT = 36.0  # below the axes' x tick labels and x label (10 pt fonts), in points
_CROSS_ENTROPY = {"loss/bc", "loss/idm"}  # cross-entropies for discrete actions: they start near log(n)


@dataclass
class _Curve:
    """One live line: a metric of one source (e.g. ``"BCO"``'s ``loss/idm``), with restarting x continued."""

    group: str
    label: str
    color: str
    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    last_raw: float = -math.inf
    offset: float = 0.0
    line: Line2D | None = None
    """Its artist (animated: drawn by blitting, never into the saved background)."""
    style: str = "-"
    """Line style: a learner's second metric in the same axes is dash-dotted (its colour is the learner's)."""
    split: float | None = None
    """The value of its axes' ``split`` key (e.g. the BCO iteration) that this line belongs to."""
    role: str = ""
    """How it was last styled: "current", "earlier" (a previous split value) or "previous" (run)."""

    def add(self, x: float, y: float) -> None:
        """Append a point. When x restarts (a new training phase), it carries on from the last one: BCO(α)
        trains its IDM again from epoch 1 in every iteration, so epochs 1…30, 1…30 are drawn as 1…60
        (unless the axes splits lines by iteration, see :class:`CurveAxes`)."""
        if x <= self.last_raw:
            self.offset = self.xs[-1]
        self.last_raw = x
        self.xs.append(x + self.offset)
        self.ys.append(y)


class LiveCurves:
    """Live training curves: a callback that records metrics and redraws a figure, throttled.

    Pass it (or :meth:`source` for a named learner) in ``callbacks=[...]`` of any train function
    (``train_bc``, ``train_idm``, ``train_bco``, ``train_reinforce``); it never asks training to stop.
    Each metric goes to an axes by :func:`metric_group` (losses; returns, with the expert's and a
    random policy's return as reference lines; accuracies; …), drawn against the x key of its group,
    or to the axes that a ``layout`` of :class:`CurveAxes` names. Metrics carry their readable labels
    and colours (:data:`METRICS`); learners shown side by side are told apart by colour.

    Drawing is cheap and throttled. The axes, labels, legends and reference lines are rendered once
    into a saved background; a redraw only pastes it and draws the lines on top (blitting). The
    background is rendered again only when it must change (a new kind of metric, a point outside the
    axes, axes much larger than the data, another task), and is kept from one run to the next. Redraws
    happen only while the time spent drawing stays under ``max_overhead`` of the time trained so far;
    :meth:`finish` draws the final state, with the axes fitted to the data. The figure lives in its own
    image widget (:attr:`widget`), so it never wipes the rest of a notebook cell. Shown in notebook 03;
    used by every panel of :mod:`bcolearn.widgets`.

    Example::

        curves = LiveCurves(env_id="CartPole-v1")
        display(curves)                      # in a notebook: the figure, filled in as training runs
        train_bc(demos, config, env_id="CartPole-v1", seed=0, callbacks=[curves])
        curves.finish()

    Attributes:
        widget: the image widget showing the figure.
        rows: every metrics dict received in the current run, per source (``""`` for :meth:`__call__`).
        draws: redraws in the current run.
        full_draws: redraws in the current run that also rendered the background.
        draw_seconds: time spent drawing in the current run.
    """

    def __init__(
        self,
        keys: Sequence[str] | None = None,
        *,
        x: str | Mapping[str, str] = "auto",
        env_id: str | None = None,
        title: str = "Training curves",
        x_max: float | Mapping[str, float] | None = None,
        max_overhead: float = 0.05,
        min_interval: float = 0.25,
        figsize: tuple[float, float] = (10.0, 4.0),
        dpi: float = 80,
        layout: Sequence[CurveAxes] | None = None,
        ncols: int | None = None,
        sources: Sequence[str] = ("",),
    ) -> None:
        """Set up the curves (nothing is drawn until metrics arrive).

        Args:
            keys: the metrics to draw (default: every metric that :func:`metric_group` assigns a group).
                With ``keys`` and x keys given (not ``"auto"``), the empty axes can be drawn (:meth:`draw`)
                before training starts, so that the run itself only pays for cheap redraws.
            x: the x key of every group (``"epoch"``, ``"iteration"``, ``"env/steps"``…), or a mapping
                from group (``"loss"``, ``"return"``, ``"accuracy"``, ``"error"``, ``"other"``,
                ``"default"``) to x key. ``"auto"``: the first of :data:`X_CANDIDATES` that the group's
                first row has. Rows without a group's x key are not drawn in it.
            env_id: draw this task's expert and random returns as reference lines.
            title: the figure's title.
            x_max: expected largest x (e.g. the number of epochs), per group (or per ``layout`` axes name)
                or for all; the axes start that wide, so that the background need not be rendered again
                as the run goes on.
            max_overhead: the share of the training time that drawing may take (0.05: 5 %).
            min_interval: the least time between two redraws, in seconds.
            figsize: figure size in inches.
            dpi: pixels per inch of the image.
            layout: the axes, laid out by hand (then ``keys`` and ``x`` are not used): which metrics each
                shows, against what, with what title, and whether it starts a new line per BCO iteration.
                All its axes are drawn from the start.
            ncols: axes per row (default: all in one row).
            sources: the learners (see :meth:`source`; ``""``: the curves object itself) whose legend
                entries are drawn before their first metrics arrive, when the metrics are known.

        Raises:
            ValueError: for ``max_overhead`` outside (0, 1].
        """
        import ipywidgets

        if not 0 < max_overhead <= 1:
            raise ValueError(f"max_overhead is a share of the training time in (0, 1], got {max_overhead!r}.")
        self.keys = tuple(keys) if keys is not None else None
        self.x, self.env_id, self.title, self.x_max = x, env_id, title, x_max
        self.max_overhead, self.min_interval = max_overhead, min_interval
        self.ncols, self.sources = ncols, tuple(sources)
        self.layout: tuple[CurveAxes, ...] | None = None
        self._set_layout(layout)
        self.widget: ipywidgets.Image = ipywidgets.Image(format="jpeg", layout={"max_width": "100%"})
        self.widget.add_class("bcolearn-curves")
        # Constrained layout: titles, labels and the legends below the axes always fit, with no empty band.
        # It costs time only when the background is rendered, never on a blitted redraw.
        self._fig = _new_figure(figsize, layout="constrained", dpi=dpi)
        self._fig.get_layout_engine().set(w_pad=4 / 72, h_pad=4 / 72, hspace=0.04, wspace=0.04)
        self._lock = threading.RLock()
        self._curves: dict[tuple[str, str], _Curve] = {}
        self._other_sources: list[str] = []  # learners without a colour of their own, in order of appearance
        self._earlier: list[_Curve] = []  # this run's lines of earlier split values (BCO iterations)
        self._previous: list[_Curve] = []
        self._group_x: dict[str, str] = {}  # the x key each group is drawn against
        self._axes: dict[str, Axes] = {}
        self._legends: dict[str, tuple[str, ...]] = {}  # the labels each axes' legend shows
        self._references: dict[str, list[Line2D]] = {}  # expert and random returns, per axes
        self._layout: tuple[Any, ...] | None = None  # what the axes were built for
        self._background: Any = None
        self._stale = True  # the background must be rendered again
        self._limits: dict[str, tuple[float, float, float, float]] = {}  # (x0, x1, y0, y1) of each axes
        self._cost = {"full": 0.05, "blit": 0.005}  # seconds per redraw, updated as measured
        self.reset(keep_previous=False)

    def _set_layout(self, layout: Sequence[CurveAxes] | None) -> None:
        self.layout = tuple(layout) if layout is not None else None
        self._specs = {a.name: a for a in self.layout or ()}
        self._key_axes = {k: a.name for a in self.layout or () for k in a.keys}
        if len(self._key_axes) != sum(len(a.keys) for a in self.layout or ()):
            raise ValueError("A metric may appear in only one axes of a layout.")

    # -- recording ---------------------------------------------------------------------------------------

    def __call__(self, metrics: Mapping[str, float]) -> bool:
        """Record one metrics dict (a training callback). Returns False: never stops training."""
        self._record("", metrics)
        return False

    def source(self, name: str) -> Callable[[Mapping[str, float]], bool]:
        """A callback for one learner of several shown side by side (e.g. ``"BC"`` and ``"BCO"``): its curves
        have the learner's colour and are labelled ``"NAME: metric"`` (just ``"NAME"`` in an axes of one metric)."""

        def callback(metrics: Mapping[str, float]) -> bool:
            self._record(name, metrics)
            return False

        return callback

    def _group(self, source: str, key: str) -> str | None:
        """The axes (group, or layout axes name) where ``source``'s ``key`` is drawn; None: not drawn."""
        if self.layout is not None:
            name = self._key_axes.get(key)
            sources = self._specs[name].sources if name is not None else None
            return name if sources is None or source in sources else None
        group = metric_group(key)
        return None if group is None or (self.keys is not None and key not in self.keys) else group

    def _kind(self, group: str) -> str:
        return self._specs[group].kind if group in self._specs else group

    def _split_key(self, group: str) -> str | None:
        return self._specs[group].split if group in self._specs else None

    def _record(self, source: str, metrics: Mapping[str, float]) -> None:
        with self._lock:
            now = time.perf_counter()
            if self._t0 is None:
                self._t0 = now
            self.rows.setdefault(source, []).append(dict(metrics))
            for key, value in metrics.items():
                group = self._group(source, key)
                if group is None:
                    continue
                xkey = self._group_x.get(group) or _x_key(self.x, group, metrics)
                if xkey is None or xkey not in metrics:
                    continue
                self._group_x[group] = xkey
                curve = self._curves.get((source, key))
                if curve is None:
                    curve = self._curves[(source, key)] = self._new_curve(source, key, group)
                    self._stale |= self._legend_changed(group)
                split_key = self._split_key(group)
                if split_key is not None and split_key in metrics:
                    split = float(metrics[split_key])
                    if curve.split is not None and split != curve.split and curve.xs:  # e.g. a new BCO iteration
                        self._earlier.append(curve)
                        curve = self._curves[(source, key)] = _Curve(group, curve.label, curve.color, style=curve.style)
                        self._stale = True  # the legend now names the iteration
                    curve.split = split
                curve.add(float(metrics[xkey]), float(value))
                self._stale |= not self._inside(group, curve.xs[-1], curve.ys[-1])
            self._changed = True
            self._maybe_draw(now)

    def _new_curve(self, source: str, key: str, group: str) -> _Curve:
        """A line with the metric's label and colour, or (a named learner) the learner's colour."""
        if not source:
            return _Curve(group, metric_label(key), metric_color(key))
        single = group in self._specs and len(self._specs[group].keys) == 1
        label = source if single else f"{source}: {metric_label(key)}"
        if source not in _SOURCE_COLORS and source not in self._other_sources:
            self._other_sources.append(source)  # in order of appearance, kept from run to run
        color = _SOURCE_COLORS.get(source) or _OTHER_SOURCE_COLORS[
            self._other_sources.index(source) % len(_OTHER_SOURCE_COLORS)]
        same = sum(1 for (s, _), c in self._curves.items() if s == source and c.group == group)
        return _Curve(group, label, color, style=("-", "-.", ":", "--")[same % 4])

    def _inside(self, group: str, x: float, y: float) -> bool:
        x0, x1, y0, y1 = self._limits.get(group, (math.inf, -math.inf, math.inf, -math.inf))
        return x0 <= x <= x1 and y0 <= y <= y1

    # -- legends -----------------------------------------------------------------------------------------

    def _legend_entries(self, group: str) -> dict[str, dict[str, Any]]:
        """The legend of one axes: label -> line properties. One entry per line of this run, a faded one
        for earlier iterations, a dashed one for the previous run (reference lines come after)."""
        marker = "o" if self._kind(group) == "return" or self._group_x.get(group) not in ("epoch", None) else ""
        earlier = [c for c in self._earlier if c.group == group]
        split_name = _SPLIT_NAMES.get(self._split_key(group) or "", "")
        entries: dict[str, dict[str, Any]] = {}
        for c in self._curves.values():
            if c.group == group:
                named = earlier and c.split is not None and any(e.label == c.label for e in earlier)
                label = f"{c.label}, {split_name or self._split_key(group)} {c.split:g}" if named else c.label
                entries.setdefault(label, {"color": c.color, "ls": c.style, "lw": 1.6, "marker": marker})
        if earlier:
            entries[f"earlier {split_name}s" if split_name else "earlier lines"] = {
                "color": earlier[-1].color, "lw": 1.1, "alpha": 0.35}
        if any(c.group == group for c in self._previous):
            entries["previous run"] = {"color": "0.5", "lw": 1, "ls": "--"}
        return entries

    def _legend_changed(self, group: str) -> bool:
        return tuple(self._legend_entries(group)) != self._legends.get(group)

    # -- drawing -----------------------------------------------------------------------------------------

    def _maybe_draw(self, now: float) -> None:
        """Redraw if the time spent drawing stays under ``max_overhead`` of the time trained so far."""
        assert self._t0 is not None
        if now - self._last_draw < self.min_interval:
            return
        budget = self.max_overhead * (now - self._t0) - self.draw_seconds
        if budget < self._cost["blit"]:
            return
        if not self._stale and self._badly_fitted():
            self._stale = True
        if self._stale and budget < self._cost["full"]:
            return
        self.draw()

    def draw(self) -> None:
        """Redraw now (whatever the throttle says) and update the widget."""
        with self._lock:
            start = time.perf_counter()
            kind = "full" if self._stale or self._background is None else "blit"
            if kind == "full":
                self._draw_background()
            self._draw_lines()
            self.widget.value = _canvas_image(self._fig, "JPEG")  # 10× faster to encode than PNG
            spent = time.perf_counter() - start
            self._cost[kind] = 0.5 * self._cost[kind] + 0.5 * spent
            self.draws += 1
            self.full_draws += kind == "full"
            self.draw_seconds += spent
            self._last_draw = time.perf_counter()
            self._changed = False

    def _all_curves(self) -> list[_Curve]:
        return list(self._curves.values()) + self._earlier + self._previous

    def _groups(self) -> list[str]:
        """The axes to draw, in order: every axes of the layout, or the groups that have curves."""
        if self.layout is not None:
            return [a.name for a in self.layout]
        return _groups_in_order([c.group for c in self._all_curves()])

    def _draw_background(self) -> None:
        """Render everything but the lines (axes, labels, legends, reference lines) and save it.

        The axes are reused while the groups stay the same: building them (and their ticks) is about
        half the cost of a render. Then only the title, limits, legends and line artists change.
        """
        fig = self._fig
        curves = self._all_curves()
        groups = self._groups()
        layout = (tuple((g, self._group_x.get(g, "")) for g in groups), self.env_id, self.layout, self.ncols)
        if layout != self._layout:
            self._layout, self._axes, self._legends, self._references = layout, {}, {}, {}
            fig.clear()
            self._title = fig.suptitle(self.title, fontsize="large")
            if not groups:
                fig.text(0.5, 0.5, "Waiting for the first training metrics…", ha="center", va="center", color="0.4")
            else:
                ncols = min(self.ncols or len(groups), len(groups))
                grid = fig.subplots(math.ceil(len(groups) / ncols), ncols, squeeze=False).ravel()
                for ax in grid[len(groups):]:
                    ax.remove()
                for ax, group in zip(grid, groups):
                    spec = self._specs.get(group)
                    self._axes[group] = ax
                    self._references[group] = _decorate(
                        ax, self._kind(group), self._group_x.get(group, ""), self.env_id,
                        **({"title": spec.title, "xlabel": spec.xlabel, "ylabel": spec.ylabel} if spec else {}))
            for c in curves:
                c.line, c.role = None, ""
        self._title.set_text(self.title)
        below = offset_copy  # a legend's anchor: the axes' bottom, moved down below its tick and axis labels
        for group, ax in self._axes.items():
            self._set_limits(ax, group, [c for c in curves if c.group == group])
            entries = self._legend_entries(group)
            if tuple(entries) != self._legends.get(group):  # below the axes, where it never hides a curve
                handles = [Line2D([], [], label=label, ms=3.5, **props) for label, props in entries.items()]
                handles += self._references[group]
                wide = max(len(h.get_label()) for h in handles) > 26
                ax.legend(handles=handles, fontsize="small", ncol=1 if wide else 2, loc="upper center",
                          bbox_to_anchor=(0.5, 0.0), frameon=False, handlelength=1.8, columnspacing=1.0,
                          borderaxespad=0.0, bbox_transform=below(ax.transAxes, fig=fig, y=-_LEGEND_BELOW_PT,
                                                                  units="points"))
                self._legends[group] = tuple(entries)
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        self._limits = {g: (*ax.get_xlim(), *ax.get_ylim()) for g, ax in self._axes.items()}
        self._stale = False

    def _marker(self, curve: _Curve) -> str:
        few = len(curve.xs) <= 2 or (self._group_x.get(curve.group) not in ("epoch", None) and len(curve.xs) <= 25)
        return "o" if self._kind(curve.group) == "return" or few else ""

    def _set_limits(self, ax: Axes, group: str, curves: Sequence[_Curve]) -> None:
        """Axes limits with head room, so that new points rarely fall outside (which forces a full redraw);
        fitted to the data when the run is over (``_tight``)."""
        xs = [x for c in curves for x in c.xs]
        ys = [y for c in curves for y in c.ys]
        hint = self.x_max if not isinstance(self.x_max, Mapping) else self.x_max.get(group)
        x_hi = max(xs or [1.0])
        if not self._tight:
            x_hi = max(float(hint), x_hi) if hint else x_hi * 1.5
        ax.set_xlim(0, x_hi * 1.04)
        ax.set_ylim(*self._y_limits(group, ys, room=not self._tight))

    def _y_limits(self, group: str, ys: Sequence[float], room: bool) -> tuple[float, float]:
        """The y range for these values: returns always show the reference returns, losses and errors
        start at 0; ``room`` leaves some space above (values may still rise early in a run). Without
        values yet, a guess: a cross-entropy starts near log(number of actions)."""
        kind = self._kind(group)
        if kind == "accuracy":
            return -0.02, 1.04
        ref = REFERENCE_RETURNS.get(self.env_id) if self.env_id and kind == "return" else None
        if ys:
            lo, hi = min(ys), max(ys)
        else:
            lo, hi = 0.0, self._prior_top(group)
        if ref is not None:
            lo, hi = min(lo, ref.random), max(hi, ref.expert)
        if kind in ("loss", "error"):
            lo = min(0.0, lo)
            hi += 0.15 * (hi - lo) if room and ys else 0.0  # (the guess is already where a curve starts)
        pad = 0.06 * (hi - lo or abs(hi) or 1.0)
        return lo - pad, hi + pad

    def _prior_top(self, group: str) -> float:
        """Where a loss or error curve probably starts, before any value has arrived (else 1)."""
        keys = (self._specs[group].keys if group in self._specs
                else [k for k in self.keys or () if metric_group(k) == group])
        n_actions, half_range = _action_space(self.env_id) if self.env_id else (0, 0.0)
        if keys and n_actions > 1 and set(keys) <= _CROSS_ENTROPY:
            return math.log(n_actions)  # an untrained policy or IDM: about uniform over the actions
        if keys and half_range and self._kind(group) == "error":
            return half_range  # e.g. guessing 0 for uniformly random actions
        return 1.0

    def _badly_fitted(self) -> bool:
        """True if some axes is much taller than its values need (e.g. drawn before training, with a guess)."""
        for group, (_, _, y0, y1) in self._limits.items():
            ys = [y for c in self._all_curves() if c.group == group for y in c.ys]
            if ys and self._kind(group) != "accuracy":
                lo, hi = self._y_limits(group, ys, room=False)
                if y1 - y0 > 1.5 * (hi - lo) or lo < y0 or hi > y1:
                    return True
        return False

    def _draw_lines(self) -> None:
        """Paste the saved background, then draw the previous run's, the earlier and the current lines."""
        self._fig.canvas.restore_region(self._background)
        current = list(self._curves.values())
        for role, curves in (("previous", self._previous), ("earlier", self._earlier), ("current", current)):
            for c in curves:
                ax = self._axes.get(c.group)
                if ax is None:
                    continue
                marker = self._marker(c) if role == "current" else ""
                style = {"previous": {"ls": "--", "lw": 1, "alpha": 0.45, "marker": ""},
                         "earlier": {"ls": c.style, "lw": 1.1, "alpha": 0.35, "marker": ""},
                         "current": {"ls": c.style, "lw": 1.6, "alpha": 1.0, "marker": marker}}[role]
                if c.line is None:  # lines are animated: never part of the saved background
                    (c.line,) = ax.plot([], [], color=c.color, animated=True, ms=3.5, **style)
                elif c.role != role or c.line.get_marker() != marker:  # restyle only when needed: it is slow
                    c.line.set(**style)
                c.role = role
                c.line.set_data(c.xs, c.ys)
                ax.draw_artist(c.line)

    # -- run control -------------------------------------------------------------------------------------

    def reset(
        self,
        *,
        title: str | None = None,
        env_id: str | None = None,
        x_max: float | Mapping[str, float] | None = None,
        keys: Sequence[str] | None = None,
        keep_previous: bool = True,
        layout: Sequence[CurveAxes] | None = None,
    ) -> None:
        """Start a new run: the current curves become the faded "previous run" (if ``keep_previous``).

        The image keeps showing the last drawing until the new run's first redraw. The saved background
        is kept unless the title, task, x range or layout change, so a repeated run costs only cheap
        redraws. Axes that split their lines by iteration draw no previous run.

        Args:
            title: a new figure title (unchanged if None).
            env_id: a new task for the reference lines (unchanged if None).
            x_max: new x-axis hints (unchanged if None).
            keys: new metrics to draw (unchanged if None).
            keep_previous: draw the finished run's curves faded behind the new ones.
            layout: new axes (unchanged if None); another layout drops the previous run.
        """
        with self._lock:
            keys = tuple(keys) if keys is not None else None
            # Another task's returns and losses are on another scale: never draw them as "previous run".
            keep_previous &= env_id is None or env_id == self.env_id
            if layout is not None and tuple(layout) != self.layout:
                self._set_layout(layout)
                keep_previous, self._stale = False, True
            for name, value in (("title", title), ("env_id", env_id), ("x_max", x_max), ("keys", keys)):
                if value is not None and value != getattr(self, name):
                    setattr(self, name, value)
                    self._stale = True
            kept = [c for c in self._curves.values() if c.xs and self._split_key(c.group) is None] \
                if keep_previous else []
            for c in self._previous + self._earlier + list(self._curves.values()):
                if c.line is not None and c not in kept:
                    c.line.remove()
                    c.line = None
            self._previous, self._earlier, self._curves = kept, [], {}
            if not self._previous:
                self._group_x = {}
            self._expect()
            self._stale |= any(self._legend_changed(g) for g in self._legends)
            self.rows: dict[str, list[dict[str, float]]] = {}
            self._t0: float | None = None
            self._tight = False  # axes fitted to the data rather than to x_max
            self._last_draw = -math.inf
            self._changed = True
            self.draws = self.full_draws = 0
            self.draw_seconds = 0.0

    def _expect(self) -> None:
        """Empty curves for the known metrics and :attr:`sources` (when their x keys are known), so that the
        axes and legends can be drawn before training starts and need not change when a metric first arrives."""
        if self.layout is not None:
            for spec in self.layout:
                self._group_x[spec.name] = spec.x
                for source in self.sources:
                    for key in spec.keys:
                        if spec.sources is None or source in spec.sources:
                            self._curves[(source, key)] = self._new_curve(source, key, spec.name)
            return
        for source in self.sources:
            for key in self.keys or ():
                group = metric_group(key)
                xkey = _x_key(self.x, group) if group else None
                if group is not None and xkey is not None:
                    self._group_x.setdefault(group, xkey)
                    self._curves[(source, key)] = self._new_curve(source, key, group)

    def finish(self) -> None:
        """Draw the final state of the run (if anything changed since the last redraw).

        The axes are fitted to the data if they are much larger: if the run ended well short of the x
        range it was given (Stop was pressed), or if the y range was a guess that the values did not fill.
        """
        with self._lock:
            short = any(c.xs and c.xs[-1] < 0.5 * self._limits[c.group][1]
                        for c in self._curves.values() if c.group in self._limits)
            if (short or self._badly_fitted()) and not self._tight:
                self._tight = self._stale = self._changed = True
            if self._changed:
                self.draw()

    @property
    def png(self) -> bytes:
        """The current figure as PNG bytes (drawn now if it is out of date), e.g. for a static copy."""
        with self._lock:
            self.finish()
            return _canvas_image(self._fig, "PNG")

    def history(self, source: str = "") -> Any:
        """The rows recorded from ``source`` in the current run, as a :class:`bcolearn.training.History`."""
        from bcolearn.training import History

        return History(self.rows.get(source, []))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def _canvas_image(fig: Figure, fmt: str) -> bytes:
    """What the canvas holds now (no redraw), as ``"JPEG"`` (quality 90) or ``"PNG"`` (light compression) bytes."""
    from PIL import Image

    canvas = fig.canvas
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return buf.getvalue()


# --- static figures ----------------------------------------------------------------------------------------


def plot_history(
    history: Sequence[Mapping[str, float]],
    keys: Sequence[str] | None = None,
    *,
    x: str | Mapping[str, str] = "auto",
    env_id: str | None = None,
    title: str = "Training curves",
) -> Figure:
    """The curves of a finished run: one axes per kind of metric, as :class:`LiveCurves` draws them.

    Each metric has the readable label and the colour it has in the live panels (:data:`METRICS`).
    Taught in notebook 03; used in notebooks 01, 04 and 05.

    Args:
        history: rows of namespaced metrics, e.g. ``train_bc(...).history``.
        keys: the metrics to draw (default: all that :func:`metric_group` assigns a group).
        x: the x key, for all groups or per group (see :class:`LiveCurves`).
        env_id: draw this task's expert and random returns as reference lines; names the action unit.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: if none of the keys can be drawn against ``x``.
    """
    rows = list(history)
    found = sorted({k for r in rows for k in r})
    group_x: dict[str, str | None] = {}
    lines = {}
    for key in keys if keys is not None else found:
        group = metric_group(key)
        if group is None:
            continue
        if group_x.get(group) is None:
            group_x[group] = _x_key(x, group, next((r for r in rows if key in r), None))
        xs, ys = _series(rows, key, group_x[group] or "")
        if len(xs):
            lines[key] = xs, ys
    if not lines:
        raise ValueError(f"Nothing to plot: no rows have both one of the keys {list(keys or found)} and the x key "
                         f"{x!r}. The history has the keys {found}.")
    groups = _groups_in_order([metric_group(k) or "other" for k in lines])
    fig = _new_figure((4.6 * len(groups) + 0.6, 3.6))
    fig.suptitle(title, wrap=True)
    for ax, group in zip(fig.subplots(1, len(groups), squeeze=False)[0], groups):
        handles = _decorate(ax, group, group_x[group] or "", env_id)
        mine = [(k, xy) for k, xy in lines.items() if metric_group(k) == group]
        drawn = [ax.plot(xs, ys, color=metric_color(key), marker="o" if len(xs) <= 25 else None, ms=3.5,
                         label=metric_label(key))[0] for key, (xs, ys) in mine]
        ax.legend(handles=drawn + handles, fontsize="small")
    return fig


def plot_learning_curves(
    curves: Mapping[str, tuple[Sequence[float], Sequence[Sequence[float]]] | Mapping[float, Sequence[float]]],
    *,
    xlabel: str = "environment steps (interactions)",
    ylabel: str = "return per episode (sum of rewards)",
    title: str = "Learning curves",
    env_id: str | None = None,
    confidence: float = 0.95,
    log_x: bool = False,
) -> Figure:
    """Mean over seeds with a bootstrap confidence band, one line per method.

    E.g. return against environment steps for BCO(α) with several α (notebook 05), or against the
    number of demonstrations for BC and BCO (notebook 06). The band at each x is the bootstrap
    confidence interval of the mean over seeds (:func:`bcolearn.bootstrap_ci`).

    Args:
        curves: for each label, either ``(xs, ys)`` with ``xs`` of shape (n_x,) and ``ys`` of shape
            (n_seeds, n_x), or a mapping from each x to the values over seeds (``{1: [..], 2: [..]}``).
        xlabel: the x axis label, with units.
        ylabel: the y axis label, with units.
        title: the figure's title.
        env_id: draw this task's expert and random returns as reference lines.
        confidence: the band's coverage.
        log_x: use a logarithmic x axis, ticked at the curves' own x values (e.g. numbers of
            demonstrations 1, 2, 5, 10).

    Returns:
        The figure.

    Raises:
        ValueError: if a curve's values do not match its x values, or ``log_x`` with an x value <= 0.
    """
    fig = _new_figure((6.4, 4.0))
    ax = fig.subplots()
    handles, all_xs = [], []
    for i, (label, data) in enumerate(curves.items()):
        xs, values = _curve_points(label, data)
        all_xs.append(xs)
        means = np.array([np.mean(v) for v in values])
        bands = np.array([bootstrap_ci(v, confidence) if len(v) > 1 else (m, m) for v, m in zip(values, means)])
        n_seeds = sorted({len(v) for v in values})
        seeds = f"{n_seeds[0]}" if len(n_seeds) == 1 else f"{n_seeds[0]}–{n_seeds[-1]}"
        color = _CURVE_COLORS[i % len(_CURVE_COLORS)]
        handles.append(ax.plot(xs, means, color=color, marker="o" if len(xs) <= 25 else None, ms=4,
                               label=f"{label} (mean of {seeds} seeds)")[0])
        ax.fill_between(xs, bands[:, 0], bands[:, 1], color=color, alpha=0.2, lw=0)
    handles.append(ax.fill_between([], [], [], color="0.5", alpha=0.3, lw=0,
                                   label=f"{confidence:.0%} bootstrap CI of the mean"))
    handles += _reference_lines(ax, env_id)
    if log_x:
        _log_x_at_data(ax, np.concatenate(all_xs))
    _set_title(ax, title)
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(handles=handles, fontsize="small")
    return fig


_CURVE_COLORS = ("C0", "C1", "C3", "C4", "C5", "C6", "C8", "C9")
"""Colours of :func:`plot_learning_curves`' lines: matplotlib's cycle without C2 (green) and C7 (grey),
the colours of the expert's and the random policy's reference lines."""


def _curve_points(label: str, data: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    if isinstance(data, Mapping):
        xs = np.array(sorted(data), dtype=float)
        return xs, [np.asarray(data[x], dtype=float).ravel() for x in sorted(data)]
    xs, ys = np.asarray(data[0], dtype=float), np.asarray(data[1], dtype=float)
    if ys.ndim == 1:
        ys = ys[None]
    if ys.ndim != 2 or ys.shape[1] != len(xs):
        raise ValueError(f"Curve {label!r}: ys must have shape (n_seeds, {len(xs)}) to match its {len(xs)} x "
                         f"values, got {ys.shape}.")
    return xs, list(ys.T)


def plot_return_distribution(
    returns_by_label: Mapping[str, Sequence[float] | EvalResult],
    env_id: str | None = None,
    *,
    title: str = "Return per episode",
) -> Figure:
    """Each policy's episode returns as dots, with their mean and 95 % bootstrap CI.

    One episode's return can mislead; this shows the spread. Taught in notebook 06.

    Args:
        returns_by_label: for each policy, its per-episode returns or an :class:`~bcolearn.EvalResult`.
        env_id: draw this task's expert and random returns as reference lines.
        title: the figure's title.

    Returns:
        The figure.
    """
    fig = _new_figure((max(4.5, 1.3 * len(returns_by_label) + 2.5), 4.0))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only
    for i, (label, data) in enumerate(returns_by_label.items()):
        values = np.asarray(data.returns if isinstance(data, EvalResult) else data, dtype=float)
        ax.scatter(i + rng.uniform(-0.18, 0.18, len(values)), values, s=14, color=f"C{i % 10}", alpha=0.55,
                   lw=0, label="one episode" if i == 0 else None)
        low, high = bootstrap_ci(values) if len(values) > 1 else (values.mean(), values.mean())
        ax.errorbar(i + 0.3, values.mean(), yerr=[[values.mean() - low], [high - values.mean()]], fmt="D",
                    color="k", ms=5, capsize=4, label="mean, 95 % CI" if i == 0 else None)
    _reference_lines(ax, env_id)
    ax.set_xticks(range(len(returns_by_label)), list(returns_by_label))
    ax.set_xlim(-0.6, len(returns_by_label) - 0.4)
    _set_title(ax, title + (f" on {env_id}" if env_id else ""))
    ax.set(xlabel="policy", ylabel="return per episode (sum of rewards)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize="small")
    return fig


STATE_NAMES: dict[str, tuple[str, ...]] = {
    "CartPole-v1": ("cart position (m)", "cart velocity (m/s)", "pole angle (rad)", "pole angular velocity (rad/s)"),
    "Acrobot-v1": ("cos θ₁ (unitless)", "sin θ₁ (unitless)", "cos θ₂ (unitless)", "sin θ₂ (unitless)",
                   "angular velocity θ̇₁ (rad/s)", "angular velocity θ̇₂ (rad/s)"),
    "MountainCar-v0": ("car position (m)", "car velocity (m/s)"),
    "Pendulum-v1": ("cos θ (unitless)", "sin θ (unitless)", "angular velocity (rad/s)"),
    "LunarLander-v3": ("x position (scaled)", "height above the pad (scaled)", "x velocity (scaled)",
                       "y velocity (scaled)", "body angle (rad)", "angular velocity (scaled)", "left leg touches (0/1)",
                       "right leg touches (0/1)"),
}
"""What each observation dimension of the bundled tasks means, with units (Gymnasium's documentation)."""

_FAIL_BOUNDS = {"CartPole-v1": {0: 2.4, 2: 12 * 2 * math.pi / 360}}  # the episode ends beyond these
_TERMINAL_MEANING = {"CartPole-v1": "episode failed here", "Acrobot-v1": "reached the goal here",
                     "MountainCar-v0": "reached the goal here", "LunarLander-v3": "landed or crashed here"}
"""What a terminal state means on each task (a failure on CartPole, success on Acrobot and MountainCar)."""


def _terminal_label(who: str, env_id: str | None) -> str:
    """A legend label for the crosses where ``who``'s episodes ended in a terminal state, e.g. "learner:
    episode failed here" on CartPole but "learner: reached the goal here" on MountainCar."""
    return f"{who}: {_TERMINAL_MEANING.get(env_id or '', 'episode ended here')}"


def plot_state_visitation(
    expert_trajs: Sequence[StateTrajectory],
    learner_trajs: Sequence[StateTrajectory],
    dims: tuple[int, int] = (0, 2),
    env_id: str | None = None,
    *,
    title: str = "Where the expert and the learner go",
) -> Figure:
    """The states visited by the expert and by the learner, in two observation dimensions.

    Shows covariate shift: where the learner's paths leave the region covered by the demonstrations,
    its policy has never seen a labelled example. Episodes that ended in a terminal state are marked
    with a cross (a failure on CartPole, the goal on Acrobot and MountainCar); for CartPole the limits
    beyond which an episode ends are drawn too. Taught in notebook 03;
    measured in notebook 06.

    Args:
        expert_trajs: the demonstrations (with or without actions).
        learner_trajs: the learner's episodes, e.g. ``collect_demos(env_id, policy, 5, seed)``.
        dims: the two observation dimensions to draw (x, y).
        env_id: names the dimensions (with units) and draws the task's failure limits.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: if a dimension does not exist in the observations.
    """
    fig = _new_figure((6.0, 4.6))
    ax = fig.subplots()
    names = STATE_NAMES.get(env_id or "", ())
    for label, trajs, color, width in (("expert", expert_trajs, "#2ca02c", 2.2), ("learner", learner_trajs,
                                                                                 "#d62728", 1.2)):
        trajs = list(trajs)
        for t in trajs:
            if max(dims) >= t.obs.shape[1]:
                raise ValueError(f"dims={dims} but the observations have only {t.obs.shape[1]} dimensions "
                                 f"(0 … {t.obs.shape[1] - 1}).")
        n_states = sum(len(t.obs) for t in trajs)
        for i, t in enumerate(trajs):
            ax.plot(t.obs[:, dims[0]], t.obs[:, dims[1]], color=color, lw=width * 0.6, alpha=0.6,
                    label=f"{label}: {len(trajs)} episode(s), {n_states} states" if i == 0 else None)
        ends = np.array([t.obs[-1, list(dims)] for t in trajs if t.terminated])
        if len(ends):
            ax.scatter(ends[:, 0], ends[:, 1], marker="x", s=50, color=color, zorder=3,
                       label=_terminal_label(label, env_id))
    bounds = _FAIL_BOUNDS.get(env_id or "", {})
    label = "episode ends beyond"
    for axis, dim in enumerate(dims):
        if dim in bounds:
            for sign in (-1, 1):
                (ax.axvline if axis == 0 else ax.axhline)(sign * bounds[dim], color="0.4", ls=":", lw=1, label=label)
                label = None
    xlabel, ylabel = (names[d] if d < len(names) else f"observation dimension {d}" for d in dims)
    _set_title(ax, title + (f" ({env_id})" if env_id else ""))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


# --- episode animations ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpisodeAnimation:
    """An episode as a self-contained HTML animation (displays itself in a notebook)."""

    html: str
    """A caption with the return, then matplotlib's JavaScript player with the frames embedded."""
    episode_return: float
    """Undiscounted return of the whole episode."""
    n_steps: int
    """Steps the episode lasted."""
    n_frames: int
    """Frames in the animation (every ``stride``-th step, and the last)."""
    stride: int
    """Steps between two frames."""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # short: a notebook stores this beside the HTML, which must not be doubled
        return (f"EpisodeAnimation(return {self.episode_return:g} in {self.n_steps} steps, {self.n_frames} frames, "
                f"one every {self.stride} steps)")


def animate_episode(
    env_id: str,
    policy: Policy,
    seed: int = 0,
    max_steps: int = 500,
    *,
    max_frames: int = 80,
    scale: float = 0.5,
    title: str | None = None,
) -> EpisodeAnimation:
    """Run one episode of ``policy`` and return it as an inline HTML animation, with its return.

    The animation is matplotlib's JavaScript player (``FuncAnimation.to_jshtml``) with the frames
    embedded as JPEG: it plays in JupyterLab and in static notebook viewers that run JavaScript, and
    needs nothing downloaded. To keep notebooks small, frames are shrunk by ``scale`` and at most
    about ``max_frames`` are kept (every ``stride``-th step, played back at the task's real speed):
    an animation takes about 250–400 KB. Taught in notebook 01; used in notebooks 03 and 05.

    Args:
        env_id: a Gymnasium id whose environment renders ``rgb_array`` frames.
        policy: any callable from observation to action (an expert, a trained policy…).
        seed: the episode starts from ``reset(seed=seed)``.
        max_steps: stop the episode after this many steps (it may end earlier).
        max_frames: keep at most about this many frames (between half and all of them).
        scale: shrink each frame by about this factor (0.5: CartPole's 600×400 becomes 300×200).
        title: the caption's title (default: the task's id).

    Returns:
        An :class:`EpisodeAnimation`: shown when it is the last expression of a cell.
    """
    from matplotlib import animation
    from matplotlib import rc_context

    from bcolearn.envs import describe_env
    from bcolearn.rollout import _to_env_action

    if max_steps < 1 or max_frames < 2 or not 0 < scale <= 1:
        raise ValueError(f"Need max_steps >= 1, max_frames >= 2 and 0 < scale <= 1; got max_steps={max_steps}, "
                         f"max_frames={max_frames}, scale={scale}.")
    info = describe_env(env_id)
    env = make_env(env_id, render_mode="rgb_array")
    try:
        fps = float(env.metadata.get("render_fps") or 30)
        obs, _ = env.reset(seed=seed)
        frames: list[tuple[int, float, np.ndarray]] = [(0, 0.0, _shrink(env.render(), scale))]
        stride, total, step, terminated = 1, 0.0, 0, False
        while step < max_steps:
            obs, reward, terminated, truncated, _ = env.step(_to_env_action(policy(obs), info))
            step, total = step + 1, total + float(reward)
            done = terminated or truncated or step == max_steps
            if step % stride == 0 or done:
                frames.append((step, total, _shrink(env.render(), scale)))
            if len(frames) > max_frames:  # keep memory and size bounded: halve the frame rate
                stride *= 2
                frames = [f for f in frames if f[0] % stride == 0]
            if done:
                break
    finally:
        env.close()
    if frames[-1][0] != step:  # the last kept frame must show the end
        frames.append((step, total, frames[-1][2]))
    height, width = frames[0][2].shape[:2]
    fig = _new_figure((width / 72, height / 72 + 0.32), layout=None, dpi=72)
    ax = fig.add_axes((0, 0, 1, height / (height + 0.32 * 72)))
    ax.set_axis_off()
    image = ax.imshow(frames[0][2])
    label = fig.text(0.5, 0.99, "", ha="center", va="top", fontsize=11)

    def show(i: int) -> list[Any]:
        t, ret, frame = frames[i]
        image.set_data(frame)
        label.set_text(f"step {t} · return so far {ret:g}")
        return [image, label]

    anim = animation.FuncAnimation(fig, show, frames=len(frames), interval=max(40.0, 1000 * stride / fps),
                                   blit=False)
    with rc_context({"animation.frame_format": "jpeg"}):  # half the size of PNG for shaded scenes
        player = _offline_buttons(anim.to_jshtml(default_mode="once"))
    ref = REFERENCE_RETURNS.get(env_id)
    context = f" (expert {ref.expert:g}, random policy {ref.random:g})" if ref else ""
    end = "ended in a terminal state" if terminated else "was cut off (time limit or max_steps)"
    shown = "every step" if stride == 1 else f"one frame every {stride} steps"
    caption = (f"<div style='font-family:sans-serif;font-size:13px;margin:4px 0'><b>{html.escape(title or env_id)}"
               f"</b>, seed {seed}: <b>return {total:g}</b>{context} in {step} steps; the episode {end}. "
               f"Showing {shown}, in real time.</div>")
    return EpisodeAnimation(caption + player, total, step, len(frames), stride)


# matplotlib's player draws its buttons with Font Awesome icons loaded from a CDN, which an offline
# classroom cannot reach; plain Unicode symbols need nothing.
_BUTTON_SYMBOLS = {  # symbols that common fonts (DejaVu Sans too) have: ⏮ and ⏭ showed as empty boxes
    "fa fa-minus": "−", "fa fa-plus": "+", "fa fa-fast-backward": "⇤", "fa fa-fast-forward": "⇥",
    "fa fa-step-backward": "◁", "fa fa-step-forward": "▷", "fa fa-play fa-flip-horizontal": "◀",
    "fa fa-play": "▶", "fa fa-pause": "❚❚",
}


def _offline_buttons(player: str) -> str:
    """The jshtml player with its Font Awesome stylesheet link removed and icons replaced by symbols."""
    player = re.sub(r"<link[^>]*font-awesome[^>]*>", "", player)
    for cls, symbol in _BUTTON_SYMBOLS.items():
        player = player.replace(f'<i class="{cls}"></i>', symbol)
    return player


def _shrink(frame: np.ndarray, scale: float) -> np.ndarray:
    """Downsample an RGB frame by the integer factor closest to 1 / scale (averaging pixel blocks)."""
    from PIL import Image

    factor = max(1, round(1 / scale))
    return np.asarray(Image.fromarray(frame).reduce(factor)) if factor > 1 else frame


def png_data_uri(png: bytes) -> str:
    """A ``data:`` URI for PNG bytes, for embedding an image in HTML output."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- figures for notebooks 04–06 ---------------------------------------------------------------------------

if TYPE_CHECKING:
    from bcolearn.nets import InverseDynamicsModel
    from bcolearn.types import Transitions


def plot_idm_coverage(
    own: Transitions,
    expert: Transitions,
    model: InverseDynamicsModel,
    dims: tuple[int, int] = (0, 1),
    env_id: str | None = None,
    *,
    title: str = "Coverage: the IDM's training data and the expert's transitions",
) -> Figure:
    """Where the IDM's training data lies, and where the expert goes, marked by whether the IDM is right there.

    Outside the region its own data covers, an inverse dynamics model extrapolates and its labels are
    guesses. Taught in notebook 04.

    Args:
        own: the transitions the IDM was trained on (e.g. a random policy's).
        expert: the expert's transitions with their true actions (known here only because the expert
            is a program; a real state-only demonstration has none).
        model: the trained inverse dynamics model.
        dims: the two observation dimensions to draw (x, y).
        env_id: names the dimensions, with units.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: if a dimension does not exist in the observations.
    """
    if max(dims) >= own.obs.shape[1]:
        raise ValueError(f"dims={dims} but the observations have only {own.obs.shape[1]} dimensions "
                         f"(0 … {own.obs.shape[1] - 1}).")
    pred = model.predict(expert.obs, expert.next_obs)
    if model.info.discrete:
        right, what = pred == expert.acts, "IDM right"
    else:  # continuous: "right" = within 10 % of the action range
        tol = 0.1 * float(np.mean(model.info.act_high - model.info.act_low))
        right = np.abs(pred - expert.acts).reshape(len(expert), -1).mean(axis=1) <= tol
        what = "IDM within 10 % of the action range"
    i, j = dims
    fig = _new_figure((6.4, 4.6))
    ax = fig.subplots()
    ax.scatter(own.obs[:, i], own.obs[:, j], s=7, color="0.65", alpha=0.5, lw=0,
               label=f"IDM training data ({len(own)} transitions)")
    ax.scatter(expert.obs[right, i], expert.obs[right, j], s=12, color="#1f77b4", lw=0,
               label=f"expert, {what} ({right.mean():.0%})")
    ax.scatter(expert.obs[~right, i], expert.obs[~right, j], s=18, color="#d62728", marker="x", lw=1,
               label=f"expert, IDM wrong ({(~right).mean():.0%})")
    names = STATE_NAMES.get(env_id or "", ())
    xlabel, ylabel = (names[d] if d < len(names) else f"observation dimension {d}" for d in dims)
    _set_title(ax, title + (f" ({env_id})" if env_id else ""))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return fig


# --- figures for notebooks 01–03 ---------------------------------------------------------------------------


def _dim_name(env_id: str | None, dim: int) -> str:
    names = STATE_NAMES.get(env_id or "", ())
    return names[dim] if dim < len(names) else f"observation dimension {dim}"


def plot_highest_positions(
    trajs_by_label: Mapping[str, Sequence[StateTrajectory]],
    *,
    dim: int = 0,
    goal: float | None = 0.5,
    env_id: str | None = "MountainCar-v0",
    title: str = "How far each episode got",
) -> Figure:
    """A histogram, per policy, of the highest value of one state variable reached in each episode.

    On MountainCar (the default) it shows how far up the right-hand hill each episode got, and the flag:
    a random agent never gets near it, so its rewards never say what would have worked. Taught in notebook 01.

    Args:
        trajs_by_label: for each policy, its episodes (with or without actions).
        dim: the observation dimension whose per-episode maximum is counted (MountainCar: 0, the position).
        goal: draw a vertical line for the goal at this value (None: no line).
        env_id: names the dimension, with units.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: if no episodes are given or ``dim`` does not exist in the observations.
    """
    if not trajs_by_label or not all(len(list(t)) for t in trajs_by_label.values()):
        raise ValueError("Give at least one episode for each policy, e.g. {'random agent': episodes}.")
    highest = {}
    for label, trajs in trajs_by_label.items():
        trajs = list(trajs)
        if dim >= trajs[0].obs.shape[1]:
            raise ValueError(f"dim={dim} but the observations have only {trajs[0].obs.shape[1]} dimensions.")
        highest[label] = np.array([float(t.obs[:, dim].max()) for t in trajs])
    values = np.concatenate(list(highest.values()))
    lo, hi = float(values.min()), float(values.max())
    if goal is not None:
        lo, hi = min(lo, goal), max(hi, goal)
    bins = np.linspace(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo), 41)
    fig = _new_figure((6.4, 3.8))
    ax = fig.subplots()
    for i, (label, h) in enumerate(highest.items()):
        reached = f", {np.mean(h >= goal):.0%} reached the goal" if goal is not None else ""
        ax.hist(h, bins=bins, color=f"C{i % 10}", alpha=0.75, label=f"{label} ({len(h)} episodes{reached})")
    if goal is not None:
        ax.axvline(goal, color="k", ls="--", lw=1.2, label=f"goal (flag) at {goal:g}")
    _set_title(ax, title + (f" ({env_id})" if env_id else ""))
    ax.set(xlabel=f"highest {_dim_name(env_id, dim)} in the episode", ylabel="episodes")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def plot_state_trajectories(
    demos: Sequence[StateTrajectory],
    env_id: str | None = None,
    *,
    max_demos: int = 5,
    max_steps: int | None = None,
    title: str = "Expert state trajectories",
) -> Figure:
    """Every observation variable against time, one panel per variable and one line per demonstration.

    What a demonstration looks like to an observer, actions or not. Taught in notebook 02.

    Args:
        demos: trajectories (with or without actions); the first ``max_demos`` are drawn.
        env_id: names the variables, with units, and (for CartPole) draws the limits that end an episode.
        max_demos: at most this many demonstrations are drawn.
        max_steps: draw only the first ``max_steps`` steps of each (None: all), to see fast changes.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: for no demonstrations.
    """
    demos = list(demos)[:max_demos]
    if not demos:
        raise ValueError("No demonstrations to plot; collect some with bcolearn.collect_demos.")
    obs_dim = demos[0].obs.shape[1]
    cols = min(obs_dim, 3 if obs_dim % 3 == 0 else 2)
    rows = math.ceil(obs_dim / cols)
    fig = _new_figure((4.2 * cols, 2.6 * rows + 0.5))
    suffix = f" ({env_id}, {len(demos)} episodes)" if env_id else f" ({len(demos)} episodes)"
    fig.suptitle(title + suffix, wrap=True)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    bounds = _FAIL_BOUNDS.get(env_id or "", {})
    for d, ax in enumerate(axes):
        if d >= obs_dim:
            ax.set_axis_off()
            continue
        for i, t in enumerate(demos):
            obs = t.obs[: None if max_steps is None else max_steps + 1, d]
            ax.plot(np.arange(len(obs)), obs, color=f"C{i % 10}", lw=1.1, label=f"episode {i}")
        if d in bounds:
            for sign in (-1, 1):
                ax.axhline(sign * bounds[d], color="0.4", ls=":", lw=1, label="episode ends beyond" if sign < 0 else None)
        ax.set(xlabel="time step t", ylabel=_dim_name(env_id, d))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if len(handles) > 1:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 6), fontsize="small")
    return fig


def plot_action_effects(
    transitions: Any,
    dim: int,
    env_id: str | None = None,
    *,
    action_names: Mapping[int, str] | None = None,
    title: str = "What each action does to the state",
) -> Figure:
    """Histogram of the change s′ − s in one state variable, one colour per (discrete) action.

    Where the histograms do not overlap, the action can be read off the pair (s, s′): that is what an
    inverse dynamics model learns to do. Taught in notebook 02 (and notebook 04 builds the model).

    Args:
        transitions: a :class:`~bcolearn.types.Transitions` with discrete actions.
        dim: the observation dimension whose change is drawn.
        env_id: names the dimension, with units.
        action_names: a name for each action, e.g. ``{0: "push left", 1: "push right"}``.
        title: the figure's title.

    Returns:
        The figure.

    Raises:
        ValueError: for continuous actions or a dimension that does not exist.
    """
    acts = np.asarray(transitions.acts)
    if acts.ndim != 1:
        raise ValueError("plot_action_effects needs discrete actions (one integer per step); these have shape "
                         f"{acts.shape}.")
    if dim >= transitions.obs.shape[1]:
        raise ValueError(f"dim={dim} but the observations have only {transitions.obs.shape[1]} dimensions.")
    delta = transitions.next_obs[:, dim] - transitions.obs[:, dim]
    bins = np.linspace(delta.min(), delta.max(), 50)
    fig = _new_figure((6.4, 3.8))
    ax = fig.subplots()
    for a in np.unique(acts):
        name = (action_names or {}).get(int(a), "")
        ax.hist(delta[acts == a], bins=bins, color=f"C{int(a) % 10}", alpha=0.7,
                label=f"action {a}" + (f" ({name})" if name else "") + f": {np.sum(acts == a)} steps")
    _set_title(ax, title + (f" ({env_id})" if env_id else ""))
    ax.set(xlabel=f"change in {_dim_name(env_id, dim)} in one step", ylabel="transitions")
    ax.grid(alpha=0.3)
    # Below the axes: inside, it would hide the tops of the bars wherever it went.
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=1 if len(labels) > 2 else 2, fontsize="small",
               frameon=False)
    return fig


def distance_to_demos(demos: Sequence[StateTrajectory], states: np.ndarray) -> np.ndarray:
    """For each state, the distance to the nearest demonstrated state, in units of the demos' standard deviation.

    Each observation dimension is divided by its standard deviation over the demonstrations, so that
    every dimension counts alike; 0 means "a state the expert showed". Taught in notebook 03.

    Args:
        demos: the demonstrations.
        states: states to measure, shape (N, obs_dim).

    Returns:
        Distances, shape (N,).
    """
    from scipy.spatial import cKDTree

    shown = np.concatenate([t.obs for t in demos]).astype(np.float64)
    scale = shown.std(axis=0) + 1e-6
    return cKDTree(shown / scale).query(np.asarray(states, dtype=np.float64) / scale)[0]


def plot_covariate_shift(
    demos: Sequence[StateTrajectory],
    learner_trajs: Sequence[StateTrajectory],
    learner: Policy,
    expert: Policy,
    dims: tuple[int, int] = (0, 2),
    env_id: str | None = None,
    *,
    bins: Sequence[float] = (0, 1, 2, 4, 8, math.inf),
    title: str = "Covariate shift: the learner leaves the demonstrated states",
) -> Figure:
    """Where the learner goes compared with the demonstrations, and how often it then acts unlike the expert.

    Left: the learner's states, coloured by their distance to the nearest demonstrated state
    (:func:`distance_to_demos`), with the demonstrations on top and a cross where a learner episode
    ended in a terminal state (a failure on CartPole, the goal on MountainCar and Acrobot). Right: for states binned by that distance, the share where the learner's action differs from
    the one the expert would take there (discrete actions), or the mean absolute difference (continuous).
    The further from the demos, the more mistakes, which push it further away: errors compound.
    Taught in notebook 03.

    Args:
        demos: the demonstrations the learner was trained on.
        learner_trajs: the learner's own episodes.
        learner: the learnt policy (queried on the learner's states, without any noise).
        expert: the expert policy (queried on the same states).
        dims: the two observation dimensions of the left panel (x, y).
        env_id: names the dimensions, with units.
        bins: edges of the distance bins of the right panel.
        title: the figure's title.

    Returns:
        The figure.
    """
    from bcolearn.rollout import act_batch

    demos, learner_trajs = list(demos), list(learner_trajs)
    states = np.concatenate([t.obs[:-1] for t in learner_trajs])
    dist = distance_to_demos(demos, states)
    mine, theirs = act_batch(learner, states), act_batch(expert, states)
    discrete = mine.ndim == 1
    wrong = (mine != theirs).astype(float) if discrete else np.abs(mine - theirs).reshape(len(states), -1).mean(1)
    fig = _new_figure((11.0, 4.3))
    fig.suptitle(title + (f" ({env_id})" if env_id else ""), wrap=True)
    left, right = fig.subplots(1, 2, width_ratios=(1.15, 1))
    i, j = dims
    points = left.scatter(states[:, i], states[:, j], c=np.minimum(dist, bins[-2]), cmap="magma_r", s=6, lw=0,
                          label=f"learner: {len(learner_trajs)} episodes, {len(states)} states")
    fig.colorbar(points, ax=left, label="distance to nearest demo state (demo std. dev.)")
    shown = np.concatenate([t.obs for t in demos])
    left.scatter(shown[:, i], shown[:, j], s=5, color="#2ca02c", lw=0,
                 label=f"demonstrations: {len(demos)} episode(s), {len(shown)} states")
    ends = np.array([t.obs[-1, [i, j]] for t in learner_trajs if t.terminated])
    if len(ends):
        left.scatter(ends[:, 0], ends[:, 1], marker="x", s=50, color="#1f77b4", label=_terminal_label("learner", env_id))
    left.set(title="Visited states", xlabel=_dim_name(env_id, i), ylabel=_dim_name(env_id, j))
    left.grid(alpha=0.3)
    left.legend(fontsize="small", loc="best")
    edges = np.asarray(bins, dtype=float)
    which = np.digitize(dist, edges[1:-1])
    names = [f"{lo:g}–{hi:g}" if np.isfinite(hi) else f"≥ {lo:g}" for lo, hi in zip(edges[:-1], edges[1:])]
    rates = [wrong[which == b].mean() if np.any(which == b) else np.nan for b in range(len(names))]
    counts = [int(np.sum(which == b)) for b in range(len(names))]
    bars = right.bar(names, rates, color="#d62728", alpha=0.8)
    for bar, n in zip(bars, counts):
        right.annotate(f"{n} states", (bar.get_x() + bar.get_width() / 2, np.nan_to_num(bar.get_height())),
                       ha="center", va="bottom", fontsize="small")
    right.set(title="Where the learner acts unlike the expert",
              xlabel="distance to nearest demo state (demo std. dev.)",
              ylabel="share of states where learner ≠ expert" if discrete else "mean |learner − expert| action")
    right.grid(alpha=0.3, axis="y")
    return fig
