"""What a policy is to bcolearn, and checking what one passes in and gets back.

A *policy* is any callable mapping one observation (shape (obs_dim,)) to one action (an int for
discrete actions, an array of shape (act_dim,) for continuous ones). Policies that also have an
``act_batch(obs)`` method (the package's torch policies, :func:`bcolearn.random_policy`) are called
once per step for all environments, which is much faster.

The actions a policy returns are checked once per batch, vectorised: ``None``, text, complex
numbers, NaN, booleans and wrong shapes are refused at the step where they appear, naming the value,
instead of being turned into NaN and found only when the episode is over.

Taught in notebook 02 (used by :mod:`bcolearn.rollout`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from bcolearn.envs import EnvInfo
from bcolearn.validation import show

Policy = Callable[[np.ndarray], Any]
"""Any callable from an observation of shape (obs_dim,) to an action."""


class BatchPolicy(Protocol):
    """A policy that can also act on a batch of observations, shape (B, obs_dim)."""

    def __call__(self, obs: np.ndarray) -> Any: ...

    def act_batch(self, obs: np.ndarray) -> np.ndarray: ...


def _type_name(value: object) -> str:
    """The type a learner wrote: ``str`` for a NumPy string, ``array`` for an ndarray."""
    if isinstance(value, np.ndarray):
        return "array"
    return type(value.item() if isinstance(value, np.generic) else value).__name__


def _bounds(info: EnvInfo) -> str:
    """The action box, e.g. ``[-2, 2]`` or ``[-1, 1] × [0, 1]``."""
    return " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in zip(info.act_low, info.act_high))  # type: ignore[arg-type]


def check_policy(policy: object, name: str = "policy") -> Policy:
    """Check that ``policy`` can act: a callable from an observation to an action.

    Used behind the scenes in notebook 02.

    Raises:
        TypeError: naming what was passed; for a training result (anything with a callable ``.policy``)
            saying to pass ``result.policy``; for a string, that the arguments may be swapped.
    """
    if callable(policy):
        return policy
    if callable(getattr(policy, "policy", None)):
        raise TypeError(f"{name} is a {type(policy).__name__} (a training result), not a policy: pass "
                        f"result.policy, the trained network inside it.")
    if isinstance(policy, str):
        raise TypeError(f"{name} is the string {policy!r}, not a policy: were the policy and env_id swapped? "
                        "collect_demos, evaluate and animate_episode all take (env_id, policy, …).")
    raise TypeError(f"{name} must be a function from an observation to an action (e.g. bcolearn.load_expert(env_id) "
                    f"or result.policy), got {show(policy)} ({type(policy).__name__}).")


def check_rng(rng: object, name: str = "rng") -> np.random.Generator:
    """Check that ``rng`` is a NumPy Generator (``numpy.random.default_rng(seed)``)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, e.g. numpy.random.default_rng(0), got "
                        f"{show(rng)} ({type(rng).__name__}).")
    return rng


def check_env_info(info: object) -> EnvInfo:
    """Check that ``info`` is an :class:`~bcolearn.envs.EnvInfo` (from ``bcolearn.describe_env(env_id)``)."""
    if not isinstance(info, EnvInfo):
        raise TypeError(f"info must be an EnvInfo from bcolearn.describe_env(env_id), got {show(info)} "
                        f"({type(info).__name__}).")
    return info


def stack_actions(actions: Any) -> np.ndarray:
    """What a policy returned, as an array; an object array (one entry per row) when the rows do not stack."""
    try:
        return np.asarray(actions)
    except (ValueError, TypeError):  # ragged: rows of different shapes
        out = np.empty(len(actions), dtype=object)
        for i, a in enumerate(actions):
            out[i] = a
        return out


def act_batch(policy: Policy, obs: np.ndarray) -> np.ndarray:
    """Actions of ``policy`` for a batch of observations (B, obs_dim), batched when it can be.

    Used behind the scenes in notebook 02.

    Raises:
        ValueError: if the policy does not return one action per observation.
    """
    if hasattr(policy, "act_batch"):
        acts = stack_actions(policy.act_batch(obs))
    else:
        acts = stack_actions([policy(o) for o in obs])
    if acts.ndim == 0 or len(acts) != len(obs):
        got = f"{len(acts)} actions" if acts.ndim else show(acts.item())
        raise ValueError(f"The policy returned {got} for {len(obs)} observations; return one per row.")
    return acts


def _one_discrete(a: object, info: EnvInfo) -> int | None:
    """``a`` as an action index, or None if it is not a whole number in range."""
    arr = np.asarray(a) if not isinstance(a, np.ndarray) else a
    if arr.size != 1 or arr.dtype.kind not in "iuf":
        return None
    value = arr.reshape(-1)[0]
    if not np.isfinite(value) or value != np.floor(value) or not 0 <= value < info.n_actions:
        return None
    return int(value)


def _discrete(acts: np.ndarray, info: EnvInfo, where: Callable[[int], str]) -> np.ndarray:
    n = len(acts)
    if acts.dtype.kind in "iuf" and acts.shape in ((n,), (n, 1)):
        flat = acts.reshape(n)
        ok = (flat >= 0) & (flat < info.n_actions)
        if acts.dtype.kind == "f":
            ok &= np.isfinite(flat) & (flat == np.floor(flat))
        if ok.all():
            return flat.astype(np.int64)
        rows = [int(v) if ok[i] else None for i, v in enumerate(flat.tolist())]
    else:
        rows = [_one_discrete(a, info) for a in acts]
    for i, value in enumerate(rows):
        if value is None:
            a = acts[i]
            arr = np.asarray(a) if not isinstance(a, np.ndarray) else a
            if arr.size == 1 and arr.dtype.kind in "iu":
                raise ValueError(f"The policy returned action {arr.reshape(-1)[0]}{where(i)}; {info.env_id} has "
                                 f"actions 0 … {info.n_actions - 1}.")
            raise ValueError(f"The policy returned {show(a)}{where(i)}; {info.env_id} expects one integer in "
                             f"[0, {info.n_actions}).")
    return np.asarray(rows, dtype=np.int64)


def _continuous(acts: np.ndarray, info: EnvInfo, where: Callable[[int], str]) -> np.ndarray:
    n, d = len(acts), info.act_dim
    if acts.dtype.kind not in "iuf" or int(np.prod(acts.shape[1:])) != d:
        for i, a in enumerate(acts):
            arr = np.asarray(a) if not isinstance(a, np.ndarray) else a
            if arr.dtype.kind not in "iuf":
                raise ValueError(f"The policy returned {show(a)} ({_type_name(a)}){where(i)}; {info.env_id} "
                                 f"expects {d} real number(s) in {_bounds(info)}, as an array of shape ({d},).")
            if arr.size != d:
                raise ValueError(f"The policy returned an action of shape {arr.shape}{where(i)}; {info.env_id} "
                                 f"expects ({d},).")
        acts = np.stack([np.asarray(a, dtype=np.float64).reshape(d) for a in acts])
    acts = acts.reshape(n, d)
    finite = np.isfinite(acts).all(axis=1)
    if not finite.all():
        i = int(np.argmin(finite))
        raise ValueError(f"The policy returned {show(acts[i])}{where(i)}: NaN or infinite, which {info.env_id} "
                         "cannot take. Check the policy's inputs and weights.")
    return np.clip(acts, info.act_low, info.act_high).astype(np.float32)


def env_actions(acts: np.ndarray, info: EnvInfo, where: Callable[[int], str] = lambda i: "") -> np.ndarray:
    """Check the B actions a policy returned for a batch and convert them to what the environment takes.

    Used behind the scenes in notebook 02.

    Args:
        acts: what :func:`act_batch` returned, B rows.
        info: the task.
        where: for messages: row ``i`` → a phrase like ``" at step 3 of episode 0"``.

    Returns:
        int64 of shape (B,) for discrete actions; float32 of shape (B, act_dim), clipped to the action
        bounds, for continuous ones.

    Raises:
        ValueError: naming the first bad action (None, text, a bool, a complex number, NaN, a number out of
            range for a discrete task, the wrong shape) and where it was returned.
    """
    return _discrete(acts, info, where) if info.discrete else _continuous(acts, info, where)


def _to_env_action(action: Any, info: EnvInfo) -> Any:
    """One action of a policy, checked and converted as :func:`env_actions` does (an int, or a float32 array)."""
    (a,) = env_actions(stack_actions([action]), info)
    return int(a) if info.discrete else a
