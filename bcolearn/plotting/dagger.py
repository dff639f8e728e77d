"""Notebook 07's own figure: how much of each learner's time is spent off the demonstrations, step by step.

Uses :func:`bcolearn.evaluation.distance_to_demos`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from bcolearn.evaluation import distance_to_demos
from bcolearn.plotting.figures import new_figure as _new_figure
from bcolearn.types import StateTrajectory


def plot_off_demo_share(
    demos: Sequence[StateTrajectory],
    learners: Mapping[str, Sequence[StateTrajectory]],
    *,
    threshold: float = 0.5,
    env_id: str | None = None,
    title: str = "Covariate shift as an episode goes on",
) -> Figure:
    """For each learner, the share of its episodes whose state at step t is off the demonstrations.

    Taught in notebook 07. A state is off when its distance to every demonstrated state
    (:func:`bcolearn.plotting.distance_to_demos`, in the demos' standard deviations) exceeds ``threshold``.

    Args:
        demos: the demonstrations the distances are measured to.
        learners: for each label (``"BC"``, ``"DAgger"``, ``"expert"``), its episodes.
        threshold: the distance beyond which a state counts as off the demos.
        env_id: named in the title.
        title: the figure's title.

    Returns:
        The figure.
    """
    fig = _new_figure((7.0, 3.8))
    ax = fig.subplots()
    colors = {"BC": "C0", "DAgger": "C3", "expert": "#2ca02c"}
    for i, (label, trajs) in enumerate(learners.items()):
        horizon = max(len(t) + 1 for t in trajs)
        off = np.full((len(trajs), horizon), np.nan)
        for row, t in zip(off, trajs):
            row[: len(t) + 1] = distance_to_demos(demos, t.obs) > threshold
        share = np.nanmean(off, axis=0)
        ax.plot(np.arange(horizon), share, color=colors.get(label, f"C{(i + 4) % 10}"),
                label=f"{label}: {np.nanmean(off):.0%} of all its states ({len(trajs)} episodes)")
    ax.set_title(title + (f" ({env_id})" if env_id else ""), wrap=True)
    ax.set(xlabel="time step t of the episode", ylabel=f"share of episodes off the demos at t\n(distance > {threshold:g} "
           "demo std. dev.)", ylim=(-0.03, 1.03))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small", loc="best")
    return fig
