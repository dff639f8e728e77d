"""Behavioural Cloning: supervised learning of π(a | s) from the expert's (s, a) pairs.

Minimise  L(θ) = E_(s,a)~D [ −log π_θ(a | s) ]  (cross-entropy, discrete actions), or
L(θ) = E ‖μ_θ(s) − a‖²  (continuous actions; or the Gaussian NLL).

Taught in notebook 03.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from bcolearn.config import Callback, check_config, check_seed, param
from bcolearn.envs import check_actions, describe_env
from bcolearn.evaluation import check_made_for, eval_metrics
from bcolearn.nets import MLPPolicy
from bcolearn.tasks import find_task
from bcolearn.training import SupervisedConfig, TrainResult, build_model, fit_supervised
from bcolearn.types import Trajectory, check_demos, to_transitions

__all__ = ["BCConfig", "TrainResult", "make_policy", "recommended_bc_config", "train_bc"]


@dataclass(frozen=True)
class BCConfig(SupervisedConfig):
    """Hyperparameters of Behavioural Cloning (bounds are checked on creation).

    Taught in notebook 03. The network and its Adam loop (``epochs``, ``lr``, ``batch_size``, ``hidden_size``,
    ``n_layers``) are :class:`~bcolearn.training.SupervisedConfig`'s.
    """

    continuous_loss: str = param("mse", "loss for continuous actions", choices=("mse", "nll"))
    """'mse': ‖μ(s) − a‖²; 'nll': Gaussian negative log-likelihood. Ignored for discrete actions."""
    eval_every: int = param(0, "evaluate the policy every this many epochs (0: never)", low=0, high=1000)
    """Evaluate every this many epochs and after the last one (0: no evaluation during training)."""
    eval_episodes: int = param(10, "episodes per evaluation during training", low=1, high=1000)
    """Episodes per evaluation during training."""


def recommended_bc_config(env_id: str) -> BCConfig:
    """BC settings measured to reach the bundled expert on each task with one (``Task.bc_settings``).

    Taught in notebook 03.

    CartPole needs little (the defaults); the others have more varied states, so more epochs and
    (Pendulum, continuous torque) a wider network. Measured in benchmarks/bench_core.py. A task that is
    not bundled gets the defaults.
    """
    task = find_task(env_id)
    return BCConfig(**task.bc_settings) if task is not None else BCConfig()


def make_policy(env_id: str, config: BCConfig, seed: int) -> MLPPolicy:
    """A freshly initialised policy for ``env_id``, its weights drawn from ``seed``.

    Used behind the scenes in notebook 03.
    """
    return build_model(env_id, config, BCConfig, seed, "make_policy",
                       lambda info, c: MLPPolicy(info, c.hidden_sizes, c.continuous_loss))


def train_bc(
    demos: Sequence[Trajectory],
    config: BCConfig | None = None,
    *,
    env_id: str,
    seed: int,
    callbacks: Iterable[Callback] = (),
    policy: MLPPolicy | None = None,
    metric_prefix: str = "bc",
    extra_metrics: dict[str, float] | None = None,
) -> TrainResult:
    """Behavioural Cloning: fit a policy to the demonstrations' state-action pairs.

    Taught in notebook 03.

    Args:
        demos: action-labelled trajectories (state-only ones are rejected: use :func:`train_bco`).
        config: hyperparameters; ``BCConfig()`` if None.
        env_id: the environment the demos come from (sets the policy's action head, and evaluation).
        seed: seeds the initial weights and the minibatch order.
        callbacks: each gets ``{"epoch", "loss/bc", ["eval/return_mean", ...]}`` after every epoch;
            returning True stops training early, keeping what was learnt.
        policy: continue training this policy instead of a fresh one.
        metric_prefix: namespace of the loss (``loss/bc``).
        extra_metrics: constant metrics added to every row.

    Returns:
        A :class:`TrainResult` with the policy and the per-epoch history.

    Raises:
        TypeError: for a config of another class, a bad seed, or a ``policy`` that is not an MLPPolicy.
        ValueError: for empty, state-only or mis-shaped demos, an invalid config, or a policy made for
            another task.
    """
    info = describe_env(env_id)
    config = check_config(config, BCConfig, where="train_bc")
    seed = check_seed(seed)
    if policy is not None:
        check_made_for(policy, env_id, where="train_bc", expected=MLPPolicy)
    demos = check_demos(demos, need_actions=True, obs_dim=info.obs_dim)
    data = to_transitions(demos)  # type: ignore[arg-type]
    check_actions(data.acts, info)
    policy = policy if policy is not None else make_policy(env_id, config, seed)
    history = fit_supervised(
        policy, policy.features(data.obs), data.acts,
        epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, rng=np.random.default_rng(seed),
        name=metric_prefix, callbacks=callbacks, evaluate_every=config.eval_every,
        evaluate=lambda: eval_metrics(env_id, policy, config.eval_episodes), start_metrics=extra_metrics,
    )
    return TrainResult(policy, history)
