"""The curve book: training rows in, the lines of a live curve figure out (pure Python, no drawing).

A :class:`CurveBook` keeps the lines of the current run and decides how each is drawn: which axes it
belongs to (by :func:`metric_group`, or a hand-made layout of :class:`CurveAxes`), its label, colour
and style, and its points (restarting x values carried on). Two rules shape the lines:

- **runs**: :meth:`CurveBook.new_run` keeps the finished run's lines as the faded "previous run"
  (not in axes that split their lines by iteration, and not for another task);
- **iterations**: in an axes with ``split="bco/iteration"``, a new BCO iteration starts a new line and
  the earlier ones are drawn faded.

:meth:`CurveBook.lines` and :meth:`CurveBook.legend` return small frozen records that the drawer
(:mod:`.drawer`) draws and that tests read. Used by :class:`LiveCurves` (every panel, notebooks 01–06).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bcolearn.plotting.series import ContinuedSeries, x_key
from bcolearn.plotting.style import (
    OTHER_SOURCE_COLORS, SOURCE_COLORS, SPLIT_NAMES, groups_in_order, metric_color, metric_group, metric_label)

ROLES = ("previous", "earlier", "current")
"""The roles of lines, in drawing order: the previous run's, this run's earlier iterations', this run's."""


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


@dataclass(frozen=True)
class CurveLine:
    """One line as it is drawn now: a metric of one learner in one axes, in one role."""

    axes: str
    """The axes it is drawn in: a metric group (``"loss"``…) or a layout axes name."""
    source: str
    """The learner (``""``: the curves object itself; ``"BC"``, ``"BCO"`` side by side)."""
    key: str
    """The metric, e.g. ``"loss/bc"``."""
    label: str
    """Its readable name (legend label of a current line)."""
    color: str
    """Its matplotlib colour: the metric's, or the learner's."""
    style: str
    """Its learner's line style (``"-"``; ``"-."`` for a learner's second metric in one axes)."""
    role: str
    """``"current"``, ``"earlier"`` (an earlier split value, e.g. BCO iteration) or ``"previous"`` (run)."""
    xs: tuple[float, ...]
    """The x values (restarts carried on)."""
    ys: tuple[float, ...]
    """The y values."""
    split: float | None = None
    """The split key's value (e.g. the BCO iteration) it belongs to, in an axes that splits lines."""
    ident: int = 0
    """Stays the same while the line grows (the drawer keeps one artist per ident and role)."""
    marker: str = ""
    """Point marker: ``"o"`` for returns and curves of few points."""

    @property
    def ls(self) -> str:
        """The drawn line style: dashed for the previous run, else the learner's style."""
        return "--" if self.role == "previous" else self.style

    @property
    def lw(self) -> float:
        """The drawn line width."""
        return {"previous": 1.0, "earlier": 1.1}.get(self.role, 1.6)

    @property
    def alpha(self) -> float:
        """Opacity: the previous run's and earlier iterations' lines are faded."""
        return {"previous": 0.45, "earlier": 0.35}.get(self.role, 1.0)


@dataclass(frozen=True)
class LegendEntry:
    """One entry of an axes' legend (reference lines come after these)."""

    label: str
    color: str
    ls: str = "-"
    lw: float = 1.6
    alpha: float = 1.0
    marker: str = ""


@dataclass
class _Track:
    """The book's own mutable record of one line: what it is (``head``, without points) and its points."""

    head: CurveLine
    points: ContinuedSeries = field(default_factory=ContinuedSeries)
    split: float | None = None

    @property
    def axes(self) -> str:
        return self.head.axes


class CurveBook:
    """The lines of a live curve figure, from training rows; see the module docstring for the rules.

    Attributes:
        keys: the metrics drawn (None: every metric that :func:`metric_group` assigns a group).
        x: the x key of every group, or per group (``"auto"``: from the first row).
        layout: the axes laid out by hand, or None.
        sources: the learners whose lines are expected before their first metrics arrive.
        rows: every metrics dict received in the current run, per source.
    """

    def __init__(self, keys: Sequence[str] | None = None, *, x: str | Mapping[str, str] = "auto",
                 layout: Sequence[CurveAxes] | None = None, sources: Sequence[str] = ("",)) -> None:
        self.keys = tuple(keys) if keys is not None else None
        self.x, self.sources = x, tuple(sources)
        self._ids = itertools.count()
        self._other_sources: list[str] = []  # learners without a colour of their own, in order of appearance
        self._tracks: dict[tuple[str, str], _Track] = {}
        self._earlier: list[_Track] = []
        self._previous: list[_Track] = []
        self._group_x: dict[str, str] = {}
        self.rows: dict[str, list[dict[str, float]]] = {}
        self._set_layout(layout)
        self.new_run(keep_previous=False)

    def _set_layout(self, layout: Sequence[CurveAxes] | None) -> None:
        self.layout = tuple(layout) if layout is not None else None
        self._specs = {a.name: a for a in self.layout or ()}
        self._key_axes = {k: a.name for a in self.layout or () for k in a.keys}
        if len(self._key_axes) != sum(len(a.keys) for a in self.layout or ()):
            raise ValueError("A metric may appear in only one axes of a layout.")

    # -- what the figure shows ---------------------------------------------------------------------------

    def spec(self, axes: str) -> CurveAxes | None:
        """The layout's axes of that name (None without a layout)."""
        return self._specs.get(axes)

    def kind(self, axes: str) -> str:
        """The metrics' group of an axes (``"loss"``, ``"return"``…)."""
        spec = self._specs.get(axes)
        return spec.kind if spec is not None else axes

    def split_key(self, axes: str) -> str | None:
        """The key whose changes split the lines of an axes (``"bco/iteration"``), or None."""
        spec = self._specs.get(axes)
        return spec.split if spec is not None else None

    def x_key(self, axes: str) -> str | None:
        """The x key an axes is drawn against (None until known)."""
        return self._group_x.get(axes)

    def axes_keys(self, axes: str) -> tuple[str, ...]:
        """The metrics expected in an axes (its layout keys, or the known keys of its group)."""
        spec = self._specs.get(axes)
        return spec.keys if spec is not None else tuple(k for k in self.keys or () if metric_group(k) == axes)

    def groups(self) -> list[str]:
        """The axes to draw, in order: every axes of the layout, or the groups that have lines."""
        if self.layout is not None:
            return [a.name for a in self.layout]
        return groups_in_order([t.axes for t in self._all()])

    def lines(self, role: str | None = None, axes: str | None = None) -> tuple[CurveLine, ...]:
        """The lines to draw now, in drawing order (previous run, earlier iterations, current run).

        Args:
            role: only lines of this role (``"current"``, ``"earlier"``, ``"previous"``).
            axes: only lines of this axes.
        """
        out = []
        for r, tracks in zip(ROLES, (self._previous, self._earlier, list(self._tracks.values()))):
            if role is None or role == r:
                out += [self._line(t, r) for t in tracks if axes is None or t.axes == axes]
        return tuple(out)

    def line(self, key: str, source: str = "") -> CurveLine | None:
        """The current line of ``source``'s ``key`` (None if it is not drawn)."""
        track = self._tracks.get((source, key))
        return self._line(track, "current") if track is not None else None

    def _line(self, t: _Track, role: str) -> CurveLine:
        n = len(t.points.xs)
        few = n <= 2 or (self._group_x.get(t.axes) not in ("epoch", None) and n <= 25)
        marker = "o" if role == "current" and (self.kind(t.axes) == "return" or few) else ""
        return replace(t.head, role=role, xs=tuple(t.points.xs), ys=tuple(t.points.ys), split=t.split, marker=marker)

    def legend(self, axes: str) -> tuple[LegendEntry, ...]:
        """The legend of one axes: one entry per line of this run; once an axes that splits its lines has
        earlier ones, its current lines name their iteration and "earlier iterations" follows (from then on,
        a new iteration changes only a number); "previous run" if the previous run is drawn there."""
        marker = "o" if self.kind(axes) == "return" or self._group_x.get(axes) not in ("epoch", None) else ""
        earlier = [t for t in self._earlier if t.axes == axes]
        split_key = self.split_key(axes) or ""
        split_name = SPLIT_NAMES.get(split_key, split_key)
        entries: dict[str, LegendEntry] = {}
        for t in self._tracks.values():
            if t.axes == axes:
                named = t.split is not None and any(e.head.label == t.head.label for e in earlier)
                label = f"{t.head.label}, {split_name} {t.split:g}" if named else t.head.label
                entries.setdefault(label, LegendEntry(label, t.head.color, t.head.style, 1.6, 1.0, marker))
        if earlier:
            label = f"earlier {split_name}s" if split_name else "earlier lines"
            entries[label] = LegendEntry(label, earlier[-1].head.color, "-", 1.1, 0.35)
        if any(t.axes == axes for t in self._previous):
            entries["previous run"] = LegendEntry("previous run", "0.5", "--", 1.0)
        return tuple(entries.values())

    # -- recording ---------------------------------------------------------------------------------------

    def record(self, source: str, metrics: Mapping[str, float]) -> None:
        """Add one metrics dict from ``source`` (``""``: the curves object itself) to its lines."""
        self.rows.setdefault(source, []).append(dict(metrics))
        for key, value in metrics.items():
            axes = self._axes_of(source, key)
            if axes is None:
                continue
            xkey = self._group_x.get(axes) or x_key(self.x, axes, metrics)
            if xkey is None or xkey not in metrics:
                continue
            self._group_x[axes] = xkey
            track = self._tracks.get((source, key)) or self._new_track(source, key, axes)
            split_key = self.split_key(axes)
            if split_key is not None and split_key in metrics:
                split = float(metrics[split_key])
                if track.split is not None and split != track.split and track.points.xs:  # e.g. a new BCO iteration
                    self._earlier.append(track)
                    track = self._new_track(source, key, axes, like=track)
                track.split = split
            track.points.add(float(metrics[xkey]), float(value))

    def _axes_of(self, source: str, key: str) -> str | None:
        """The axes (group, or layout axes name) where ``source``'s ``key`` is drawn; None: not drawn."""
        if self.layout is not None:
            name = self._key_axes.get(key)
            sources = self._specs[name].sources if name is not None else None
            return name if sources is None or source in sources else None
        group = metric_group(key)
        return None if group is None or (self.keys is not None and key not in self.keys) else group

    def _new_track(self, source: str, key: str, axes: str, like: _Track | None = None) -> _Track:
        """A line with the metric's label and colour, or (a named learner) the learner's colour; ``like``:
        the same label, colour and style as that line (the next iteration's line)."""
        if like is not None:
            label, color, style = like.head.label, like.head.color, like.head.style
        elif not source:
            label, color, style = metric_label(key), metric_color(key), "-"
        else:
            spec = self._specs.get(axes)
            label = source if spec is not None and len(spec.keys) == 1 else f"{source}: {metric_label(key)}"
            if source not in SOURCE_COLORS and source not in self._other_sources:
                self._other_sources.append(source)  # in order of appearance, kept from run to run
            color = SOURCE_COLORS.get(source) or OTHER_SOURCE_COLORS[
                self._other_sources.index(source) % len(OTHER_SOURCE_COLORS)]
            same = sum(1 for (s, k), t in self._tracks.items() if s == source and t.axes == axes and k != key)
            style = ("-", "-.", ":", "--")[same % 4]
        track = _Track(CurveLine(axes, source, key, label, color, style, "current", (), (), ident=next(self._ids)))
        self._tracks[(source, key)] = track
        return track

    # -- runs --------------------------------------------------------------------------------------------

    def new_run(self, *, keep_previous: bool = True, keys: Sequence[str] | None = None,
                layout: Sequence[CurveAxes] | None = None) -> None:
        """Start a new run: the current lines become the "previous run" (if ``keep_previous``).

        Args:
            keep_previous: keep the finished run's lines (not those of axes that split by iteration).
            keys: new metrics to draw (unchanged if None).
            layout: new axes (unchanged if None); another layout drops the previous run.
        """
        if layout is not None and tuple(layout) != self.layout:
            self._set_layout(layout)
            keep_previous = False
        if keys is not None:
            self.keys = tuple(keys)
        kept = [t for t in self._tracks.values() if t.points.xs and self.split_key(t.axes) is None] \
            if keep_previous else []
        self._previous, self._earlier, self._tracks = kept, [], {}
        if not self._previous:
            self._group_x = {}
        self.rows = {}
        self._expect()

    def _expect(self) -> None:
        """Empty lines for the known metrics and :attr:`sources` (when their x keys are known), so that the
        axes and legends can be drawn before training starts and need not change when a metric first arrives."""
        if self.layout is not None:
            for spec in self.layout:
                self._group_x[spec.name] = spec.x
                for source in self.sources:
                    for key in spec.keys:
                        if spec.sources is None or source in spec.sources:
                            self._new_track(source, key, spec.name)
            return
        for source in self.sources:
            for key in self.keys or ():
                group = metric_group(key)
                xkey = x_key(self.x, group) if group else None
                if group is not None and xkey is not None:
                    self._group_x.setdefault(group, xkey)
                    self._new_track(source, key, group)

    def _all(self) -> list[_Track]:
        return list(self._tracks.values()) + self._earlier + self._previous
