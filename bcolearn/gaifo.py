"""Generative Adversarial Imitation from Observation (Torabi, Warnell & Stone, 2018).

GAIfO learns from state-only demonstrations by a game between two networks:

1. a discriminator D(s, s′) ∈ (0, 1) learns to tell the expert's transitions (label 1) from the
   learner's (label 0), by minimising the binary cross-entropy
   L_D = −E_expert[log D(s, s′)] − E_learner[log(1 − D(s, s′))];
2. the policy is trained by reinforcement learning (PPO, :mod:`bcolearn.ppo`) to make transitions
   the discriminator takes for the expert's, with the reward
   r(s, s′) = log D − log(1 − D)  (the discriminator's logit: positive where it looks expert-like,
   negative where not), or the survival-biased r = −log(1 − D) > 0 that the original paper uses.

A reward that is always positive pays the learner for every step it stays alive, whether or not it
imitates; one that is always negative pays it to end episodes. So GAIfO here also judges the end of
an episode (Kostrikov et al., 2019, "absorbing states"): a terminated episode moves into an absorbing
state that the discriminator sees like any other transition. The expert's CartPole episodes never
terminate, so ending one is un-expert-like; its Acrobot episodes terminate on success, so ending
one is expert-like. Ending is worth the absorbing state's reward forever after, r_abs / (1 − γ).

GAIfO never reads a demonstration's actions, only its states.

Taught in notebook 08.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from bcolearn.bc import TrainResult
from bcolearn.bco import BCOConfig, train_bco
from bcolearn.config import Callback, check_config, check_seed, param, validate
from bcolearn.envs import describe_env
from bcolearn.nets import INPUT_MODES, MLPPolicy, Normaliser, mlp
from bcolearn.evaluation import eval_metrics
from bcolearn.ppo import PPO, PPOConfig, Rollout, fresh_policy
from bcolearn.training import notify
from bcolearn.types import StateTrajectory, check_demos, state_pairs

REWARDS = ("signed", "positive")
"""``"signed"``: log D − log(1 − D); ``"positive"``: −log(1 − D) (pays for survival)."""


@dataclass(frozen=True)
class GAIfOConfig:
    """Hyperparameters of GAIfO (bounds are checked on creation).

    Taught in notebook 08.
    """

    total_steps: int = param(60_000, "environment interactions to train for", low=1, high=10_000_000, log=True)
    """Environment steps to train for (rounded up to whole PPO iterations)."""
    reward: str = param("signed", "the policy's reward from D", choices=REWARDS)
    """'signed': log D − log(1 − D), either sign; 'positive': −log(1 − D), always positive (survival-biased)."""
    absorbing: bool = param(True, "the discriminator also judges the end of an episode", choices=(True, False))
    """Treat a terminated episode as entering an absorbing state that D scores (Kostrikov et al., 2019)."""
    input_mode: str = param("delta", "what D sees: (s, s′ − s) or (s, s′)", choices=INPUT_MODES)
    """'delta' feeds (s, s′ − s); 'concat' feeds (s, s′)."""
    disc_hidden_size: int = param(32, "units in each hidden layer of the discriminator", low=1, high=1024)
    """Units in each hidden layer of D."""
    disc_layers: int = param(2, "hidden layers of the discriminator", low=1, high=4)
    """Hidden layers of D."""
    disc_lr: float = param(3e-3, "discriminator's Adam learning rate", low=1e-6, high=1.0, log=True)
    """Adam learning rate of D."""
    disc_steps: int = param(20, "discriminator gradient steps per PPO iteration", low=0, high=1000)
    """Gradient steps of D after each batch of the learner's transitions."""
    disc_batch: int = param(256, "expert and learner transitions per discriminator step", low=1, high=100_000)
    """Transitions drawn from each side (expert, learner) per step of D."""
    eval_every: int = param(2, "evaluate the greedy policy every this many iterations (0: only at the end)",
                            low=0, high=10_000)
    """Evaluate every this many PPO iterations and after the last (not counted in ``env/steps``)."""
    eval_episodes: int = param(5, "episodes per evaluation", low=1, high=1000)
    """Episodes per evaluation."""
    ppo: PPOConfig = field(default_factory=PPOConfig)
    """The reinforcement learner's hyperparameters."""

    def __post_init__(self) -> None:
        validate(self)
        if not isinstance(self.ppo, PPOConfig):
            raise TypeError(f"GAIfOConfig.ppo must be a PPOConfig, got {type(self.ppo).__name__}.")


class Discriminator(nn.Module):
    """D(s, s′) = σ(f(s, s′)): the probability that a transition is the expert's.

    Taught in notebook 08.

    The input is (s, s′ − s) or (s, s′), standardised with the expert's statistics, plus one flag
    that is 1 for the absorbing state (whose other inputs are 0).
    """

    def __init__(self, obs_dim: int, hidden_sizes: Sequence[int], input_mode: str = "delta") -> None:
        super().__init__()
        if input_mode not in INPUT_MODES:
            raise ValueError(f"input_mode must be one of {INPUT_MODES}, got {input_mode!r}.")
        self.input_mode = input_mode
        self.norm = Normaliser(2 * obs_dim)
        self.net = mlp(2 * obs_dim + 1, 1, hidden_sizes)

    def features(self, obs: np.ndarray, next_obs: np.ndarray) -> np.ndarray:
        """(s, s′ − s) or (s, s′), shape (N, 2·obs_dim)."""
        second = next_obs - obs if self.input_mode == "delta" else next_obs
        return np.concatenate([obs, second], axis=-1).astype(np.float32)

    def logits(self, x: torch.Tensor, absorbing: torch.Tensor) -> torch.Tensor:
        """f for features ``x`` (N, 2·obs_dim) and absorbing flags (N,) in {0, 1}: shape (N,)."""
        flag = absorbing.float()[:, None]
        return self.net(torch.cat([self.norm(x) * (1 - flag), flag], dim=-1)).squeeze(-1)

    def prob(self, obs: np.ndarray, next_obs: np.ndarray) -> np.ndarray:
        """D(s, s′) for N transitions, shape (N,)."""
        with torch.no_grad():
            x = torch.as_tensor(self.features(obs, next_obs))
            return torch.sigmoid(self.logits(x, torch.zeros(len(x)))).numpy()


def gaifo_reward(logits: torch.Tensor | np.ndarray, kind: str = "signed") -> np.ndarray:
    """The policy's reward from the discriminator's logits f = log D − log(1 − D).

    Taught in notebook 08.

    ``"signed"``: r = log D − log(1 − D) = f.  ``"positive"``: r = −log(1 − D) = softplus(f) > 0.
    """
    f = torch.as_tensor(logits, dtype=torch.float64)
    if kind == "signed":
        return f.numpy()
    if kind == "positive":
        return F.softplus(f).numpy()
    raise ValueError(f"reward must be one of {REWARDS}, got {kind!r}.")


def discriminator_loss(expert_logits: torch.Tensor, agent_logits: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy −mean log D(expert) − mean log(1 − D(learner)), from logits.

    Taught in notebook 08.
    """
    return (F.binary_cross_entropy_with_logits(expert_logits, torch.ones_like(expert_logits))
            + F.binary_cross_entropy_with_logits(agent_logits, torch.zeros_like(agent_logits)))


@dataclass
class GAIfOResult(TrainResult):
    """The GAIfO policy, its discriminator, and one history row per PPO iteration.

    Used behind the scenes in notebook 08.
    """

    discriminator: Discriminator | None = None


def _transitions(obs: np.ndarray, next_obs: np.ndarray, terminated: np.ndarray, absorbing: bool,
                 disc: Discriminator) -> tuple[torch.Tensor, torch.Tensor]:
    """D's inputs for transitions, plus one absorbing sample per terminated one (when enabled)."""
    x = disc.features(obs, next_obs)
    flags = np.zeros(len(x))
    if absorbing and terminated.any():
        n = int(terminated.sum())
        x = np.concatenate([x, np.zeros((n, x.shape[1]), np.float32)])
        flags = np.concatenate([flags, np.ones(n)])
    return torch.as_tensor(x), torch.as_tensor(flags)


def train_gaifo(
    demos: Sequence[StateTrajectory],
    config: GAIfOConfig | None = None,
    *,
    env_id: str,
    seed: int,
    callbacks: Iterable[Callback] = (),
    policy: MLPPolicy | None = None,
) -> GAIfOResult:
    """GAIfO: imitate state-only demonstrations by reinforcement learning on a discriminator's reward.

    Taught in notebook 08.

    Args:
        demos: state-only trajectories (action-labelled ones are accepted; their actions are never read).
        config: hyperparameters; ``GAIfOConfig()`` if None.
        env_id: the environment to interact with.
        seed: seeds the networks, the rollouts and the minibatches (same seed, same numbers).
        callbacks: get one row per PPO iteration: ``iteration``, ``env/steps``, ``loss/disc``,
            ``disc/expert_prob`` and ``disc/agent_prob`` (mean D on each side, before the update),
            ``reward/mean``, the PPO losses, ``train/return_mean`` (the environment's return of the
            episodes that ended, for reporting only) and, when evaluated, ``eval/return_mean`` and
            ``eval/score``; returning True stops after that iteration, keeping the policy.
        policy: warm start: improve a copy of this policy (e.g. ``train_bco(...).policy``) instead of a
            fresh one. It must have been made for ``env_id``.

    Returns:
        A :class:`GAIfOResult`; ``history.last("env/steps")`` is the interactions actually used.

    Raises:
        TypeError: for a config that is not a :class:`GAIfOConfig`, a bad seed or policy.
        ValueError: for empty or mis-shaped demos, or demos from another environment.
    """
    config = check_config(config, GAIfOConfig, where="train_gaifo")
    seed = check_seed(seed)
    info = describe_env(env_id)
    demos = check_demos(demos, obs_dim=info.obs_dim)
    if policy is not None and not isinstance(policy, MLPPolicy):
        raise TypeError(f"policy must be a bcolearn MLPPolicy (e.g. train_bco(...).policy), got {type(policy).__name__}.")
    # States only: the pairs (s, s′) and whether each demo ended in a terminal state.
    expert_obs, expert_next = state_pairs(demos)
    expert_term = np.concatenate([np.r_[np.zeros(len(t) - 1, bool), [t.terminated]] for t in demos])
    pc = config.ppo
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        if policy is None:
            policy = fresh_policy(info, pc)
            policy.norm.fit(np.concatenate([t.obs for t in demos]))  # the expert's states set the scale
        else:
            policy = copy.deepcopy(policy)
        disc = Discriminator(info.obs_dim, (config.disc_hidden_size,) * config.disc_layers, config.input_mode)
    disc.norm.fit(disc.features(expert_obs, expert_next))
    ex_x, ex_flags = _transitions(expert_obs, expert_next, expert_term, config.absorbing, disc)
    opt = torch.optim.Adam(disc.parameters(), lr=config.disc_lr)
    rng = np.random.default_rng([seed, 1])
    ppo = PPO(env_id, pc, seed=seed, policy=policy)
    result = GAIfOResult(ppo.policy, discriminator=disc)
    callbacks, iteration = list(callbacks), 0
    absorbing_flag = torch.ones(1)
    try:
        while ppo.env_steps < config.total_steps:
            iteration += 1
            batch: Rollout = ppo.collect()
            ag_x, ag_flags = _transitions(batch.flat("obs"), batch.flat("next_obs"), batch.flat("terminated"),
                                          config.absorbing, disc)
            # 1. The discriminator: expert transitions → 1, the learner's → 0.
            disc_stats = np.zeros(3)
            for _ in range(config.disc_steps):
                ie = torch.as_tensor(rng.integers(len(ex_x), size=config.disc_batch))
                ia = torch.as_tensor(rng.integers(len(ag_x), size=config.disc_batch))
                fe, fa = disc.logits(ex_x[ie], ex_flags[ie]), disc.logits(ag_x[ia], ag_flags[ia])
                loss = discriminator_loss(fe, fa)
                opt.zero_grad()
                loss.backward()
                opt.step()
                disc_stats += [loss.item(), torch.sigmoid(fe).mean().item(), torch.sigmoid(fa).mean().item()]
            # 2. The reward of every learner transition, and of the absorbing state.
            with torch.no_grad():
                n = ag_x.shape[0] - int(ag_flags.sum())
                rews = gaifo_reward(disc.logits(ag_x[:n], ag_flags[:n]), config.reward).reshape(batch.env_rews.shape)
                r_abs = float(gaifo_reward(disc.logits(torch.zeros(1, ag_x.shape[1]), absorbing_flag), config.reward)[0])
            terminal_value = r_abs / (1 - pc.gamma) if config.absorbing and pc.gamma < 1 else (
                r_abs if config.absorbing else 0.0)
            # 3. The policy: one PPO update on that reward.
            row: dict[str, float] = {"iteration": iteration, "env/steps": ppo.env_steps}
            if config.disc_steps:
                row.update(zip(("loss/disc", "disc/expert_prob", "disc/agent_prob"), disc_stats / config.disc_steps))
            row.update({"reward/mean": float(rews.mean()), "reward/absorbing": r_abs})
            row.update(ppo.update(batch, rews, terminal_value))
            if batch.episode_returns:
                row["train/return_mean"] = float(np.mean(batch.episode_returns))
            last = ppo.env_steps >= config.total_steps
            if last or (config.eval_every and iteration % config.eval_every == 0):
                row.update(eval_metrics(env_id, ppo.policy, config.eval_episodes))
            result.history.append(row)
            if notify(callbacks, row):
                break
    finally:
        ppo.close()
    return result


def interactions_to_reach(rows: Sequence[dict[str, float]], score: float = 0.95, *, offset: int = 0) -> float:
    """The first ``env/steps`` (plus ``offset``) at which ``eval/score`` reached ``score``; NaN if never.

    Used behind the scenes in notebook 08 (by :func:`compare_interactions`). ``offset`` adds interactions spent before
    this run (a warm start's BCO steps).
    """
    for row in rows:
        if row.get("eval/score", -np.inf) >= score:
            return float(row["env/steps"] + offset)
    return float("nan")


@dataclass(frozen=True)
class InteractionsComparison:
    """BCO(0), BCO(α) and GAIfO (cold and warm-started) on one task: return against interactions, per seed.

    Used behind the scenes in notebook 08 (what :func:`compare_interactions` returns).
    """

    env_id: str
    """The task."""
    curves: dict[str, tuple[list[float], list[list[float]]]]
    """For each method, ``(xs, ys)``: the environment interactions used so far, and the evaluation return
    there for each seed, shape (n_seeds, n_x): what :func:`bcolearn.plotting.plot_learning_curves` draws."""
    need: dict[str, list[float]]
    """For each method, the interactions each seed needed to first reach ``score`` (NaN: never)."""
    final: dict[str, list[float]]
    """For each method, each seed's normalised score at the end of its run."""
    score: float = 0.95
    """The normalised score that counts as reached."""

    def table(self) -> str:
        """The interactions table as text: per seed, their mean (— when a seed never got there), the final score."""
        lines = [f"{self.env_id}: interactions to first reach {self.score:g} normalised",
                 f"{'method':30s} | {'per seed':26s} | {'mean':>6s} | final score, mean"]
        for label, steps in self.need.items():
            cells = ", ".join("never" if np.isnan(s) else f"{s:,.0f}" for s in steps)
            mean = "—" if np.isnan(steps).any() else f"{np.mean(steps):,.0f}"
            lines.append(f"{label:30s} | {cells:26s} | {mean:>6s} | {np.mean(self.final[label]):.2f}")
        return "\n".join(lines)


def _evals(rows: Sequence[dict[str, float]], offset: float = 0.0) -> tuple[list[float], list[float]]:
    ev = [r for r in rows if "eval/return_mean" in r]
    return [offset + r["env/steps"] for r in ev], [r["eval/return_mean"] for r in ev]


def compare_interactions(
    env_id: str,
    demos: Sequence[StateTrajectory],
    *,
    seeds: Sequence[int],
    bco0: BCOConfig,
    bco_alpha: BCOConfig,
    gaifo: GAIfOConfig,
    warm_steps: int,
    cold: Sequence[GAIfOResult | None] = (),
    score: float = 0.95,
) -> InteractionsComparison:
    """Train BCO(0), BCO(α), GAIfO from a fresh policy and GAIfO from BCO(0)'s policy on the same demos, per seed.

    Taught in notebook 08. Every method sees the same state-only demos; the x axis counts every environment
    interaction a method used (a warm start's include BCO(0)'s, and start at BCO(0)'s return); evaluation
    episodes are not counted.

    Args:
        env_id: the task.
        demos: the state-only demonstrations.
        seeds: one run of each method per seed.
        bco0: BCO(0)'s config (α = 0): its policy is also the warm start.
        bco_alpha: BCO(α)'s config.
        gaifo: GAIfO's config from a cold start.
        warm_steps: GAIfO's ``total_steps`` from the warm start.
        cold: cold-start GAIfO runs already trained with ``gaifo``, by seed position (None: train it here).
        score: the normalised score that counts as reached.

    Returns:
        The curves, the interactions each run needed to reach ``score``, and the final scores.
    """
    for name, config in (("bco0", bco0), ("bco_alpha", bco_alpha)):
        check_config(config, BCOConfig, where=f"compare_interactions ({name})")
    if bco0.alpha != 0:
        raise ValueError(f"bco0 must be BCO(0) (alpha = 0), got alpha = {bco0.alpha:g}: "
                         "pass dataclasses.replace(config, alpha=0.0).")
    warm_config = dataclasses.replace(gaifo, total_steps=warm_steps)
    runs: dict[str, list[tuple[list[float], list[float], float, float]]] = {}
    for i, seed in enumerate(seeds):
        b0 = train_bco(demos, bco0, env_id=env_id, seed=seed)
        ba = train_bco(demos, bco_alpha, env_id=env_id, seed=seed)
        g = cold[i] if i < len(cold) and cold[i] is not None else train_gaifo(demos, gaifo, env_id=env_id, seed=seed)
        w = train_gaifo(demos, warm_config, env_id=env_id, seed=seed, policy=b0.policy)
        start = b0.history.last("eval/return_mean")
        reached0 = interactions_to_reach(b0.history, score)
        wx, wy = _evals(w.history, b0.env_steps)
        for label, (xs, ys), need, rows in (
                ("BCO(0)", _evals(b0.history), reached0, b0.history),
                (f"BCO(α = {bco_alpha.alpha:g})", _evals(ba.history), interactions_to_reach(ba.history, score),
                 ba.history),
                ("GAIfO, cold start", _evals(g.history), interactions_to_reach(g.history, score), g.history),
                ("GAIfO, warm start from BCO(0)", ([b0.env_steps] + wx, [start] + wy),
                 reached0 if not np.isnan(reached0) else interactions_to_reach(w.history, score, offset=b0.env_steps),
                 w.history)):
            runs.setdefault(label, []).append((xs, ys, need, rows.last("eval/score")))
    curves = {k: (v[0][0], [ys for _, ys, _, _ in v]) for k, v in runs.items()}
    return InteractionsComparison(env_id, curves, {k: [r[2] for r in v] for k, v in runs.items()},
                                  {k: [r[3] for r in v] for k, v in runs.items()}, score)
