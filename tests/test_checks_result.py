"""CheckResult, "not answered yet", strict mode and the partial-credit rubric."""

from __future__ import annotations

import pytest

import bcolearn as bl
from bcolearn import checks
from bcolearn.checks.result import as_number, run_learner_code
from figure_checks import html_of  # tests/figure_checks.py


def wrong_return(rewards, gamma):
    return sum(rewards)


def placeholder(rewards, gamma):
    raise NotImplementedError("write your answer here")


def test_a_wrong_answer_prints_a_cross_without_strict_mode(monkeypatch):
    monkeypatch.delenv(checks.STRICT_ENV, raising=False)
    result = checks.check_discounted_return(wrong_return)
    assert not result and result.answered and str(result).startswith("❌") and "plain sum" in result.message


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_a_wrong_answer_raises_in_strict_mode(monkeypatch, value):
    monkeypatch.setenv(checks.STRICT_ENV, value)
    with pytest.raises(AssertionError, match="❌ .*plain sum.*BCOLEARN_STRICT_CHECKS=1"):
        checks.check_discounted_return(wrong_return)


def test_strict_mode_lets_right_and_unanswered_results_through(monkeypatch):
    monkeypatch.setenv(checks.STRICT_ENV, "1")
    assert checks.check_discounted_return(lambda rews, g: sum(g**t * r for t, r in enumerate(rews)))
    for answer in (placeholder, ...):
        result = checks.check_discounted_return(answer)
        assert not result and not result.answered
        assert result.message.startswith(checks.NOT_ANSWERED) and str(result).startswith("✏️")
    assert not checks.check_normalised_score(..., -100, "Acrobot-v1").answered
    monkeypatch.setenv(checks.STRICT_ENV, "0")
    assert not checks.strict_mode()
    assert not checks.check_discounted_return(wrong_return)  # "0" is off


def test_not_answered_is_grey_and_cannot_pass():
    result = checks.not_answered()
    assert "#6e7781" in html_of(result) and "answered=False" in repr(result)
    assert repr(checks.passed("ok")) == "CheckResult(passed=True, message='ok')"  # unchanged for answered ones
    with pytest.raises(ValueError, match="cannot pass"):
        checks.CheckResult(True, "x", answered=False)


def test_learner_code_helpers():
    assert run_learner_code(placeholder, [], 0.9)[1].answered is False
    out, problem = run_learner_code(lambda: 1 / 0)
    assert out is None and "ZeroDivisionError" in problem.message and problem.answered
    assert "return statement" in run_learner_code(lambda: None)[1].message
    assert run_learner_code(lambda: 3) == (3, None)
    assert as_number("2.5", "x") == (2.5, None)
    assert "one number" in as_number([1, 2], "the score")[1].message


def test_rubric_lists_every_criterion_and_what_to_fix():
    rubric = checks.Rubric()
    rubric.add("loss decreases", True, "never shown")
    rubric.add("reaches 500", False, "train longer.")
    result = rubric.result("Well done.")
    assert not result and rubric.score == (1, 2)
    assert result.message == "loss decreases ✔, reaches 500 ✘ (1/2). reaches 500: train longer."
    ok = checks.Rubric()
    ok.add("loss decreases", True)
    assert ok.result("Well done.").message == "loss decreases ✔ (1/1). Well done."


def test_grading_mode_raises_unless_the_check_passes(monkeypatch):
    monkeypatch.setenv(checks.STRICT_ENV, "grade")
    assert checks.strict_mode() and checks.grading_mode()
    assert checks.check_discounted_return(lambda rews, g: sum(g**t * r for t, r in enumerate(rews)))
    with pytest.raises(AssertionError, match="✏️ Not answered yet.*BCOLEARN_STRICT_CHECKS=grade"):
        checks.check_discounted_return(placeholder)
    with pytest.raises(AssertionError, match="❌ .*plain sum"):
        checks.check_discounted_return(wrong_return)
    monkeypatch.setenv(checks.STRICT_ENV, "1")
    assert not checks.grading_mode()


def test_a_wrong_assignment_raises_in_strict_mode_and_prints_a_cross_otherwise(monkeypatch):
    def miscounted(state_demos, collect, *, env_id, pre_demo_steps, alpha, iterations, seed):
        steps = [pre_demo_steps] + [int(round(alpha * pre_demo_steps))] * iterations
        for i, n in enumerate(steps):
            collect(bl.random_policy(env_id, seed=i), n, seed + i)
        return bl.load_expert(env_id), steps[0]  # forgets the rollouts of the iterations

    monkeypatch.delenv(checks.STRICT_ENV, raising=False)
    result = checks.check_bco_alpha(miscounted)
    assert str(result).startswith("❌") and "counts interactions ✘" in result.message
    monkeypatch.setenv(checks.STRICT_ENV, "1")
    with pytest.raises(AssertionError, match="❌ .*counts interactions ✘.*you counted only the random steps"):
        checks.check_bco_alpha(miscounted)


def test_a_placeholder_policy_is_not_answered_even_in_strict_mode(monkeypatch):
    monkeypatch.setenv(checks.STRICT_ENV, "1")

    def my_policy(obs):
        raise NotImplementedError("my_policy: replace this line with your code")

    result = checks.check_policy(my_policy, "CartPole-v1", n_episodes=1)
    assert not result and not result.answered and str(result).startswith("✏️")
