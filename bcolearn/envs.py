"""Making, describing and seeding Gymnasium environments, and configuring torch once.

Taught in notebook 01 (states, actions, rewards) and used by every later notebook. What the package
knows about each bundled task beyond its spaces (expert, reference returns, names) is in
:mod:`bcolearn.tasks`.
"""

from __future__ import annotations

import difflib
import os
import random
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from bcolearn.config import check_seed

# Rendering CartPole & co. needs pygame; with no screen (CI, a remote kernel) SDL must not look for one.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


@dataclass(frozen=True)
class EnvInfo:
    """What a learner needs to know about an environment's spaces.

    Used behind the scenes in notebook 01.
    """

    env_id: str
    """The Gymnasium id, e.g. ``"CartPole-v1"``."""
    obs_dim: int
    """Length of an observation vector, D."""
    discrete: bool
    """True for ``Discrete`` actions (one integer), False for ``Box`` actions (a float vector)."""
    n_actions: int
    """Number of discrete actions (0 for continuous action spaces)."""
    act_dim: int
    """Length of a continuous action vector (0 for discrete action spaces)."""
    act_low: np.ndarray | None
    """Lower bounds of a continuous action, shape (act_dim,); None when discrete."""
    act_high: np.ndarray | None
    """Upper bounds of a continuous action, shape (act_dim,); None when discrete."""
    max_episode_steps: int | None
    """Time limit of an episode, or None when the environment has none."""

    def __str__(self) -> str:
        if self.discrete:
            acts = f"{self.n_actions} discrete actions"
        else:
            acts = f"continuous actions of size {self.act_dim} in [{self.act_low}, {self.act_high}]"
        return f"{self.env_id}: observations of size {self.obs_dim}, {acts}, episodes of at most {self.max_episode_steps} steps"


def _check_env_id(env_id: str) -> None:
    if callable(env_id):
        raise ValueError(
            f"Expected an environment id such as 'CartPole-v1' but got a callable ({env_id!r}): were the policy "
            "and env_id swapped? collect_demos, evaluate and animate_episode all take (env_id, policy, …)."
        )
    if not isinstance(env_id, str) or env_id not in gym.registry:
        known = [k for k in gym.registry if "/" not in k]
        close = difflib.get_close_matches(str(env_id), known, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"Unknown environment id {env_id!r}.{hint} Use a registered Gymnasium id such as "
            "'CartPole-v1', 'Acrobot-v1', 'MountainCar-v0' or 'Pendulum-v1' "
            "(gymnasium.registry lists them all)."
        )


def check_spaces(env: gym.Env) -> None:
    """Raise a clear error unless observations are a flat Box and actions are Discrete or Box.

    Used behind the scenes in notebook 01.

    Raises:
        ValueError: if the environment's spaces are not supported by bcolearn.
    """
    name = env.spec.id if env.spec is not None else type(env).__name__
    obs_space, act_space = env.observation_space, env.action_space
    if not (isinstance(obs_space, gym.spaces.Box) and len(obs_space.shape) == 1):
        raise ValueError(
            f"{name} has observation space {obs_space}; bcolearn needs a flat Box (a vector). "
            "Register a flattened version, gymnasium.register('MyTask-flat', entry_point=..., additional_wrappers="
            "(gymnasium.wrappers.FlattenObservation.wrapper_spec(),)), and pass its id; or pick another task."
        )
    if isinstance(act_space, gym.spaces.Discrete):
        if int(act_space.start) != 0:
            raise ValueError(
                f"{name} has actions {act_space} numbered from {int(act_space.start)}; bcolearn numbers discrete "
                "actions 0 … n − 1. Register a version wrapped in a gymnasium.ActionWrapper that adds the offset "
                "(gymnasium.register) and pass its id."
            )
        return
    if isinstance(act_space, gym.spaces.Box) and len(act_space.shape) == 1:
        if not (np.all(np.isfinite(act_space.low)) and np.all(np.isfinite(act_space.high))):
            raise ValueError(f"{name} has unbounded actions {act_space}; bcolearn needs finite action bounds.")
        return
    raise ValueError(
        f"{name} has action space {act_space}; bcolearn supports Discrete or a flat Box of actions, "
        "not Dict, Tuple, MultiDiscrete or MultiBinary."
    )


def make_env(env_id: str, seed: int | None = None, **kwargs: object) -> gym.Env:
    """Make a Gymnasium environment that bcolearn supports, optionally seeded.

    Taught in notebook 01.

    Args:
        env_id: a registered Gymnasium id, e.g. ``"CartPole-v1"``.
        seed: if given, the environment is reset with this seed and its action space seeded,
            so the first episode and ``env.action_space.sample()`` are reproducible.
        **kwargs: passed to ``gymnasium.make`` (e.g. ``render_mode="rgb_array"``).

    Returns:
        The environment.

    Raises:
        ValueError: for an unknown id or unsupported observation/action spaces.
    """
    _check_env_id(env_id)
    if seed is not None:
        seed = check_seed(seed)
    env = gym.make(env_id, **kwargs)
    try:
        check_spaces(env)
    except ValueError:
        env.close()
        raise
    if seed is not None:
        env.reset(seed=seed)
        env.action_space.seed(seed)
    return env


def describe_env(env: str | gym.Env) -> EnvInfo:
    """Describe an environment's observation and action spaces.

    Taught in notebook 01.

    An id is described once and the answer cached (until the id is registered again), so calling this
    in a loop costs nothing; the cached description's bound arrays are read-only.

    Args:
        env: a Gymnasium id or an environment made by :func:`make_env`.

    Returns:
        An :class:`EnvInfo`.

    Raises:
        ValueError: for an unknown id or unsupported spaces.
    """
    if isinstance(env, gym.Env):
        return _describe(env)
    _check_env_id(env)  # anything that is not a registered id gets make_env's "Unknown environment id" error
    spec = gym.registry[env]
    cached = _INFO_CACHE.get(env)
    if cached is None or cached[0] is not spec:
        made = make_env(env)
        try:
            info = _describe(made)
        finally:
            made.close()
        for bound in (info.act_low, info.act_high):
            if bound is not None:
                bound.flags.writeable = False
        cached = _INFO_CACHE[env] = (spec, info)
    return cached[1]


_INFO_CACHE: dict[str, tuple[Any, EnvInfo]] = {}
"""env id -> (the registry spec it was made from, its EnvInfo): re-registering an id makes a new one."""


def _describe(env: gym.Env) -> EnvInfo:
    check_spaces(env)
    act_space = env.action_space
    discrete = isinstance(act_space, gym.spaces.Discrete)
    spec = env.spec
    return EnvInfo(
        env_id=spec.id if spec is not None else type(env).__name__,
        obs_dim=int(env.observation_space.shape[0]),
        discrete=discrete,
        n_actions=int(act_space.n) if discrete else 0,
        act_dim=0 if discrete else int(act_space.shape[0]),
        act_low=None if discrete else act_space.low.astype(np.float32),
        act_high=None if discrete else act_space.high.astype(np.float32),
        max_episode_steps=spec.max_episode_steps if spec is not None else None,
    )


_TORCH_CONFIGURED = False


def configure_torch() -> None:
    """Set torch up the package's way, once per process: one CPU thread.

    Used behind the scenes in notebook 01 (through :func:`seed_everything`).

    Tiny networks on a laptop CPU run several times faster on one thread than on torch's default
    (measured in benchmarks/bench_threads.py), with the same numbers. Called wherever the package first
    needs torch (building a network, training, seeding); later calls do nothing, so a learner who sets
    ``torch.set_num_threads(n)`` afterwards keeps their setting.
    """
    global _TORCH_CONFIGURED
    if not _TORCH_CONFIGURED:
        import torch

        torch.set_num_threads(1)
        _TORCH_CONFIGURED = True


def warm_up_torch() -> None:
    """Import now what torch imports on its first optimiser (``torch._dynamo``: 1–2 s once per process).

    Used behind the scenes in notebook 03: a training panel calls it when it is built, so that its first
    Run starts drawing curves at once instead of waiting for that import in the middle of the first epoch.
    """
    configure_torch()
    import torch._dynamo  # noqa: F401  (imported for its side effect: it is cached in sys.modules)


def seed_everything(seed: int) -> np.random.Generator:
    """Seed Python's, NumPy's and PyTorch's global generators; return a fresh NumPy Generator.

    It also configures torch the package's way (:func:`configure_torch`: one thread), so a learner's
    own torch code after it runs as fast as the package's.

    bcolearn functions take explicit seeds or generators, so this is only a safety net for
    learners' own code. Taught in notebook 01.

    Args:
        seed: any non-negative integer.

    Returns:
        ``numpy.random.default_rng(seed)``.
    """
    seed = check_seed(seed)
    configure_torch()
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return np.random.default_rng(seed)


def check_actions(acts: np.ndarray, info: EnvInfo) -> None:
    """Raise a clear ValueError if ``acts`` could not have been taken in the environment ``info`` describes.

    Used behind the scenes in notebook 03.
    """
    if info.discrete:
        if acts.ndim != 1 or acts.min() < 0 or acts.max() >= info.n_actions:
            raise ValueError(
                f"Demo actions range over {acts.min()} … {acts.max()} with shape {acts.shape}, but {info.env_id} "
                f"has discrete actions 0 … {info.n_actions - 1}; were these demos recorded in another environment?"
            )
    elif acts.ndim != 2 or acts.shape[1] != info.act_dim:
        raise ValueError(
            f"Demo actions have shape {acts.shape}, but {info.env_id} has continuous actions of size {info.act_dim}; "
            "were these demos recorded in another environment?"
        )
    else:
        tol = 1e-5 * (info.act_high - info.act_low)
        if np.any(acts < info.act_low - tol) or np.any(acts > info.act_high + tol):
            raise ValueError(
                f"Demo actions range over {acts.min(axis=0)} … {acts.max(axis=0)}, but {info.env_id} accepts actions "
                f"in [{info.act_low}, {info.act_high}]; were these demos recorded in another environment? "
                "Clip them to the bounds (numpy.clip) if they are meant for this one."
            )
