"""The bundled tasks: one frozen :class:`Task` record per environment id, the one file to add a task.

Each record holds what the package knows about a task beyond its spaces: its expert (a small,
documented hand-made controller, written from the task's physics, so a learner can read exactly what
the "expert" does and no weights need downloading), the random and expert reference returns, what each
state dimension means, the unit of continuous actions, the limits beyond which an episode fails, what a
terminal state means, and the BC/BCO settings measured to reach the expert (as field overrides:
:func:`bcolearn.recommended_bc_config` and :func:`bcolearn.recommended_bco_config` build the configs).

Adding a sixth task: write its controller and one :class:`Task` entry in :data:`TASKS`, then measure its
reference returns with ``python -m bcolearn.evaluation measure ENV_ID``.

Taught in notebook 01 (experts, :func:`load_expert`); the reference returns in notebook 06.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from bcolearn.envs import EnvInfo, describe_env

Expert = Callable[[np.ndarray], "int | np.ndarray"]
"""A bundled expert: a function from one observation to one action."""


@dataclass(frozen=True)
class ReferenceReturns:
    """Mean undiscounted return of a uniform random policy and of the bundled expert.

    Used behind the scenes in notebook 06.
    """

    random: float
    """Uniform random actions (``bcolearn.random_policy``)."""
    expert: float
    """The bundled expert of :data:`EXPERTS`."""


def _frozen(mapping: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Task:
    """Everything bcolearn knows about one bundled task.

    Used behind the scenes in notebook 01 (:func:`load_expert` reads it).
    """

    env_id: str
    """The Gymnasium id, e.g. ``"CartPole-v1"``."""
    expert: Expert
    """The bundled expert (see the controllers' docstrings for how each works)."""
    reference: ReferenceReturns
    """Random and expert mean returns over 100 seeded episodes (``python -m bcolearn.evaluation measure``)."""
    state_names: tuple[str, ...]
    """What each observation dimension means, with units (Gymnasium's documentation)."""
    action_unit: str = "action units"
    """The unit of continuous actions ("N·m" for Pendulum's torque); "action units" otherwise."""
    fail_bounds: Mapping[int, float] = field(default_factory=_frozen)
    """Observation dimension -> the absolute value beyond which an episode fails (CartPole's track and angle)."""
    terminal_meaning: str = "episode ended here"
    """What a terminal state means: a failure on CartPole, the goal on Acrobot and MountainCar."""
    bc_settings: Mapping[str, object] = field(default_factory=_frozen)
    """``BCConfig`` fields measured to reach the expert (the others keep their defaults)."""
    bco_settings: Mapping[str, object] = field(default_factory=_frozen)
    """``BCOConfig`` fields (other than ``bc``, which takes :attr:`bc_settings`; ``idm`` as a mapping of
    ``IDMConfig`` fields) measured to reach the expert."""

    @property
    def info(self) -> EnvInfo:
        """The task's spaces (:func:`bcolearn.describe_env`, cached per id)."""
        return describe_env(self.env_id)


# --- The experts: plain functions of the observation -------------------------------------------------

def cartpole_expert(obs: np.ndarray) -> int:
    """CartPole-v1: push the cart towards the side the pole is falling to.

    Used behind the scenes in notebook 01.

    A linear state-feedback rule, ``u = θ + 0.5·θ̇ + 0.05·x + 0.2·ẋ``: push right (action 1)
    when ``u > 0``, else left (0). The angle terms keep the pole up; the small cart terms stop the
    cart drifting off the track.
    """
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    return int(theta + 0.5 * theta_dot + 0.05 * x + 0.2 * x_dot > 0)


def acrobot_expert(obs: np.ndarray) -> int:
    """Acrobot-v1: pump energy into the swing by torquing along the elbow's motion.

    Used behind the scenes in notebook 05.

    Applies +1 torque (action 2) when ``θ̇₂ − 0.5·θ̇₁ > 0``, else −1 (action 0): the torque
    then does positive work on the lower link, so each swing goes higher until the tip clears the line.
    """
    dtheta1, dtheta2 = float(obs[4]), float(obs[5])
    return 2 if dtheta2 - 0.5 * dtheta1 > 0 else 0


def mountaincar_expert(obs: np.ndarray) -> int:
    """MountainCar-v0: always push in the direction the car is already moving.

    Used behind the scenes in notebook 01.

    The engine is too weak to climb directly; pushing along the velocity (action 2 right, 0 left)
    adds energy every step, so the car rocks higher on each swing until it reaches the flag.
    """
    return 2 if float(obs[1]) >= 0 else 0


def pendulum_expert(obs: np.ndarray) -> np.ndarray:
    """Pendulum-v1: energy-pumping swing-up, then a PD controller to balance upright.

    Used behind the scenes in notebook 03.

    With θ = 0 upright, Pendulum-v1 moves as ``θ̈ = 15·sin θ + 3·u`` (g = 10, m = l = 1), so
    ``E = ½·θ̇² + 15·cos θ`` is conserved without torque and equals 15 at rest upright. Far from the
    top, torque ``u = 2·sign(θ̇)`` while ``E < 15`` adds energy (dE/dt = 3·u·θ̇ > 0). Near the top
    (cos θ > 0.85) a PD law ``u = −(10·θ + 2·θ̇)`` balances. Torque is clipped to [−2, 2].
    """
    cos_t, sin_t, theta_dot = (float(v) for v in obs)
    theta = math.atan2(sin_t, cos_t)
    if cos_t > 0.85:
        torque = -(10.0 * theta + 2.0 * theta_dot)
    else:
        energy = 0.5 * theta_dot**2 + 15.0 * cos_t
        torque = 2.0 * math.copysign(1.0, theta_dot) if energy < 15.0 else 0.0
    return np.array([min(2.0, max(-2.0, torque))], dtype=np.float32)


def lunarlander_expert(obs: np.ndarray) -> int:
    """LunarLander-v3: lean towards the pad and descend more slowly near the ground.

    Used behind the scenes in notebook 01.

    Two proportional-derivative loops decide which engine to fire. Attitude: the lander should
    lean so that its thrust pulls it back over the pad, ``angle* = clip(0.4·x + 0.8·vx, ±0.4)``;
    the error is ``0.7·(angle* − angle) − 1.5·ω``. Altitude: the target sink rate shrinks with
    height, ``vy* = −0.6·y``; the error is ``0.7·(vy* − vy)``. Whichever error is larger wins: the
    main engine (2) for the altitude error, the left (1) or right (3) engine to turn, else nothing
    (0). Once a leg touches, only the sink rate is damped.
    """
    x, y, vx, vy, angle, omega, left_leg, right_leg = (float(v) for v in obs)
    angle_target = min(0.4, max(-0.4, 0.4 * x + 0.8 * vx))
    turn = 0.7 * (angle_target - angle) - 1.5 * omega
    lift = 0.7 * (-0.6 * y - vy)
    if left_leg or right_leg:
        turn, lift = 0.0, -0.5 * vy
    if lift > abs(turn) and lift > 0.05:
        return 2
    if turn > 0.05:
        return 1
    if turn < -0.05:
        return 3
    return 0


# --- The tasks ---------------------------------------------------------------------------------------
# Reference returns measured with `python -m bcolearn.evaluation measure` (= bcolearn.evaluate with
# n_episodes=100 and its default evaluation seed; random policy seeded with 0); tests/test_tasks.py re-measures.
# Recommended settings measured in benchmarks/bench_core.py (3 seeds, 50 evaluation episodes each).

TASKS: Mapping[str, Task] = MappingProxyType({t.env_id: t for t in (
    Task(
        "CartPole-v1", cartpole_expert, ReferenceReturns(random=20.1, expert=500.0),
        ("cart position (m)", "cart velocity (m/s)", "pole angle (rad)", "pole angular velocity (rad/s)"),
        fail_bounds=_frozen({0: 2.4, 2: 12 * 2 * math.pi / 360}), terminal_meaning="episode failed here",
        # CartPole needs little: the defaults, and BCO(0) with 1,000 random steps.
    ),
    Task(
        "Acrobot-v1", acrobot_expert, ReferenceReturns(random=-498.68, expert=-78.83),
        ("cos θ₁ (unitless)", "sin θ₁ (unitless)", "cos θ₂ (unitless)", "sin θ₂ (unitless)",
         "angular velocity θ̇₁ (rad/s)", "angular velocity θ̇₂ (rad/s)"),
        terminal_meaning="reached the goal here", bc_settings=_frozen({"epochs": 100}),
        # Random steps never reach the states the expert swings through: BCO(α = 1) fixes most of the IDM's
        # labels (from about 60 % right to 90 %), but the policy's rollouts never reach the expert's fast last
        # swing, where a third stay wrong (seeds 0-8: 0.969 ± 0.025 sd). Leaving out of BC the labels farther
        # than 1 (standardised) from the IDM's data lets BC carry the rule from the swings it was taught
        # (seeds 0-8: 0.994 ± 0.007 sd; seeds 0-2: 0.990).
        bco_settings=_frozen({"pre_demo_steps": 1000, "alpha": 1.0, "iterations": 4, "explore": 0.1,
                              "label_radius": 1.0}),
    ),
    Task(
        "MountainCar-v0", mountaincar_expert, ReferenceReturns(random=-200.0, expert=-119.62),
        ("car position (m)", "car velocity (m/s)"),
        terminal_meaning="reached the goal here", bc_settings=_frozen({"epochs": 100}),
        # 2,500 random steps, then two BCO(0.5) iterations of 1,250 policy steps: 5,000 interactions in all.
        bco_settings=_frozen({"pre_demo_steps": 2500, "alpha": 0.5, "iterations": 2, "explore": 0.1,
                              "idm": {"input_mode": "concat"}}),
    ),
    Task(
        "Pendulum-v1", pendulum_expert, ReferenceReturns(random=-1200.32, expert=-157.55),
        ("cos θ (unitless)", "sin θ (unitless)", "angular velocity (rad/s)"), action_unit="N·m",
        bc_settings=_frozen({"epochs": 100, "hidden_size": 64}),
        # BCO(0) reaches the expert on most seeds; three BCO(0.5) iterations repair the IDM on the others.
        bco_settings=_frozen({"pre_demo_steps": 5000, "alpha": 0.5, "iterations": 3}),
    ),
    Task(
        "LunarLander-v3", lunarlander_expert, ReferenceReturns(random=-167.5, expert=274.23),
        ("x position (scaled)", "height above the pad (scaled)", "x velocity (scaled)", "y velocity (scaled)",
         "body angle (rad)", "angular velocity (scaled)", "left leg touches (0/1)", "right leg touches (0/1)"),
        terminal_meaning="landed or crashed here", bc_settings=_frozen({"epochs": 100, "hidden_size": 64}),
        # Random steps crash and never rest on the pad: BCO(0)'s IDM mislabels most of the expert's landed steps
        # (idling, as side engines on a seed where it scores 0.90). One BCO(1) iteration of the policy's own
        # landings, with 10 % random actions, fixes them on seeds 0-2, but not on seeds 3 and 6 (0.86: the IDM
        # still calls the idling a left engine, and the policy fires it on the pad; seeds 0-8 mean 0.964).
        bco_settings=_frozen({"pre_demo_steps": 10_000, "alpha": 1.0, "iterations": 1, "explore": 0.1}),
    ),
)})
"""The bundled tasks, by environment id."""

EXPERTS: Mapping[str, Expert] = MappingProxyType({k: t.expert for k, t in TASKS.items()})
"""The bundled expert of each task (taught in notebook 01)."""
REFERENCE_RETURNS: Mapping[str, ReferenceReturns] = MappingProxyType({k: t.reference for k, t in TASKS.items()})
"""Random and expert mean returns of each task (taught in notebook 06)."""


def _bundled() -> str:
    return ", ".join(repr(k) for k in TASKS)


def get_task(env_id: str) -> Task:
    """The :class:`Task` record of a bundled task.

    Used behind the scenes in notebook 01.

    Raises:
        TypeError: if ``env_id`` is not a string (a list of ids, say).
        ValueError: if no task is bundled for ``env_id``.
    """
    if not isinstance(env_id, str):
        raise TypeError(f"env_id must be one environment id (a string) such as 'CartPole-v1', got {env_id!r} "
                        f"({type(env_id).__name__}). Bundled tasks: {_bundled()}.")
    if env_id not in TASKS:
        raise ValueError(f"No bundled task {env_id!r}. Bundled tasks: {_bundled()}.")
    return TASKS[env_id]


def find_task(env_id: str) -> Task | None:
    """The :class:`Task` record of ``env_id``, or None for a task bcolearn does not bundle.

    Used behind the scenes in notebook 06 (a task without a record has no reference returns or recommended settings).
    """
    return TASKS.get(env_id) if isinstance(env_id, str) else None


def load_expert(env_id: str) -> Expert:
    """Return the bundled expert for ``env_id``: a function from one observation to one action.

    Nothing is downloaded. Taught in notebook 01.

    Raises:
        TypeError: if ``env_id`` is not a string.
        ValueError: if no expert is bundled for ``env_id``.
    """
    if isinstance(env_id, str) and env_id not in TASKS:
        raise ValueError(
            f"No bundled expert for {env_id!r}. Experts exist for {', '.join(EXPERTS)}. For another task, "
            "pass your own policy (any function from observation to action) to bcolearn.collect_demos."
        )
    return get_task(env_id).expert
