"""Figures of notebook 08 (GAIfO): the GAIfO runs of one figure, and the interactions comparison.

Taught in notebook 08.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from bcolearn.tasks import REFERENCE_RETURNS
from bcolearn.plotting.figures import new_figure as _new_figure


def plot_gaifo_runs(runs: Mapping[str, Sequence[Mapping[str, float]]], *, env_id: str | None = None,
                    title: str = "GAIfO") -> Figure:
    """Return and discriminator outputs against environment steps, one colour per run.

    Taught in notebook 08.

    Args:
        runs: for each label, a GAIfO history (rows with ``env/steps``, ``eval/return_mean``,
            ``disc/expert_prob``, ``disc/agent_prob``).
        env_id: draw this task's expert and random returns as reference lines.
        title: the figure's title.

    Returns:
        The figure: left, the greedy policy's evaluation return; right, the mean D(s, s′) on the
        expert's transitions (solid) and on the learner's (dashed).
    """
    fig = _new_figure((10.0, 3.8))
    ax_ret, ax_d = fig.subplots(1, 2)
    for i, (label, rows) in enumerate(runs.items()):
        color = f"C{i}"
        ev = [r for r in rows if "eval/return_mean" in r]
        ax_ret.plot([r["env/steps"] for r in ev], [r["eval/return_mean"] for r in ev], color=color, marker="o", ms=3,
                    label=label)
        d = [r for r in rows if "disc/expert_prob" in r]
        xs = np.array([r["env/steps"] for r in d])
        ax_d.plot(xs, [r["disc/expert_prob"] for r in d], color=color, label=f"{label}: expert's transitions")
        ax_d.plot(xs, [r["disc/agent_prob"] for r in d], color=color, ls="--", label=f"{label}: learner's transitions")
    ref = REFERENCE_RETURNS.get(env_id) if env_id else None
    if ref is not None:
        ax_ret.axhline(ref.expert, color="#2ca02c", ls="--", lw=1.2, label=f"expert ({ref.expert:g})")
        ax_ret.axhline(ref.random, color="#7f7f7f", ls=":", lw=1.2, label=f"random policy ({ref.random:g})")
    ax_ret.set(xlabel="environment steps (interactions)", ylabel="return per episode (sum of rewards)",
               title="Greedy policy's return")
    ax_d.axhline(0.5, color="0.6", lw=0.8)
    ax_d.set(xlabel="environment steps (interactions)", ylabel="mean D(s, s′) (probability 'expert')",
             title="Discriminator's outputs", ylim=(0, 1))
    for ax in (ax_ret, ax_d):
        ax.grid(alpha=0.3)
        ax.legend(fontsize="x-small")
    fig.suptitle(title)
    return fig
