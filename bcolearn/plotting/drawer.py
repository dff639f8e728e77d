"""The live figure's drawer: axes from a curve book's layout, their limits, and cheap redraws by blitting.

:class:`CurveDrawer` renders everything but the lines (axes, labels, legends, reference lines) once
into a saved background (:meth:`CurveDrawer.render`); a redraw pastes it and draws the book's lines on
top (:meth:`CurveDrawer.blit`). The background must be rendered again only when it changes
(:meth:`CurveDrawer.needs_render`: other axes, a new legend entry, a point outside the axes). Legends
of axes that split their lines by iteration are drawn with the lines, so that a new BCO iteration,
which only changes a number there, costs a blit and not a render. Used by :class:`LiveCurves`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.transforms import offset_copy

from bcolearn.plotting.book import CurveBook, CurveLine, LegendEntry
from bcolearn.plotting.figures import canvas_image, decorate_curve_axes, new_figure
from bcolearn.plotting.style import action_space, reference_returns

_LEGEND_BELOW_PT = 36.0  # below the axes' x tick labels and x label (10 pt fonts), in points
_CROSS_ENTROPY = {"loss/bc", "loss/idm"}  # cross-entropies for discrete actions: they start near log(n)


class CurveDrawer:
    """Draws a :class:`~bcolearn.plotting.book.CurveBook` into one matplotlib figure.

    Attributes:
        figure: the figure (constrained layout: titles, labels and the legends below the axes always fit;
            it costs time only when the background is rendered, never on a blit).
        title: the figure's title, drawn with the lines (changing it costs a blit: a panel numbers its runs there,
            so that Run shows at once that a new run started).
        env_id, x_max, ncols: what the figure shows; changing one needs a render (set :attr:`stale`).
        tight: fit the axes to the data rather than to ``x_max`` (the end of a run).
        stale: the background must be rendered again.
    """

    def __init__(self, figsize: tuple[float, float], dpi: float, *, title: str, env_id: str | None,
                 x_max: float | Mapping[str, float] | None, ncols: int | None) -> None:
        self.figure = new_figure(figsize, layout="constrained", dpi=dpi)
        self.figure.get_layout_engine().set(w_pad=4 / 72, h_pad=4 / 72, hspace=0.04, wspace=0.04)
        self.title, self.env_id, self.x_max, self.ncols = title, env_id, x_max, ncols
        self.tight, self.stale = False, True
        self._axes: dict[str, Axes] = {}
        self._legends: dict[str, tuple[LegendEntry, ...]] = {}  # what each axes' legend shows
        self._live_legends: dict[str, Legend] = {}  # legends drawn with the lines (axes split by iteration)
        self._references: dict[str, list[Line2D]] = {}  # expert and random returns, per axes
        self._artists: dict[int, tuple[Line2D, str, str]] = {}  # line ident -> (artist, role, marker)
        self._layout: Any = None  # what the axes were built for
        self._background: Any = None
        self._titled: tuple[str, Any] | None = None  # (title, the background with the title drawn on it)
        self._limits: dict[str, tuple[float, float, float, float]] = {}  # (x0, x1, y0, y1) of each axes

    @property
    def axes(self) -> dict[str, Axes]:
        """The axes drawn, by name (a metric group, or a layout axes name), in order."""
        return dict(self._axes)

    @property
    def rendered(self) -> bool:
        """Whether a background has been rendered (a blit needs one)."""
        return self._background is not None

    # -- when to render ----------------------------------------------------------------------------------

    def _layout_key(self, book: CurveBook) -> Any:
        groups = book.groups()
        return tuple((g, book.x_key(g) or "") for g in groups), self.env_id, book.layout, self.ncols

    def needs_render(self, book: CurveBook) -> bool:
        """True if a blit cannot show the book: other axes or legends, or a point outside its axes."""
        if self.stale or self._background is None or self._layout_key(book) != self._layout:
            return True
        for group in self._axes:
            if not self._same_legend(group, book.legend(group)):
                return True
        for line in book.lines():
            if line.xs and line.axes in self._limits:
                x0, x1, y0, y1 = self._limits[line.axes]
                if min(line.xs) < x0 or max(line.xs) > x1 or min(line.ys) < y0 or max(line.ys) > y1:
                    return True
        return False

    def _same_legend(self, group: str, entries: tuple[LegendEntry, ...]) -> bool:
        drawn = self._legends.get(group)
        if group in self._live_legends and drawn is not None:  # its labels are drawn with the lines
            return [(e.color, e.ls, e.lw, e.alpha) for e in entries] == [(e.color, e.ls, e.lw, e.alpha) for e in drawn]
        return entries == drawn

    def badly_fitted(self, book: CurveBook) -> bool:
        """True if some axes is much taller than its values need (e.g. drawn before training, with a guess)."""
        for group, (_, _, y0, y1) in self._limits.items():
            ys = [y for line in book.lines(axes=group) for y in line.ys]
            if ys and book.kind(group) != "accuracy":
                lo, hi = self._y_limits(book, group, ys, room=False)
                if y1 - y0 > 1.5 * (hi - lo) or lo < y0 or hi > y1:
                    return True
        return False

    def ended_short(self, book: CurveBook) -> bool:
        """True if a current line ends well short of its axes' x range (e.g. Stop was pressed)."""
        return any(line.xs and line.xs[-1] < 0.5 * self._limits[line.axes][1]
                   for line in book.lines("current") if line.axes in self._limits)

    # -- drawing -----------------------------------------------------------------------------------------

    def render(self, book: CurveBook) -> None:
        """Render everything but the lines (axes, labels, legends, reference lines) and save it.

        The axes are reused while the groups stay the same: building them (and their ticks) is about
        half the cost of a render. Then only the limits, legends and line artists change.
        """
        fig = self.figure
        layout = self._layout_key(book)
        if layout != self._layout:
            self._build_axes(book, layout)
        for group, ax in self._axes.items():
            self._set_limits(ax, book, group)
            entries = book.legend(group)
            if entries != self._legends.get(group):  # below the axes, where it never hides a curve
                handles = [Line2D([], [], label=e.label, color=e.color, ls=e.ls, lw=e.lw, alpha=e.alpha,
                                  marker=e.marker, ms=3.5) for e in entries]
                handles += self._references[group]
                wide = max(len(h.get_label()) for h in handles) > 26
                legend = ax.legend(handles=handles, fontsize="small", ncol=1 if wide else 2, loc="upper center",
                                   bbox_to_anchor=(0.5, 0.0), frameon=False, handlelength=1.8, columnspacing=1.0,
                                   borderaxespad=0.0, bbox_transform=offset_copy(
                                       ax.transAxes, fig=fig, y=-_LEGEND_BELOW_PT, units="points"))
                if book.split_key(group) is not None:
                    legend.set_animated(True)
                    self._live_legends[group] = legend
                self._legends[group] = entries
        fig.canvas.draw()
        self._background = fig.canvas.copy_from_bbox(fig.bbox)
        self._titled = None
        self._limits = {g: (*ax.get_xlim(), *ax.get_ylim()) for g, ax in self._axes.items()}
        self.stale = False

    def _build_axes(self, book: CurveBook, layout: Any) -> None:
        fig = self.figure
        groups = book.groups()
        self._layout, self._axes, self._legends, self._references = layout, {}, {}, {}
        self._live_legends, self._artists = {}, {}
        fig.clear()
        self._title = fig.suptitle(self.title, fontsize="large", animated=True)  # drawn by blit()
        if not groups:
            fig.text(0.5, 0.5, "Waiting for the first training metrics…", ha="center", va="center", color="0.4")
            return
        ncols = min(self.ncols or len(groups), len(groups))
        grid = fig.subplots(math.ceil(len(groups) / ncols), ncols, squeeze=False).ravel()
        for ax in grid[len(groups):]:
            ax.remove()
        for ax, group in zip(grid, groups):
            spec = book.spec(group)
            self._axes[group] = ax
            self._references[group] = decorate_curve_axes(
                ax, book.kind(group), book.x_key(group) or "", self.env_id,
                **({"title": spec.title, "xlabel": spec.xlabel, "ylabel": spec.ylabel} if spec else {}))

    def blit(self, book: CurveBook) -> None:
        """Paste the saved background, then draw the title, the book's lines (and the legends that change with them)."""
        assert self._background is not None, "render() first"
        canvas = self.figure.canvas
        if self._titled is None or self._titled[0] != self.title:  # the background with this title, kept
            canvas.restore_region(self._background)
            self._title.set_text(self.title)
            self.figure.draw_artist(self._title)
            self._titled = (self.title, canvas.copy_from_bbox(self.figure.bbox))
        canvas.restore_region(self._titled[1])
        lines = book.lines()
        for ident in set(self._artists) - {line.ident for line in lines}:  # lines the book no longer has
            self._artists.pop(ident)[0].remove()
        for line in lines:
            ax = self._axes.get(line.axes)
            if ax is not None:
                ax.draw_artist(self._artist(ax, line))
        for group, legend in self._live_legends.items():
            for text, entry in zip(legend.get_texts(), book.legend(group)):
                text.set_text(entry.label)
            self._axes[group].draw_artist(legend)

    def _artist(self, ax: Axes, line: CurveLine) -> Line2D:
        """The line's artist (animated: drawn by blitting, never into the saved background), restyled only
        when its role or marker changed (restyling is slow)."""
        style = {"ls": line.ls, "lw": line.lw, "alpha": line.alpha, "marker": line.marker}
        found = self._artists.get(line.ident)
        if found is None:
            (artist,) = ax.plot([], [], color=line.color, animated=True, ms=3.5, **style)
        else:
            artist = found[0]
            if found[1:] != (line.role, line.marker):
                artist.set(**style)
        self._artists[line.ident] = (artist, line.role, line.marker)
        artist.set_data(line.xs, line.ys)
        return artist

    def image(self, fmt: str = "JPEG") -> bytes:
        """What the canvas shows now, as JPEG (10× faster to encode than PNG) or PNG bytes."""
        return canvas_image(self.figure, fmt)

    # -- limits ------------------------------------------------------------------------------------------

    def _set_limits(self, ax: Axes, book: CurveBook, group: str) -> None:
        """Axes limits with head room, so that new points rarely fall outside (which forces a render);
        fitted to the data when the run is over (:attr:`tight`)."""
        lines = book.lines(axes=group)
        xs = [x for line in lines for x in line.xs]
        ys = [y for line in lines for y in line.ys]
        hint = self.x_max if not isinstance(self.x_max, Mapping) else self.x_max.get(group)
        x_hi = max(xs or [1.0])
        if not self.tight:
            x_hi = max(float(hint), x_hi) if hint else x_hi * 1.5
        if x_hi <= 0:  # only points at x = 0 (e.g. a run stopped before its first iteration): a non-empty range
            x_hi = float(hint) if hint else 1.0
        ax.set_xlim(0, x_hi * 1.04)
        ax.set_ylim(*self._y_limits(book, group, ys, room=not self.tight))

    def _y_limits(self, book: CurveBook, group: str, ys: Sequence[float], room: bool) -> tuple[float, float]:
        """The y range for these values: returns always show the reference returns, losses and errors
        start at 0; ``room`` leaves some space above (values may still rise early in a run). Without
        values yet, a guess: a cross-entropy starts near log(number of actions)."""
        kind = book.kind(group)
        if kind == "accuracy":
            return -0.02, 1.04
        ref = reference_returns(self.env_id) if kind == "return" else None
        lo, hi = (min(ys), max(ys)) if ys else (0.0, self._prior_top(book, group))
        if ref is not None:
            lo, hi = min(lo, ref.random), max(hi, ref.expert)
        if kind in ("loss", "error"):
            lo = min(0.0, lo)
            hi += 0.15 * (hi - lo) if room and ys else 0.0  # (the guess is already where a curve starts)
        pad = 0.06 * (hi - lo or abs(hi) or 1.0)
        return lo - pad, hi + pad

    def _prior_top(self, book: CurveBook, group: str) -> float:
        """Where a loss or error curve probably starts, before any value has arrived (else 1)."""
        keys = book.axes_keys(group)
        n_actions, half_range = action_space(self.env_id) if self.env_id else (0, 0.0)
        if keys and n_actions > 1 and set(keys) <= _CROSS_ENTROPY:
            return math.log(n_actions)  # an untrained policy or IDM: about uniform over the actions
        if keys and half_range and book.kind(group) == "error":
            return half_range  # e.g. guessing 0 for uniformly random actions
        return 1.0
