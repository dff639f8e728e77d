"""Collecting trajectories from any policy, several environments stepped in lock-step.

A *policy* is any callable mapping one observation (shape (obs_dim,)) to one action (an int for
discrete actions, an array of shape (act_dim,) for continuous ones). Policies that also have an
``act_batch(obs)`` method (the package's torch policies, :func:`random_policy`) are called once per
step for all environments, which is much faster.

Taught in notebook 02; used by every later notebook.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from bcolearn.envs import EnvInfo, describe_env, make_env
from bcolearn.types import StateTrajectory, Trajectory, Transitions, check_demos, drop_actions, to_transitions

Policy = Callable[[np.ndarray], Any]
"""Any callable from an observation of shape (obs_dim,) to an action."""


class BatchPolicy(Protocol):
    """A policy that can also act on a batch of observations, shape (B, obs_dim)."""

    def __call__(self, obs: np.ndarray) -> Any: ...

    def act_batch(self, obs: np.ndarray) -> np.ndarray: ...


class RandomPolicy:
    """Uniformly random actions from a seeded generator (ignores the observation).

    Taught in notebook 01.
    """

    def __init__(self, info: EnvInfo, rng: np.random.Generator) -> None:
        self.info = info
        self.rng = rng

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        n = len(obs)
        if self.info.discrete:
            return self.rng.integers(self.info.n_actions, size=n)
        return self.rng.uniform(self.info.act_low, self.info.act_high, size=(n, self.info.act_dim)).astype(np.float32)

    def __call__(self, obs: np.ndarray) -> Any:
        return self.act_batch(np.asarray(obs)[None])[0]


def random_policy(env_id: str, seed: int) -> RandomPolicy:
    """A uniformly random policy for ``env_id`` with its own seeded generator.

    Taught in notebook 01.
    """
    return RandomPolicy(describe_env(env_id), np.random.default_rng(seed))


class NoisyPolicy:
    """With probability ``epsilon`` take a uniformly random action, otherwise the wrapped policy's.

    Used in notebook 03 to push a policy off the expert's states (covariate shift).
    """

    def __init__(self, policy: Policy, info: EnvInfo, epsilon: float, rng: np.random.Generator) -> None:
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be a probability in [0, 1], got {epsilon}.")
        self.policy, self.epsilon, self.rng = policy, epsilon, rng
        self.random = RandomPolicy(info, rng)

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        acts = act_batch(self.policy, obs)
        if not self.random.info.discrete:  # a plain function may return floats of shape (B,) for a 1-D action
            acts = acts.astype(np.float32).reshape(len(obs), -1)
        flip = self.rng.random(len(obs)) < self.epsilon
        if flip.any():
            acts = acts.copy()
            acts[flip] = self.random.act_batch(obs[flip])
        return acts

    def __call__(self, obs: np.ndarray) -> Any:
        return self.act_batch(np.asarray(obs)[None])[0]


def act_batch(policy: Policy, obs: np.ndarray) -> np.ndarray:
    """Actions of ``policy`` for a batch of observations (B, obs_dim), batched when it can be.

    Taught in notebook 02.
    """
    if hasattr(policy, "act_batch"):
        acts = np.asarray(policy.act_batch(obs))
    else:
        acts = np.asarray([policy(o) for o in obs])
    if len(acts) != len(obs):
        raise ValueError(f"The policy returned {len(acts)} actions for {len(obs)} observations; return one per row.")
    return acts


def _to_env_action(action: Any, info: EnvInfo) -> Any:
    if info.discrete:
        flat = np.asarray(action).reshape(-1)
        value = flat[0] if flat.size == 1 and flat.dtype.kind in "iuf" else None
        if value is None or not np.isfinite(value) or value != int(value):
            raise ValueError(f"The policy returned {action!r}; {info.env_id} expects one integer in [0, {info.n_actions}).")
        a = int(value)
        if not 0 <= a < info.n_actions:
            raise ValueError(f"The policy returned action {a}; {info.env_id} has actions 0 … {info.n_actions - 1}.")
        return a
    a = np.asarray(action, dtype=np.float32).reshape(-1)
    if a.shape != (info.act_dim,):
        raise ValueError(f"The policy returned an action of shape {a.shape}; {info.env_id} expects ({info.act_dim},).")
    return np.clip(a, info.act_low, info.act_high)


def _run(
    env_id: str,
    policy: Policy,
    seed: int,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    n_envs: int = 16,
) -> list[Trajectory]:
    """Run ``policy`` until ``n_episodes`` episodes end, or ``n_steps`` steps are taken.

    Episode ``j`` starts from ``env.reset(seed=seed + j)``. With a step budget, the episodes
    still running when it is spent are returned cut short (``terminated=False``).
    """
    info = describe_env(env_id)
    target = n_episodes if n_episodes is not None else n_steps
    if not isinstance(target, (int, np.integer)) or target < 1:
        what = "n_episodes" if n_episodes is not None else "n_steps"
        raise ValueError(f"{what} must be a positive integer, got {target!r}.")
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}.")
    n_slots = min(n_envs, n_episodes if n_episodes is not None else n_envs)
    envs = [make_env(env_id) for _ in range(n_slots)]
    episodes: dict[int, dict[str, list]] = {}
    slot_episode = [-1] * n_slots
    next_episode, steps_left = 0, n_steps
    try:
        obs = np.zeros((n_slots, info.obs_dim), np.float32)

        def start(slot: int) -> bool:
            nonlocal next_episode
            if n_episodes is not None and next_episode >= n_episodes:
                slot_episode[slot] = -1
                return False
            o, _ = envs[slot].reset(seed=int(seed) + next_episode)
            episodes[next_episode] = {"obs": [o], "acts": [], "rews": [], "terminated": False}
            slot_episode[slot], obs[slot] = next_episode, o
            next_episode += 1
            return True

        for slot in range(n_slots):
            start(slot)
        while True:
            active = [s for s in range(n_slots) if slot_episode[s] >= 0]
            if steps_left is not None:
                active = active[:steps_left]
            if not active:
                break
            acts = act_batch(policy, obs[active])
            for slot, action in zip(active, acts):
                a = _to_env_action(action, info)
                o, r, terminated, truncated, _ = envs[slot].step(a)
                ep = episodes[slot_episode[slot]]
                ep["obs"].append(o)
                ep["acts"].append(a)
                ep["rews"].append(r)
                obs[slot] = o
                if terminated or truncated:
                    ep["terminated"] = bool(terminated)
                    start(slot)
            if steps_left is not None:
                steps_left -= len(active)
                if steps_left == 0:
                    break
    finally:
        for env in envs:
            env.close()
    trajs = []
    for j in sorted(episodes):
        ep = episodes[j]
        if not ep["acts"]:
            continue
        acts = np.asarray(ep["acts"], dtype=np.int64 if info.discrete else np.float32)
        trajs.append(Trajectory(obs=np.asarray(ep["obs"]), acts=acts, rews=np.asarray(ep["rews"]), terminated=ep["terminated"]))
    return trajs


def collect_demos(env_id: str, policy: Policy, n_episodes: int, seed: int) -> list[Trajectory]:
    """Roll out ``policy`` (e.g. an expert) for whole episodes and record them with actions.

    Taught in notebook 02.

    Args:
        env_id: a Gymnasium id.
        policy: any callable from observation to action.
        n_episodes: number of episodes (>= 1).
        seed: episode ``j`` starts from ``reset(seed=seed + j)``.

    Returns:
        ``n_episodes`` action-labelled trajectories, in episode order.
    """
    return _run(env_id, policy, seed, n_episodes=n_episodes)


def collect_state_demos(env_id: str, policy: Policy, n_episodes: int, seed: int) -> list[StateTrajectory]:
    """Like :func:`collect_demos`, then :func:`~bcolearn.types.drop_actions`: what an observer sees.

    Taught in notebook 02.
    """
    return drop_actions(collect_demos(env_id, policy, n_episodes, seed))


def collect_transitions(env_id: str, policy: Policy, n_steps: int, seed: int) -> Transitions:
    """Take exactly ``n_steps`` environment steps with ``policy``; return the (s, a, s′) transitions.

    Used for BCO's pre-demonstration rollouts (taught in notebooks 04 and 05).
    """
    return to_transitions(_run(env_id, policy, seed, n_steps=n_steps))


def episode_returns(trajs: Sequence[Trajectory]) -> np.ndarray:
    """Undiscounted return of each trajectory, shape (n,).

    Taught in notebook 01.
    """
    trajs = check_demos(trajs, need_actions=True)
    return np.array([t.episode_return for t in trajs])
