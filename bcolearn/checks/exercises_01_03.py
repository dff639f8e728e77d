"""Self-checks for the exercises of notebooks 01–03: each says what is right, or what is wrong and why.

Every check returns a :class:`~bcolearn.checks.result.CheckResult` and never raises on a wrong answer
(except in strict mode, see :mod:`bcolearn.checks.result`), so a learner can try again. Tested with right
and wrong answers in tests/test_checks_exercises_01_03.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from bcolearn.checks.result import (CheckResult, as_number, check, failed, not_answered, passed, run_learner_code,
                                    unfinished)

# Each check below is called from one exercise cell; the notebook and exercise are named in its docstring.


@check
def check_discounted_return(fn: Callable[[Any, float], Any]) -> CheckResult:
    """Notebook 01, exercise 1: ``fn(rewards, gamma)`` returns G = r_1 + γ·r_2 + γ²·r_3 + … .

    Args:
        fn: the learner's function; ``rewards`` is a list of floats, ``gamma`` in [0, 1].
    """
    cases = [([1.0, 1.0, 1.0], 1.0), ([1.0, 1.0, 1.0], 0.5), ([-1.0, 2.0, 0.5, 3.0], 0.9), ([0.0, 0.0, 10.0], 0.9),
             ([5.0], 0.3), ([], 0.9)]
    for rewards, gamma in cases:
        out, error = run_learner_code(fn, list(rewards), gamma)
        if error is not None:
            return error
        expected = sum(gamma**t * r for t, r in enumerate(rewards))
        try:
            value = float(out)
        except (TypeError, ValueError):
            return failed(f"For rewards {rewards} your function returned {out!r}; return one number.")
        if math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
            continue
        where = f"For rewards {rewards} and γ = {gamma} you returned {value:g}; expected {expected:g}."
        if not rewards:
            return failed(where + " An episode with no rewards has return 0.")
        if math.isclose(value, sum(rewards), rel_tol=1e-6):
            return failed(where + " That is the plain sum: weight the reward of step t by γ**t.")
        if math.isclose(value, sum(gamma ** (t + 1) * r for t, r in enumerate(rewards)), rel_tol=1e-6):
            return failed(where + " The first reward must not be discounted: its weight is γ**0 = 1.")
        if math.isclose(value, sum(gamma ** (len(rewards) - 1 - t) * r for t, r in enumerate(rewards)), rel_tol=1e-6):
            return failed(where + " The discount runs the wrong way: early rewards count fully, later ones less.")
        return failed(where + " Compute Σ_t γ**t · rewards[t], with t starting at 0.")
    return passed("Right: G = Σ_t γ^t r_(t+1). With γ = 1 it is the plain sum CartPole reports; with γ < 1 "
                  "distant rewards count less.")


@check
def check_policy(
    policy: Any, env_id: str, *, min_score: float = 0.95, n_episodes: int = 20, noise: float = 0.0
) -> CheckResult:
    """Notebooks 01 (exercises 2 and 3) and 03 (exercise 3): does ``policy`` come close to the expert on ``env_id``?

    Runs ``n_episodes`` seeded evaluation episodes and compares the mean return with the random policy's
    and the expert's (the normalised score: random 0, expert 1).

    Args:
        policy: any callable from one observation to one action.
        env_id: the environment, e.g. ``"CartPole-v1"``.
        min_score: the normalised score needed to pass.
        n_episodes: evaluation episodes.
        noise: if > 0, at each step a uniformly random action replaces the policy's with this
            probability (:class:`~bcolearn.rollout.NoisyPolicy`, seeded), to test robustness.
    """
    from bcolearn.envs import describe_env
    from bcolearn.evaluation import evaluate
    from bcolearn.experts import REFERENCE_RETURNS
    from bcolearn.rollout import NoisyPolicy

    problem = unfinished(policy, "Your policy is")
    if problem is not None:
        return problem
    if not callable(policy):
        return failed(f"Pass a policy (a function from observation to action), got a {type(policy).__name__}.")
    try:
        if noise > 0:
            policy = NoisyPolicy(policy, describe_env(env_id), noise, np.random.default_rng(0))
        res = evaluate(env_id, policy, n_episodes)
    except NotImplementedError:  # the student edition's placeholder in the policy's body
        return not_answered("your policy still raises NotImplementedError: replace that line with your code, "
                            "then run this check again.")
    except Exception as exc:  # noqa: BLE001 - a learner's policy may fail in any way
        return failed(f"Running your policy on {env_id} raised {type(exc).__name__}: {exc}")
    ref = REFERENCE_RETURNS[env_id]
    score = float(res.score) if res.score is not None else float("nan")
    pushed = f" with {noise:.0%} random actions" if noise > 0 else ""
    text = (f"mean return {res.mean:.1f} over {n_episodes} episodes{pushed} (random {ref.random:g}, expert "
            f"{ref.expert:g}): normalised score {score:.2f}")
    if score >= min_score:
        return passed(f"Solved: {text}, at least the {min_score:g} needed.")
    watch = (f"Watch an episode, plotting.animate_episode({env_id!r}, your_policy), to see where it "
             "goes wrong.")
    if score <= 0.02:
        return failed(f"Your policy does no better than random: {text}. Check that it reacts to the observation. "
                      + watch)
    if score <= 0.1:
        return failed(f"Only a little better than random: {text}; {min_score:g} is needed. Does your rule use "
                      f"every part of the state that matters (e.g. how fast things are moving)? " + watch)
    return failed(f"Not yet: {text}; {min_score:g} is needed. " + watch)


@check
def check_drop_actions(fn: Callable[[Any], Any]) -> CheckResult:
    """Notebook 02, exercise 1: ``fn(demos)`` turns action-labelled trajectories into state-only ones."""
    from bcolearn.types import StateTrajectory, Trajectory

    rng = np.random.default_rng(2)
    demos = [Trajectory(obs=rng.normal(size=(n + 1, 4)), acts=rng.integers(2, size=n), rews=np.ones(n),
                        terminated=bool(n % 2)) for n in (5, 8, 3)]
    out, error = run_learner_code(fn, demos)
    if error is not None:
        return error
    if not isinstance(out, (list, tuple)):
        return failed(f"Return a list of StateTrajectory objects, one per demo; got a {type(out).__name__}.")
    if len(out) != len(demos):
        return failed(f"You returned {len(out)} trajectories for {len(demos)} demos; keep one per demo, in order.")
    for i, (t, d) in enumerate(zip(out, demos)):
        if isinstance(t, Trajectory):
            return failed(f"out[{i}] is still a Trajectory, with its actions; build "
                          "bl.StateTrajectory(obs=..., terminated=...) instead.")
        if not isinstance(t, StateTrajectory):
            return failed(f"out[{i}] is a {type(t).__name__}; expected a bl.StateTrajectory.")
        if t.obs.shape != d.obs.shape or not np.allclose(t.obs, d.obs):
            return failed(f"out[{i}].obs has shape {t.obs.shape} or values that differ from the demo's {d.obs.shape}; "
                          "keep every observation, including the last one (T + 1 rows).")
        if t.terminated != d.terminated:
            return failed(f"out[{i}].terminated is {t.terminated} but the demo's is {d.terminated}; copy it over, "
                          "it says whether the episode really ended or was cut off.")
    return passed("Right: the same states, no actions, and whether each episode ended — all an observer sees.")


@check
def check_inferred_actions(fn: Callable[[Any, Any], Any], min_accuracy: float = 0.95) -> CheckResult:
    """Notebook 02, exercise 2: ``fn(s, s_next)`` guesses CartPole's action from two consecutive states.

    The guess is scored on the expert's transitions (3 seeded episodes), whose true actions are known.
    """
    from bcolearn.experts import load_expert
    from bcolearn.rollout import collect_demos
    from bcolearn.types import to_transitions

    data = to_transitions(collect_demos("CartPole-v1", load_expert("CartPole-v1"), n_episodes=3, seed=0))
    first, error = run_learner_code(fn, data.obs[0], data.next_obs[0])
    if error is not None:
        return error
    try:
        guesses = np.array([int(fn(s, s2)) for s, s2 in zip(data.obs, data.next_obs)])
    except Exception as exc:  # noqa: BLE001
        return failed(f"Your function must return one action (0 or 1) for one pair of states; "
                      f"it returned {first!r}, or failed with {type(exc).__name__}: {exc}")
    if not np.isin(guesses, [0, 1]).all():
        return failed(f"CartPole's actions are 0 (push left) and 1 (push right); you returned {sorted(set(guesses))}.")
    acc = float(np.mean(guesses == data.acts))
    text = f"{acc:.1%} of {len(data)} expert transitions labelled correctly (always guessing one action: " \
           f"{max(data.acts.mean(), 1 - data.acts.mean()):.0%})"
    if acc >= min_accuracy:
        return passed(f"Right: {text}. An inverse dynamics model has to learn this rule from data.")
    if acc <= 1 - min_accuracy:
        return failed(f"{text}: your rule is backwards. Swap the two actions.")
    return failed(f"Not yet: {text}. Which state variable does a push change directly? Compare it in s and s_next.")


@check
def check_bc_loss(fn: Callable[[Any, Any], Any]) -> CheckResult:
    """Notebook 03, exercise 1: ``fn(logits, actions)`` is the mean cross-entropy −log softmax(logits)[a].

    Args:
        fn: the learner's function; logits is a float tensor (B, n_actions), actions a long tensor (B,).
    """
    import torch
    from torch.nn import functional as F

    gen = torch.Generator().manual_seed(3)
    logits = torch.randn(6, 3, generator=gen) * 2
    acts = torch.tensor([0, 2, 1, 1, 0, 2])
    out, error = run_learner_code(fn, logits.clone(), acts.clone())
    if error is not None:
        return error
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        return failed(f"Return one number as a torch tensor (so it can be back-propagated), got {shape}. "
                      "Average over the batch with .mean().")
    value, expected = float(out), float(F.cross_entropy(logits, acts))
    if math.isclose(value, expected, rel_tol=1e-4):
        return passed(f"Right: mean −log π(a|s) = {expected:.4f}, the same as torch.nn.functional.cross_entropy.")
    log_p = torch.log_softmax(logits, dim=-1)[torch.arange(6), acts]
    wrong = {
        "the sign is flipped: the loss is −log π(a|s), which is ≥ 0.": float(log_p.mean()),
        "that is the sum over the batch; take the mean so the loss does not grow with the batch size.":
            float(-log_p.sum()),
        "you averaged the probabilities' negatives, not their logs: use log_softmax, then pick the expert's action.":
            float(-log_p.exp().mean()),
        "you used the raw logits of the expert's actions; turn them into log-probabilities with log_softmax first.":
            float(-logits[torch.arange(6), acts].mean()),
        "you averaged over every action, not just the expert's: pick column a of each row (log_p[range(B), actions]).":
            float(-torch.log_softmax(logits, dim=-1).mean()),
    }
    for message, candidate in wrong.items():
        if math.isclose(value, candidate, rel_tol=1e-4):
            return failed(f"Got {value:.4f}, expected {expected:.4f}: {message}")
    return failed(f"Got {value:.4f}, expected {expected:.4f}. Compute log_softmax(logits, dim=-1), take the "
                  "expert's action in each row, negate and average.")


@check
def check_gaussian_nll(fn: Callable[[Any, Any, Any], Any]) -> CheckResult:
    """Notebook 03, exercise 2: ``fn(mean, log_std, actions)`` is the Gaussian negative log-likelihood.

    Expected: −log N(a; μ, σ²) = ½((a − μ)/σ)² + log σ + ½ log 2π, summed over action dimensions and
    averaged over the batch. Leaving out the constant ½ log 2π also passes (it has no gradient).
    """
    import torch

    gen = torch.Generator().manual_seed(5)
    mean, acts = torch.randn(5, 2, generator=gen), torch.randn(5, 2, generator=gen)
    log_std = torch.randn(5, 2, generator=gen) * 0.5
    out, error = run_learner_code(fn, mean.clone(), log_std.clone(), acts.clone())
    if error is not None:
        return error
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        return failed("Return one number as a torch tensor: sum over the action dimensions, then .mean() over the batch.")
    value = float(out)
    per_dim = 0.5 * ((acts - mean) / log_std.exp()) ** 2 + log_std
    const = 0.5 * math.log(2 * math.pi)
    expected = float((per_dim + const).sum(-1).mean())
    if math.isclose(value, expected, rel_tol=1e-4):
        return passed(f"Right: {expected:.4f}. Where σ is small the error (a − μ)² is punished hard; log σ stops σ "
                      "growing without limit.")
    if math.isclose(value, float(per_dim.sum(-1).mean()), rel_tol=1e-4):
        return passed(f"Right up to the constant ½·log 2π per dimension ({value:.4f}): it does not change the gradient.")
    wrong = {
        "you averaged over the action dimensions too; sum over them (a 2-D action's log-likelihood is the sum of "
        "both dimensions'), then average over the batch.": [float((per_dim + const).mean()), float(per_dim.mean())],
        "you divided by log σ instead of σ = exp(log σ).":
            [float((0.5 * ((acts - mean) / log_std) ** 2 + log_std + c).sum(-1).mean()) for c in (const, 0.0)],
        "the log σ term is missing (or has the wrong sign): −log N includes + log σ.":
            [float((0.5 * ((acts - mean) / log_std.exp()) ** 2 + s * log_std + c).sum(-1).mean())
             for s in (0.0, -1.0) for c in (const, 0.0)],
        "the ½ in front of the squared error is missing.":
            [float((((acts - mean) / log_std.exp()) ** 2 + log_std + c).sum(-1).mean()) for c in (const, 0.0)],
        "the sign is flipped: that is the log-likelihood; the loss is its negative.": [-expected],
        "that is the sum over the batch; take the mean over the batch (but the sum over action dimensions).":
            [float((per_dim + c).sum()) for c in (const, 0.0)],
    }
    for message, candidates in wrong.items():
        if any(math.isclose(value, c, rel_tol=1e-4) for c in candidates):
            return failed(f"Got {value:.4f}, expected {expected:.4f}: {message}")
    return failed(f"Got {value:.4f}, expected {expected:.4f}. Per dimension: 0.5·((a − μ)/σ)² + log σ + 0.5·log 2π "
                  "with σ = exp(log_std); sum over dimensions, mean over the batch.")
