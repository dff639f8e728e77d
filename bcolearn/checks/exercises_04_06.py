"""Self-checks for the exercises of notebooks 04–06: each says what is right, or what is wrong and why.

Every check returns a :class:`~bcolearn.checks.result.CheckResult` and never raises on a wrong answer
(except in strict mode, see :mod:`bcolearn.checks.result`), so a learner can try again. Tested with right
and wrong answers in tests/test_checks_exercises_04_06.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bcolearn.checks.result import (CheckResult, as_number, check, failed, match_answer, passed, run_learner_code,
                                    unfinished)

# Each check below is called from one exercise cell; the notebook and exercise are named in its docstring.


@check
def check_idm_features(fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> CheckResult:
    """Notebook 04, exercise 1: ``fn(obs, next_obs)`` must return the IDM input (s, s′ − s).

    Args:
        fn: the learner's function; obs and next_obs have shape (N, obs_dim).
    """
    rng = np.random.default_rng(4)
    obs = rng.normal(size=(6, 4)).astype(np.float32)
    next_obs = (obs + rng.normal(scale=0.1, size=obs.shape)).astype(np.float32)
    out, error = run_learner_code(fn, obs, next_obs)
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


@check
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
    value, problem = as_number(accuracy, "the accuracy")
    if problem is not None:
        return problem
    right = f"Right: the IDM labels {expected:.0%} of the expert's transitions correctly."
    verdict = match_answer(value, expected, right, [
        (100 * expected, 0.1, f"{value:.1f} looks like a percentage; give a fraction between 0 and 1 "
                              f"({expected:.3f})."),
        (1 - expected, 1e-3, "That is the error rate (the share of wrong labels); the exercise asks for the share of "
                             "right ones."),
        (expected * len(data), 0.5, f"{value:g} is the number of right labels; divide it by the {len(data)} "
                                    "transitions."),
    ])
    if verdict is not None:
        return verdict
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


@check
def check_inferred_demos(labelled: Any, model: Any, state_demos: Sequence[Any]) -> CheckResult:
    """Notebook 05, exercise 1: state-only demos labelled with the IDM's inferred actions.

    Args:
        labelled: the learner's answer, a list of :class:`~bcolearn.types.Trajectory`.
        model: the trained :class:`~bcolearn.nets.InverseDynamicsModel`.
        state_demos: the state-only demonstrations that were labelled.
    """
    from bcolearn.types import Trajectory

    problem = unfinished(labelled)
    if problem is not None:
        return problem
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
        # TODO(label_demos): compare with bcolearn.training.label_demos(model, state_demos) once it is on main
        expected = model.predict(demo.obs[:-1], demo.obs[1:])
        if traj.acts.shape != expected.shape or not np.allclose(traj.acts, expected, atol=1e-5):
            return failed(
                f"labelled[{i}].acts are not the IDM's predictions for the pairs (s_t, s_t+1): use "
                "model.predict(demo.obs[:-1], demo.obs[1:]), one action per transition."
            )
    n = sum(len(t) for t in labelled)
    return passed(f"Right: {len(labelled)} demo(s), {n} transitions, each labelled with the IDM's inferred action.")


@check
def check_bco_interactions(answer: Any, config: Any) -> CheckResult:
    """Notebook 05, exercise 3: how many environment steps BCO(α) takes with ``config`` (a BCOConfig).

    Evaluation episodes are not counted, as in the paper and in ``history``'s ``env/steps``.
    """
    pre, alpha, iters = config.pre_demo_steps, config.alpha, config.iterations
    per_iter, expected = config.steps_per_iteration, config.env_steps
    value, problem = as_number(answer, "the number of steps")
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


@check
def check_normalised_score(score: Any, mean_return: float, env_id: str) -> CheckResult:
    """Notebook 06, exercise 1: the normalised score of ``mean_return`` on ``env_id`` (random 0, expert 1)."""
    from bcolearn.evaluation import normalised_score

    expected = float(normalised_score(mean_return, env_id))
    value, problem = as_number(score, "the score")
    if problem is not None:
        return problem
    verdict = match_answer(value, expected, f"Right: a return of {mean_return:.1f} on {env_id} scores {expected:.2f} "
                                            "(random 0, expert 1).", [
        (100 * expected, 0.1, "That looks like a percentage; give the score as a fraction (expert = 1)."),
        (1 - expected, 1e-3, "That is the gap to the expert, 1 − score; measure from the random policy: "
                             "(return − random) / (expert − random)."),
        (-expected, 1e-3, "The sign is flipped: (return − random) / (expert − random) is positive when the policy "
                          "beats random, even when returns are negative."),
    ])
    if verdict is not None:
        return verdict
    return failed(f"Not quite ({value:.3f}). Use REFERENCE_RETURNS[{env_id!r}].random and .expert: "
                  "(return − random) / (expert − random).")


@check
def check_bootstrap_ci(fn: Callable[..., Any]) -> CheckResult:
    """Notebook 06, exercise 2: ``fn(values, seed)`` returns a 95 % percentile-bootstrap CI of the mean.

    Passes when both ends are within 8 % of the interval's width of a reference percentile bootstrap
    (20 000 resamples) or of a BCa one (as :func:`bcolearn.bootstrap_ci` computes): 1 000 or more resamples get
    there, and a 90 % interval (5th to 95th percentile) does not.
    """
    from scipy.stats import bootstrap

    data_rng = np.random.default_rng(6)
    values = np.round(-80 - data_rng.exponential(40.0, size=30), 1)  # skewed, like episode returns
    out, error = run_learner_code(fn, values.copy(), 0)
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
