"""Bad input to the rollouts, each class refused where it enters: unbounded tasks, seeds and counts,
actions a policy should not return, and objects that are not policies."""

from __future__ import annotations

import contextlib
import os
import signal
import warnings

import gymnasium as gym
import numpy as np
import pytest

from bcolearn.bc import BCConfig, train_bc
from bcolearn.envs import describe_env, make_env
from bcolearn.evaluation import evaluate
from bcolearn.experts import load_expert
from bcolearn.rollout import (DEFAULT_MAX_STEPS, NoisyPolicy, RandomPolicy, UnboundedTaskWarning, act_batch,
                              collect_demos, collect_state_demos, collect_transitions, random_policy)


class ForeverEnv(gym.Env):
    """A task that never ends by itself: a point drifting on a line, reward 1 per step, no time limit."""

    observation_space = gym.spaces.Box(-np.inf, np.inf, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):  # type: ignore[no-untyped-def]
        super().reset(seed=seed)
        self.x = np.array([self.np_random.uniform(-1, 1), 0.0], np.float32)
        return self.x.copy(), {}

    def step(self, action):  # type: ignore[no-untyped-def]
        self.x = self.x + np.array([0.0, 1.0 if int(action) else -1.0], np.float32) * 1e-3
        return self.x.copy(), 1.0, False, False, {}


FOREVER_ID = "bcolearn-tests/Forever-v0"


@pytest.fixture(scope="module")
def forever_id():  # type: ignore[no-untyped-def]
    gym.register(FOREVER_ID, entry_point=ForeverEnv, max_episode_steps=None)
    assert describe_env(FOREVER_ID).max_episode_steps is None
    yield FOREVER_ID
    gym.registry.pop(FOREVER_ID, None)


@contextlib.contextmanager
def deadline(seconds: int):  # type: ignore[no-untyped-def]
    """Fail (instead of hanging the suite) if the block runs longer than ``seconds``."""
    if os.name != "posix":
        yield
        return

    def expired(signum, frame):  # type: ignore[no-untyped-def]
        raise TimeoutError(f"still running after {seconds} s: a rollout without a bound")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- hangs: every episode is bounded ----------------------------------------------------------------

def test_a_task_without_time_limit_is_cut_off_at_the_default_with_a_warning(forever_id):
    with deadline(120), pytest.warns(UnboundedTaskWarning, match=r"Forever-v0 has no time limit "
                                     r"\(max_episode_steps=None\).*cut off after 1000 steps\. Pass max_steps="):
        demos = collect_demos(forever_id, lambda o: 1, 2, seed=0)
    assert [len(t) for t in demos] == [DEFAULT_MAX_STEPS] * 2 and not any(t.terminated for t in demos)


def test_evaluate_on_a_task_without_time_limit_ends(forever_id):
    with deadline(120), pytest.warns(UnboundedTaskWarning, match=r"no time limit"):
        result = evaluate(forever_id, lambda o: 0, 2)
    np.testing.assert_array_equal(result.returns, [DEFAULT_MAX_STEPS] * 2)


def test_max_steps_bounds_each_episode_without_a_warning(forever_id):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        demos = collect_demos(forever_id, lambda o: 1, 3, seed=0, max_steps=7)
        states = collect_state_demos(forever_id, lambda o: 1, 1, seed=0, max_steps=5)
        tr = collect_transitions(forever_id, lambda o: 0, 16 * 12, seed=4, max_steps=10)
    assert [len(t) for t in demos] == [7, 7, 7] and len(states[0]) == 5
    # 16 environments in lock-step, 192 steps: episodes 0-15 are cut off after 10 steps (not terminal), and
    # episodes 16-31 start from their own seeds and take the last 2 steps each.
    assert len(tr) == 192 and not tr.dones.any()
    env = make_env(forever_id)
    for start, episode in [(0, 0), (10, 1), (150, 15), (160, 16), (190, 31)]:
        np.testing.assert_array_equal(tr.obs[start], env.reset(seed=4 + episode)[0])
    env.close()


def test_max_steps_on_a_task_with_a_time_limit(cartpole_demos):
    (short,) = collect_demos("CartPole-v1", load_expert("CartPole-v1"), 1, seed=0, max_steps=10)
    assert len(short) == 10 and not short.terminated
    np.testing.assert_array_equal(short.obs, cartpole_demos[0].obs[:11])
    (full,) = collect_demos("CartPole-v1", load_expert("CartPole-v1"), 1, seed=0, max_steps=10_000)
    assert len(full) == 500  # the task's own time limit still applies


@pytest.mark.parametrize("bad, error, match", [
    (0, ValueError, r"max_steps must be at least 1, got 0"),
    (-1, ValueError, r"max_steps must be at least 1, got -1"),
    (2.5, TypeError, r"max_steps must be a whole number, got 2\.5"),
    (True, TypeError, r"max_steps must be a whole number, got True"),
    ("10", TypeError, r"max_steps must be a whole number, got '10'"),
])
def test_bad_max_steps(bad, error, match):
    with pytest.raises(error, match=match):
        collect_demos("CartPole-v1", load_expert("CartPole-v1"), 1, seed=0, max_steps=bad)
    with pytest.raises(error, match=match):
        collect_transitions("CartPole-v1", load_expert("CartPole-v1"), 5, seed=0, max_steps=bad)


# --- seeds and counts: one checker, the parameter named ----------------------------------------------

BAD_WHOLE_NUMBERS = [
    (True, TypeError, r"must be a whole number.*got True \(bool\)"),
    (None, TypeError, r"must be a whole number.*got None \(NoneType\)"),
    (1.5, TypeError, r"must be a whole number.*got 1\.5 \(float\)"),
    ("3", TypeError, r"must be a whole number.*got '3' \(str\)"),
    (-1, ValueError, r"must be .*got -1"),
]


def _calls(value):  # type: ignore[no-untyped-def]
    """Each public rollout function with ``value`` in one of its seed or count arguments: (name, call)."""
    expert = load_expert("CartPole-v1")
    return [
        ("n_episodes", lambda: collect_demos("CartPole-v1", expert, value, seed=0)),
        ("n_episodes", lambda: collect_state_demos("CartPole-v1", expert, value, seed=0)),
        ("n_steps", lambda: collect_transitions("CartPole-v1", expert, value, seed=0)),
        ("seed", lambda: collect_demos("CartPole-v1", expert, 1, seed=value)),
        ("seed", lambda: collect_state_demos("CartPole-v1", expert, 1, seed=value)),
        ("seed", lambda: collect_transitions("CartPole-v1", expert, 5, seed=value)),
        ("seed", lambda: random_policy("CartPole-v1", value)),
    ]


@pytest.mark.parametrize("value, error, match", BAD_WHOLE_NUMBERS)
def test_bad_seeds_and_counts_name_the_parameter(value, error, match):
    for name, call in _calls(value):
        with pytest.raises(error, match=rf"^{name} {match}"):
            call()


def test_out_of_range_seeds_and_zero_counts():
    for name, call in _calls(2**64):
        if name == "seed":
            with pytest.raises(ValueError, match=r"seed must be between 0 and 2\*\*32 - 1, got 18446744073709551616"):
                call()
    for name, call in _calls(0):
        if name != "seed":
            with pytest.raises(ValueError, match=rf"{name} must be at least 1, got 0"):
                call()
    assert len(collect_demos("CartPole-v1", random_policy("CartPole-v1", np.int64(3)), np.int64(2), np.uint32(7))) == 2


@pytest.mark.parametrize("epsilon", [True, None, "0.5", float("nan"), -0.1, 1.5, 1j])
def test_noisy_policy_epsilon_must_be_a_probability(epsilon):
    with pytest.raises(ValueError, match=r"epsilon must be a probability in \[0, 1\], got"):
        NoisyPolicy(lambda o: 0, describe_env("CartPole-v1"), epsilon, np.random.default_rng(0))


def test_noisy_and_random_policies_check_their_other_arguments():
    info = describe_env("CartPole-v1")
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator, e\.g\. numpy\.random\.default_rng"
                                        r"\(0\), got 0 \(int\)"):
        NoisyPolicy(lambda o: 0, info, 0.1, 0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"rng must be a numpy\.random\.Generator.*\(RandomState\)"):
        RandomPolicy(info, np.random.RandomState(0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"info must be an EnvInfo from bcolearn\.describe_env\(env_id\), got "
                                        r"'CartPole-v1'"):
        NoisyPolicy(lambda o: 0, "CartPole-v1", 0.1, np.random.default_rng(0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"policy must be a function from an observation to an action"):
        NoisyPolicy(None, info, 0.1, np.random.default_rng(0))  # type: ignore[arg-type]


# --- silent coercion: a bad action is named at the step it is returned ------------------------------

@pytest.mark.parametrize("action, match", [
    (None, r"returned None \(NoneType\) at step 0 of episode 0; Pendulum-v1 expects 1 real number\(s\) in "
           r"\[-2, 2\], as an array of shape \(1,\)"),
    ("0.5", r"returned '0\.5' \(str\) at step 0 of episode 0"),
    (0.5 + 1j, r"returned \(0\.5\+1j\) \(complex\) at step 0"),
    (np.array([1j]), r"returned \[0\.\+1\.j\] \(array\) at step 0"),
    (True, r"returned True \(bool\) at step 0"),
    ([None], r"returned \[None\] \(array\) at step 0"),
    (float("nan"), r"returned \[nan\] at step 0 of episode 0: NaN or infinite, which Pendulum-v1 cannot take"),
    (np.array([-np.inf]), r"returned \[-inf\] at step 0"),
])
def test_a_continuous_policy_returning_a_non_number_is_named_at_once(action, match):
    calls = []

    def policy(obs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return action

    with pytest.raises(ValueError, match=match):
        collect_demos("Pendulum-v1", policy, 1, seed=0)
    assert len(calls) == 1  # refused at the first step, not after a whole episode


def test_the_step_and_episode_of_a_bad_action_are_named():
    def late_nan(obs):  # type: ignore[no-untyped-def]
        late_nan.calls += 1  # type: ignore[attr-defined]
        return np.array([np.nan]) if late_nan.calls > 3 * 5 + 1 else np.array([0.1])  # type: ignore[attr-defined]

    late_nan.calls = 0  # type: ignore[attr-defined]
    # 3 episodes in lock-step: calls 1-3 are step 0, …; call 17 is step 5 of episode 1.
    with pytest.raises(ValueError, match=r"returned \[nan\] at step 5 of episode 1: NaN or infinite"):
        collect_demos("Pendulum-v1", late_nan, 3, seed=0)


def test_ragged_and_missing_batches_are_named():
    with pytest.raises(ValueError, match=r"action of shape \(2,\) at step 0 of episode \d; Pendulum-v1 expects \(1,\)"):
        collect_demos("Pendulum-v1", lambda o: [0.1] if o[0] > 0.0 else [0.1, 0.2], 4, seed=0)

    class NoneBatch:
        def __call__(self, obs):  # type: ignore[no-untyped-def]
            return 0

        def act_batch(self, obs):  # type: ignore[no-untyped-def]
            return None

    with pytest.raises(ValueError, match=r"The policy returned None for 3 observations; return one per row"):
        act_batch(NoneBatch(), np.zeros((3, 4), np.float32))


def test_noisy_policy_checks_the_wrapped_policys_actions():
    noisy = NoisyPolicy(lambda o: None, describe_env("Pendulum-v1"), 0.5, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"returned None \(NoneType\); Pendulum-v1 expects"):
        collect_demos("Pendulum-v1", noisy, 1, seed=0)


def test_good_actions_of_every_accepted_form_still_work():
    for action in (0.5, np.float32(0.5), [0.5], np.array([[0.5]]), 1, np.int64(1)):
        (t,) = collect_demos("Pendulum-v1", lambda o, a=action: a, 1, seed=0, max_steps=3)
        np.testing.assert_array_equal(t.acts, np.full((3, 1), float(np.asarray(action).item()), np.float32))
    (t,) = collect_demos("CartPole-v1", lambda o: np.uint8(1), 1, seed=0, max_steps=3)
    assert t.acts.tolist() == [1, 1, 1]


# --- objects that are not policies --------------------------------------------------------------------

class ResultLike:
    """Anything with a ``.policy`` (a TrainResult, a BCOResult, a learner's own record)."""

    def __init__(self) -> None:
        self.policy = load_expert("CartPole-v1")


@pytest.mark.parametrize("policy, match", [
    (None, r"policy must be a function from an observation to an action \(e\.g\. bcolearn\.load_expert\(env_id\) "
           r"or result\.policy\), got None \(NoneType\)"),
    (42, r"got 42 \(int\)"),
    ("CartPole-v1", r"policy is the string 'CartPole-v1', not a policy: were the policy and env_id swapped\?"),
    (ResultLike(), r"policy is a ResultLike \(a training result\), not a policy: pass result\.policy"),
])
def test_what_is_not_a_policy_is_named(policy, match):
    for call in (lambda: collect_demos("CartPole-v1", policy, 1, seed=0),
                 lambda: collect_transitions("CartPole-v1", policy, 5, seed=0),
                 lambda: evaluate("CartPole-v1", policy, 1)):
        with pytest.raises(TypeError, match=match):
            call()


def test_a_real_training_result_is_named(cartpole_demos):
    result = train_bc(cartpole_demos, BCConfig(epochs=1), env_id="CartPole-v1", seed=0)
    with pytest.raises(TypeError, match=r"TrainResult.*pass result\.policy"):
        evaluate("CartPole-v1", result, 1)
    assert evaluate("CartPole-v1", result.policy, 1).mean > 0
