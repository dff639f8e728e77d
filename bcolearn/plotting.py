"""Figures for the course: live training curves, static result plots and episode animations.

Every figure has a title, labelled axes with units, and a legend when it shows more than one line.
Figures are made with :class:`matplotlib.figure.Figure` directly (not ``pyplot``): they are thread-safe,
leave no global state behind, and a notebook shows a returned figure exactly once.

- :class:`LiveCurves`: a training callback that draws throttled live curves into its own image widget
  (notebooks 01, 03, 04 and 05, through :mod:`bcolearn.widgets`).
- :func:`plot_history`: the curves of one finished run (notebooks 03–05).
- :func:`plot_learning_curves`: mean and bootstrap confidence band over seeds (notebooks 05 and 06).
- :func:`plot_return_distribution`: returns per episode of several policies (notebook 06).
- :func:`plot_state_visitation`: where the expert and the learner go (covariate shift, notebooks 03 and 06).
- :func:`animate_episode`: an inline HTML animation of one episode (notebooks 01, 03 and 05).
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bcolearn.envs import make_env  # also sets SDL_VIDEODRIVER=dummy, so rendering works headless
from bcolearn.evaluation import EvalResult, bootstrap_ci
from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.types import StateTrajectory

if TYPE_CHECKING:
    import ipywidgets

    from bcolearn.rollout import Policy

__all__ = [
    "LiveCurves", "plot_history", "plot_learning_curves", "plot_return_distribution", "plot_state_visitation",
    "animate_episode", "EpisodeAnimation", "metric_group", "figure_png",
]

# --- metric names, groups and axis labels -----------------------------------------------------------------

X_LABELS: dict[str, str] = {
    "epoch": "epoch (passes over the training data)",
    "iteration": "iteration (policy updates)",
    "env/steps": "environment steps (interactions)",
    "bco/iteration": "BCO iteration",
    "n_demos": "expert demonstrations (episodes)",
}
"""Axis labels, with units, for the x keys that training callbacks report."""

_SKIP = {"eval/score", "bco/iteration"}  # bookkeeping, or derived from another curve

_GROUPS: dict[str, tuple[str, str]] = {  # group -> (axes title, y label with units)
    "loss": ("Training loss", "loss per sample"),
    "return": ("Return", "return per episode (sum of rewards)"),
    "accuracy": ("Action accuracy", "accuracy (fraction of actions right)"),
    "error": ("Action error", "mean absolute action error (action units)"),
    "other": ("Other metrics", "value"),
}


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


def _decorate(ax: Axes, group: str, xkey: str, env_id: str | None) -> list[Line2D]:
    """Title, axis labels with units and grid for one group's axes; reference lines for returns."""
    title, ylabel = _GROUPS[group]
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel(X_LABELS.get(xkey, xkey))
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=xkey in ("epoch", "iteration", "bco/iteration")))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    return _reference_lines(ax, env_id) if group == "return" else []


def _label(source: str, key: str) -> str:
    return f"{source}: {key}" if source else key


def _groups_in_order(groups: Sequence[str]) -> list[str]:
    return [g for g in _GROUPS if g in set(groups)]


# --- live curves -------------------------------------------------------------------------------------------


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

    def add(self, x: float, y: float) -> None:
        """Append a point. When x restarts (a new training phase), it carries on from the last one: BCO(α)
        trains its IDM again from epoch 1 in every iteration, so epochs 1…30, 1…30 are drawn as 1…60."""
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
    random policy's return as reference lines; accuracies; …), drawn against the x key of its group.

    Drawing is cheap and throttled. The axes, labels, legends and reference lines are rendered once
    into a saved background; a redraw only pastes it and draws the lines on top (blitting). The
    background is rendered again only when it must change (a new kind of metric, a point outside the
    axes, another task), and is kept from one run to the next. Redraws happen only while the time
    spent drawing stays under ``max_overhead`` of the time trained so far; :meth:`finish` draws the
    final state. The figure lives in its own image widget (:attr:`widget`), so it never wipes the rest
    of a notebook cell. Shown in notebook 03; used by every panel of :mod:`bcolearn.widgets`.

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
            x_max: expected largest x (e.g. the number of epochs), per group or for all; the axes start
                that wide, so that the background need not be rendered again as the run goes on.
            max_overhead: the share of the training time that drawing may take (0.05: 5 %).
            min_interval: the least time between two redraws, in seconds.
            figsize: figure size in inches.
            dpi: pixels per inch of the image.

        Raises:
            ValueError: for ``max_overhead`` outside (0, 1].
        """
        import ipywidgets

        if not 0 < max_overhead <= 1:
            raise ValueError(f"max_overhead is a share of the training time in (0, 1], got {max_overhead!r}.")
        self.keys = tuple(keys) if keys is not None else None
        self.x, self.env_id, self.title, self.x_max = x, env_id, title, x_max
        self.max_overhead, self.min_interval = max_overhead, min_interval
        self.widget: ipywidgets.Image = ipywidgets.Image(format="jpeg", layout={"max_width": "100%"})
        self.widget.add_class("bcolearn-curves")
        self._fig = _new_figure(figsize, layout=None, dpi=dpi)
        self._lock = threading.RLock()
        self._colors: dict[str, str] = {}
        self._curves: dict[tuple[str, str], _Curve] = {}
        self._previous: list[_Curve] = []
        self._group_x: dict[str, str] = {}  # the x key each group is drawn against
        self._axes: dict[str, Axes] = {}
        self._legends: dict[str, tuple[str, ...]] = {}  # the labels each axes' legend shows
        self._references: dict[str, list[Line2D]] = {}  # expert and random returns, per axes
        self._layout: tuple[tuple[str, str], ...] | None = None  # what the axes were built for
        self._background: Any = None
        self._stale = True  # the background must be rendered again
        self._limits: dict[str, tuple[float, float, float, float]] = {}  # (x0, x1, y0, y1) of each axes
        self._cost = {"full": 0.05, "blit": 0.005}  # seconds per redraw, updated as measured
        self.reset(keep_previous=False)

    # -- recording ---------------------------------------------------------------------------------------

    def __call__(self, metrics: Mapping[str, float]) -> bool:
        """Record one metrics dict (a training callback). Returns False: never stops training."""
        self._record("", metrics)
        return False

    def source(self, name: str) -> Callable[[Mapping[str, float]], bool]:
        """A callback whose curves are labelled ``"NAME: metric"`` (e.g. ``"BC"`` and ``"BCO"`` side by side)."""

        def callback(metrics: Mapping[str, float]) -> bool:
            self._record(name, metrics)
            return False

        return callback

    def _record(self, source: str, metrics: Mapping[str, float]) -> None:
        with self._lock:
            now = time.perf_counter()
            if self._t0 is None:
                self._t0 = now
            self.rows.setdefault(source, []).append(dict(metrics))
            for key, value in metrics.items():
                group = metric_group(key)
                if group is None or (self.keys is not None and key not in self.keys):
                    continue
                xkey = self._group_x.get(group) or _x_key(self.x, group, metrics)
                if xkey is None or xkey not in metrics:
                    continue
                self._group_x[group] = xkey
                curve = self._curves.get((source, key))
                if curve is None:
                    label = _label(source, key)
                    curve = self._curves[(source, key)] = _Curve(group, label, self._color(label))
                    self._stale |= label not in self._legends.get(group, ())
                curve.add(float(metrics[xkey]), float(value))
                self._stale |= not self._inside(group, curve.xs[-1], curve.ys[-1])
            self._changed = True
            self._maybe_draw(now)

    def _color(self, label: str) -> str:
        if label not in self._colors:
            self._colors[label] = f"C{len(self._colors) % 10}"
        return self._colors[label]

    def _inside(self, group: str, x: float, y: float) -> bool:
        x0, x1, y0, y1 = self._limits.get(group, (math.inf, -math.inf, math.inf, -math.inf))
        return x0 <= x <= x1 and y0 <= y <= y1

    # -- drawing -----------------------------------------------------------------------------------------

    def _maybe_draw(self, now: float) -> None:
        """Redraw if the time spent drawing stays under ``max_overhead`` of the time trained so far."""
        assert self._t0 is not None
        if now - self._last_draw < self.min_interval:
            return
        if self.draw_seconds + self._cost["full" if self._stale else "blit"] > self.max_overhead * (now - self._t0):
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

    def _draw_background(self) -> None:
        """Render everything but the lines (axes, labels, legends, reference lines) and save it.

        The axes are reused while the groups stay the same: building them (and their ticks) is about
        half the cost of a render. Then only the title, limits, legends and line artists change.
        """
        fig = self._fig
        curves = list(self._curves.values()) + self._previous
        groups = _groups_in_order([c.group for c in curves])
        layout = tuple((g, self._group_x.get(g, "")) for g in groups) + (("env", self.env_id or ""),)
        if layout != self._layout:
            self._layout, self._axes, self._legends, self._references = layout, {}, {}, {}
            fig.clear()
            self._title = fig.suptitle(self.title, fontsize="large")
            if not groups:
                fig.text(0.5, 0.5, "Waiting for the first training metrics…", ha="center", va="center", color="0.4")
            else:
                fig.subplots_adjust(left=0.08 if len(groups) > 1 else 0.09, right=0.985, bottom=0.36, top=0.85,
                                    wspace=0.3)
                for ax, group in zip(fig.subplots(1, len(groups), squeeze=False)[0], groups):
                    self._axes[group] = ax
                    self._references[group] = _decorate(ax, group, self._group_x.get(group, ""), self.env_id)
            for c in curves:
                c.line = None
        self._title.set_text(self.title)
        for group, ax in self._axes.items():
            mine = [c for c in curves if c.group == group]
            self._set_limits(ax, group, mine)
            handles = {}  # one legend entry per metric, for the current and the previous run alike
            for c in mine:
                handles.setdefault(c.label, Line2D([], [], color=c.color, lw=1.6, ms=3.5, label=c.label,
                                                   marker="o" if group == "return" else ""))
            if self._previous:
                handles["previous run"] = Line2D([], [], color="0.5", lw=1, ls="--", label="previous run")
            if tuple(handles) != self._legends.get(group):  # below the axes, where it never hides a curve
                ax.legend(handles=list(handles.values()) + self._references[group], fontsize="small", ncol=2,
                          loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, handlelength=1.8,
                          columnspacing=1.0)
                self._legends[group] = tuple(handles)
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        self._limits = {g: (*ax.get_xlim(), *ax.get_ylim()) for g, ax in self._axes.items()}
        self._stale = False

    @staticmethod
    def _marker(curve: _Curve) -> str:
        return "o" if curve.group == "return" or len(curve.xs) <= 2 else ""

    def _set_limits(self, ax: Axes, group: str, curves: Sequence[_Curve]) -> None:
        """Axes limits with head room, so that new points rarely fall outside (which forces a full redraw)."""
        xs = [x for c in curves for x in c.xs]
        ys = [y for c in curves for y in c.ys]
        hint = self.x_max if not isinstance(self.x_max, Mapping) else self.x_max.get(group)
        x_hi = max(xs or [1.0])
        if not self._tight:
            x_hi = max(float(hint), x_hi) if hint else x_hi * 1.5
        ax.set_xlim(0, x_hi * 1.04)
        if group == "accuracy":
            ax.set_ylim(0, 1.04)
            return
        ref = REFERENCE_RETURNS.get(self.env_id) if self.env_id and group == "return" else None
        lo, hi = min(ys or [0.0]), max(ys or [1.0])
        if ref is not None:
            lo, hi = min(lo, ref.random), max(hi, ref.expert)
        if group in ("loss", "error"):
            lo, hi = min(0.0, lo), hi * 1.3  # losses mostly fall: leave room above the first values
        pad = 0.08 * (hi - lo or abs(hi) or 1.0)
        ax.set_ylim(lo - pad, hi + pad)

    def _draw_lines(self) -> None:
        """Paste the saved background, then draw the previous run's and the current lines on top."""
        self._fig.canvas.restore_region(self._background)
        for c in self._previous + list(self._curves.values()):
            ax = self._axes.get(c.group)
            if ax is None:
                continue
            if c.line is None:  # lines are animated: never part of the saved background
                old = c in self._previous
                (c.line,) = ax.plot([], [], color=c.color, animated=True, ms=3.5, lw=1 if old else 1.6,
                                    ls="--" if old else "-", alpha=0.45 if old else 1.0,
                                    marker="" if old else self._marker(c))
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
    ) -> None:
        """Start a new run: the current curves become the faded "previous run" (if ``keep_previous``).

        The image keeps showing the last drawing until the new run's first redraw. The saved background
        is kept unless the title, task or x range change, so a repeated run costs only cheap redraws.

        Args:
            title: a new figure title (unchanged if None).
            env_id: a new task for the reference lines (unchanged if None).
            x_max: new x-axis hints (unchanged if None).
            keys: new metrics to draw (unchanged if None).
            keep_previous: draw the finished run's curves faded behind the new ones.
        """
        with self._lock:
            keys = tuple(keys) if keys is not None else None
            # Another task's returns and losses are on another scale: never draw them as "previous run".
            keep_previous &= env_id is None or env_id == self.env_id
            for name, value in (("title", title), ("env_id", env_id), ("x_max", x_max), ("keys", keys)):
                if value is not None and value != getattr(self, name):
                    setattr(self, name, value)
                    self._stale = True
            for c in self._previous + ([] if keep_previous else list(self._curves.values())):
                if c.line is not None:
                    c.line.remove()
                    c.line = None
            self._previous = [c for c in self._curves.values() if c.xs] if keep_previous else []
            for c in self._previous:
                if c.line is not None:
                    c.line.set(ls="--", lw=1, alpha=0.45, marker="")
            if not self._previous:
                self._group_x = {}
            self._stale |= bool(self._previous) and any("previous run" not in labels
                                                         for labels in self._legends.values())
            self._curves = {}
            self._expect()
            self.rows: dict[str, list[dict[str, float]]] = {}
            self._t0: float | None = None
            self._tight = False  # axes fitted to the data rather than to x_max
            self._last_draw = -math.inf
            self._changed = True
            self.draws = self.full_draws = 0
            self.draw_seconds = 0.0

    def _expect(self) -> None:
        """Empty curves for the given ``keys`` (when their x keys are known), so that the axes and legends
        can be drawn before training starts and need not change when a metric first arrives."""
        if self.keys is None:
            return
        for key in self.keys:
            group = metric_group(key)
            xkey = _x_key(self.x, group) if group else None
            if group is not None and xkey is not None:
                self._group_x.setdefault(group, xkey)
                self._curves[("", key)] = _Curve(group, key, self._color(key))

    def finish(self) -> None:
        """Draw the final state of the run (if anything changed since the last redraw).

        If the run ended well short of the x range it was given (Stop was pressed), the axes shrink
        to the data.
        """
        with self._lock:
            short = any(c.xs and c.xs[-1] < 0.5 * self._limits[c.group][1]
                        for c in self._curves.values() if c.group in self._limits)
            if short and not self._tight:
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

    Taught in notebook 03; used in notebooks 04 and 05.

    Args:
        history: rows of namespaced metrics, e.g. ``train_bc(...).history``.
        keys: the metrics to draw (default: all that :func:`metric_group` assigns a group).
        x: the x key, for all groups or per group (see :class:`LiveCurves`).
        env_id: draw this task's expert and random returns as reference lines.
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
        drawn = [ax.plot(xs, ys, color=f"C{list(lines).index(key) % 10}", marker="o" if len(xs) <= 25 else None,
                         ms=3.5, label=key)[0] for key, (xs, ys) in mine]
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
                       label=f"{label}: {_TERMINAL_MEANING.get(env_id or '', 'episode ended here')}")
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
    ax.legend(fontsize="small")
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
    failed. Right: for states binned by that distance, the share where the learner's action differs from
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
        left.scatter(ends[:, 0], ends[:, 1], marker="x", s=50, color="#1f77b4", label="learner episode failed here")
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
