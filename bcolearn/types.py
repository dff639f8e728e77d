"""Demonstration data types: action-labelled and state-only trajectories, and flat transitions.

Taught in notebook 02. All arrays are NumPy; observations are float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bcolearn.validation import as_actions, as_flags, as_float_array, check_flag


@dataclass(frozen=True)
class StateTrajectory:
    """One episode observed without actions: the states only (e.g. from a video).

    Taught in notebook 02.
    """

    obs: np.ndarray
    """Observations s_0 … s_T, shape (T + 1, obs_dim), float32."""
    terminated: bool = False
    """True if the episode ended in a terminal state (not merely cut off by a time limit)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "terminated", check_flag("terminated", self.terminated))
        obs = as_float_array("obs", self.obs, 2)
        if len(obs) < 2:
            raise ValueError(
                f"A trajectory needs at least two observations (one transition), got obs of shape {obs.shape}."
            )
        object.__setattr__(self, "obs", obs)

    def __len__(self) -> int:
        """Number of transitions T."""
        return len(self.obs) - 1

    def __repr__(self) -> str:
        return f"StateTrajectory(T={len(self)}, obs {self.obs.shape}, terminated={self.terminated})"


@dataclass(frozen=True)
class Trajectory(StateTrajectory):
    """One episode with the actions taken: (s_0, a_0, r_1, s_1, …, s_T).

    Taught in notebook 02.
    """

    acts: np.ndarray = None  # type: ignore[assignment]
    """Actions a_0 … a_{T-1}: int64 of shape (T,) when discrete, float32 of shape (T, act_dim) when continuous."""
    rews: np.ndarray | None = None
    """Rewards r_1 … r_T, shape (T,), float32; None if unknown."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.acts is None:
            raise ValueError("An action-labelled Trajectory needs acts; use StateTrajectory for states only.")
        acts = as_actions(self.acts)
        if len(acts) != len(self):
            raise ValueError(
                f"acts has {len(acts)} entries but obs has {len(self.obs)} rows; expected len(acts) == "
                f"len(obs) - 1 = {len(self)} (obs includes the final state)."
            )
        object.__setattr__(self, "acts", acts)
        if self.rews is not None:
            rews = as_float_array("rews", self.rews, 1)
            if len(rews) != len(self):
                raise ValueError(f"rews has shape {rews.shape}; expected ({len(self)},), one reward per action.")
            object.__setattr__(self, "rews", rews)

    def __repr__(self) -> str:
        rews = f", return {self.episode_return:.1f}" if self.rews is not None else ""
        return (f"Trajectory(T={len(self)}, obs {self.obs.shape}, acts {self.acts.shape} {self.acts.dtype}{rews}, "
                f"terminated={self.terminated})")

    @property
    def episode_return(self) -> float:
        """Sum of rewards (NaN when rewards are unknown)."""
        return float(self.rews.sum()) if self.rews is not None else float("nan")


@dataclass(frozen=True)
class Transitions:
    """A flat batch of transitions (s, a, s′), e.g. for training an inverse dynamics model.

    Taught in notebooks 02 and 04.
    """

    obs: np.ndarray
    """States s, shape (N, obs_dim), float32."""
    acts: np.ndarray
    """Actions a: int64 (N,) when discrete, float32 (N, act_dim) when continuous."""
    next_obs: np.ndarray
    """Next states s′, shape (N, obs_dim), float32."""
    dones: np.ndarray
    """True where s′ is terminal, shape (N,), bool."""

    def __post_init__(self) -> None:
        obs = as_float_array("obs", self.obs, 2)
        next_obs = as_float_array("next_obs", self.next_obs, 2)
        acts = as_actions(self.acts)
        dones = as_flags("dones", self.dones)
        if len(obs) == 0:
            raise ValueError("Transitions are empty (N = 0); collect some data first.")
        if next_obs.shape != obs.shape or len(acts) != len(obs) or dones.shape != (len(obs),):
            raise ValueError(
                f"Transitions fields disagree: obs {obs.shape}, acts {acts.shape}, next_obs {next_obs.shape}, "
                f"dones {dones.shape}; all need the same first dimension N and obs/next_obs the same shape."
            )
        for name, value in (("obs", obs), ("acts", acts), ("next_obs", next_obs), ("dones", dones)):
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.obs)

    def __repr__(self) -> str:
        return (f"Transitions(N={len(self)}, obs {self.obs.shape}, acts {self.acts.shape} {self.acts.dtype}, "
                f"next_obs {self.next_obs.shape}, {int(self.dones.sum())} terminal)")


def concat_transitions(*parts: Transitions) -> Transitions:
    """Join batches of transitions into one (e.g. BCO(α) adding the policy's rollouts).

    Taught in notebook 05.

    Raises:
        TypeError: if a part is not a :class:`Transitions`.
        ValueError: for no parts, or parts with different observation sizes or kinds of action.
    """
    if not parts:
        raise ValueError("concat_transitions needs at least one Transitions to join.")
    for i, p in enumerate(parts):
        if not isinstance(p, Transitions):
            raise TypeError(f"concat_transitions: part {i} is a {type(p).__name__}, not Transitions; pass each "
                            "batch as its own argument (concat_transitions(*batches) for a list).")
    shapes = {(p.obs.shape[1], p.acts.dtype.kind, p.acts.shape[1:]) for p in parts}
    if len(shapes) > 1:
        found = ", ".join(f"obs size {o} with {'discrete' if k == 'i' else 'continuous'} actions {a}"
                          for o, k, a in sorted(shapes))
        raise ValueError(f"concat_transitions: the parts come from different tasks ({found}); join batches "
                         "of one task only.")
    return Transitions(
        obs=np.concatenate([p.obs for p in parts]),
        acts=np.concatenate([p.acts for p in parts]),
        next_obs=np.concatenate([p.next_obs for p in parts]),
        dones=np.concatenate([p.dones for p in parts]),
    )


def drop_actions(demos: Sequence[Trajectory]) -> list[StateTrajectory]:
    """Forget the actions: what an observer of the expert (e.g. a video) would have.

    Taught in notebook 02.

    Args:
        demos: action-labelled trajectories.

    Returns:
        State-only trajectories with the same observations.
    """
    demos = check_demos(demos)
    return [StateTrajectory(obs=t.obs, terminated=t.terminated) for t in demos]


def to_transitions(demos: Sequence[Trajectory]) -> Transitions:
    """Flatten action-labelled trajectories into one batch of (s, a, s′) transitions.

    Taught in notebook 03.
    """
    demos = check_demos(demos, need_actions=True)
    dones = [np.r_[np.zeros(len(t) - 1, bool), [t.terminated]] for t in demos]
    return Transitions(
        obs=np.concatenate([t.obs[:-1] for t in demos]),
        acts=np.concatenate([t.acts for t in demos]),
        next_obs=np.concatenate([t.obs[1:] for t in demos]),
        dones=np.concatenate(dones),
    )


def keep_transitions(demo: Trajectory, keep: np.ndarray) -> list[Trajectory]:
    """The runs of consecutive kept transitions of one trajectory, each as a trajectory of its own.

    Used behind the scenes in notebook 05: BCO leaves out of BC the labels its inverse dynamics model
    can only guess, which cuts a demo where they lie.

    Args:
        demo: an action-labelled trajectory with T transitions.
        keep: T booleans, True for the transitions to keep.

    Returns:
        One trajectory per run of kept transitions, in order (none if nothing is kept). Only the piece that
        ends where the demo ends keeps its ``terminated`` flag; rewards are kept with their transitions.

    Raises:
        ValueError: if ``keep`` does not hold one flag per transition.
    """
    keep = as_flags("keep", keep)
    if keep.shape != (len(demo),):
        raise ValueError(f"keep has shape {keep.shape}; expected ({len(demo)},), one flag per transition of the demo.")
    edges = np.diff(np.r_[0, keep.astype(np.int8), 0])
    pieces = []
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
        rews = demo.rews[start:stop] if demo.rews is not None else None
        pieces.append(Trajectory(obs=demo.obs[start:stop + 1], acts=demo.acts[start:stop], rews=rews,
                                 terminated=demo.terminated and stop == len(demo)))
    return pieces


def state_pairs(demos: Sequence[StateTrajectory]) -> tuple[np.ndarray, np.ndarray]:
    """All consecutive state pairs (s, s′) of state-only trajectories.

    Taught in notebook 02.

    Returns:
        ``(obs, next_obs)``, each of shape (N, obs_dim).
    """
    demos = check_demos(demos)
    return np.concatenate([t.obs[:-1] for t in demos]), np.concatenate([t.obs[1:] for t in demos])


def check_demos(
    demos: Sequence[StateTrajectory], *, need_actions: bool = False, obs_dim: int | None = None
) -> list[StateTrajectory]:
    """Validate a list of demonstrations and return it as a list.

    Used behind the scenes in notebook 02.

    Args:
        demos: trajectories (action-labelled or state-only).
        need_actions: raise if any trajectory has no actions (e.g. state-only demos given to BC).
        obs_dim: if given, the observation size the environment expects.

    Raises:
        TypeError: if ``demos`` is not a list (or one trajectory) of trajectories.
        ValueError: for empty demos, state-only demos where actions are needed, or mismatched shapes.
    """
    if isinstance(demos, StateTrajectory):
        demos = [demos]
    if isinstance(demos, (str, bytes, np.ndarray)) or not hasattr(demos, "__iter__"):
        raise TypeError(f"demos must be a list of Trajectory or StateTrajectory objects (e.g. from "
                        f"bcolearn.collect_demos), got a {type(demos).__name__}.")
    demos = list(demos)
    if not demos:
        raise ValueError("No demonstrations given (an empty list); collect some with bcolearn.collect_demos.")
    for i, t in enumerate(demos):
        if not isinstance(t, StateTrajectory):
            raise TypeError(f"demos[{i}] is a {type(t).__name__}; expected a Trajectory or StateTrajectory.")
        if need_actions and not isinstance(t, Trajectory):
            raise ValueError(
                f"demos[{i}] is state-only (a StateTrajectory), but this algorithm needs the expert's actions. "
                "Use Behavioural Cloning from Observation (bcolearn.train_bco) for state-only demos."
            )
        if obs_dim is not None and t.obs.shape[1] != obs_dim:
            raise ValueError(
                f"demos[{i}] has observations of size {t.obs.shape[1]}, but the environment's are of size "
                f"{obs_dim}; were these demos recorded in another environment?"
            )
    dims = {t.obs.shape[1] for t in demos}
    if len(dims) > 1:
        raise ValueError(f"Demonstrations have different observation sizes {sorted(dims)}; use one environment.")
    return demos
