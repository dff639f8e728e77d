"""Collecting trajectories from any policy, several environments stepped in lock-step.

A *policy* is any callable mapping one observation (shape (obs_dim,)) to one action (see
:mod:`bcolearn.policies`). Every episode is bounded: it ends when the task ends it, or after
``max_steps`` steps (by default the task's time limit, or :data:`DEFAULT_MAX_STEPS` for a task that
has none, with a warning), so no rollout can run forever.

Taught in notebook 02; used by every later notebook.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from bcolearn.config import check_count, check_seed
from bcolearn.envs import EnvInfo, describe_env, make_env
from bcolearn.policies import (BatchPolicy, Policy, _to_env_action, act_batch,  # noqa: F401  (re-exported)
                               check_env_info, check_policy, check_rng, env_actions)
from bcolearn.types import StateTrajectory, Trajectory, Transitions, check_demos, drop_actions, to_transitions

DEFAULT_MAX_STEPS = 1000
"""Episodes of a task without a time limit are cut off after this many steps unless ``max_steps`` says otherwise."""


class UnboundedTaskWarning(UserWarning):
    """A task has no time limit, so its episodes are cut off at :data:`DEFAULT_MAX_STEPS` steps."""


class RandomPolicy:
    """Uniformly random actions from a seeded generator (ignores the observation).

    Used behind the scenes in notebook 01 (behind random_policy).
    """

    def __init__(self, info: EnvInfo, rng: np.random.Generator) -> None:
        self.info = check_env_info(info)
        self.rng = check_rng(rng)

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
    return RandomPolicy(describe_env(env_id), np.random.default_rng(check_seed(seed)))


class NoisyPolicy:
    """With probability ``epsilon`` take a uniformly random action, otherwise the wrapped policy's.

    Used in notebook 03 to push a policy off the expert's states (covariate shift).
    """

    def __init__(self, policy: Policy, info: EnvInfo, epsilon: float, rng: np.random.Generator) -> None:
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
                or not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be a probability in [0, 1], got {epsilon!r:.40}.")
        self.policy, self.epsilon = check_policy(policy), float(epsilon)
        self.random = RandomPolicy(info, rng)
        self.rng = self.random.rng

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        acts = env_actions(act_batch(self.policy, obs), self.random.info)  # int64 (B,) or float32 (B, act_dim)
        flip = self.rng.random(len(obs)) < self.epsilon
        if flip.any():
            acts[flip] = self.random.act_batch(obs[flip])
        return acts

    def __call__(self, obs: np.ndarray) -> Any:
        return self.act_batch(np.asarray(obs)[None])[0]


def _episode_limit(info: EnvInfo, max_steps: int | None) -> int:
    """Steps after which an episode is cut off; warns when the task has no time limit of its own."""
    if max_steps is not None:
        return check_count(max_steps, "max_steps")
    if info.max_episode_steps is None:
        warnings.warn(
            f"{info.env_id} has no time limit (max_episode_steps=None), so an episode might never end; "
            f"episodes are cut off after {DEFAULT_MAX_STEPS} steps. Pass max_steps=... to choose the cut-off, or "
            "register the task with gymnasium.register(..., max_episode_steps=...).",
            UnboundedTaskWarning, stacklevel=4)
        return DEFAULT_MAX_STEPS
    return info.max_episode_steps


def _checked(env_id: str, policy: object, count: object, name: str, seed: object,
             max_steps: object) -> tuple[EnvInfo, int, int, int]:
    """The public functions' arguments checked, in their order: the task, the policy, the count, the seed."""
    info = describe_env(env_id)
    check_policy(policy)
    return info, check_count(count, name), check_seed(seed), _episode_limit(info, max_steps)  # type: ignore[arg-type]


def _run(
    info: EnvInfo,
    policy: Policy,
    seed: int,
    limit: int,
    *,
    n_episodes: int | None = None,
    n_steps: int | None = None,
    n_envs: int = 16,
) -> list[Trajectory]:
    """Run ``policy`` until ``n_episodes`` episodes end, or ``n_steps`` steps are taken.

    Episode ``j`` starts from ``env.reset(seed=seed + j)`` and is cut off (``terminated=False``)
    after ``limit`` steps. With a step budget, the episodes still running when it is spent are
    returned cut short (``terminated=False``). The caller has checked the arguments (:func:`_checked`).
    """
    env_id = info.env_id
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
            o, _ = envs[slot].reset(seed=seed + next_episode)
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

            def where(i: int, active: list[int] = active) -> str:
                j = slot_episode[active[i]]
                return f" at step {len(episodes[j]['acts'])} of episode {j}"

            acts = env_actions(act_batch(policy, obs[active]), info, where)
            for slot, a in zip(active, acts.tolist() if info.discrete else acts):
                o, r, terminated, truncated, _ = envs[slot].step(a)
                ep = episodes[slot_episode[slot]]
                ep["obs"].append(o)
                ep["acts"].append(a)
                ep["rews"].append(r)
                obs[slot] = o
                if terminated or truncated or len(ep["acts"]) >= limit:
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


def collect_demos(env_id: str, policy: Policy, n_episodes: int, seed: int, *,
                  max_steps: int | None = None, step_budget: int | None = None) -> list[Trajectory]:
    """Roll out ``policy`` (e.g. an expert) for whole episodes and record them with actions.

    Taught in notebook 02.

    Args:
        env_id: a Gymnasium id.
        policy: any callable from observation to action.
        n_episodes: number of episodes (>= 1).
        seed: episode ``j`` starts from ``reset(seed=seed + j)``.
        max_steps: cut each episode off after this many steps (``terminated=False``); by default the
            task's time limit, or :data:`DEFAULT_MAX_STEPS` (with a warning) for a task without one.
        step_budget: take at most this many environment steps in all; the episodes still running when it
            is spent end there (``terminated=False``) and later ones are not started (REINFORCE's budget).

    Returns:
        ``n_episodes`` action-labelled trajectories (fewer when ``step_budget`` ran out), in episode order.

    Raises:
        TypeError: for a policy that is not callable (a training result: pass ``result.policy``), or a
            count or seed that is not a whole number.
        ValueError: for an unknown task, a count or seed out of range, or an action the task cannot take
            (naming the value and the step).
    """
    info, n_episodes, seed, limit = _checked(env_id, policy, n_episodes, "n_episodes", seed, max_steps)
    budget = None if step_budget is None else check_count(step_budget, "step_budget")
    return _run(info, policy, seed, limit, n_episodes=n_episodes, n_steps=budget)


def collect_state_demos(env_id: str, policy: Policy, n_episodes: int, seed: int, *,
                        max_steps: int | None = None) -> list[StateTrajectory]:
    """Like :func:`collect_demos`, then :func:`~bcolearn.types.drop_actions`: what an observer sees.

    Taught in notebook 05.
    """
    return drop_actions(collect_demos(env_id, policy, n_episodes, seed, max_steps=max_steps))


def collect_transitions(env_id: str, policy: Policy, n_steps: int, seed: int, *,
                        max_steps: int | None = None) -> Transitions:
    """Take exactly ``n_steps`` environment steps with ``policy``; return the (s, a, s′) transitions.

    Used for BCO's pre-demonstration rollouts (taught in notebooks 04 and 05). Episodes are cut off
    after ``max_steps`` steps as in :func:`collect_demos`, and a new one starts.
    """
    info, n_steps, seed, limit = _checked(env_id, policy, n_steps, "n_steps", seed, max_steps)
    return to_transitions(_run(info, policy, seed, limit, n_steps=n_steps))


def episode_returns(trajs: Sequence[Trajectory]) -> np.ndarray:
    """Undiscounted return of each trajectory, shape (n,).

    Taught in notebook 01.
    """
    trajs = check_demos(trajs, need_actions=True)
    return np.array([t.episode_return for t in trajs])
