"""Inverse dynamics: learn which action a took the agent from s to s′, from its own rollouts.

Trained by supervised learning on the agent's transitions (s, a, s′), where the action is known:
minimise −log p_φ(a | s, s′) (discrete) or ‖f_φ(s, s′) − a‖² (continuous).

Taught in notebook 04.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from bcolearn.config import Callback, check_config, check_seed, param
from bcolearn.envs import check_actions, describe_env
from bcolearn.evaluation import check_made_for
from bcolearn.nets import INPUT_MODES, InverseDynamicsModel
from bcolearn.training import History, SupervisedConfig, action_metrics, build_model, fit_supervised
from bcolearn.types import StateTrajectory, Trajectory, Transitions, check_demos

__all__ = ["IDMConfig", "IDMResult", "coverage_distance", "idm_metrics", "label_demos", "make_idm", "split",
           "train_idm"]


@dataclass(frozen=True)
class IDMConfig(SupervisedConfig):
    """Hyperparameters of the inverse dynamics model (bounds are checked on creation).

    Taught in notebook 04. The network and its Adam loop are :class:`~bcolearn.training.SupervisedConfig`'s,
    with fewer epochs and wider layers by default.
    """

    epochs: int = param(30, "passes over the agent's transitions", low=1, high=1000)
    """Passes over the agent's transitions."""
    hidden_size: int = param(64, "units in each hidden layer of the IDM", low=1, high=1024)
    """Units in each hidden layer."""
    input_mode: str = param("delta", "what the IDM sees: (s, s′ − s) or (s, s′)", choices=INPUT_MODES)
    """'delta' feeds (s, s′ − s); 'concat' feeds (s, s′)."""
    val_fraction: float = param(0.2, "share of transitions held out to measure accuracy", low=0.0, high=0.9)
    """Share of the transitions held out (not trained on) to measure accuracy."""


@dataclass
class IDMResult:
    """A trained inverse dynamics model and its per-epoch history.

    Used behind the scenes in notebook 04.
    """

    model: InverseDynamicsModel
    history: History = field(default_factory=History)
    """Per epoch: ``loss/idm`` and, with held-out data, ``acc/idm`` (discrete) or ``err/idm`` (continuous)."""


def make_idm(env_id: str, config: IDMConfig, seed: int) -> InverseDynamicsModel:
    """A freshly initialised inverse dynamics model, its weights drawn from ``seed``.

    Used behind the scenes in notebook 04.
    """
    return build_model(env_id, config, IDMConfig, seed, "make_idm",
                       lambda info, c: InverseDynamicsModel(info, c.hidden_sizes, c.input_mode))


def split(data: Transitions, val_fraction: float, rng: np.random.Generator) -> tuple[Transitions, Transitions | None]:
    """Randomly hold out ``val_fraction`` of the transitions (None if that leaves none).

    Taught in notebook 04.
    """
    n_val = int(round(len(data) * val_fraction))
    if n_val == 0 or n_val >= len(data):
        return data, None
    order = rng.permutation(len(data))

    def take(idx: np.ndarray) -> Transitions:
        return Transitions(data.obs[idx], data.acts[idx], data.next_obs[idx], data.dones[idx])

    return take(order[n_val:]), take(order[:n_val])


def train_idm(
    transitions: Transitions,
    config: IDMConfig | None = None,
    *,
    env_id: str,
    seed: int,
    callbacks: Iterable[Callback] = (),
    model: InverseDynamicsModel | None = None,
    extra_metrics: dict[str, float] | None = None,
) -> IDMResult:
    """Train an inverse dynamics model a ← (s, s′) on the agent's own transitions.

    Taught in notebook 04.

    Args:
        transitions: (s, a, s′) from the agent's rollouts, e.g. :func:`bcolearn.collect_transitions`.
        config: hyperparameters; ``IDMConfig()`` if None.
        env_id: the environment the transitions come from.
        seed: seeds the initial weights, the hold-out split and the minibatch order.
        callbacks: each gets ``{"epoch", "loss/idm", "acc/idm" or "err/idm"}`` after every epoch;
            returning True stops early.
        model: continue training this model instead of a fresh one.
        extra_metrics: constant metrics added to every row.

    Returns:
        An :class:`IDMResult`.

    Raises:
        TypeError: for data that is not :class:`~bcolearn.Transitions`, a config of another class, a bad
            seed, or a ``model`` that is not an InverseDynamicsModel.
        ValueError: for transitions or a model from another task.
    """
    info = describe_env(env_id)
    config = check_config(config, IDMConfig, where="train_idm")
    seed = check_seed(seed)
    if model is not None:
        check_made_for(model, env_id, role="model", where="train_idm", expected=InverseDynamicsModel)
    if not isinstance(transitions, Transitions):
        raise TypeError(f"transitions must be a bcolearn Transitions, got {type(transitions).__name__}.")
    if transitions.obs.shape[1] != info.obs_dim:
        raise ValueError(
            f"Transitions have observations of size {transitions.obs.shape[1]}, but {env_id} has {info.obs_dim}."
        )
    check_actions(transitions.acts, info)
    rng = np.random.default_rng(seed)
    train, val = split(transitions, config.val_fraction, rng)
    model = model if model is not None else make_idm(env_id, config, seed)
    x = model.features(train.obs, train.next_obs)

    def val_metrics() -> dict[str, float]:
        return action_metrics(model, model.features(val.obs, val.next_obs), val.acts, "idm") if val else {}

    history = fit_supervised(
        model, x, train.acts, epochs=config.epochs, lr=config.lr, batch_size=config.batch_size, rng=rng,
        name="idm", callbacks=callbacks, evaluate_every=1 if val else 0, evaluate=val_metrics,
        start_metrics=extra_metrics,
    )
    return IDMResult(model, history)


def idm_metrics(model: InverseDynamicsModel, data: Transitions, name: str = "idm") -> dict[str, float]:
    """Accuracy (discrete) or mean absolute error (continuous) of the IDM's inferred actions on ``data``.

    Taught in notebook 04.
    """
    return action_metrics(model, model.features(data.obs, data.next_obs), data.acts, name)


def label_demos(idm: InverseDynamicsModel, demos: Sequence[StateTrajectory]) -> list[Trajectory]:
    """The demos with the actions the IDM infers for each of their state pairs (s_t, s_{t+1}).

    Taught in notebook 05 (where it is first written out as a list comprehension); BCO's step 3.

    Args:
        idm: a trained inverse dynamics model (``train_idm(...).model``).
        demos: state-only (or action-labelled: their actions are ignored) trajectories of the IDM's task.

    Returns:
        One :class:`~bcolearn.Trajectory` per demo: the same states and ``terminated`` flag, inferred actions.

    Raises:
        TypeError: for an ``IDMResult`` ("pass result.model") or another object.
        ValueError: for demos whose states do not fit the IDM.
    """
    if not isinstance(idm, InverseDynamicsModel):
        check_made_for(idm, "", role="model", where="label_demos", expected=InverseDynamicsModel)
    demos = check_demos(demos, obs_dim=idm.info.obs_dim)
    return [Trajectory(obs=t.obs, acts=idm.predict(t.obs[:-1], t.obs[1:]), terminated=t.terminated) for t in demos]


def coverage_distance(idm: InverseDynamicsModel, data: Transitions,
                      demos: Sequence[StateTrajectory]) -> list[np.ndarray]:
    """How far each demo transition lies from the IDM's own data: where its labels are guesses.

    Taught in notebook 05.

    The distance from each state pair (s, s′) of the demos to the nearest transition of ``data``, both as the
    IDM sees them: its input features, standardised by the IDM's normaliser (so 1 is one standard deviation
    of its training inputs). The IDM is only checked where it has data; far from it, its labels are guesses.
    (Measured on Acrobot-v1 after BCO(α): right on all the demo transitions within 0.4, on about half of
    those farther than 4.)

    Args:
        idm: a trained inverse dynamics model (``train_idm(...).model``).
        data: the transitions it was trained on (or any others of its task).
        demos: state-only (or action-labelled) trajectories of the IDM's task.

    Returns:
        One array per demo, of shape (T,): the distance of each of its transitions.

    Raises:
        TypeError: for an ``IDMResult`` ("pass result.model"), another object, or data that is not Transitions.
        ValueError: for demos or data whose states do not fit the IDM.
    """
    if not isinstance(idm, InverseDynamicsModel):
        check_made_for(idm, "", role="model", where="coverage_distance", expected=InverseDynamicsModel)
    if not isinstance(data, Transitions):
        raise TypeError(f"data must be a bcolearn Transitions (the IDM's training data), got {type(data).__name__}.")
    demos = check_demos(demos, obs_dim=idm.info.obs_dim)
    if data.obs.shape[1] != idm.info.obs_dim:
        raise ValueError(f"data has observations of size {data.obs.shape[1]}, but the IDM's task has "
                         f"{idm.info.obs_dim}; pass the transitions the IDM was trained on.")

    def standardised(obs: np.ndarray, next_obs: np.ndarray) -> torch.Tensor:
        with torch.no_grad():
            return idm.norm(torch.as_tensor(idm.features(obs, next_obs)))

    ref = standardised(data.obs, data.next_obs)
    out = []
    for t in demos:
        x = standardised(t.obs[:-1], t.obs[1:])
        # in blocks of demo rows, so that a large data set needs little memory; the exact (not the matrix
        # product) form of the distance, so that a transition of the data itself is at distance 0
        out.append(np.concatenate([
            torch.cdist(x[i:i + 256], ref, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values.numpy()
            for i in range(0, len(x), 256)]))
    return out
