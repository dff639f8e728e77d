"""Evaluation: seeded returns, bootstrap confidence intervals, normalised scores."""

from __future__ import annotations

import numpy as np
import pytest

from bcolearn.evaluation import EVAL_SEED, EvalResult, bootstrap_ci, check_made_for, eval_metrics, evaluate, normalised_score
from bcolearn.tasks import REFERENCE_RETURNS, load_expert
from bcolearn.rollout import collect_demos, episode_returns, random_policy


@pytest.mark.parametrize("seed", range(5))
def test_bootstrap_ci_contains_the_mean(seed):
    x = np.random.default_rng(seed).exponential(10.0, size=30)  # skewed, like returns often are
    low, high = bootstrap_ci(x)
    assert low < x.mean() < high
    # Roughly the normal-theory width for n = 30 (a sanity check, not a coverage test).
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
    assert 0.5 * half < (high - low) / 2 < 2 * half


def test_bootstrap_ci_is_reproducible_and_widens_with_confidence():
    x = np.random.default_rng(0).normal(size=20)
    assert bootstrap_ci(x, seed=1) == bootstrap_ci(x, seed=1)
    lo80, hi80 = bootstrap_ci(x, confidence=0.8)
    lo99, hi99 = bootstrap_ci(x, confidence=0.99)
    assert lo99 < lo80 < hi80 < hi99


def test_bootstrap_ci_degenerate_cases():
    assert bootstrap_ci([500.0] * 20) == (500.0, 500.0)  # all equal: the interval is the point
    assert all(np.isnan(bootstrap_ci([3.0])))
    assert all(np.isnan(bootstrap_ci([])))
    low, high = bootstrap_ci([0.0] * 19 + [1.0])  # nearly constant: still a finite interval around the mean
    assert np.isfinite(low) and np.isfinite(high) and low <= 0.05 <= high
    low, high = bootstrap_ci([0.0, 1.0])
    assert np.isfinite(low) and np.isfinite(high) and low <= 0.5 <= high


def test_bootstrap_ci_falls_back_to_percentile_when_bca_fails(monkeypatch):
    import scipy.stats

    real, methods = scipy.stats.bootstrap, []

    def bca_fails(*args, method="BCa", **kwargs):
        methods.append(method)
        res = real(*args, method=method, **kwargs)
        if method == "BCa":  # what scipy gives for a degenerate bootstrap distribution
            res.confidence_interval = type(res.confidence_interval)(np.nan, np.nan)
        return res

    monkeypatch.setattr(scipy.stats, "bootstrap", bca_fails)
    x = np.arange(10.0)
    low, high = bootstrap_ci(x)
    assert methods == ["BCa", "percentile"]
    assert np.isfinite(low) and low < x.mean() < high


@pytest.mark.parametrize("env_id", sorted(REFERENCE_RETURNS))
def test_normalised_score_is_0_for_random_and_1_for_expert(env_id):
    ref = REFERENCE_RETURNS[env_id]
    assert normalised_score(ref.random, env_id) == pytest.approx(0.0)
    assert normalised_score(ref.expert, env_id) == pytest.approx(1.0)
    mid = (ref.random + ref.expert) / 2
    np.testing.assert_allclose(normalised_score(np.array([ref.random, mid, ref.expert]), env_id), [0, 0.5, 1])


def test_normalised_score_unknown_env():
    with pytest.raises(ValueError, match=r"No reference returns for 'MountainCarContinuous-v0'.*report raw returns"):
        normalised_score(1.0, "MountainCarContinuous-v0")


def test_evaluate_summarises_seeded_episodes():
    res = evaluate("CartPole-v1", random_policy("CartPole-v1", 0), n_episodes=30, seed=5)
    assert isinstance(res, EvalResult) and res.env_id == "CartPole-v1"
    expected = episode_returns(collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 30, seed=5))
    np.testing.assert_array_equal(res.returns, expected)
    assert res.mean == pytest.approx(expected.mean()) and res.std == pytest.approx(expected.std())
    assert res.ci_low < res.mean < res.ci_high
    assert res.score == pytest.approx(normalised_score(res.mean, "CartPole-v1"))
    assert -0.2 < res.score < 0.2  # it is a random policy
    text = str(res)
    assert "return " in text and "95% CI" in text and "30 episodes" in text and "normalised score" in text


def test_evaluate_defaults_to_the_evaluation_seed():
    a = evaluate("Acrobot-v1", random_policy("Acrobot-v1", 0), n_episodes=2)
    b = evaluate("Acrobot-v1", random_policy("Acrobot-v1", 0), n_episodes=2, seed=EVAL_SEED)
    np.testing.assert_array_equal(a.returns, b.returns)


def test_evaluate_expert():
    res = evaluate("CartPole-v1", load_expert("CartPole-v1"), n_episodes=5)
    assert res.mean == 500.0 and res.std == 0.0 and res.ci_low == res.ci_high == 500.0
    assert res.score == pytest.approx(1.0)
    assert evaluate("CartPole-v1", load_expert("CartPole-v1"), n_episodes=5, normalise=False).score is None


def test_evaluate_any_registered_environment(line_env_id):
    # A task without reference returns: raw returns, no normalised score.
    def go_to_zero(obs):
        return 0 if obs[0] > 0.25 else 2 if obs[0] < -0.25 else 1

    good = evaluate(line_env_id, go_to_zero, n_episodes=10, seed=0)
    rand = evaluate(line_env_id, random_policy(line_env_id, 0), n_episodes=10, seed=0)
    assert good.score is None and "normalised" not in str(good)
    assert len(good.returns) == 10 and good.mean > rand.mean


def test_format_score_never_prints_negative_zero():
    from bcolearn.evaluation import format_score

    assert format_score(-0.001) == "0.00"
    assert format_score(-0.5) == "-0.50"
    assert format_score(0.987) == "0.99"


def test_swapped_policy_and_env_id_get_a_hint():
    expert = load_expert("CartPole-v1")
    with pytest.raises(ValueError, match=r"were the policy and env_id swapped"):
        evaluate(expert, "CartPole-v1", 1)  # type: ignore[arg-type]


def test_a_policy_from_another_task_names_both_tasks():
    from bcolearn.bc import BCConfig, make_policy

    with pytest.raises(ValueError, match=r"policy was made for Acrobot-v1, but evaluate was asked to use it on "
                                         r"CartPole-v1: pass a policy made for CartPole-v1, or env_id='Acrobot-v1'"):
        evaluate("CartPole-v1", make_policy("Acrobot-v1", BCConfig(), 0), 1)


def test_a_result_instead_of_its_policy_says_pass_result_policy(cartpole_demos):
    from bcolearn.bc import BCConfig, train_bc

    result = train_bc(cartpole_demos, BCConfig(epochs=1), env_id="CartPole-v1", seed=0)
    with pytest.raises(TypeError, match=r"evaluate got a TrainResult as its policy; pass result\.policy"):
        evaluate("CartPole-v1", result, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, "left", 3])
def test_something_that_cannot_act_is_named(bad):
    with pytest.raises(TypeError, match=rf"policy (must be a function from an observation to an action .*got|is the string) {bad!r}"):
        evaluate("CartPole-v1", bad, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [True, None, 0, 2.0, "3"])
def test_a_bad_episode_count_is_named(bad):
    with pytest.raises((TypeError, ValueError), match=r"^n_episodes must be") as err:
        evaluate("CartPole-v1", load_expert("CartPole-v1"), bad)
    assert repr(bad) in str(err.value)


@pytest.mark.parametrize("bad", [-1, None, "0", 1.5, 2**64, True])
def test_a_bad_seed_is_named(bad):
    with pytest.raises((TypeError, ValueError), match=r"^seed must be") as err:
        evaluate("CartPole-v1", load_expert("CartPole-v1"), 1, seed=bad)
    assert repr(bad) in str(err.value)


def test_check_made_for_accepts_plain_functions_and_the_right_task():
    from bcolearn.bc import BCConfig, make_policy

    check_made_for(load_expert("CartPole-v1"), "CartPole-v1")
    check_made_for(make_policy("CartPole-v1", BCConfig(), 0), "CartPole-v1")


def test_eval_metrics_is_one_row_of_namespaced_metrics(line_env_id):
    row = eval_metrics("CartPole-v1", load_expert("CartPole-v1"), 2)
    assert row == {"eval/return_mean": 500.0, "eval/return_std": 0.0, "eval/score": 1.0}
    assert set(eval_metrics(line_env_id, lambda o: 1, 2)) == {"eval/return_mean", "eval/return_std"}  # no reference
