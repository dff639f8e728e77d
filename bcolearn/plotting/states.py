"""State figures: where the expert and the learner go, and where an inverse dynamics model can be trusted.

- :func:`plot_state_visitation`: the states each visits, in two dimensions (covariate shift; notebooks 03, 06).
- :func:`plot_covariate_shift`: the learner's states by their distance to the demonstrations, and how
  often it acts unlike the expert there (notebook 03).
- :func:`plot_idm_coverage`: the IDM's training data against the expert's transitions (notebook 04).

Figures of whole episodes and of single transitions (notebooks 01 and 02) are in :mod:`.episodes`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bcolearn.evaluation import distance_to_demos
from bcolearn.plotting.figures import finish_axes, new_figure
from bcolearn.plotting.style import EXPERT_COLOR, fail_bounds, state_name, terminal_label
from bcolearn.types import StateTrajectory

if TYPE_CHECKING:
    from bcolearn.nets import InverseDynamicsModel
    from bcolearn.rollout import Policy
    from bcolearn.types import Transitions


def check_dims(dims: tuple[int, ...], obs_dim: int) -> None:
    """Raise a ValueError naming the dimensions if one of ``dims`` is not an observation dimension."""
    if max(dims) >= obs_dim:
        raise ValueError(f"dims={dims} but the observations have only {obs_dim} dimensions (0 … {obs_dim - 1}).")


def _mark_ends(ax: Axes, trajs: Sequence[StateTrajectory], dims: tuple[int, int], color: str, who: str,
               env_id: str | None) -> None:
    """A cross where each episode that ended in a terminal state ended, labelled with what that means."""
    ends = np.array([t.obs[-1, list(dims)] for t in trajs if t.terminated])
    if len(ends):
        ax.scatter(ends[:, 0], ends[:, 1], marker="x", s=50, color=color, zorder=3, label=terminal_label(who, env_id))


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
    beyond which an episode ends are drawn too. Taught in notebook 06: the covariate shift that
    BC suffers from, measured.

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
    fig = new_figure((6.0, 4.6))
    ax = fig.subplots()
    for label, trajs, color, width in (("expert", expert_trajs, EXPERT_COLOR, 2.2),
                                       ("learner", learner_trajs, "#d62728", 1.2)):
        trajs = list(trajs)
        for t in trajs:
            check_dims(dims, t.obs.shape[1])
        n_states = sum(len(t.obs) for t in trajs)
        for i, t in enumerate(trajs):
            ax.plot(t.obs[:, dims[0]], t.obs[:, dims[1]], color=color, lw=width * 0.6, alpha=0.6,
                    label=f"{label}: {len(trajs)} episode(s), {n_states} states" if i == 0 else None)
        _mark_ends(ax, trajs, dims, color, label, env_id)
    bounds = fail_bounds(env_id)
    label = "episode ends beyond"
    for axis, dim in enumerate(dims):
        if dim in bounds:
            for sign in (-1, 1):
                (ax.axvline if axis == 0 else ax.axhline)(sign * bounds[dim], color="0.4", ls=":", lw=1, label=label)
                label = None
    finish_axes(ax, title + (f" ({env_id})" if env_id else ""), state_name(env_id, dims[0]),
                state_name(env_id, dims[1]), legend={})
    return fig


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
    check_dims(dims, own.obs.shape[1])
    pred = model.predict(expert.obs, expert.next_obs)
    if model.info.discrete:
        right, what = pred == expert.acts, "IDM right"
    else:  # continuous: "right" = within 10 % of the action range
        tol = 0.1 * float(np.mean(model.info.act_high - model.info.act_low))
        right = np.abs(pred - expert.acts).reshape(len(expert), -1).mean(axis=1) <= tol
        what = "IDM within 10 % of the action range"
    i, j = dims
    fig = new_figure((6.4, 4.6))
    ax = fig.subplots()
    ax.scatter(own.obs[:, i], own.obs[:, j], s=7, color="0.65", alpha=0.5, lw=0,
               label=f"IDM training data ({len(own)} transitions)")
    ax.scatter(expert.obs[right, i], expert.obs[right, j], s=12, color="#1f77b4", lw=0,
               label=f"expert, {what} ({right.mean():.0%})")
    ax.scatter(expert.obs[~right, i], expert.obs[~right, j], s=18, color="#d62728", marker="x", lw=1,
               label=f"expert, IDM wrong ({(~right).mean():.0%})")
    finish_axes(ax, title + (f" ({env_id})" if env_id else ""), state_name(env_id, i), state_name(env_id, j),
                legend={"loc": "best"})
    return fig


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
    (:func:`bcolearn.evaluation.distance_to_demos`), with the demonstrations on top and a cross where a
    learner episode ended in a terminal state (a failure on CartPole, the goal on MountainCar and
    Acrobot). Right: for states binned by that distance, the share where the learner's action differs from
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
    fig = new_figure((11.0, 4.3))
    fig.suptitle(title + (f" ({env_id})" if env_id else ""), wrap=True)
    left, right = fig.subplots(1, 2, width_ratios=(1.15, 1))
    i, j = dims
    points = left.scatter(states[:, i], states[:, j], c=np.minimum(dist, bins[-2]), cmap="magma_r", s=6, lw=0,
                          label=f"learner: {len(learner_trajs)} episodes, {len(states)} states")
    fig.colorbar(points, ax=left, label="distance to nearest demo state (demo std. dev.)")
    shown = np.concatenate([t.obs for t in demos])
    left.scatter(shown[:, i], shown[:, j], s=5, color=EXPERT_COLOR, lw=0,
                 label=f"demonstrations: {len(demos)} episode(s), {len(shown)} states")
    _mark_ends(left, learner_trajs, dims, "#1f77b4", "learner", env_id)
    finish_axes(left, "Visited states", state_name(env_id, i), state_name(env_id, j), legend={"loc": "best"},
                wrap=False)
    edges = np.asarray(bins, dtype=float)
    which = np.digitize(dist, edges[1:-1])
    names = [f"{lo:g}–{hi:g}" if np.isfinite(hi) else f"≥ {lo:g}" for lo, hi in zip(edges[:-1], edges[1:])]
    rates = [wrong[which == b].mean() if np.any(which == b) else np.nan for b in range(len(names))]
    counts = [int(np.sum(which == b)) for b in range(len(names))]
    bars = right.bar(names, rates, color="#d62728", alpha=0.8)
    for bar, n in zip(bars, counts):
        right.annotate(f"{n} states", (bar.get_x() + bar.get_width() / 2, np.nan_to_num(bar.get_height())),
                       ha="center", va="bottom", fontsize="small")
    finish_axes(right, "Where the learner acts unlike the expert", "distance to nearest demo state (demo std. dev.)",
                "share of states where learner ≠ expert" if discrete else "mean |learner − expert| action",
                grid="y", wrap=False)
    return fig
