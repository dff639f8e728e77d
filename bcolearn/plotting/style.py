"""How metrics and tasks look in every figure: labels, colours, groups and units.

- :data:`METRICS`: the readable label and the colour of every metric (live curves and static figures).
- :func:`metric_group`: which axes of a curve figure a metric belongs to (losses, returns, accuracies…).
- :data:`X_LABELS` and :func:`y_label`: axis labels with units.
- The task tables (state names, action units, failure bounds, what a terminal state means), in one
  clearly marked block behind small accessor functions, so that they can come from one Task record.

Used by every figure of notebooks 01–06.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
import numpy as np

from bcolearn.tasks import TASKS, ReferenceReturns, find_task

X_LABELS: dict[str, str] = {
    "epoch": "epoch (passes over the training data)",
    "iteration": "iteration (policy updates)",
    "env/steps": "environment steps (interactions)",
    "bco/iteration": "BCO iteration",
    "n_demos": "expert demonstrations (episodes)",
    "dagger/iteration": "DAgger iteration",
    "expert/labels": "expert labels (queries to the expert so far)",
}
"""Axis labels, with units, for the x keys that training callbacks report."""

_SKIP = {"eval/score", "bco/iteration", "dagger/beta", "data/pairs"}  # bookkeeping, or derived from another curve

GROUPS: dict[str, tuple[str, str]] = {  # group -> (axes title, y label with units; {unit}: the action unit)
    "loss": ("Training loss", "loss per sample"),
    "return": ("Return", "return (sum of rewards)"),
    "accuracy": ("Action accuracy", "fraction of actions right"),
    "error": ("Action error", "mean absolute error ({unit})"),
    "other": ("Other metrics", "value"),
}
"""The kinds of metric, in the order their axes are drawn: (axes title, y label with units)."""


@dataclass(frozen=True)
class MetricStyle:
    """How a metric is drawn wherever it appears: its legend label and its colour."""

    label: str
    """A readable name for legends, e.g. ``"BC loss"`` for ``loss/bc``."""
    color: str
    """A matplotlib colour; never green (``C2``) or grey (``C7``): those are the expert's and the random
    policy's reference lines."""


_IDM, _EXPERT_LABELS = "C1", "C4"  # the IDM's own metrics; how well it labels the expert's transitions
METRICS: dict[str, MetricStyle] = {
    "loss/bc": MetricStyle("BC loss", "C0"),
    "loss/idm": MetricStyle("IDM loss", _IDM),
    "loss/reinforce": MetricStyle("REINFORCE loss (policy-gradient surrogate)", "C0"),
    "eval/return_mean": MetricStyle("evaluation return (mean over test episodes)", "C3"),
    "train/return_mean": MetricStyle("training return (the learner's own episodes)", "C9"),
    "train/terminations": MetricStyle("training episodes that ended in a terminal state", "C5"),
    "acc/idm": MetricStyle("IDM accuracy, held-out agent transitions", _IDM),
    "err/idm": MetricStyle("IDM action error, held-out agent transitions", _IDM),
    "acc/idm_demo": MetricStyle("IDM accuracy on the expert's transitions", _EXPERT_LABELS),
    "err/idm_demo": MetricStyle("IDM action error on the expert's transitions", _EXPERT_LABELS),
    "acc/expert": MetricStyle("IDM accuracy on the expert's transitions", _EXPERT_LABELS),
    "err/expert": MetricStyle("IDM action error on the expert's transitions", _EXPERT_LABELS),
    "loss/disc": MetricStyle("discriminator loss (binary cross-entropy)", "C5"),
    "disc/expert_prob": MetricStyle("mean D(s, s′) on the expert's transitions", _EXPERT_LABELS),
    "disc/agent_prob": MetricStyle("mean D(s, s′) on the learner's transitions", _IDM),
    "dist/off_demos": MetricStyle("share of the evaluation episodes' states off the demos", "C5"),
}
"""The one place where metrics get their readable labels and colours: live curves (:class:`LiveCurves`,
every panel) and static figures (:func:`plot_history`) alike. "Agent transitions" are the learner's own
(s, a, s′): a random policy's, and in BCO(α) also the policy's rollouts. Unknown metrics keep their key."""

_SPARE_COLORS = ("C5", "C6", "C8", "C9")  # for metrics without a style (never C2/C7: reference lines)
SOURCE_COLORS = {"BC": "C0", "BCO": "C1"}
"""Colours of learners shown side by side (the compare panel)."""
OTHER_SOURCE_COLORS = ("C3", "C4", "C5", "C6", "C8", "C9")
"""Colours of other learners, in order of appearance."""
SPLIT_NAMES = {"bco/iteration": "iteration", "dagger/iteration": "iteration"}
"""How a legend names one value of a split key (``"IDM loss, iteration 1"``)."""
CURVE_COLORS = ("C0", "C1", "C3", "C4", "C5", "C6", "C8", "C9")
"""Colours of :func:`plot_learning_curves`' lines: matplotlib's cycle without C2 (green) and C7 (grey),
the colours of the expert's and the random policy's reference lines."""
EXPERT_COLOR, RANDOM_COLOR = "#2ca02c", "#7f7f7f"
"""The reference lines' colours (matplotlib's C2 and C7)."""


def metric_label(key: str) -> str:
    """The readable label of a metric (e.g. ``"loss/bc"`` → ``"BC loss"``), or the key itself if unknown.

    Used by every curve figure (notebooks 01 and 03–06); the labels live in :data:`METRICS`.
    """
    style = METRICS.get(key)
    return style.label if style is not None else key


def metric_color(key: str) -> str:
    """The colour of a metric: from :data:`METRICS`, or (unknown metrics) one picked by its name, the same
    in every figure. Never the green or grey of the reference lines."""
    style = METRICS.get(key)
    if style is not None:
        return style.color
    return _SPARE_COLORS[zlib.crc32(key.encode()) % len(_SPARE_COLORS)]


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


def groups_in_order(groups: Sequence[str]) -> list[str]:
    """The distinct groups among ``groups``, in the order of :data:`GROUPS`."""
    return [g for g in GROUPS if g in set(groups)]


def y_label(group: str, env_id: str | None) -> str:
    """The y-axis label, with units, of a group's axes (the action unit of ``env_id`` for errors)."""
    return GROUPS[group][1].format(unit=action_unit(env_id))


# === Task data =============================================================================================
# What plotting knows about each task comes from its Task record (bcolearn.tasks), through these accessors.

STATE_NAMES: dict[str, tuple[str, ...]] = {env_id: task.state_names for env_id, task in TASKS.items()}
"""What each observation dimension of the bundled tasks means, with units (from :mod:`bcolearn.tasks`)."""

ACTION_UNITS: dict[str, str] = {env_id: task.action_unit for env_id, task in TASKS.items()
                                if task.action_unit != "action units"}
"""The unit of the actions of tasks with continuous actions (Pendulum: a torque); others: "action units"."""


def action_unit(env_id: str | None) -> str:
    """The unit of a task's continuous actions (``"N·m"`` on Pendulum), else ``"action units"``."""
    task = find_task(env_id or "")
    return task.action_unit if task else "action units"


def state_name(env_id: str | None, dim: int) -> str:
    """What observation dimension ``dim`` of ``env_id`` means, with its unit (or its number, if unknown)."""
    task = find_task(env_id or "")
    names = task.state_names if task else ()
    return names[dim] if dim < len(names) else f"observation dimension {dim}"


def fail_bounds(env_id: str | None) -> dict[int, float]:
    """Observation dimension -> the absolute value beyond which an episode ends (CartPole), else empty."""
    task = find_task(env_id or "")
    return dict(task.fail_bounds) if task else {}


def terminal_label(who: str, env_id: str | None) -> str:
    """A legend label for the crosses where ``who``'s episodes ended in a terminal state, e.g. "learner:
    episode failed here" on CartPole but "learner: reached the goal here" on MountainCar."""
    task = find_task(env_id or "")
    return f"{who}: {task.terminal_meaning if task else 'episode ended here'}"


def reference_returns(env_id: str | None) -> ReferenceReturns | None:
    """The expert's and a random policy's return on ``env_id`` (None for other tasks)."""
    task = find_task(env_id or "")
    return task.reference if task else None


@functools.lru_cache(maxsize=32)
def action_space(env_id: str) -> tuple[int, float]:
    """(number of discrete actions, 0) or (0, mean half-range of the continuous actions); (0, 0) if unknown."""
    from bcolearn.envs import describe_env

    try:
        info = describe_env(env_id)
    except Exception:  # noqa: BLE001 - an unregistered task: no prior for the axes
        return 0, 0.0
    if info.discrete:
        return info.n_actions, 0.0
    return 0, float(np.mean(info.act_high - info.act_low)) / 2

# === end of task data ======================================================================================
