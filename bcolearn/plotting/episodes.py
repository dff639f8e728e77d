"""Figures of whole episodes and of single steps: what a demonstration looks like (notebooks 01 and 02).

- :func:`plot_highest_positions`: how far each episode got (MountainCar's sparse reward; notebook 01).
- :func:`plot_state_trajectories`: every state variable against time (notebook 02).
- :func:`plot_action_effects`: what each action does to the state, the idea behind an IDM (notebook 02).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from bcolearn.plotting.figures import finish_axes, new_figure
from bcolearn.plotting.style import fail_bounds, state_name
from bcolearn.types import StateTrajectory

if TYPE_CHECKING:
    from bcolearn.types import Transitions


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
    fig = new_figure((6.4, 3.8))
    ax = fig.subplots()
    for i, (label, h) in enumerate(highest.items()):
        reached = f", {np.mean(h >= goal):.0%} reached the goal" if goal is not None else ""
        ax.hist(h, bins=bins, color=f"C{i % 10}", alpha=0.75, label=f"{label} ({len(h)} episodes{reached})")
    if goal is not None:
        ax.axvline(goal, color="k", ls="--", lw=1.2, label=f"goal (flag) at {goal:g}")
    finish_axes(ax, title + (f" ({env_id})" if env_id else ""), f"highest {state_name(env_id, dim)} in the episode",
                "episodes", legend={})
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
    fig = new_figure((4.2 * cols, 2.6 * rows + 0.5))
    suffix = f" ({env_id}, {len(demos)} episodes)" if env_id else f" ({len(demos)} episodes)"
    fig.suptitle(title + suffix, wrap=True)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    bounds = fail_bounds(env_id)
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
        ax.set(xlabel="time step t", ylabel=state_name(env_id, d))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if len(handles) > 1:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 6), fontsize="small")
    return fig


def plot_action_effects(
    transitions: Transitions,
    dim: int,
    env_id: str | None = None,
    *,
    action_names: Mapping[int, str] | None = None,
    title: str = "What each action does to the state",
) -> Figure:
    """Histogram of the change s′ − s in one state variable, one colour per (discrete) action.

    Where the histograms do not overlap, the action can be read off the pair (s, s′): that is what an
    inverse dynamics model learns to do. Taught in notebook 02; notebook 04 builds that model.

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
    fig = new_figure((6.4, 3.8))
    ax = fig.subplots()
    for a in np.unique(acts):
        name = (action_names or {}).get(int(a), "")
        ax.hist(delta[acts == a], bins=bins, color=f"C{int(a) % 10}", alpha=0.7,
                label=f"action {a}" + (f" ({name})" if name else "") + f": {np.sum(acts == a)} steps")
    finish_axes(ax, title + (f" ({env_id})" if env_id else ""), f"change in {state_name(env_id, dim)} in one step",
                "transitions")
    # Below the axes: inside, it would hide the tops of the bars wherever it went.
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=1 if len(labels) > 2 else 2, fontsize="small",
               frameon=False)
    return fig
