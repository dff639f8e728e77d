"""Bundled experts: small, documented hand-made controllers, one per task.

Each expert is a plain function of the observation, written from the task's physics, so a learner
can read exactly what the "expert" does and no weights need downloading. Their returns, and a
uniform random policy's, are measured over 100 seeded episodes and recorded in
:data:`REFERENCE_RETURNS`; ``python -m bcolearn.experts measure`` measures them again and
tests/test_experts.py checks that the two agree.

Taught in notebook 01; used by every later notebook.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def cartpole_expert(obs: np.ndarray) -> int:
    """CartPole-v1: push the cart towards the side the pole is falling to.

    Taught in notebook 01.

    A linear state-feedback rule, ``u = θ + 0.5·θ̇ + 0.05·x + 0.2·ẋ``: push right (action 1)
    when ``u > 0``, else left (0). The angle terms keep the pole up; the small cart terms stop the
    cart drifting off the track.
    """
    x, x_dot, theta, theta_dot = (float(v) for v in obs)
    return int(theta + 0.5 * theta_dot + 0.05 * x + 0.2 * x_dot > 0)


def acrobot_expert(obs: np.ndarray) -> int:
    """Acrobot-v1: pump energy into the swing by torquing along the elbow's motion.

    Taught in notebook 05.

    Applies +1 torque (action 2) when ``θ̇₂ − 0.5·θ̇₁ > 0``, else −1 (action 0): the torque
    then does positive work on the lower link, so each swing goes higher until the tip clears the line.
    """
    dtheta1, dtheta2 = float(obs[4]), float(obs[5])
    return 2 if dtheta2 - 0.5 * dtheta1 > 0 else 0


def mountaincar_expert(obs: np.ndarray) -> int:
    """MountainCar-v0: always push in the direction the car is already moving.

    Taught in notebook 01.

    The engine is too weak to climb directly; pushing along the velocity (action 2 right, 0 left)
    adds energy every step, so the car rocks higher on each swing until it reaches the flag.
    """
    return 2 if float(obs[1]) >= 0 else 0


def pendulum_expert(obs: np.ndarray) -> np.ndarray:
    """Pendulum-v1: energy-pumping swing-up, then a PD controller to balance upright.

    Taught in notebook 03.

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

    Taught in notebook 01.

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


EXPERTS: dict[str, Callable[[np.ndarray], int | np.ndarray]] = {
    "CartPole-v1": cartpole_expert,
    "Acrobot-v1": acrobot_expert,
    "MountainCar-v0": mountaincar_expert,
    "Pendulum-v1": pendulum_expert,
    "LunarLander-v3": lunarlander_expert,
}


@dataclass(frozen=True)
class ReferenceReturns:
    """Mean undiscounted return of a uniform random policy and of the bundled expert.

    Taught in notebook 06.
    """

    random: float
    """Uniform random actions (``bcolearn.random_policy``)."""
    expert: float
    """The bundled expert of :data:`EXPERTS`."""


# Measured with `python -m bcolearn.experts measure` (= bcolearn.evaluate with n_episodes=100 and its
# default evaluation seed; random policy seeded with 0). tests/test_experts.py re-measures them.
REFERENCE_RETURNS: dict[str, ReferenceReturns] = {
    "CartPole-v1": ReferenceReturns(random=20.1, expert=500.0),
    "Acrobot-v1": ReferenceReturns(random=-498.68, expert=-78.83),
    "MountainCar-v0": ReferenceReturns(random=-200.0, expert=-119.62),
    "Pendulum-v1": ReferenceReturns(random=-1200.32, expert=-157.55),
    "LunarLander-v3": ReferenceReturns(random=-167.5, expert=274.23),
}


def load_expert(env_id: str) -> Callable[[np.ndarray], int | np.ndarray]:
    """Return the bundled expert for ``env_id``: a function from one observation to one action.

    Nothing is downloaded. Taught in notebook 01.

    Raises:
        ValueError: if no expert is bundled for ``env_id``.
    """
    if env_id not in EXPERTS:
        raise ValueError(
            f"No bundled expert for {env_id!r}. Experts exist for {', '.join(EXPERTS)}. For another task, "
            "pass your own policy (any function from observation to action) to bcolearn.collect_demos."
        )
    return EXPERTS[env_id]


def measure(env_id: str, n_episodes: int = 100) -> ReferenceReturns:
    """Measure the random and expert mean returns the way :data:`REFERENCE_RETURNS` records them."""
    from bcolearn.evaluation import evaluate
    from bcolearn.rollout import random_policy

    expert = evaluate(load_expert(env_id), env_id, n_episodes=n_episodes, normalise=False)
    rand = evaluate(random_policy(env_id, seed=0), env_id, n_episodes=n_episodes, normalise=False)
    return ReferenceReturns(random=round(rand.mean, 2), expert=round(expert.mean, 2))


def main(argv: list[str] | None = None) -> None:
    """``python -m bcolearn.experts measure [ENV_ID ...]``: print the reference returns."""
    parser = argparse.ArgumentParser(prog="python -m bcolearn.experts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="measure random and expert returns over 100 seeded episodes")
    m.add_argument("env_ids", nargs="*", default=list(EXPERTS))
    args = parser.parse_args(argv)
    for env_id in args.env_ids:
        ref = measure(env_id)
        print(f'    "{env_id}": ReferenceReturns(random={ref.random}, expert={ref.expert}),')


if __name__ == "__main__":
    main()
