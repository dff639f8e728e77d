"""Honest evaluation: returns over many seeded episodes, bootstrap confidence intervals, normalised scores.

Also the one check that a policy or model handed to the package was made for the task at hand
(:func:`check_made_for`), and ``python -m bcolearn.evaluation measure``, which measures the reference
returns recorded in :mod:`bcolearn.tasks`.

Taught in notebook 06; used from notebook 03 on.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bcolearn.config import check_count, check_seed
from bcolearn.envs import EnvInfo, describe_env
from bcolearn.rollout import Policy, collect_demos, episode_returns, random_policy
from bcolearn.policies import check_policy
from bcolearn.tasks import REFERENCE_RETURNS, TASKS, ReferenceReturns, find_task, load_expert
from bcolearn.types import StateTrajectory

EVAL_SEED = 1_000_000
"""Evaluation episodes start from seeds EVAL_SEED, EVAL_SEED + 1, …: far from the seeds demos use."""


def bootstrap_ci(values: Sequence[float], confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """A bootstrap confidence interval for the mean (scipy.stats.bootstrap, BCa method).

    Taught in notebook 06.

    Args:
        values: one number per episode or per training seed.
        confidence: the coverage, e.g. 0.95.
        seed: seeds the resampling, so the interval is reproducible.

    Returns:
        ``(low, high)``; both equal the mean when all values are equal; NaN for fewer than two values.
    """
    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return float("nan"), float("nan")
    if np.all(x == x[0]):
        return float(x[0]), float(x[0])
    from scipy.stats import bootstrap

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # BCa warns on very skewed resamples; the interval is still returned
        res = bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=2000, rng=np.random.default_rng(seed))
    low, high = res.confidence_interval
    if not (np.isfinite(low) and np.isfinite(high)):  # BCa can fail on degenerate data; fall back to percentile
        res = bootstrap((x,), np.mean, confidence_level=confidence, n_resamples=2000, method="percentile",
                        rng=np.random.default_rng(seed))
        low, high = res.confidence_interval
    return float(low), float(high)


def normalised_score(value: float | np.ndarray, env_id: str) -> float | np.ndarray:
    """(return − random) / (expert − random): 0 is a random policy, 1 is the bundled expert.

    Taught in notebook 06. The reference returns are :data:`bcolearn.REFERENCE_RETURNS`.

    Raises:
        ValueError: if no reference returns are recorded for ``env_id``.
    """
    task = find_task(env_id)
    if task is None:
        raise ValueError(
            f"No reference returns for {env_id!r} (have {', '.join(REFERENCE_RETURNS)}); "
            "report raw returns, or measure a random and an expert policy yourself."
        )
    ref = task.reference
    return (value - ref.random) / (ref.expert - ref.random)


def format_score(score: float) -> str:
    """A normalised score with two decimals, without the confusing "-0.00" of a score just below zero.

    Used behind the scenes in notebook 06.
    """
    return f"{0.0 if abs(score) < 0.005 else score:.2f}"


@dataclass(frozen=True)
class EvalResult:
    """Returns of a policy over seeded episodes, with their summary.

    Used behind the scenes in notebook 06.
    """

    env_id: str
    returns: np.ndarray
    """Return of each episode, shape (n_episodes,)."""
    mean: float
    std: float
    ci_low: float
    """Lower end of the bootstrap 95 % confidence interval of the mean return."""
    ci_high: float
    score: float | None
    """Normalised mean return (random 0, expert 1), or None without reference returns."""

    def __str__(self) -> str:
        text = (f"return {self.mean:.1f} ± {self.std:.1f} (95% CI {self.ci_low:.1f} to {self.ci_high:.1f}, "
                f"{len(self.returns)} episodes)")
        return text + (f", normalised score {format_score(self.score)}" if self.score is not None else "")


def check_made_for(obj: object, env_id: str, *, role: str = "policy", where: str = "evaluate",
                   expected: type | None = None) -> None:
    """Check that ``obj`` is a usable ``role`` for ``env_id``, before any of it reaches torch.

    Used behind the scenes in notebook 03 (every function that takes a policy or a model uses it).

    Args:
        obj: what the caller passed (a policy, or an inverse dynamics model).
        env_id: the task it is about to be used on.
        role: what it is, for the message (``"policy"``, ``"model"``).
        where: the function's name, for the message.
        expected: the class it must be (e.g. ``MLPPolicy``); None: any callable from observation to action.

    Raises:
        TypeError: for a training result instead of what it holds ("pass result.policy"), the wrong class,
            or something that cannot act (None, a string).
        ValueError: for a network made for another task, naming both tasks.
    """
    for attr in ("policy", "model"):
        if hasattr(obj, attr) and hasattr(obj, "history"):
            raise TypeError(f"{where} got a {type(obj).__name__} as its {role}; pass result.{attr} (the trained "
                            f"{'policy' if attr == 'policy' else 'model'}), not the whole result.")
    if expected is not None and not isinstance(obj, expected):
        raise TypeError(f"{where} needs its {role} to be a {expected.__name__}, got {obj!r:.80} "
                        f"({type(obj).__name__}). Leave it out to start from a fresh one.")
    if expected is None:
        check_policy(obj, role)
    info = getattr(obj, "info", None)
    if isinstance(info, EnvInfo) and info.env_id != env_id:
        raise ValueError(f"This {role} was made for {info.env_id}, but {where} was asked to use it on {env_id}: "
                         f"pass a {role} made for {env_id}, or env_id={info.env_id!r}.")


def evaluate(
    env_id: str, policy: Policy, n_episodes: int = 20, seed: int = EVAL_SEED, *, normalise: bool = True
) -> EvalResult:
    """Run ``policy`` for ``n_episodes`` seeded episodes and summarise the returns.

    Taught in notebook 06.

    The task comes first, then the policy, as in :func:`~bcolearn.rollout.collect_demos` and
    :func:`~bcolearn.plotting.animate_episode`; the other order gets a message saying so.

    Args:
        env_id: a Gymnasium id.
        policy: any callable from observation to action (a trained policy must be made for ``env_id``).
        n_episodes: number of episodes (>= 1).
        seed: episode j starts from ``reset(seed=seed + j)``.
        normalise: add the normalised score when reference returns exist.

    Returns:
        An :class:`EvalResult`.

    Raises:
        TypeError: for a policy that cannot act, a bad count or seed.
        ValueError: for an unknown env id, or a policy made for another task.
    """
    describe_env(env_id)  # first: an unknown or swapped env_id gets its own message
    check_made_for(policy, env_id, where="evaluate")
    n_episodes = check_count(n_episodes, "n_episodes")
    seed = check_seed(seed)
    returns = episode_returns(collect_demos(env_id, policy, n_episodes, seed))
    low, high = bootstrap_ci(returns)
    score = float(normalised_score(returns.mean(), env_id)) if normalise and find_task(env_id) else None
    return EvalResult(env_id, returns, float(returns.mean()), float(returns.std()), low, high, score)


def eval_metrics(env_id: str, policy: Policy, n_episodes: int) -> dict[str, float]:
    """One evaluation as a row of metrics: ``eval/return_mean``, ``eval/return_std`` and ``eval/score``.

    Used behind the scenes in notebook 03 (the rows ``train_bc`` reports with ``eval_every``). ``eval/score`` only for a task
    with reference returns.
    """
    res = evaluate(env_id, policy, n_episodes, normalise=True)
    row = {"eval/return_mean": res.mean, "eval/return_std": res.std}
    if res.score is not None:
        row["eval/score"] = res.score
    return row


def measure(env_id: str, n_episodes: int = 100) -> ReferenceReturns:
    """Measure the random and expert mean returns the way :data:`bcolearn.REFERENCE_RETURNS` records them.

    For maintainers (``python -m bcolearn.evaluation measure``); the numbers it gives are quoted in notebook 06.
    """
    expert = evaluate(env_id, load_expert(env_id), n_episodes=n_episodes, normalise=False)
    rand = evaluate(env_id, random_policy(env_id, seed=0), n_episodes=n_episodes, normalise=False)
    return ReferenceReturns(random=round(rand.mean, 2), expert=round(expert.mean, 2))


def main(argv: list[str] | None = None) -> None:
    """``python -m bcolearn.evaluation measure [ENV_ID ...]``: print the reference returns."""
    parser = argparse.ArgumentParser(prog="python -m bcolearn.evaluation",
                                     description="Measure the reference returns of the bundled tasks.")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="measure random and expert returns over 100 seeded episodes")
    m.add_argument("env_ids", nargs="*", default=list(TASKS))
    args = parser.parse_args(argv)
    for env_id in args.env_ids:
        ref = measure(env_id)
        print(f'    "{env_id}": ReferenceReturns(random={ref.random}, expert={ref.expert}),')


def distance_to_demos(demos: Sequence[StateTrajectory], states: np.ndarray) -> np.ndarray:
    """For each state, the distance to the nearest demonstrated state, in units of the demos' standard deviation.

    Each observation dimension is divided by its standard deviation over the demonstrations, so that
    every dimension counts alike; 0 means "a state the expert showed". Taught in notebook 06, where it
    measures the covariate shift of Behavioural Cloning.

    Args:
        demos: the demonstrations.
        states: states to measure, shape (N, obs_dim).

    Returns:
        Distances, shape (N,).
    """
    from scipy.spatial import cKDTree

    shown = np.concatenate([t.obs for t in demos]).astype(np.float64)
    scale = shown.std(axis=0) + 1e-6
    return cKDTree(shown / scale).query(np.asarray(states, dtype=np.float64) / scale)[0]


if __name__ == "__main__":
    main()
