"""DAgger, Dataset Aggregation (Ross, Gordon & Bagnell, 2011): let the learner act, let the expert label.

Behavioural Cloning trains on the expert's states but acts in its own; one mistake leads to states
no demonstration covers, where mistakes are likelier still. Over T steps a per-step error ε on the
expert's states can cost O(εT²). DAgger trains on the learner's own states instead:

1. D ← the demonstrations; π₀ ← BC on D;
2. for i = 1 … N: run the mixture π = β_i·π* + (1 − β_i)·π_{i−1} (each step, the expert acts with
   probability β_i); ask the expert π* for the action in every state visited; D ← D ∪ {(s, π*(s))};
   π_i ← BC on D.

The cost is then O(εT) (Ross et al., 2011, theorem 3.2), paid for with an expert that can be
*queried* during training: every visited state costs one expert label, counted by
:class:`CountingExpert`.

Taught in notebook 07.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bcolearn.bc import BCConfig, TrainResult, train_bc
from bcolearn.config import Callback, check_config, check_seed, param, validate
from bcolearn.envs import EnvInfo, describe_env
from bcolearn.evaluation import EVAL_SEED, distance_to_demos, normalised_score
from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.rollout import Policy, act_batch, collect_demos, episode_returns
from bcolearn.training import notify
from bcolearn.types import StateTrajectory, Trajectory, check_demos

ROLLOUT_SEED = 2 * EVAL_SEED
"""DAgger's rollout episodes start from seeds ``ROLLOUT_SEED + 100_003·i + seed + j`` (iteration i, episode j):
never the evaluation seeds ``EVAL_SEED …`` nor the small seeds demonstrations are usually recorded with."""


@dataclass(frozen=True)
class DAggerConfig:
    """Hyperparameters of DAgger (bounds are checked on creation).

    Taught in notebook 07.
    """

    iterations: int = param(3, "DAgger iterations after the first BC (each: roll out, label, aggregate, retrain)",
                            low=1, high=100)
    """Aggregation rounds after the initial Behavioural Cloning on the demos."""
    rollout_episodes: int = param(4, "episodes the learner plays per iteration (every state is labelled)",
                                  low=1, high=1000)
    """Whole episodes run per iteration; the expert labels every state of them."""
    beta: float = param(0.0, "β₁: probability that the expert acts in a step of iteration 1 (0: the learner only)",
                        low=0.0, high=1.0)
    """β of the first iteration. The expert acts with probability β_i, the learner otherwise; 0 is pure DAgger
    as Ross et al. recommend after the first round (our first round is the BC on the demos)."""
    beta_decay: float = param(0.5, "β_i = β₁ · decay^(i−1): how fast the expert hands control to the learner",
                              low=0.0, high=1.0)
    """Each iteration multiplies β by this factor (Ross et al.'s β_i = p^(i−1))."""
    eval_episodes: int = param(10, "evaluation episodes after each iteration (not counted as labels)",
                               low=1, high=1000)
    """Episodes from ``bcolearn.EVAL_SEED`` used to evaluate each iteration's policy."""
    off_threshold: float = param(0.5, "distance (in demo std. dev.) beyond which a state is off the demos",
                                 low=0.0, high=100.0)
    """A learner's state counts as off the demonstrations when its distance to every demonstrated state,
    each dimension divided by the demos' standard deviation, exceeds this (as in notebook 06)."""
    bc: BCConfig = field(default_factory=lambda: BCConfig(epochs=50, hidden_size=64))
    """The Behavioural Cloning step, run from scratch on the whole aggregate every iteration."""

    def __post_init__(self) -> None:
        validate(self)
        if not isinstance(self.bc, BCConfig):
            raise TypeError(f"DAggerConfig.bc must be a BCConfig, got {type(self.bc).__name__}: "
                            "build one with bl.BCConfig(...).")

    def beta_at(self, iteration: int) -> float:
        """β of ``iteration`` (1, 2, …): β₁ · decay^(iteration − 1); 0 for iteration 0 (plain BC)."""
        return 0.0 if iteration < 1 else self.beta * self.beta_decay ** (iteration - 1)


class CountingExpert:
    """Any policy, wrapped to count how many states it has been asked to label.

    Taught in notebook 07. Every state passed to :meth:`act_batch` or :meth:`__call__` is one
    query, whatever the answer is used for (acting in a β-mixture, or labelling).

    Attributes:
        policy: the wrapped policy (a bundled expert, a trained network, any callable).
        queries: states labelled so far.
    """

    def __init__(self, policy: Policy) -> None:
        if not callable(policy):
            raise TypeError(f"The expert must be a policy (a function from observation to action), got a "
                            f"{type(policy).__name__}: pass e.g. bl.load_expert(env_id), not its result.")
        self.policy, self.queries = policy, 0

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        """The expert's actions for observations of shape (B, obs_dim); counts B queries."""
        acts = act_batch(self.policy, np.asarray(obs))
        self.queries += len(obs)
        return acts

    def __call__(self, obs: np.ndarray) -> Any:
        """The expert's action for one observation; counts one query."""
        return self.act_batch(np.asarray(obs)[None])[0]

    def __repr__(self) -> str:
        return f"CountingExpert({getattr(self.policy, '__name__', type(self.policy).__name__)}, queries={self.queries})"


def _clean_labels(acts: np.ndarray, info: EnvInfo) -> np.ndarray:
    """The expert's answers as valid actions: int64 (B,), or float32 (B, act_dim) clipped to the bounds."""
    if info.discrete:
        return np.asarray(acts).reshape(len(acts)).astype(np.int64)
    acts = np.asarray(acts, dtype=np.float32).reshape(len(acts), -1)
    if acts.shape[1] != info.act_dim:
        raise ValueError(f"The expert returned actions of shape {acts.shape[1:]}; {info.env_id} expects "
                         f"({info.act_dim},).")
    return np.clip(acts, info.act_low, info.act_high)


class _Mixture:
    """β·expert + (1 − β)·learner, asking the expert about every state it visits (DAgger's labels)."""

    def __init__(self, learner: Policy, expert: CountingExpert, beta: float, info: EnvInfo,
                 rng: np.random.Generator) -> None:
        self.learner, self.expert, self.beta, self.info, self.rng = learner, expert, beta, info, rng
        self.labels: dict[bytes, np.ndarray] = {}

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        obs = np.asarray(obs, dtype=np.float32)
        labels = _clean_labels(self.expert.act_batch(obs), self.info)
        for o, a in zip(obs, labels):
            self.labels[o.tobytes()] = a
        acts = _clean_labels(act_batch(self.learner, obs), self.info)
        take = self.rng.random(len(obs)) < self.beta
        acts[take] = labels[take]
        return acts

    def __call__(self, obs: np.ndarray) -> Any:
        return self.act_batch(np.asarray(obs)[None])[0]

    def relabel(self, trajs: Sequence[Trajectory]) -> list[Trajectory]:
        """The visited trajectories with the expert's labels in place of the actions taken."""
        return [Trajectory(obs=t.obs, acts=np.stack([self.labels[o.tobytes()] for o in t.obs[:-1]]),
                           rews=t.rews, terminated=t.terminated) for t in trajs]


def off_demo_share(demos: Sequence[StateTrajectory], states: np.ndarray, threshold: float = 0.5) -> float:
    """The share of ``states`` farther than ``threshold`` from every demonstrated state.

    Taught in notebook 07. Distances are :func:`bcolearn.evaluation.distance_to_demos` (each dimension divided by its standard deviation over the demos; notebook 06).

    Args:
        demos: the demonstrations (their states, final ones included).
        states: the states to measure, shape (N, obs_dim).
        threshold: in the demos' standard deviations.

    Returns:
        A fraction in [0, 1].
    """
    dist = distance_to_demos(demos, states)
    return float(np.mean(dist > threshold))


@dataclass
class DAggerResult(TrainResult):
    """The DAgger policy, the aggregated data, and what it cost.

    Used behind the scenes in notebook 07. ``history`` has one row per complete iteration (iteration 0 is BC on the demos).
    """

    dataset: list[Trajectory] = field(default_factory=list)
    """Every labelled trajectory: the demos first, then each iteration's expert-labelled rollouts."""
    labels: int = 0
    """Expert queries spent, all of them (after a Stop, also those of the unfinished iteration)."""
    env_steps: int = 0
    """Environment steps of the rollouts (each labelled once, so equal to ``labels``; evaluation not counted)."""
    iterations: int = 0
    """Complete DAgger iterations behind ``policy`` (0: BC on the demos only)."""


def _check_expert_demos(demos: object) -> None:
    items = [demos] if isinstance(demos, StateTrajectory) else demos
    for i, t in enumerate(items if isinstance(items, (list, tuple)) else []):
        if isinstance(t, StateTrajectory) and not isinstance(t, Trajectory):
            raise ValueError(
                f"demos[{i}] is state-only (a StateTrajectory), but DAgger starts with Behavioural Cloning on the "
                "expert's actions. Label its states with the expert (bl.Trajectory(obs=t.obs, acts=...)), or use "
                "bl.train_bco, which needs no actions (and no expert to query)."
            )


def train_dagger(
    demos: Sequence[Trajectory],
    config: DAggerConfig | None = None,
    *,
    env_id: str,
    seed: int,
    expert: Policy,
    callbacks: Iterable[Callback] = (),
) -> DAggerResult:
    """DAgger: Behavioural Cloning on the demos, then rounds of learner rollouts labelled by the expert.

    Taught in notebook 07.

    Each iteration retrains the policy from scratch (same seed) on the whole aggregate: the input
    standardisation is refitted to the new states, so continuing the old network learnt no faster
    (measured in notebook 07's preparation), and from scratch iteration i is exactly ``train_bc`` on
    ``dataset``.

    Args:
        demos: action-labelled expert trajectories (at least one).
        config: hyperparameters; ``DAggerConfig()`` if None.
        env_id: the environment to act in.
        seed: seeds the networks, the minibatches, the β coin flips and the rollout starts.
        expert: the policy that labels states: any callable from observation to action
            (``bl.load_expert(env_id)``, or your own). It is wrapped in a :class:`CountingExpert`.
        callbacks: receive every BC epoch's row (with ``dagger/iteration``, ``expert/labels``,
            ``env/steps``) and, after each iteration, a summary row: ``dagger/iteration``,
            ``dagger/beta``, ``expert/labels`` (queries so far), ``env/steps``, ``data/pairs``
            (labelled state-action pairs, demos included), ``loss/bc``, ``eval/return_mean``,
            ``eval/return_std``, ``eval/score`` (when reference returns exist) and ``dist/off_demos``
            (share of the evaluation episodes' states off the demos). Returning True stops: the result
            keeps the last complete iteration's policy (or, stopped in iteration 0, BC as trained so far)
            and counts every label actually bought.

    Returns:
        A :class:`DAggerResult`.

    Raises:
        TypeError: for a config that is not a DAggerConfig, a bad seed, or an expert that is not callable.
        ValueError: for state-only, empty or mis-shaped demos.
    """
    config = check_config(config, DAggerConfig, where="train_dagger")
    seed = check_seed(seed)
    counter = CountingExpert(expert)
    info = describe_env(env_id)
    _check_expert_demos(demos)
    demos = check_demos(demos, need_actions=True, obs_dim=info.obs_dim)  # type: ignore[assignment]
    callbacks = list(callbacks)
    dataset: list[Trajectory] = list(demos)  # type: ignore[arg-type]
    result: DAggerResult | None = None
    stop = False

    def forward(row: dict[str, float]) -> bool:
        nonlocal stop
        stop = notify(callbacks, row) or stop
        return stop

    for it in range(config.iterations + 1):
        beta = config.beta_at(it)
        if it > 0:
            assert result is not None
            mixture = _Mixture(result.policy, counter, beta, info, np.random.default_rng([seed, it]))
            visited = collect_demos(env_id, mixture, config.rollout_episodes, ROLLOUT_SEED + 100_003 * it + seed)
            dataset += mixture.relabel(visited)
        steps = counter.queries
        tag = {"dagger/iteration": it, "expert/labels": counter.queries, "env/steps": steps}
        bc = train_bc(dataset, config.bc, env_id=env_id, seed=seed, callbacks=[forward], extra_metrics=tag)
        if stop and result is not None:
            break  # stopped mid-iteration: keep the last complete one
        trajs = collect_demos(env_id, bc.policy, config.eval_episodes, EVAL_SEED)  # what bl.evaluate runs
        returns = episode_returns(trajs)
        row = {**tag, "dagger/beta": beta, "data/pairs": sum(len(t) for t in dataset),
               "loss/bc": bc.history.last("loss/bc"), "eval/return_mean": float(returns.mean()),
               "eval/return_std": float(returns.std()),
               "dist/off_demos": off_demo_share(demos, np.concatenate([t.obs for t in trajs]), config.off_threshold)}
        if env_id in REFERENCE_RETURNS:
            row["eval/score"] = float(normalised_score(returns.mean(), env_id))
        history = result.history if result is not None else []
        result = DAggerResult(bc.policy, iterations=it)
        result.history.extend(history)
        result.history.append(row)
        if forward(row):
            break
    assert result is not None
    result.dataset, result.labels, result.env_steps = dataset, counter.queries, counter.queries
    return result


def recommended_dagger_config(env_id: str) -> DAggerConfig:
    """DAgger settings measured to reach the bundled expert from one demonstration (notebook 07, bench_core.py).

    Taught in notebook 07. Pendulum: 5 iterations of 2 episodes, BC with 100 epochs of batches of 128 (every one
    of 12 seeds, 0-11, reached a normalised score >= 0.95 on 20 evaluation episodes by iteration 5, in about 3 s
    of CPU each; batches of 256 did on 4 of 6 seeds; batches of 64 also work but cost 1.6 times the CPU;
    3 iterations of 4 episodes reached it on 3 of 8 seeds). Other tasks: 3 iterations of 2 episodes, with the
    task's recommended BC settings.
    """
    from bcolearn.bc import recommended_bc_config

    if env_id == "Pendulum-v1":
        return DAggerConfig(iterations=5, rollout_episodes=2, bc=BCConfig(epochs=100, hidden_size=64, batch_size=128))
    return DAggerConfig(iterations=3, rollout_episodes=2, bc=recommended_bc_config(env_id))


__all__: list[str] = ["DAggerConfig", "DAggerResult", "CountingExpert", "train_dagger", "off_demo_share",
                      "recommended_dagger_config", "ROLLOUT_SEED"]
