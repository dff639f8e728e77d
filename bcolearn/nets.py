"""Policy and inverse-dynamics networks, with the action head chosen from the action space.

Discrete actions get logits and a cross-entropy loss; continuous actions get a mean squashed into
the action bounds and either a squared-error loss or a Gaussian negative log-likelihood. That
choice is made once, in :func:`make_head`. Each head also gives the policy's distribution over
actions (:meth:`ActionHead.distribution`: a ``Categorical`` or a ``Normal``), which REINFORCE samples from.

Taught in notebooks 03 (policies) and 04 (inverse dynamics models).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from bcolearn.envs import EnvInfo, configure_torch


class ActionHead(nn.Module):
    """Turns the network's raw output into actions and a training loss.

    Used behind the scenes in notebook 03.
    """

    out_dim: int

    def loss(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Mean loss of outputs ``out`` (B, out_dim) against target actions."""
        raise NotImplementedError

    def predict(self, out: torch.Tensor) -> torch.Tensor:
        """The single best action for each row of ``out``."""
        raise NotImplementedError

    def target(self, acts: np.ndarray) -> torch.Tensor:
        """Actions as a tensor of the dtype the loss expects."""
        raise NotImplementedError

    def distribution(self, out: torch.Tensor) -> torch.distributions.Distribution:
        """π(· | s) for each row of ``out``: its ``log_prob(acts)`` has shape (B,), ``sample()`` gives actions."""
        raise NotImplementedError


class DiscreteHead(ActionHead):
    """Logits over ``n`` actions; loss = cross-entropy −log softmax(z)_a; action = argmax.

    Used behind the scenes in notebook 03.
    """

    def __init__(self, n_actions: int) -> None:
        super().__init__()
        self.out_dim = n_actions

    def loss(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(out, target)

    def predict(self, out: torch.Tensor) -> torch.Tensor:
        return out.argmax(dim=-1)

    def target(self, acts: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(acts, dtype=torch.long)

    def distribution(self, out: torch.Tensor) -> torch.distributions.Categorical:
        """softmax(z): a ``Categorical`` over the ``n`` actions."""
        return torch.distributions.Categorical(logits=out)


class ContinuousHead(ActionHead):
    """A mean kept inside [low, high] by ``mid + half·tanh(z)``; MSE or Gaussian NLL loss.

    Used behind the scenes in notebook 03.

    With ``loss="nll"`` the network also outputs a log standard deviation per action dimension
    and the loss is −log N(a; μ, σ²) = ½((a − μ)/σ)² + log σ + ½ log 2π.
    """

    def __init__(self, low: np.ndarray, high: np.ndarray, loss: str = "mse") -> None:
        super().__init__()
        if loss not in ("mse", "nll"):
            raise ValueError(f"continuous loss must be 'mse' or 'nll', got {loss!r}.")
        self.kind = loss
        self.act_dim = len(low)
        self.out_dim = self.act_dim * (2 if loss == "nll" else 1)
        self.register_buffer("mid", torch.as_tensor((high + low) / 2, dtype=torch.float32))
        self.register_buffer("half_range", torch.as_tensor((high - low) / 2, dtype=torch.float32))

    def mean_and_log_std(self, out: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        mean = self.mid + self.half_range * torch.tanh(out[..., : self.act_dim])
        if self.kind == "mse":
            return mean, None
        return mean, out[..., self.act_dim :].clamp(-5.0, 2.0)

    def loss(self, out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        mean, log_std = self.mean_and_log_std(out)
        if log_std is None:
            return F.mse_loss(mean, target)
        nll = 0.5 * ((target - mean) / log_std.exp()) ** 2 + log_std + 0.5 * math.log(2 * math.pi)
        return nll.sum(dim=-1).mean()

    def predict(self, out: torch.Tensor) -> torch.Tensor:
        return self.mean_and_log_std(out)[0]

    def target(self, acts: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(acts, dtype=torch.float32)

    def distribution(self, out: torch.Tensor) -> torch.distributions.Independent:
        """N(μ, σ²) per action dimension (``.mean``, ``.stddev``; ``log_prob`` sums over the dimensions).

        Raises:
            ValueError: for a head trained with the squared error, which learns no σ.
        """
        mean, log_std = self.mean_and_log_std(out)
        if log_std is None:
            raise ValueError("This head was trained with continuous_loss='mse', which learns only a mean: it has "
                             "no distribution. Train with continuous_loss='nll' for a Gaussian policy.")
        return torch.distributions.Independent(torch.distributions.Normal(mean, log_std.exp()), 1)


def make_head(info: EnvInfo, continuous_loss: str = "mse") -> ActionHead:
    """The one place where the action space picks the head and the loss.

    Used behind the scenes in notebook 03.
    """
    if info.discrete:
        return DiscreteHead(info.n_actions)
    assert info.act_low is not None and info.act_high is not None
    return ContinuousHead(info.act_low, info.act_high, continuous_loss)


def mlp(in_dim: int, out_dim: int, hidden_sizes: Sequence[int]) -> nn.Sequential:
    """A multilayer perceptron with tanh hidden units.

    Used behind the scenes in notebook 03.
    """
    layers: list[nn.Module] = []
    for h in hidden_sizes:
        layers += [nn.Linear(in_dim, h), nn.Tanh()]
        in_dim = h
    layers.append(nn.Linear(in_dim, out_dim))
    return nn.Sequential(*layers)


class Normaliser(nn.Module):
    """Standardises inputs with a mean and standard deviation fitted on training data.

    Used behind the scenes in notebook 04.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))

    def fit(self, x: np.ndarray) -> None:
        self.mean.copy_(torch.as_tensor(x.mean(axis=0), dtype=torch.float32))
        self.std.copy_(torch.as_tensor(x.std(axis=0) + 1e-6, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class ActionModel(nn.Module):
    """Features → normaliser → MLP → action head: what a policy and an IDM have in common.

    Used behind the scenes in notebook 03.
    """

    def __init__(self, info: EnvInfo, in_dim: int, hidden_sizes: Sequence[int], continuous_loss: str) -> None:
        configure_torch()
        super().__init__()
        self.info = info
        self.hidden_sizes = tuple(int(h) for h in hidden_sizes)
        self.continuous_loss = continuous_loss
        self.norm = Normaliser(in_dim)
        self.head = make_head(info, continuous_loss)
        self.net = mlp(in_dim, self.head.out_dim, self.hidden_sizes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Raw outputs (logits, or pre-squash means) for features x of shape (B, in_dim)."""
        return self.net(self.norm(x))

    def distribution(self, x: torch.Tensor) -> torch.distributions.Distribution:
        """The head's distribution over actions for features x of shape (B, in_dim) (see :class:`ActionHead`)."""
        return self.head.distribution(self(x))

    def predict_features(self, x: np.ndarray) -> np.ndarray:
        """The best action for each row of features ``x`` (N, in_dim), as a NumPy array."""
        with torch.no_grad():
            out = self.head.predict(self(torch.from_numpy(np.array(x, dtype=np.float32))))  # a copy: x may be read-only
        return out.numpy()


class MLPPolicy(ActionModel):
    """A policy π(a | s): an MLP on normalised observations.

    Call it on one observation to get one action (greedy for discrete actions, the mean for
    continuous ones), or use :meth:`act_batch` on a batch. Used behind the scenes in notebook 03.
    """

    def __init__(self, info: EnvInfo, hidden_sizes: Sequence[int] = (64, 64), continuous_loss: str = "mse") -> None:
        super().__init__(info, info.obs_dim, hidden_sizes, continuous_loss)

    @staticmethod
    def features(obs: np.ndarray) -> np.ndarray:
        return np.asarray(obs, dtype=np.float32)

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        """Actions for observations of shape (B, obs_dim)."""
        return self.predict_features(obs)

    def act(self, obs: np.ndarray) -> int | np.ndarray:
        """The action for one observation of shape (obs_dim,)."""
        a = self.act_batch(np.asarray(obs, dtype=np.float32)[None])[0]
        return int(a) if self.info.discrete else a

    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        """On a NumPy observation: its action. On a tensor: the raw network output, as a Module."""
        if len(args) == 1 and not kwargs and isinstance(args[0], np.ndarray):
            return self.act(args[0])
        return super().__call__(*args, **kwargs)


INPUT_MODES = ("delta", "concat")


class InverseDynamicsModel(ActionModel):
    """An inverse dynamics model p(a | s, s′): which action took the agent from s to s′?

    ``input_mode="delta"`` feeds (s, s′ − s), which makes the action's effect stand out;
    ``"concat"`` feeds (s, s′). Used behind the scenes in notebook 04.
    """

    def __init__(
        self,
        info: EnvInfo,
        hidden_sizes: Sequence[int] = (64, 64),
        input_mode: str = "delta",
        continuous_loss: str = "mse",
    ) -> None:
        if input_mode not in INPUT_MODES:
            raise ValueError(f"input_mode must be one of {INPUT_MODES}, got {input_mode!r}.")
        super().__init__(info, 2 * info.obs_dim, hidden_sizes, continuous_loss)
        self.input_mode = input_mode

    def features(self, obs: np.ndarray, next_obs: np.ndarray) -> np.ndarray:
        """(s, s′ − s) or (s, s′), shape (N, 2·obs_dim)."""
        obs = np.asarray(obs, dtype=np.float32)
        next_obs = np.asarray(next_obs, dtype=np.float32)
        second = next_obs - obs if self.input_mode == "delta" else next_obs
        return np.concatenate([obs, second], axis=-1)

    def predict(self, obs: np.ndarray, next_obs: np.ndarray) -> np.ndarray:
        """Inferred actions for pairs (s, s′), each of shape (N, obs_dim)."""
        return self.predict_features(self.features(obs, next_obs))
