"""Self-checks for the learners' exercises: each says what is right, or what is wrong and why.

Every check returns a :class:`CheckResult` (shown as a short green or red line in a notebook) and
never raises on a wrong answer, so a learner can try again. Tested with a right and a wrong answer
in tests/test_checks*.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return ("✅ " if self.passed else "❌ ") + self.message

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        return f'<div style="color:{colour};font-weight:600">{self}</div>'

    def __bool__(self) -> bool:
        return self.passed


def passed(message: str) -> CheckResult:
    """A passing result."""
    return CheckResult(True, message)


def failed(message: str) -> CheckResult:
    """A failing result, whose message says what is wrong and how to fix it."""
    return CheckResult(False, message)


def _run_learner_code(fn: Callable[..., Any], *args: Any) -> tuple[Any, CheckResult | None]:
    """Call the learner's function; turn an exception, or an unfinished body, into a failing result."""
    if not callable(fn):
        return None, failed(f"Pass your function itself (without calling it), got a {type(fn).__name__}.")
    try:
        out = fn(*args)
    except Exception as exc:  # noqa: BLE001 - any error in a learner's code is reported, never raised
        return None, failed(f"Your function raised {type(exc).__name__}: {exc}")
    return out, _unfinished(out, "Your function returned")


def _unfinished(value: Any, what: str = "Your answer is") -> CheckResult | None:
    """A failing result for a placeholder (``...``) or a missing ``return`` (None); None otherwise."""
    if value is Ellipsis:
        return failed(f"{what} ... (Ellipsis): replace the ... placeholder with your code.")
    if value is None:
        return failed(f"{what} None: did you forget a return statement, or to assign the variable?")
    return None


def _as_number(answer: Any, what: str) -> tuple[float, CheckResult | None]:
    """The learner's answer as one float, or a failing result for a placeholder or a non-number."""
    unfinished = _unfinished(answer)
    if unfinished is not None:
        return math.nan, unfinished
    try:
        return float(answer), None
    except (TypeError, ValueError):
        return math.nan, failed(f"Give {what} as one number, got {type(answer).__name__}.")


# --- notebooks 01–03 -------------------------------------------------------------------------------

# Each check below is called from one exercise cell; the notebook and exercise are named in its docstring.


def check_discounted_return(fn: Callable[[Any, float], Any]) -> CheckResult:
    """Notebook 01, exercise 1: ``fn(rewards, gamma)`` returns G = r_1 + γ·r_2 + γ²·r_3 + … .

    Args:
        fn: the learner's function; ``rewards`` is a list of floats, ``gamma`` in [0, 1].
    """
    cases = [([1.0, 1.0, 1.0], 1.0), ([1.0, 1.0, 1.0], 0.5), ([-1.0, 2.0, 0.5, 3.0], 0.9), ([0.0, 0.0, 10.0], 0.9),
             ([5.0], 0.3), ([], 0.9)]
    for rewards, gamma in cases:
        out, error = _run_learner_code(fn, list(rewards), gamma)
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

    unfinished = _unfinished(policy, "Your policy is")
    if unfinished is not None:
        return unfinished
    if not callable(policy):
        return failed(f"Pass a policy (a function from observation to action), got a {type(policy).__name__}.")
    try:
        if noise > 0:
            policy = NoisyPolicy(policy, describe_env(env_id), noise, np.random.default_rng(0))
        res = evaluate(policy, env_id, n_episodes)
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


def check_drop_actions(fn: Callable[[Any], Any]) -> CheckResult:
    """Notebook 02, exercise 1: ``fn(demos)`` turns action-labelled trajectories into state-only ones."""
    from bcolearn.types import StateTrajectory, Trajectory

    rng = np.random.default_rng(2)
    demos = [Trajectory(obs=rng.normal(size=(n + 1, 4)), acts=rng.integers(2, size=n), rews=np.ones(n),
                        terminated=bool(n % 2)) for n in (5, 8, 3)]
    out, error = _run_learner_code(fn, demos)
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


def check_inferred_actions(fn: Callable[[Any, Any], Any], min_accuracy: float = 0.95) -> CheckResult:
    """Notebook 02, exercise 2: ``fn(s, s_next)`` guesses CartPole's action from two consecutive states.

    The guess is scored on the expert's transitions (3 seeded episodes), whose true actions are known.
    """
    from bcolearn.experts import load_expert
    from bcolearn.rollout import collect_demos
    from bcolearn.types import to_transitions

    data = to_transitions(collect_demos("CartPole-v1", load_expert("CartPole-v1"), n_episodes=3, seed=0))
    first, error = _run_learner_code(fn, data.obs[0], data.next_obs[0])
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
    out, error = _run_learner_code(fn, logits.clone(), acts.clone())
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


def check_gaussian_nll(fn: Callable[[Any, Any, Any], Any]) -> CheckResult:
    """Notebook 03, exercise 2: ``fn(mean, log_std, actions)`` is the Gaussian negative log-likelihood.

    Expected: −log N(a; μ, σ²) = ½((a − μ)/σ)² + log σ + ½ log 2π, summed over action dimensions and
    averaged over the batch. Leaving out the constant ½ log 2π also passes (it has no gradient).
    """
    import torch

    gen = torch.Generator().manual_seed(5)
    mean, acts = torch.randn(5, 2, generator=gen), torch.randn(5, 2, generator=gen)
    log_std = torch.randn(5, 2, generator=gen) * 0.5
    out, error = _run_learner_code(fn, mean.clone(), log_std.clone(), acts.clone())
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


# --- notebooks 04–06 -------------------------------------------------------------------------------
# Each check below is called from one exercise cell; the notebook and exercise are named in its docstring.


def check_idm_features(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> CheckResult:
    """Notebook 04, exercise 1: ``fn(obs, next_obs)`` must return the IDM input (s, s′ − s).

    Args:
        fn: the learner's function; obs and next_obs have shape (N, obs_dim).
    """
    rng = np.random.default_rng(4)
    obs = rng.normal(size=(6, 4)).astype(np.float32)
    next_obs = (obs + rng.normal(scale=0.1, size=obs.shape)).astype(np.float32)
    out, error = _run_learner_code(fn, obs, next_obs)
    if error is not None:
        return error
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return failed(f"Your function returned a {type(out).__name__}; return one array of shape (N, 2·obs_dim).")
    expected = np.concatenate([obs, next_obs - obs], axis=-1)
    if out.shape != expected.shape:
        return failed(
            f"For obs and next_obs of shape {obs.shape} your function returned shape {out.shape}; expected "
            f"{expected.shape}, i.e. (N, 2·obs_dim). Join s and s′ − s side by side: np.concatenate([...], axis=-1)."
        )
    if np.allclose(out, expected, atol=1e-5):
        return passed("Right: each row is (s, s′ − s), the 'delta' input the package's IDM uses.")
    wrong = {
        "(s, s′): that is the 'concat' input. The exercise asks for the change s′ − s in the second half.":
            np.concatenate([obs, next_obs], axis=-1),
        "(s, s − s′): the change has the wrong sign. Use next_obs - obs.":
            np.concatenate([obs, obs - next_obs], axis=-1),
        "(s′ − s, s): the halves are swapped. Put s first, then s′ − s.":
            np.concatenate([next_obs - obs, obs], axis=-1),
        "(s′, s′ − s): the first half should be s (obs), not s′.":
            np.concatenate([next_obs, next_obs - obs], axis=-1),
    }
    for message, value in wrong.items():
        if np.allclose(out, value, atol=1e-5):
            return failed("Your rows are " + message)
    return failed("The shape is right but the values are not (s, s′ − s); compare your output with "
                  "np.concatenate([obs, next_obs - obs], axis=-1) on a small example.")


def check_idm_accuracy(accuracy: float, model: Any, data: Any) -> CheckResult:
    """Notebook 04, exercise 2: the IDM's accuracy on the expert's own transitions.

    Args:
        accuracy: the learner's answer, a fraction in [0, 1].
        model: the trained :class:`~bcolearn.nets.InverseDynamicsModel`.
        data: the expert's :class:`~bcolearn.types.Transitions`, with the true actions.
    """
    from bcolearn.idm import idm_metrics

    expected = idm_metrics(model, data)["acc/idm"]
    if accuracy is not Ellipsis and accuracy is not None and np.ndim(accuracy) > 0 and np.size(accuracy) == len(data):
        return failed(f"You gave {np.size(accuracy)} values, one per transition; the accuracy is their mean: "
                      "np.mean(predicted == true).")
    value, problem = _as_number(accuracy, "the accuracy")
    if problem is not None:
        return problem
    if abs(value - expected) < 1e-3:
        return passed(f"Right: the IDM labels {expected:.0%} of the expert's transitions correctly.")
    if abs(value - 100 * expected) < 0.1:
        return failed(f"{value:.1f} looks like a percentage; give a fraction between 0 and 1 ({expected:.3f}).")
    if abs(value - (1 - expected)) < 1e-3:
        return failed("That is the error rate (the share of wrong labels); the exercise asks for the share of right ones.")
    if abs(value - expected * len(data)) < 0.5:
        return failed(f"{value:g} is the number of right labels; divide it by the {len(data)} transitions.")
    if not 0.0 <= value <= 1.0:
        return failed(f"An accuracy is a fraction between 0 and 1, got {value}.")
    if value > expected + 0.02:
        return failed(
            f"{value:.3f} is higher than the IDM scores on the expert's transitions. Is it the accuracy on the "
            "random transitions it was trained on (or its held-out accuracy)? Use the expert's transitions "
            "(data.obs, data.next_obs) and their true actions data.acts."
        )
    return failed(
        f"Not quite ({value:.3f}). Predict an action for every expert pair with "
        "model.predict(data.obs, data.next_obs) and compare it with data.acts, the expert's true actions: "
        "the mean of (predicted == true). Use the expert's transitions, not the random ones."
    )


def check_inferred_demos(labelled: Any, model: Any, state_demos: Sequence[Any]) -> CheckResult:
    """Notebook 05, exercise 1: state-only demos labelled with the IDM's inferred actions.

    Args:
        labelled: the learner's answer, a list of :class:`~bcolearn.types.Trajectory`.
        model: the trained :class:`~bcolearn.nets.InverseDynamicsModel`.
        state_demos: the state-only demonstrations that were labelled.
    """
    from bcolearn.types import Trajectory

    unfinished = _unfinished(labelled)
    if unfinished is not None:
        return unfinished
    if not isinstance(labelled, (list, tuple)):
        return failed(f"Return a list of Trajectory objects (one per demo), got a {type(labelled).__name__}.")
    if len(labelled) != len(state_demos):
        return failed(f"You returned {len(labelled)} trajectory(ies) for {len(state_demos)} demos; label every demo "
                      "once.")
    for i, (traj, demo) in enumerate(zip(labelled, state_demos)):
        if not isinstance(traj, Trajectory):
            return failed(f"labelled[{i}] is a {type(traj).__name__}; build bl.Trajectory(obs=demo.obs, acts=...).")
        if traj.obs.shape != demo.obs.shape or not np.allclose(traj.obs, demo.obs):
            return failed(f"labelled[{i}].obs differs from the demo's states; keep obs=demo.obs unchanged.")
        expected = model.predict(demo.obs[:-1], demo.obs[1:])
        if traj.acts.shape != expected.shape or not np.allclose(traj.acts, expected, atol=1e-5):
            return failed(
                f"labelled[{i}].acts are not the IDM's predictions for the pairs (s_t, s_t+1): use "
                "model.predict(demo.obs[:-1], demo.obs[1:]), one action per transition."
            )
    n = sum(len(t) for t in labelled)
    return passed(f"Right: {len(labelled)} demo(s), {n} transitions, each labelled with the IDM's inferred action.")


def check_bco_interactions(answer: Any, config: Any) -> CheckResult:
    """Notebook 05, exercise 3: how many environment steps BCO(α) takes with ``config`` (a BCOConfig).

    Evaluation episodes are not counted, as in the paper and in ``history``'s ``env/steps``.
    """
    pre, alpha, iters = config.pre_demo_steps, config.alpha, config.iterations
    per_iter, expected = config.steps_per_iteration, config.env_steps
    value, problem = _as_number(answer, "the number of steps")
    if problem is not None:
        return problem
    if value == expected:
        return passed(f"Right: {pre} random steps + {iters} × {per_iter} policy steps = {expected} interactions.")
    if value == pre:
        return failed(f"{pre} counts only the random pre-demonstration steps; each BCO(α) iteration adds α·|I_pre| "
                      "policy steps too.")
    if alpha > 0 and value == pre + (iters + 1) * per_iter:
        return failed("One rollout too many: the first pass uses only the random data; the policy then rolls out "
                      f"once per improvement iteration ({iters} times).")
    if alpha > 0 and value == iters * per_iter:
        return failed(f"You left out the {pre} random pre-demonstration steps, which count as interactions too.")
    return failed(f"Not quite ({answer}). Count |I_pre| random steps, plus α·|I_pre| policy steps per iteration.")


def check_normalised_score(score: Any, mean_return: float, env_id: str) -> CheckResult:
    """Notebook 06, exercise 1: the normalised score of ``mean_return`` on ``env_id`` (random 0, expert 1)."""
    from bcolearn.evaluation import normalised_score

    expected = float(normalised_score(mean_return, env_id))
    value, problem = _as_number(score, "the score")
    if problem is not None:
        return problem
    if abs(value - expected) < 1e-3:
        return passed(f"Right: a return of {mean_return:.1f} on {env_id} scores {expected:.2f} (random 0, expert 1).")
    if abs(value - 100 * expected) < 0.1:
        return failed("That looks like a percentage; give the score as a fraction (expert = 1).")
    if abs(value - (1 - expected)) < 1e-3:
        return failed("That is the gap to the expert, 1 − score; measure from the random policy: "
                      "(return − random) / (expert − random).")
    if abs(value + expected) < 1e-3:
        return failed("The sign is flipped: (return − random) / (expert − random) is positive when the policy "
                      "beats random, even when returns are negative.")
    return failed(f"Not quite ({value:.3f}). Use REFERENCE_RETURNS[{env_id!r}].random and .expert: "
                  "(return − random) / (expert − random).")


def check_bootstrap_ci(fn: Callable[..., Any]) -> CheckResult:
    """Notebook 06, exercise 2: ``fn(values, seed)`` returns a 95 % percentile-bootstrap CI of the mean.

    Passes when both ends are within 8 % of the interval's width of a reference percentile bootstrap
    (20 000 resamples) or of a BCa one (as :func:`bcolearn.bootstrap_ci` computes): 1 000 or more resamples get
    there, and a 90 % interval (5th to 95th percentile) does not.
    """
    from scipy.stats import bootstrap

    data_rng = np.random.default_rng(6)
    values = np.round(-80 - data_rng.exponential(40.0, size=30), 1)  # skewed, like episode returns
    out, error = _run_learner_code(fn, values.copy(), 0)
    if error is not None:
        return error
    try:
        low, high = (float(v) for v in out)
    except (TypeError, ValueError):
        return failed(f"Return a pair (low, high), got {out!r}.")
    ref_rng = np.random.default_rng(123)
    means = values[ref_rng.integers(len(values), size=(20_000, len(values)))].mean(axis=1)
    ref_low, ref_high = np.percentile(means, [2.5, 97.5])
    bca = bootstrap((values,), np.mean, n_resamples=5000, method="BCa", rng=np.random.default_rng(123))
    width = ref_high - ref_low
    mean = values.mean()

    def near(lo: float, hi: float) -> bool:
        return abs(low - lo) < 0.08 * width and abs(high - hi) < 0.08 * width

    if low > high:
        return failed(f"low ({low:.1f}) is above high ({high:.1f}); return (lower end, upper end).")
    if near(ref_low, ref_high) or near(*bca.confidence_interval):
        return passed(f"Right: on 30 test returns (mean {mean:.1f}) your interval is {low:.1f} to {high:.1f}; "
                      f"a reference bootstrap gives {ref_low:.1f} to {ref_high:.1f}.")
    data_low, data_high = np.percentile(values, [2.5, 97.5])
    if abs(low - data_low) < 0.15 * (data_high - data_low) and abs(high - data_high) < 0.15 * (data_high - data_low):
        return failed("That is the spread of the returns themselves, not the uncertainty of their mean: resample the "
                      "returns with replacement many times and take the percentiles of the resamples' means.")
    if not low <= mean <= high:
        return failed(f"Your interval {low:.1f} to {high:.1f} does not contain the mean {mean:.1f}; take the 2.5th "
                      "and 97.5th percentiles of the resampled means.")
    if high - low < 0.7 * width:
        return failed(f"Your interval {low:.1f} to {high:.1f} is too narrow (expected about {ref_low:.1f} to "
                      f"{ref_high:.1f}): resample len(values) returns each time, with replacement, and use the "
                      "2.5th and 97.5th percentiles.")
    if high - low < 0.92 * width:
        return failed(f"Your interval {low:.1f} to {high:.1f} is a little narrow (expected about {ref_low:.1f} to "
                      f"{ref_high:.1f}), about what a 90 % interval gives: a 95 % interval leaves 2.5 % out at each "
                      "end, so take the 2.5th and 97.5th percentiles (not the 5th and 95th).")
    return failed(f"Your interval {low:.1f} to {high:.1f} is off (expected about {ref_low:.1f} to {ref_high:.1f}): "
                  "resample with replacement (at least 1000 resamples), average each resample, take the 2.5th and "
                  "97.5th percentiles.")
