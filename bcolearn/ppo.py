"""Proximal Policy Optimisation (Schulman et al., 2017): a small, readable policy-gradient learner.

Each iteration the policy acts in ``n_envs`` environments for ``n_steps`` steps, then a few epochs of
minibatch Adam maximise the clipped surrogate objective

    L(θ) = E_t[ min(ρ_t Â_t, clip(ρ_t, 1 − ε, 1 + ε) Â_t) ] − c_v·E_t[(V(s_t) − R̂_t)²] + c_H·E_t[H(π(·|s_t))],

with ρ_t = π_θ(a_t | s_t) / π_old(a_t | s_t). The advantages Â_t come from generalised advantage
estimation (GAE, Schulman et al., 2016):  δ_t = r_t + γ·V(s′_t) − V(s_t),  Â_t = δ_t + γλ·Â_{t+1}
within an episode, and R̂_t = Â_t + V(s_t). Where an episode was cut off by a time limit, V(s′_t)
bootstraps from the real last state; where it terminated, from a value the caller gives (0 by default).

The rewards come from a function of the transitions, so the same learner serves the environment's
reward (:func:`train_ppo`) and a learnt one (GAIfO's discriminator, :mod:`bcolearn.gaifo`): call
:meth:`PPO.collect` for a batch, compute its rewards, then :meth:`PPO.update`.

Taught in notebook 08.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from bcolearn.bc import TrainResult
from bcolearn.config import Callback, check_config, check_count, check_seed, param, validate
from bcolearn.envs import EnvInfo, describe_env, make_env
from bcolearn.evaluation import eval_metrics
from bcolearn.nets import MLPPolicy, mlp
from bcolearn.training import History, notify

RewardFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``reward_fn(obs, next_obs)``: rewards of N transitions, from arrays of shape (N, obs_dim) to (N,)."""


@dataclass(frozen=True)
class PPOConfig:
    """Hyperparameters of PPO (bounds are checked on creation).

    Taught in notebook 08.
    """

    n_envs: int = param(8, "environments stepped side by side", low=1, high=256)
    """Environments stepped in lock-step; one iteration collects ``n_envs · n_steps`` transitions."""
    n_steps: int = param(128, "steps per environment per iteration", low=1, high=10_000)
    """Steps each environment takes per iteration."""
    epochs: int = param(4, "passes over each batch of transitions", low=1, high=100)
    """Passes of minibatch Adam over each iteration's batch."""
    minibatches: int = param(4, "minibatches per pass", low=1, high=1000)
    """The batch is split into this many minibatches per pass."""
    lr: float = param(2.5e-3, "Adam learning rate", low=1e-6, high=1.0, log=True)
    """Adam learning rate (policy and value network together)."""
    gamma: float = param(0.99, "discount factor γ", low=0.0, high=1.0)
    """Discount factor γ."""
    gae_lambda: float = param(0.95, "GAE's λ: 0 is one-step TD, 1 is the Monte Carlo return", low=0.0, high=1.0)
    """λ of generalised advantage estimation."""
    clip: float = param(0.2, "clip range ε of the probability ratio", low=0.0, high=1.0)
    """The ratio π/π_old is clipped to [1 − ε, 1 + ε]."""
    ent_coef: float = param(0.0, "weight c_H of the entropy bonus", low=0.0, high=1.0)
    """Weight of the entropy bonus (more exploration)."""
    vf_coef: float = param(0.5, "weight c_v of the value loss", low=0.0, high=10.0)
    """Weight of the value-function loss."""
    max_grad_norm: float = param(0.5, "gradient norm clip", low=0.01, high=100.0)
    """Gradients are rescaled to at most this norm."""
    hidden_size: int = param(32, "units in each hidden layer (policy and value)", low=1, high=1024)
    """Units in each hidden layer of a fresh policy and of the value network."""
    n_layers: int = param(2, "hidden layers (policy and value)", low=1, high=4)
    """Hidden layers of a fresh policy and of the value network."""
    init_log_std: float = param(-0.5, "initial log standard deviation of continuous actions", low=-5.0, high=2.0)
    """Continuous actions are sampled from N(μ(s), σ(s)²); log σ(s) starts at this value everywhere, then learns."""

    @property
    def batch_size(self) -> int:
        """Transitions per iteration, ``n_envs · n_steps``."""
        return self.n_envs * self.n_steps

    def __post_init__(self) -> None:
        validate(self)


@dataclass
class Rollout:
    """One iteration's transitions, arrays of shape (n_steps, n_envs, …).

    Used behind the scenes in notebook 08.
    """

    obs: np.ndarray
    """States s_t, (T, E, obs_dim)."""
    acts: np.ndarray
    """Sampled actions, (T, E) int or (T, E, act_dim) float (before clipping to the bounds)."""
    next_obs: np.ndarray
    """Next states s′_t, (T, E, obs_dim): the real last state where an episode ended."""
    env_rews: np.ndarray
    """The environment's rewards, (T, E) (for reporting; PPO optimises the rewards it is given)."""
    terminated: np.ndarray
    """(T, E) bool: s′_t is terminal."""
    truncated: np.ndarray
    """(T, E) bool: the episode was cut off after s′_t (a time limit)."""
    log_probs: np.ndarray
    """log π_old(a_t | s_t), (T, E)."""
    episode_returns: list[float]
    """Environment returns of the episodes that ended during this rollout."""

    def flat(self, name: str) -> np.ndarray:
        """Field ``name`` with the step and env axes merged: (T·E, …)."""
        value = getattr(self, name)
        return value.reshape(-1, *value.shape[2:])


def fresh_policy(info: EnvInfo, config: PPOConfig) -> MLPPolicy:
    """A new policy for PPO: an MLP whose head gives π(· | s) (:meth:`bcolearn.nets.ActionHead.distribution`).

    Used behind the scenes in notebook 08. Discrete actions: a Categorical over the logits. Continuous
    actions: a Normal around the bounded mean, with a log σ output that starts at ``config.init_log_std``
    in every state (zero weights) and is learnt like the rest.
    """
    hidden = (config.hidden_size,) * config.n_layers
    if info.discrete:
        return MLPPolicy(info, hidden)
    return with_distribution(MLPPolicy(info, hidden), config.init_log_std)


def with_distribution(policy: MLPPolicy, init_log_std: float) -> MLPPolicy:
    """``policy`` itself if its head has a distribution; else a copy that has one.

    Used behind the scenes in notebook 08. A continuous policy trained with the squared error (BC's
    default, ``continuous_loss="mse"``) learns only a mean; the copy's network also outputs log σ,
    ``init_log_std`` in every state to begin with, and acts exactly as ``policy`` does (same mean).
    """
    if policy.info.discrete or policy.continuous_loss == "nll":
        return policy
    copy = MLPPolicy(policy.info, policy.hidden_sizes, continuous_loss="nll")
    state = dict(policy.state_dict())
    last = f"net.{len(policy.net) - 1}"
    weight, bias = state.pop(f"{last}.weight"), state.pop(f"{last}.bias")
    copy.load_state_dict(state, strict=False)
    with torch.no_grad():
        out = copy.net[-1]
        out.weight.zero_()
        out.weight[: len(weight)] = weight   # the mean's rows, as trained; log σ's rows: 0
        out.bias.fill_(init_log_std)
        out.bias[: len(bias)] = bias
    copy.train(policy.training)
    return copy


def gae(rews: np.ndarray, values: np.ndarray, next_values: np.ndarray, dones: np.ndarray,
        gamma: float, lam: float) -> np.ndarray:
    """Generalised advantage estimates Â_t, shape (T, E) (see the module docstring).

    Used behind the scenes in notebook 08.

    Args:
        rews: rewards r_t, (T, E).
        values: V(s_t), (T, E).
        next_values: the value of s′_t to bootstrap from, (T, E): V(s′_t), or the terminal value.
        dones: (T, E) bool, the episode ended after step t (the sum stops there).
        gamma: discount γ.
        lam: GAE's λ.
    """
    adv = np.zeros_like(rews, dtype=np.float64)
    running = np.zeros(rews.shape[1])
    for t in reversed(range(len(rews))):
        delta = rews[t] + gamma * next_values[t] - values[t]
        running = delta + gamma * lam * (1.0 - dones[t]) * running
        adv[t] = running
    return adv


class PPO:
    """A PPO learner on ``env_id``: its policy, value network, environments and optimiser.

    Used behind the scenes in notebook 08.

    Args:
        env_id: the task.
        config: hyperparameters.
        seed: seeds the initial weights, the action sampling, the minibatches and the episodes' starts.
        policy: improve this policy (e.g. one trained by BCO) instead of a fresh one; it is trained in place
            (a continuous policy without a σ output is first copied with one: :func:`with_distribution`).
    """

    def __init__(self, env_id: str, config: PPOConfig, *, seed: int, policy: MLPPolicy | None = None) -> None:
        self.config, self.info, self.seed = config, describe_env(env_id), seed
        hidden = (config.hidden_size,) * config.n_layers
        if policy is not None and (policy.info.env_id != self.info.env_id or policy.info.obs_dim != self.info.obs_dim):
            raise ValueError(f"The policy was made for {policy.info.env_id}, not {env_id}.")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.policy = fresh_policy(self.info, config) if policy is None else with_distribution(
                policy, config.init_log_std)
            self.value = mlp(self.info.obs_dim, 1, hidden)
        self.opt = torch.optim.Adam(list(self.policy.parameters()) + list(self.value.parameters()), lr=config.lr)
        self.rng = np.random.default_rng(seed)
        self.envs = [make_env(env_id) for _ in range(config.n_envs)]
        self._episodes = 0
        self._obs = np.stack([self._reset(env) for env in self.envs]).astype(np.float32)
        self._returns = np.zeros(config.n_envs)
        self.env_steps = 0
        """Environment steps taken so far."""

    def _reset(self, env) -> np.ndarray:  # type: ignore[no-untyped-def]
        # Every episode starts from its own seed, none shared with another training seed.
        obs, _ = env.reset(seed=(self.seed + 1) * 10_000_000 + self._episodes)
        self._episodes += 1
        return obs

    def values(self, obs: np.ndarray) -> np.ndarray:
        """V(s) for states of shape (..., obs_dim)."""
        with torch.no_grad():
            x = torch.as_tensor(obs, dtype=torch.float32)
            return self.value(self.policy.norm(x)).squeeze(-1).numpy()

    def _sample(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sampled actions and their log-probabilities, drawn with the learner's NumPy generator."""
        with torch.no_grad():
            dist = self.policy.distribution(torch.as_tensor(obs))
            if self.info.discrete:
                probs = dist.probs.double().numpy()
                u = self.rng.random((len(obs), 1))
                acts = np.minimum((u > probs.cumsum(axis=1)).sum(axis=1), probs.shape[1] - 1)
                return acts, dist.log_prob(torch.as_tensor(acts)).numpy()
            mean, std = dist.base_dist.loc, dist.base_dist.scale
            acts = (mean + std * torch.as_tensor(self.rng.standard_normal(mean.shape), dtype=torch.float32))
            return acts.numpy(), dist.log_prob(acts).numpy()

    def collect(self) -> Rollout:
        """Act for ``n_steps`` steps in every environment with the sampling policy."""
        c, info = self.config, self.info
        T, E, D = c.n_steps, c.n_envs, info.obs_dim
        obs, next_obs = np.zeros((T, E, D), np.float32), np.zeros((T, E, D), np.float32)
        acts = np.zeros((T, E), np.int64) if info.discrete else np.zeros((T, E, info.act_dim), np.float32)
        rews, logp = np.zeros((T, E)), np.zeros((T, E))
        term, trunc = np.zeros((T, E), bool), np.zeros((T, E), bool)
        finished: list[float] = []
        for t in range(T):
            obs[t] = self._obs
            acts[t], logp[t] = self._sample(self._obs)
            for e, env in enumerate(self.envs):
                a = int(acts[t, e]) if info.discrete else np.clip(acts[t, e], info.act_low, info.act_high)
                o, r, te, tr, _ = env.step(a)
                next_obs[t, e], rews[t, e], term[t, e], trunc[t, e] = o, r, te, tr
                self._returns[e] += r
                if te or tr:
                    finished.append(float(self._returns[e]))
                    self._returns[e] = 0.0
                    o = self._reset(env)
                self._obs[e] = o
        self.env_steps += T * E
        return Rollout(obs, acts, next_obs, rews, term, trunc, logp, finished)

    def update(self, rollout: Rollout, rews: np.ndarray, terminal_values: np.ndarray | float = 0.0) -> dict[str, float]:
        """Several epochs of minibatch Adam on the clipped PPO objective, with rewards ``rews`` (T, E).

        Args:
            rollout: from :meth:`collect`.
            rews: the reward of each transition, (T, E).
            terminal_values: the value bootstrapped where s′ is terminal (0: nothing follows).

        Returns:
            ``loss/policy``, ``loss/value``, ``policy/entropy`` and ``policy/clip_frac`` of the last epoch.
        """
        c = self.config
        values = self.values(rollout.obs)
        next_values = np.where(rollout.terminated, terminal_values, self.values(rollout.next_obs))
        adv = gae(rews, values, next_values, rollout.terminated | rollout.truncated, c.gamma, c.gae_lambda)
        obs = torch.as_tensor(rollout.flat("obs"))
        acts = torch.as_tensor(rollout.flat("acts"))
        old_logp = torch.as_tensor(rollout.flat("log_probs"), dtype=torch.float32)
        adv_t = torch.as_tensor(adv.reshape(-1), dtype=torch.float32)
        ret_t = adv_t + torch.as_tensor(values.reshape(-1), dtype=torch.float32)
        n = len(obs)
        size = max(1, n // c.minibatches)
        stats: dict[str, float] = {}
        for _ in range(c.epochs):
            order = torch.as_tensor(self.rng.permutation(n))
            sums = np.zeros(4)
            for start in range(0, n, size):
                idx = order[start:start + size]
                a = (adv_t[idx] - adv_t[idx].mean()) / (adv_t[idx].std() + 1e-8) if len(idx) > 1 else adv_t[idx]
                dist = self.policy.distribution(obs[idx])
                ratio = (dist.log_prob(acts[idx]) - old_logp[idx]).exp()
                pg_loss = -torch.min(ratio * a, ratio.clamp(1 - c.clip, 1 + c.clip) * a).mean()
                v_loss = ((self.value(self.policy.norm(obs[idx])).squeeze(-1) - ret_t[idx]) ** 2).mean()
                entropy = dist.entropy().mean()
                loss = pg_loss + c.vf_coef * v_loss - c.ent_coef * entropy
                self.opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_([p for g in self.opt.param_groups for p in g["params"]], c.max_grad_norm)
                self.opt.step()
                clipped = float(((ratio - 1).abs() > c.clip).float().mean())
                sums += np.array([pg_loss.item(), v_loss.item(), entropy.item(), clipped]) * len(idx)
            stats = dict(zip(("loss/policy", "loss/value", "policy/entropy", "policy/clip_frac"), sums / n))
        self.policy.eval()
        return {k: float(v) for k, v in stats.items()}

    def close(self) -> None:
        """Close the environments."""
        for env in self.envs:
            env.close()


def train_ppo(
    env_id: str,
    config: PPOConfig | None = None,
    *,
    seed: int,
    total_steps: int,
    reward_fn: RewardFn | None = None,
    callbacks: Iterable[Callback] = (),
    policy: MLPPolicy | None = None,
    eval_every: int = 0,
    eval_episodes: int = 10,
) -> TrainResult:
    """Train a policy with PPO on the environment's reward, or on ``reward_fn(s, s′)``.

    Taught in notebook 08.

    Args:
        env_id: the task.
        config: hyperparameters; ``PPOConfig()`` if None.
        seed: seeds everything (same seed, same numbers).
        total_steps: environment steps to train for (rounded up to whole iterations).
        reward_fn: rewards of transitions, ``(obs, next_obs) -> (N,)``; None: the environment's.
        callbacks: get one row per iteration (``iteration``, ``env/steps``, ``train/return_mean``, the
            losses, and ``eval/…`` when evaluated); returning True stops after that iteration.
        policy: improve this policy instead of a fresh one.
        eval_every: evaluate the greedy policy every this many iterations and after the last (0: only after the last).
        eval_episodes: episodes per evaluation (not counted in ``env/steps``).

    Returns:
        A :class:`~bcolearn.bc.TrainResult`: the (greedy) policy and the history.
    """
    config = check_config(config, PPOConfig, where="train_ppo")
    seed = check_seed(seed)
    total_steps = check_count(total_steps, "total_steps")
    eval_every = check_count(eval_every, "eval_every", low=0)
    eval_episodes = check_count(eval_episodes, "eval_episodes")
    ppo = PPO(env_id, config, seed=seed, policy=policy)
    callbacks, history, iteration = list(callbacks), History(), 0
    try:
        while ppo.env_steps < total_steps:
            iteration += 1
            batch = ppo.collect()
            rews = batch.env_rews if reward_fn is None else np.asarray(
                reward_fn(batch.flat("obs"), batch.flat("next_obs")), dtype=float).reshape(batch.env_rews.shape)
            row: dict[str, float] = {"iteration": iteration, "env/steps": ppo.env_steps, **ppo.update(batch, rews)}
            if batch.episode_returns:
                row["train/return_mean"] = float(np.mean(batch.episode_returns))
            last = ppo.env_steps >= total_steps
            if last or (eval_every and iteration % eval_every == 0):
                row.update(eval_metrics(env_id, ppo.policy, eval_episodes))
            history.append(row)
            if notify(callbacks, row):
                break
    finally:
        ppo.close()
    return TrainResult(ppo.policy, history)
