"""Static result figures: a finished run's curves, learning curves over seeds, return distributions.

- :func:`plot_history`: the curves of one finished run (notebooks 03–05), as the live panels draw them.
- :func:`plot_learning_curves`: mean and bootstrap confidence band over seeds (notebooks 04–06).
- :func:`plot_return_distribution`: returns per episode of several policies (notebook 06).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from bcolearn.evaluation import EvalResult, bootstrap_ci
from bcolearn.plotting.figures import decorate_curve_axes, finish_axes, log_x_at_data, new_figure, reference_lines
from bcolearn.plotting.series import series, x_key
from bcolearn.plotting.style import CURVE_COLORS, groups_in_order, metric_color, metric_group, metric_label


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
            group_x[group] = x_key(x, group, next((r for r in rows if key in r), None))
        xs, ys = series(rows, key, group_x[group] or "")
        if len(xs):
            lines[key] = xs, ys
    if not lines:
        raise ValueError(f"Nothing to plot: no rows have both one of the keys {list(keys or found)} and the x key "
                         f"{x!r}. The history has the keys {found}.")
    groups = groups_in_order([metric_group(k) or "other" for k in lines])
    fig = new_figure((4.6 * len(groups) + 0.6, 3.6))
    fig.suptitle(title, wrap=True)
    for ax, group in zip(fig.subplots(1, len(groups), squeeze=False)[0], groups):
        handles = decorate_curve_axes(ax, group, group_x[group] or "", env_id)
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
    fig = new_figure((6.4, 5.0))
    ax = fig.subplots()
    handles, all_xs = [], []
    for i, (label, data) in enumerate(curves.items()):
        xs, values = _curve_points(label, data)
        all_xs.append(xs)
        means = np.array([np.mean(v) for v in values])
        bands = np.array([bootstrap_ci(v, confidence) if len(v) > 1 else (m, m) for v, m in zip(values, means)])
        n_seeds = sorted({len(v) for v in values})
        seeds = f"{n_seeds[0]}" if len(n_seeds) == 1 else f"{n_seeds[0]}–{n_seeds[-1]}"
        color = CURVE_COLORS[i % len(CURVE_COLORS)]
        handles.append(ax.plot(xs, means, color=color, marker="o" if len(xs) <= 25 else None, ms=4,
                               label=f"{label} (mean of {seeds} seeds)")[0])
        ax.fill_between(xs, bands[:, 0], bands[:, 1], color=color, alpha=0.2, lw=0)
    handles.append(ax.fill_between([], [], [], color="0.5", alpha=0.3, lw=0,
                                   label=f"{confidence:.0%} bootstrap CI of the mean"))
    handles += reference_lines(ax, env_id)
    if log_x:
        log_x_at_data(ax, np.concatenate(all_xs))
    # Below the axes, where it never hides a curve or its band.
    ncol = 1 if max(len(h.get_label()) for h in handles) > 32 else 2  # long labels: one column, never clipped
    finish_axes(ax, title, xlabel, ylabel, legend={"handles": handles, "loc": "upper center", "ncol": ncol,
                                                   "bbox_to_anchor": (0.5, -0.13), "frameon": False})
    return fig


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
    fig = new_figure((max(4.5, 1.3 * len(returns_by_label) + 2.5), 4.0))
    ax = fig.subplots()
    rng = np.random.default_rng(0)  # jitter only
    for i, (label, data) in enumerate(returns_by_label.items()):
        values = np.asarray(data.returns if isinstance(data, EvalResult) else data, dtype=float)
        ax.scatter(i + rng.uniform(-0.18, 0.18, len(values)), values, s=14, color=f"C{i % 10}", alpha=0.55,
                   lw=0, label="one episode" if i == 0 else None)
        low, high = bootstrap_ci(values) if len(values) > 1 else (values.mean(), values.mean())
        ax.errorbar(i + 0.3, values.mean(), yerr=[[values.mean() - low], [high - values.mean()]], fmt="D",
                    color="k", ms=5, capsize=4, label="mean, 95 % CI" if i == 0 else None)
    reference_lines(ax, env_id)
    ax.set_xticks(range(len(returns_by_label)), list(returns_by_label))
    ax.set_xlim(-0.6, len(returns_by_label) - 0.4)
    finish_axes(ax, title + (f" on {env_id}" if env_id else ""), "policy", "return per episode (sum of rewards)",
                grid="y", legend={})
    return fig
