"""Curves out of training rows: which x key a metric is drawn against, and its (x, y) points.

Training callbacks report rows of namespaced metrics with one or more x keys (``epoch``, ``iteration``,
``env/steps``). A phase that restarts its x (BCO(α) trains its IDM again from epoch 1 in each
iteration) is carried on after the last point. Used by :func:`plot_history` (notebook 03) and by the
live curve book (every panel).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

X_CANDIDATES = ("epoch", "iteration", "env/steps", "bco/iteration")
"""With ``x="auto"``, a group is drawn against the first of these that its first row has."""


def x_key(x: str | Mapping[str, str], group: str, row: Mapping[str, float] | None = None) -> str | None:
    """The x key of ``group``: as given, or (``"auto"``) the first of :data:`X_CANDIDATES` in ``row``.

    Args:
        x: one x key for all groups, or a mapping from group (or ``"default"``) to x key; ``"auto"``.
        group: a metric group (``"loss"``…) or a layout axes name.
        row: the group's first row, for ``"auto"``.

    Returns:
        The x key, or None if ``"auto"`` finds none (yet).
    """
    chosen = x if isinstance(x, str) else x.get(group, x.get("default", "auto"))
    if chosen != "auto":
        return chosen
    return next((c for c in X_CANDIDATES if row is not None and c in row), None)


class ContinuedSeries:
    """The points of one curve, with restarting x values carried on after the last point.

    Attributes:
        xs: the x values drawn (continued), in order of arrival.
        ys: the y values.
    """

    def __init__(self) -> None:
        self.xs: list[float] = []
        self.ys: list[float] = []
        self._last_raw = -np.inf
        self._offset = 0.0

    def add(self, x: float, y: float) -> None:
        """Append a point. When x restarts (a new training phase), it carries on from the last one: BCO(α)
        trains its IDM again from epoch 1 in every iteration, so epochs 1…30, 1…30 are drawn as 1…60."""
        if x <= self._last_raw:
            self._offset = self.xs[-1]
        self._last_raw = x
        self.xs.append(x + self._offset)
        self.ys.append(y)


def series(rows: Sequence[Mapping[str, float]], key: str, x: str) -> tuple[np.ndarray, np.ndarray]:
    """``(xs, ys)`` of ``key`` over the rows that also have ``x``, with restarting x values continued.

    Args:
        rows: training rows, e.g. ``train_bc(...).history``.
        key: the metric, e.g. ``"loss/idm"``.
        x: the x key, e.g. ``"epoch"``.

    Returns:
        Two arrays of shape (n,): the x values (continued) and the metric's values.
    """
    curve = ContinuedSeries()
    for row in rows:
        if key in row and x in row:
            curve.add(float(row[x]), float(row[key]))
    return np.asarray(curve.xs), np.asarray(curve.ys)
