"""Honest evaluation: returns over many seeded episodes, bootstrap confidence intervals, normalised scores.

Taught in notebook 06; used from notebook 03 on.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.rollout import Policy, collect_demos, episode_returns

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

    Taught in notebook 06. The reference returns are :data:`bcolearn.experts.REFERENCE_RETURNS`.

    Raises:
        ValueError: if no reference returns are recorded for ``env_id``.
    """
    if env_id not in REFERENCE_RETURNS:
        raise ValueError(
            f"No reference returns for {env_id!r} (have {', '.join(REFERENCE_RETURNS)}); "
            "report raw returns, or measure a random and an expert policy yourself."
        )
    ref = REFERENCE_RETURNS[env_id]
    return (value - ref.random) / (ref.expert - ref.random)


def format_score(score: float) -> str:
    """A normalised score with two decimals, without the confusing "-0.00" of a score just below zero.

    Taught in notebook 06.
    """
    return f"{0.0 if abs(score) < 0.005 else score:.2f}"


@dataclass(frozen=True)
class EvalResult:
    """Returns of a policy over seeded episodes, with their summary.

    Taught in notebook 06.
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


def evaluate(
    policy: Policy, env_id: str, n_episodes: int = 20, seed: int = EVAL_SEED, *, normalise: bool = True
) -> EvalResult:
    """Run ``policy`` for ``n_episodes`` seeded episodes and summarise the returns.

    Taught in notebook 06.

    Args:
        policy: any callable from observation to action.
        env_id: a Gymnasium id.
        n_episodes: number of episodes (>= 1).
        seed: episode j starts from ``reset(seed=seed + j)``.
        normalise: add the normalised score when reference returns exist.

    Returns:
        An :class:`EvalResult`.
    """
    returns = episode_returns(collect_demos(env_id, policy, n_episodes, seed))
    low, high = bootstrap_ci(returns)
    score = float(normalised_score(returns.mean(), env_id)) if normalise and env_id in REFERENCE_RETURNS else None
    return EvalResult(env_id, returns, float(returns.mean()), float(returns.std()), low, high, score)


from bcolearn.types import StateTrajectory  # noqa: E402 - arrived with distance_to_demos (from plotting)


def distance_to_demos(demos: Sequence[StateTrajectory], states: np.ndarray) -> np.ndarray:
    """For each state, the distance to the nearest demonstrated state, in units of the demos' standard deviation.

    Each observation dimension is divided by its standard deviation over the demonstrations, so that
    every dimension counts alike; 0 means "a state the expert showed". Taught in notebook 03 (through
    :func:`bcolearn.plotting.plot_covariate_shift`); measured in notebook 06.

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
