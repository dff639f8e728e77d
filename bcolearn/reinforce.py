"""REINFORCE: the simplest policy-gradient method, to show what learning from rewards alone costs.

The agent plays whole episodes with a stochastic policy π_θ(a | s), then makes the actions that were
followed by high return more likely:

    ∇_θ J(θ) ≈ (1/N) Σ_t ∇_θ log π_θ(a_t | s_t) · Â_t,      Â_t = (G_t − mean G) / std G,

where G_t = r_{t+1} + γ·r_{t+2} + … is the discounted return from step t on (the "reward to go"),
standardised over the batch (a simple baseline that lowers the variance). Williams (1992).

The policy is the package's :class:`~bcolearn.nets.MLPPolicy`: its head's distribution is a categorical
one (discrete actions, from logits) or a Gaussian (continuous actions, a mean and a learnt standard deviation).

Taught in notebook 01, where it is contrasted with imitation: it needs tens of thousands of
environment steps where one demonstration has a few hundred.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from bcolearn.config import Callback, check_config, check_seed, param, validate
from bcolearn.envs import describe_env
from bcolearn.evaluation import eval_metrics
from bcolearn.nets import MLPPolicy
from bcolearn.rollout import DEFAULT_MAX_STEPS, collect_demos
from bcolearn.training import History, TrainResult, notify, seeded
from bcolearn.types import Trajectory

__all__ = ["ReinforceConfig", "SamplingPolicy", "log_prob", "make_reinforce_policy", "reinforce_loss",
           "rewards_to_go", "train_reinforce"]


@dataclass(frozen=True)
class ReinforceConfig:
    """Hyperparameters of REINFORCE (bounds are checked on creation).

    Taught in notebook 01.
    """

    total_steps: int = param(100_000, "environment steps to train for (the interaction budget)", low=1, high=10_000_000)
    """Environment steps to train for, never more: the last iteration's episodes end where the budget does."""
    episodes_per_iter: int = param(8, "episodes played per gradient step", low=1, high=1000)
    """Episodes played with the current policy before each gradient step."""
    lr: float = param(1e-2, "Adam learning rate", low=1e-5, high=1.0, log=True)
    """Adam learning rate."""
    gamma: float = param(0.99, "discount factor γ of the return", low=0.0, high=1.0)
    """Discount factor γ in G_t = Σ_k γ^k r_{t+k+1}."""
    hidden_size: int = param(32, "units in each hidden layer of the policy", low=1, high=1024)
    """Units in each hidden layer."""
    n_layers: int = param(2, "hidden layers of the policy", low=1, high=4)
    """Number of hidden layers."""
    eval_every: int = param(0, "evaluate the greedy policy every this many iterations (0: never)", low=0, high=10_000)
    """Evaluate the greedy policy every this many iterations and after the last (0: never)."""
    eval_episodes: int = param(10, "episodes per evaluation", low=1, high=1000)
    """Episodes per evaluation (not counted in ``env/steps``)."""

    def __post_init__(self) -> None:
        validate(self)


class SamplingPolicy:
    """Acts by sampling from π_θ(· | s) with a seeded generator (the greedy policy only exploits).

    Used behind the scenes in notebook 01.
    """

    def __init__(self, policy: MLPPolicy, rng: np.random.Generator) -> None:
        self.policy, self.rng = policy, rng

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = self.policy(torch.as_tensor(np.asarray(obs, dtype=np.float32)))
        if self.policy.info.discrete:  # inverse-CDF sampling with the NumPy generator: a ~ softmax(z)
            probs = torch.softmax(out.double(), dim=-1).numpy()
            u = self.rng.random((len(obs), 1))
            return np.minimum((u > probs.cumsum(axis=1)).sum(axis=1), probs.shape[1] - 1)
        gauss = self.policy.head.distribution(out).base_dist  # a ~ N(μ, σ²) = μ + σ·ε, ε ~ N(0, 1)
        noise = self.rng.standard_normal(tuple(gauss.loc.shape)).astype(np.float32)
        return (gauss.loc + gauss.scale * torch.as_tensor(noise)).numpy()

    def __call__(self, obs: np.ndarray) -> int | np.ndarray:
        return self.act_batch(np.asarray(obs)[None])[0]


def log_prob(policy: MLPPolicy, obs: np.ndarray, acts: np.ndarray) -> torch.Tensor:
    """log π_θ(a | s) for a batch: shape (N,), differentiable in the policy's weights.

    Used behind the scenes in notebook 01.
    """
    out = policy(torch.as_tensor(obs, dtype=torch.float32))
    if policy.info.discrete:  # = head.distribution(out).log_prob(acts) up to rounding; kept: the course's numbers
        return torch.log_softmax(out, dim=-1)[torch.arange(len(acts)), torch.as_tensor(acts)]
    return policy.head.distribution(out).log_prob(torch.as_tensor(acts))


def rewards_to_go(rews: Sequence[float], gamma: float) -> np.ndarray:
    """G_t = r_{t+1} + γ·G_{t+1} for every step t of one episode, computed backwards; shape (T,).

    Used behind the scenes in notebook 01.
    """
    out = np.zeros(len(rews))
    running = 0.0
    for t in reversed(range(len(rews))):
        running = float(rews[t]) + gamma * running
        out[t] = running
    return out


def reinforce_loss(policy: MLPPolicy, episodes: Sequence[Trajectory], gamma: float) -> torch.Tensor:
    """−(1/N) Σ_t log π_θ(a_t | s_t) · Â_t over all N steps of the episodes (see the module docstring).

    Taught in notebook 01.
    """
    obs = np.concatenate([ep.obs[:-1] for ep in episodes])
    acts = np.concatenate([ep.acts for ep in episodes])
    returns = np.concatenate([rewards_to_go(np.asarray(ep.rews), gamma) for ep in episodes])
    adv = (returns - returns.mean()) / (returns.std() + 1e-8)
    return -(log_prob(policy, obs, acts) * torch.as_tensor(adv, dtype=torch.float32)).mean()


def make_reinforce_policy(env_id: str, config: ReinforceConfig, seed: int) -> MLPPolicy:
    """A freshly initialised stochastic-ready policy (continuous actions get a learnt log std).

    Used behind the scenes in notebook 01.
    """
    info = describe_env(env_id)
    config = check_config(config, ReinforceConfig, where="make_reinforce_policy")
    seed = check_seed(seed)
    return seeded(seed, lambda: MLPPolicy(info, (config.hidden_size,) * config.n_layers, continuous_loss="nll"))


def train_reinforce(
    env_id: str,
    config: ReinforceConfig | None = None,
    *,
    seed: int,
    callbacks: Iterable[Callback] = (),
) -> TrainResult:
    """Train a policy with REINFORCE from the environment's rewards alone (no demonstrations).

    Taught in notebook 01.

    Each iteration plays ``config.episodes_per_iter`` episodes with the sampling policy, then takes one
    Adam step on :func:`reinforce_loss`. The run never takes more than ``config.total_steps`` steps: the
    last iteration's episodes end where the budget does (``step_budget`` of :func:`collect_demos`).

    Args:
        env_id: a Gymnasium id, e.g. ``"CartPole-v1"``.
        config: hyperparameters; ``ReinforceConfig()`` if None.
        seed: seeds the initial weights, the action sampling and the episodes' start states.
        callbacks: each gets ``{"iteration", "env/steps", "train/return_mean", "train/terminations",
            "loss/reinforce", ["eval/return_mean", "eval/score"]}`` after every iteration; returning True
            stops training. ``env/steps`` counts the training interactions so far; ``train/return_mean`` is
            the mean return of this iteration's (sampled) episodes that ended on their own (not cut short by
            the budget; absent when the budget cut them all); ``train/terminations`` how many of them
            ended in a terminal state (on CartPole: the pole fell or the cart left the track).

    Returns:
        A :class:`~bcolearn.bc.TrainResult` with the policy (acting greedily) and one history row per iteration.

    Raises:
        TypeError: for a config of another class or a seed that is not a whole number.
        ValueError: for an unknown environment or a negative seed.
    """
    limit = describe_env(env_id).max_episode_steps or DEFAULT_MAX_STEPS
    config = check_config(config, ReinforceConfig, where="train_reinforce")
    seed = check_seed(seed)
    policy = make_reinforce_policy(env_id, config, seed)
    sampler = SamplingPolicy(policy, np.random.default_rng(seed))
    opt = torch.optim.Adam(policy.parameters(), lr=config.lr)
    history, steps, iteration = History(), 0, 0
    while steps < config.total_steps:
        iteration += 1
        # Fresh start states every iteration, and none shared with another training seed.
        first = ((seed + 1) * 10_000_000 + (iteration - 1) * config.episodes_per_iter) % 2**32  # a valid seed
        episodes = collect_demos(env_id, sampler, config.episodes_per_iter, seed=first,
                                 step_budget=config.total_steps - steps)
        steps += sum(len(ep) for ep in episodes)
        ended = [ep for ep in episodes if ep.terminated or len(ep) >= limit]
        loss = reinforce_loss(policy, episodes, config.gamma)
        opt.zero_grad()
        loss.backward()
        opt.step()
        row: dict[str, float] = {
            "iteration": iteration,
            "env/steps": steps,
            "train/terminations": sum(ep.terminated for ep in episodes),
            "loss/reinforce": float(loss.detach()),
        }
        if ended:  # the mean over the episodes that ended on their own (the budget may cut the last ones short)
            row["train/return_mean"] = float(np.mean([ep.episode_return for ep in ended]))
        last = steps >= config.total_steps
        if config.eval_every and (iteration % config.eval_every == 0 or last):
            row.update(eval_metrics(env_id, policy, config.eval_episodes))
        history.append(row)
        if notify(callbacks, row):
            break
    policy.eval()
    return TrainResult(policy, history)
