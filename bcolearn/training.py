"""The shared training kernel: what every algorithm's train function is built from.

- :class:`History` (one row of namespaced metrics per epoch or iteration) and :data:`X_KEYS`;
- :class:`TrainResult` (a policy and its history);
- :func:`seeded` (one seeded model builder), :func:`notify` (callbacks), :func:`action_metrics`;
- :class:`SupervisedConfig` (the settings every supervised learner shares), :func:`build_model` (a fresh
  model from a checked config) and :func:`fit_supervised`, the supervised loop shared by Behavioural
  Cloning and the inverse dynamics model: minimise the action head's loss over minibatches with Adam. Taught from scratch in notebook 03; this is
  the package's version of that loop.

The evaluation row (:func:`bcolearn.evaluation.eval_metrics`) and the check that a network was made for
the task (:func:`bcolearn.evaluation.check_made_for`) sit next to evaluation, which needs no torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import torch

from bcolearn.config import Callback, check_config, check_seed, param, validate
from bcolearn.envs import EnvInfo, configure_torch, describe_env
from bcolearn.evaluation import EVAL_SEED, EvalResult, evaluate
from bcolearn.nets import ActionModel, MLPPolicy

X_KEYS = ("epoch", "iteration", "bco/iteration", "env/steps")
"""The keys a row can be plotted against, in the order :meth:`History.series` picks the first present."""

M = TypeVar("M", bound=torch.nn.Module)


def seeded(seed: int, build: Callable[[], M]) -> M:
    """``build()`` with torch's generator seeded by ``seed``, leaving the global generator as it was.

    Taught in notebook 03 (every ``make_*`` builder uses it): the same seed gives the same initial weights.
    """
    configure_torch()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


class History(list):
    """A list of metric dicts, one per epoch or iteration, with a helper to read one series.

    Used behind the scenes in notebook 03.
    """

    def series(self, key: str, x: str = "auto") -> tuple[np.ndarray, np.ndarray]:
        """``(xs, ys)`` for every entry that has ``key`` (e.g. ``"eval/return_mean"``).

        ``x="auto"`` takes the first of :data:`X_KEYS` (``epoch``, ``iteration``, ``bco/iteration``,
        ``env/steps``) that those rows have (BCO's history has no epochs, for example).
        """
        rows = [row for row in self if key in row]
        if x == "auto":
            x = next((k for k in X_KEYS if rows and k in rows[0]), "epoch")
        if any(x not in row for row in rows):
            raise KeyError(f"Rows with {key!r} have no {x!r}; they have {sorted(rows[0])}.")
        return np.array([row[x] for row in rows]), np.array([row[key] for row in rows])

    def last(self, key: str) -> float:
        """The most recent value of ``key``."""
        for row in reversed(self):
            if key in row:
                return float(row[key])
        raise KeyError(f"No metric {key!r} recorded; have {sorted({k for r in self for k in r})}.")


@dataclass
class TrainResult:
    """A trained policy and what happened while training it.

    Used behind the scenes in notebook 03.
    """

    policy: MLPPolicy
    history: History = field(default_factory=History)
    """One row of namespaced metrics per epoch (or per BCO iteration)."""

    def evaluate(self, n_episodes: int = 20, seed: int = EVAL_SEED) -> EvalResult:
        """Evaluate the trained policy (see :func:`bcolearn.evaluate`)."""
        return evaluate(self.policy.info.env_id, self.policy, n_episodes, seed)


def notify(callbacks: Iterable[Callback], metrics: dict[str, float]) -> bool:
    """Send metrics to every callback; True if any asks to stop."""
    stop = False
    for cb in callbacks:
        stop = bool(cb(metrics)) or stop
    return stop


def action_metrics(model: ActionModel, x: np.ndarray, acts: np.ndarray, name: str) -> dict[str, float]:
    """Accuracy (discrete, ``acc/NAME``) or mean absolute error (continuous, ``err/NAME``).

    Used behind the scenes in notebook 04.
    """
    pred = model.predict_features(x)
    if pred.shape != np.shape(acts):
        raise ValueError(f"True actions have shape {np.shape(acts)}, but the model predicts shape {pred.shape}.")
    if model.info.discrete:
        return {f"acc/{name}": float(np.mean(pred == acts))}
    return {f"err/{name}": float(np.mean(np.abs(pred - acts)))}


@dataclass(frozen=True)
class SupervisedConfig:
    """The settings Behavioural Cloning and the inverse dynamics model share: the network and its Adam loop.

    Used behind the scenes in notebook 03 (through :class:`~bcolearn.bc.BCConfig`);
    :class:`~bcolearn.idm.IDMConfig` changes two defaults. Bounds are checked on creation.
    """

    epochs: int = param(40, "passes over the demonstrations", low=1, high=1000)
    """Passes over the training data."""
    lr: float = param(3e-3, "Adam learning rate", low=1e-5, high=1.0, log=True)
    """Adam learning rate."""
    batch_size: int = param(128, "training pairs per gradient step", low=1, high=100_000)
    """Training pairs (state and action, or transition and action) per gradient step."""
    hidden_size: int = param(32, "units in each hidden layer of the network", low=1, high=1024)
    """Units in each hidden layer."""
    n_layers: int = param(2, "hidden layers of the network", low=1, high=4)
    """Number of hidden layers."""

    def __post_init__(self) -> None:
        validate(self)

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        """The hidden layers' widths: ``n_layers`` layers of ``hidden_size`` units."""
        return (self.hidden_size,) * self.n_layers


S = TypeVar("S", bound=SupervisedConfig)


def build_model(env_id: str, config: S, cls: type[S], seed: int, where: str, build: Callable[[EnvInfo, S], M]) -> M:
    """``build(info, config)`` for ``env_id`` after checking the config and seed, its weights drawn from ``seed``.

    Used behind the scenes in notebook 03 (``make_policy`` and ``make_idm`` are built this way).
    """
    info = describe_env(env_id)
    config = check_config(config, cls, where=where)
    seed = check_seed(seed)
    return seeded(seed, lambda: build(info, config))


def fit_supervised(
    model: ActionModel,
    x: np.ndarray,
    acts: np.ndarray,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    rng: np.random.Generator,
    name: str,
    callbacks: Iterable[Callback] = (),
    evaluate_every: int = 0,
    evaluate: Callable[[], dict[str, float]] | None = None,
    start_metrics: dict[str, float] | None = None,
) -> History:
    """Train ``model`` to predict ``acts`` from features ``x`` by minibatch Adam.

    Used behind the scenes in notebook 03.

    The loss is the head's: cross-entropy −log π(a|x) for discrete actions, ‖μ(x) − a‖² or the
    Gaussian NLL for continuous ones (see :mod:`bcolearn.nets`). Minibatches are drawn by ``rng``,
    so the same generator state gives identical losses.

    Args:
        model: a policy or inverse dynamics model; its normaliser is fitted on ``x``.
        x: features, shape (N, in_dim).
        acts: target actions, (N,) int or (N, act_dim) float.
        epochs: passes over the data.
        lr: Adam's learning rate.
        batch_size: minibatch size (clipped to N).
        rng: draws the minibatch order.
        name: metric namespace, e.g. ``"bc"`` gives ``loss/bc``.
        callbacks: receive a metrics dict after every epoch; any returning True stops training.
        evaluate_every: call ``evaluate`` every this many epochs (0: never) and after the last.
        evaluate: returns extra metrics, e.g. ``{"eval/return_mean": ...}``.
        start_metrics: constant metrics added to every row (e.g. the BCO iteration).

    Returns:
        A :class:`History` with one row per epoch.
    """
    configure_torch()
    n = len(x)
    model.norm.fit(x)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = model.head.target(acts)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    bs = min(batch_size, n)
    history = History()
    for epoch in range(1, epochs + 1):
        order = torch.as_tensor(rng.permutation(n))
        total = 0.0
        model.train()
        for start in range(0, n, bs):
            idx = order[start : start + bs]
            loss = model.head.loss(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        model.eval()
        row = {**(start_metrics or {}), "epoch": epoch, f"loss/{name}": total / n}
        if evaluate is not None and evaluate_every > 0 and (epoch % evaluate_every == 0 or epoch == epochs):
            row.update(evaluate())
        history.append(row)
        if notify(callbacks, row):
            break
    return history
