"""Live training curves in a notebook: the callback, the throttle and the image widget.

:class:`LiveCurves` is the thin widget layer over three parts: a :class:`~.book.CurveBook` (rows in,
lines out; :attr:`LiveCurves.book`), a :class:`~.drawer.CurveDrawer` (axes, limits, blitting) and a
:class:`~.throttle.DrawThrottle` (when to draw). Shown in notebook 03; used by every panel of
:mod:`bcolearn.widgets` (notebooks 01–06).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bcolearn.plotting.book import CurveAxes, CurveBook
from bcolearn.plotting.drawer import CurveDrawer
from bcolearn.plotting.throttle import DrawThrottle

if TYPE_CHECKING:
    import ipywidgets

    from bcolearn.training import History


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
    axes, axes much larger than the data, another task), and is kept from one run to the next.
    :meth:`reset` (Run) shows the new run's empty axes at once, with the previous run faded (and a new
    title, which costs no render: a panel numbers its runs there); the first data within
    ``min_interval``, then at least one frame every ``max_interval`` seconds, while the time spent
    drawing stays within ``max_overhead`` of the run's CPU time (see :class:`DrawThrottle`); rows
    that came too soon are drawn by a timer when a frame is due, if no other row comes first (during an
    evaluation, say). A new x range needs a render (0.1–0.5 s): :meth:`prepare` does it when a setting
    changes, before Run.
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
        book: the lines (:meth:`CurveBook.lines`) and legends of the current run.
        throttle: the redraw policy.
        draws: redraws in the current run.
        full_draws: redraws in the current run that also rendered the background.
        draw_seconds: CPU seconds spent drawing in the current run.
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
        max_interval: float = 0.6,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """Set up the curves (nothing is drawn until metrics arrive, :meth:`draw` or :meth:`reset`).

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
            max_overhead: the share of the run's time that drawing may take (0.05: 5 %).
            min_interval: the least time between two redraws, in seconds.
            figsize: figure size in inches.
            dpi: pixels per inch of the image.
            layout: the axes, laid out by hand (then ``keys`` and ``x`` are not used): which metrics each
                shows, against what, with what title, and whether it starts a new line per BCO iteration.
                All its axes are drawn from the start.
            ncols: axes per row (default: all in one row).
            sources: the learners (see :meth:`source`; ``""``: the curves object itself) whose legend
                entries are drawn before their first metrics arrive, when the metrics are known.
            max_interval: the most time between two redraws while metrics arrive, in seconds.
            clock: the time in seconds (injected in tests; then drawing costs are read from it too).

        Raises:
            ValueError: for ``max_overhead`` outside (0, 1], or intervals out of order.
        """
        import ipywidgets

        self.throttle = DrawThrottle(max_overhead, min_interval, max_interval, clock=clock)
        self.book = CurveBook(keys, x=x, layout=layout, sources=sources)
        self._drawer = CurveDrawer(figsize, dpi, title=title, env_id=env_id, x_max=x_max, ncols=ncols)
        self.widget: ipywidgets.Image = ipywidgets.Image(format="jpeg", layout={"max_width": "100%"})
        self.widget.add_class("bcolearn-curves")
        self._lock = threading.RLock()
        self._timer: threading.Timer | None = None
        self._flush_timers = clock is time.perf_counter  # real time only: tests with a clock of their own step it
        self._new_counts()

    def _new_counts(self) -> None:
        self._changed = True
        self.draws = self.full_draws = 0
        self.draw_seconds = 0.0

    # -- what it shows -----------------------------------------------------------------------------------

    keys = property(lambda self: self.book.keys, doc="The metrics drawn (None: all that have a group).")
    x = property(lambda self: self.book.x, doc="The x key, for all groups or per group.")
    layout = property(lambda self: self.book.layout, doc="The axes laid out by hand, or None.")
    sources = property(lambda self: self.book.sources, doc="The learners expected before their first metrics.")
    rows = property(lambda self: self.book.rows, doc="Every metrics dict of the current run, per source.")
    env_id = property(lambda self: self._drawer.env_id, doc="The task of the reference lines.")
    title = property(lambda self: self._drawer.title, doc="The figure's title.")
    x_max = property(lambda self: self._drawer.x_max, doc="The expected x range.")
    ncols = property(lambda self: self._drawer.ncols, doc="Axes per row.")
    max_overhead = property(lambda self: self.throttle.max_overhead, doc="The drawing's share of the run.")
    min_interval = property(lambda self: self.throttle.min_interval, doc="The least time between redraws.")

    @property
    def axes(self) -> dict[str, Axes]:
        """The axes drawn, by name (a metric group such as ``"loss"``, or a layout axes name), in order."""
        return self._drawer.axes

    @property
    def figure(self) -> Figure:
        """The matplotlib figure the curves are drawn in."""
        return self._drawer.figure

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

    def _record(self, source: str, metrics: Mapping[str, float]) -> None:
        with self._lock:
            self.throttle.data()
            self.book.record(source, metrics)
            self._changed = True
            if self.throttle.frame_due():
                self._draw(self._render_now())
            elif self._timer is None:  # the next rows may be long coming (an evaluation): draw these on time
                self._flush_in(self.throttle.next_frame_in())

    def _flush_in(self, seconds: float) -> None:
        if self._flush_timers:
            self._timer = threading.Timer(seconds, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        """A timer's: draw the rows that came too soon after the last frame, if they are still not drawn (when
        the throttle allows a frame, or else at the next heartbeat)."""
        with self._lock:
            self._timer = None
            if not self._changed:
                return
            if self.throttle.frame_due():
                self._draw(self._render_now())
            elif self.throttle.next_frame_in(heartbeat=True) > 0:
                self._flush_in(self.throttle.next_frame_in(heartbeat=True))

    def _render_now(self) -> bool:
        """Whether a throttled frame renders the background (else a blit, on the old one if need be)."""
        if self._drawer.needs_render(self.book):
            return self.throttle.can_render() or not self._drawer.rendered
        return self.throttle.can_render() and self._drawer.badly_fitted(self.book)

    # -- drawing -----------------------------------------------------------------------------------------

    def draw(self) -> None:
        """Redraw now (whatever the throttle says) and update the widget."""
        with self._lock:
            self._draw(self._drawer.needs_render(self.book))

    def _draw(self, full: bool) -> None:
        clock = self.throttle.cpu_clock  # what drawing costs: CPU seconds, as the budget counts them
        start = clock()
        full = full or not self._drawer.rendered
        if full:
            self._drawer.render(self.book)
        self._drawer.blit(self.book)
        self.widget.value = self._drawer.image("JPEG")
        spent = clock() - start
        self.throttle.drawn("full" if full else "blit", spent)
        self.draws += 1
        self.full_draws += full
        self.draw_seconds += spent
        self._changed = False

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
        """Start a new run: the current curves become the faded "previous run" (if ``keep_previous``), and
        the new run's empty axes are drawn at once (what the learner sees on pressing Run).

        The saved background is kept unless the task, x range or layout change, so a repeated run
        costs only cheap redraws. When it must be rendered again (0.1–0.5 s), a blit on the old one
        shows the new run at once, first. Axes that split their lines by iteration draw no previous run.

        Args:
            title: a new figure title (unchanged if None).
            env_id: a new task for the reference lines (unchanged if None).
            x_max: new x-axis hints (unchanged if None).
            keys: new metrics to draw (unchanged if None).
            keep_previous: draw the finished run's curves faded behind the new ones.
            layout: new axes (unchanged if None); another layout drops the previous run.
        """
        with self._lock:
            # Another task's returns and losses are on another scale: never draw them as "previous run".
            keep_previous &= env_id is None or env_id == self._drawer.env_id
            self._set_axes(title=title, env_id=env_id, x_max=x_max)
            self.book.new_run(keep_previous=keep_previous, keys=keys, layout=layout)
            self.throttle.start()
            self._new_counts()
            if self._drawer.rendered and self._drawer.needs_render(self.book):
                self._draw(False)  # at once, a blit: the new title, the previous run faded, on the old axes
            self.draw()  # then the new axes

    def _set_axes(self, *, title: str | None = None, env_id: str | None = None,
                  x_max: float | Mapping[str, float] | None = None) -> None:
        """New title, task or x range (None: unchanged); the background is rendered again if one changed."""
        drawer = self._drawer
        drawer.title = title if title is not None else drawer.title  # drawn with the lines: no render
        for name, value in (("env_id", env_id), ("x_max", x_max)):
            if value is not None and value != getattr(drawer, name):
                setattr(drawer, name, value)
                drawer.stale = True
        drawer.stale |= drawer.tight  # the axes were fitted to the last run: back to the x range
        drawer.tight = False

    def prepare(self, *, x_max: float | Mapping[str, float] | None = None) -> None:
        """Show the axes the next run will use, now: what a panel does when a setting changes, before Run.

        A new x range (more epochs, more BCO iterations) needs the background rendered again, which takes
        0.1–0.5 s; done here, between runs, it is not done at Run, whose first frames then come at once.
        The curves shown (the last run's, if any) stay as they are, drawn in the new axes.

        Args:
            x_max: the next run's x-axis hints (as in :meth:`reset`; unchanged if None).
        """
        with self._lock:
            self._set_axes(x_max=x_max)
            if self._drawer.needs_render(self.book):
                self.draw()

    def finish(self) -> None:
        """Draw the final state of the run (if anything changed since the last redraw).

        The axes are fitted to the data if they are much larger: if the run ended well short of the x
        range it was given (Stop was pressed), or if the y range was a guess that the values did not fill.
        """
        with self._lock:
            drawer = self._drawer
            if (drawer.ended_short(self.book) or drawer.badly_fitted(self.book)) and not drawer.tight:
                drawer.tight = drawer.stale = self._changed = True
            if self._changed:
                self.draw()

    @property
    def png(self) -> bytes:
        """The current figure as PNG bytes (drawn now if it is out of date), e.g. for a static copy."""
        with self._lock:
            self.finish()
            return self._drawer.image("PNG")

    def history(self, source: str = "") -> History:
        """The rows recorded from ``source`` in the current run, as a :class:`bcolearn.training.History`."""
        from bcolearn.training import History

        return History(self.rows.get(source, []))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
