"""Collecting trajectories: seeding, episode counts, exact step budgets, batched and plain policies."""

from __future__ import annotations

import numpy as np
import pytest

from bcolearn.bc import BCConfig, make_policy
from bcolearn.envs import describe_env, make_env
from bcolearn.experts import load_expert
from bcolearn.rollout import (NoisyPolicy, RandomPolicy, act_batch, collect_demos, collect_state_demos,
                              collect_transitions, episode_returns, random_policy)
from bcolearn.types import StateTrajectory, Trajectory


def reset_obs(env_id: str, seed: int) -> np.ndarray:
    env = make_env(env_id)
    obs, _ = env.reset(seed=seed)
    env.close()
    return obs


def test_collect_demos_runs_n_seeded_episodes_in_order():
    # 20 episodes on 16 parallel environments: slots are reused as episodes end.
    demos = collect_demos("CartPole-v1", random_policy("CartPole-v1", seed=0), 20, seed=5)
    assert len(demos) == 20 and all(isinstance(t, Trajectory) for t in demos)
    for j, t in enumerate(demos):
        np.testing.assert_array_equal(t.obs[0], reset_obs("CartPole-v1", 5 + j))
        assert t.terminated  # a random policy drops the pole long before the 500-step limit
        assert t.rews is not None and len(t.rews) == len(t.acts) == len(t) == len(t.obs) - 1
        assert set(np.unique(t.acts)) <= {0, 1}


def test_expert_episode_is_cut_off_by_time_limit_not_terminated(cartpole_demos):
    (t,) = cartpole_demos
    assert len(t) == 500 and not t.terminated and t.episode_return == 500.0


def test_trajectories_replay_in_the_environment():
    # The recorded (s, a, r, s') really are what the environment did.
    (t,) = collect_demos("Pendulum-v1", load_expert("Pendulum-v1"), 1, seed=3)
    env = make_env("Pendulum-v1")
    obs, _ = env.reset(seed=3)
    for i in range(len(t)):
        np.testing.assert_array_equal(obs, t.obs[i])
        obs, r, *_ = env.step(t.acts[i])
        assert r == pytest.approx(t.rews[i], rel=1e-6)
    np.testing.assert_array_equal(obs, t.obs[-1])
    env.close()


def test_same_seed_same_demos_different_seed_different_demos():
    a = collect_demos("Acrobot-v1", random_policy("Acrobot-v1", 1), 2, seed=10)
    b = collect_demos("Acrobot-v1", random_policy("Acrobot-v1", 1), 2, seed=10)
    c = collect_demos("Acrobot-v1", random_policy("Acrobot-v1", 1), 2, seed=11)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.obs, y.obs)
        np.testing.assert_array_equal(x.acts, y.acts)
    assert not np.array_equal(a[0].obs[0], c[0].obs[0])


@pytest.mark.parametrize("n_steps", [1, 7, 16, 37, 1000])
def test_step_budget_is_exact(n_steps):
    tr = collect_transitions("CartPole-v1", random_policy("CartPole-v1", 0), n_steps, seed=0)
    assert len(tr) == n_steps
    assert tr.obs.shape == tr.next_obs.shape == (n_steps, 4) and tr.acts.shape == (n_steps,)


def test_step_budget_spans_episode_ends():
    tr = collect_transitions("CartPole-v1", random_policy("CartPole-v1", 0), 1000, seed=0)
    # ~20-step random episodes: many terminal transitions, and the episodes continue after them.
    assert 20 < tr.dones.sum() < 100
    assert len(tr) == 1000


def test_collect_demos_with_a_step_budget_cuts_the_episodes_running_when_it_is_spent():
    whole = collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 8, seed=3)
    lengths = [len(t) for t in whole]
    budget = sum(lengths) - 5
    cut = collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 8, seed=3, step_budget=budget)
    assert sum(len(t) for t in cut) == budget, "exactly the budget, never more"
    assert any(not t.terminated and len(t) < n for t, n in zip(cut, lengths)), "a running episode ends at the budget"
    # What was played before the budget ran out is the same as without one.
    assert all(np.array_equal(a.obs[: len(b.obs)], b.obs) for a, b in zip(whole, cut))
    generous = collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 8, seed=3, step_budget=10**6)
    assert [len(t) for t in generous] == lengths
    with pytest.raises(ValueError, match="step_budget"):
        collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 8, seed=3, step_budget=0)


class BatchedCartPoleExpert:
    """The CartPole expert, vectorised: one call per step for all environments."""

    def __init__(self) -> None:
        self.batch_calls = 0

    def act_batch(self, obs: np.ndarray) -> np.ndarray:
        self.batch_calls += 1
        x, x_dot, theta, theta_dot = obs.T
        return (theta + 0.5 * theta_dot + 0.05 * x + 0.2 * x_dot > 0).astype(np.int64)

    def __call__(self, obs: np.ndarray) -> int:
        raise AssertionError("a batched policy should be called through act_batch")


def test_batched_and_plain_policies_give_the_same_trajectories():
    plain = collect_demos("CartPole-v1", load_expert("CartPole-v1"), 18, seed=0)
    batched_policy = BatchedCartPoleExpert()
    batched = collect_demos("CartPole-v1", batched_policy, 18, seed=0)
    assert 0 < batched_policy.batch_calls <= 2 * 500  # lock-step: about one call per time step, not per env
    for p, b in zip(plain, batched, strict=True):
        np.testing.assert_array_equal(p.obs, b.obs)
        np.testing.assert_array_equal(p.acts, b.acts)
        np.testing.assert_array_equal(p.rews, b.rews)


def test_torch_policy_batched_or_wrapped_gives_the_same_trajectories():
    policy = make_policy("Acrobot-v1", BCConfig(hidden_size=8), seed=0)
    a = collect_demos("Acrobot-v1", policy, 3, seed=1)
    b = collect_demos("Acrobot-v1", lambda o: policy(o), 3, seed=1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.obs, y.obs)
        np.testing.assert_array_equal(x.acts, y.acts)
    # Continuous actions: a batched matrix product may round differently from a one-row one (~1e-7).
    policy = make_policy("Pendulum-v1", BCConfig(hidden_size=8), seed=0)
    a = collect_demos("Pendulum-v1", policy, 3, seed=1)
    b = collect_demos("Pendulum-v1", lambda o: policy(o), 3, seed=1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x.obs, y.obs, atol=1e-4)
        np.testing.assert_allclose(x.acts, y.acts, atol=1e-4)


def test_continuous_actions_are_clipped_to_bounds():
    (t,) = collect_demos("Pendulum-v1", lambda o: np.array([10.0]), 1, seed=0)
    assert t.acts.shape == (200, 1) and t.acts.dtype == np.float32
    np.testing.assert_array_equal(t.acts, 2.0)
    # A scalar torque is accepted for a 1-D action space.
    (t,) = collect_demos("Pendulum-v1", lambda o: -0.5, 1, seed=0)
    np.testing.assert_array_equal(t.acts, -0.5)


@pytest.mark.parametrize(
    "env_id, policy, match",
    [
        ("CartPole-v1", lambda o: 2, r"returned action 2 at step 0 of episode 0; CartPole-v1 has actions 0 … 1"),
        ("CartPole-v1", lambda o: -1, r"returned action -1 at step 0"),
        ("CartPole-v1", lambda o: 0.5, r"returned 0\.5 at step 0 of episode 0; CartPole-v1 expects one integer in \[0, 2\)"),
        ("CartPole-v1", lambda o: [0, 1], r"returned \[0 1\] at step 0 .*expects one integer"),
        ("CartPole-v1", lambda o: True, r"returned True at step 0 .*expects one integer"),
        ("CartPole-v1", lambda o: None, r"returned None at step 0 .*expects one integer"),
        ("Pendulum-v1", lambda o: np.zeros(2), r"action of shape \(2,\) at step 0 of episode 0; Pendulum-v1 expects \(1,\)"),
    ],
)
def test_invalid_policy_actions_are_named(env_id, policy, match):
    with pytest.raises(ValueError, match=match):
        collect_demos(env_id, policy, 1, seed=0)


def test_integral_float_actions_are_accepted():
    (t,) = collect_demos("CartPole-v1", lambda o: 1.0, 1, seed=0)
    assert t.acts.dtype == np.int64 and (t.acts == 1).all()


def test_collect_state_demos_drops_actions():
    states = collect_state_demos("MountainCar-v0", load_expert("MountainCar-v0"), 2, seed=0)
    labelled = collect_demos("MountainCar-v0", load_expert("MountainCar-v0"), 2, seed=0)
    assert [type(s) for s in states] == [StateTrajectory] * 2
    for s, t in zip(states, labelled):
        np.testing.assert_array_equal(s.obs, t.obs)
        assert s.terminated and t.terminated  # the expert reaches the flag


def test_random_policy_is_seeded_and_in_range():
    obs = np.zeros((1000, 3), np.float32)
    a1, a2 = random_policy("Pendulum-v1", 4).act_batch(obs), random_policy("Pendulum-v1", 4).act_batch(obs)
    np.testing.assert_array_equal(a1, a2)
    assert a1.shape == (1000, 1) and a1.dtype == np.float32 and -2 <= a1.min() and a1.max() <= 2 and a1.std() > 0.9
    d = random_policy("Acrobot-v1", 0)
    acts = [d(np.zeros(6, np.float32)) for _ in range(300)]
    assert set(acts) == {0, 1, 2}
    assert isinstance(d, RandomPolicy)


def test_noisy_policy():
    info = describe_env("CartPole-v1")
    always_one = lambda o: 1  # noqa: E731
    obs = np.zeros((2000, 4), np.float32)
    np.testing.assert_array_equal(NoisyPolicy(always_one, info, 0.0, np.random.default_rng(0)).act_batch(obs), 1)
    half = NoisyPolicy(always_one, info, 0.5, np.random.default_rng(0)).act_batch(obs)
    # Half the actions are replaced by uniform random ones, which are 0 half the time.
    assert 0.2 < np.mean(half == 0) < 0.3
    assert NoisyPolicy(always_one, info, 0.0, np.random.default_rng(0))(obs[0]) == 1
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"epsilon must be a probability in \[0, 1\]"):
            NoisyPolicy(always_one, info, bad, np.random.default_rng(0))


def test_act_batch_uses_the_batched_method_when_there_is_one():
    obs = np.zeros((5, 4), np.float32)
    np.testing.assert_array_equal(act_batch(lambda o: 1, obs), np.ones(5))
    np.testing.assert_array_equal(act_batch(BatchedCartPoleExpert(), obs), np.zeros(5))


def test_episode_returns(cartpole_demos):
    np.testing.assert_array_equal(episode_returns(cartpole_demos), [500.0])
    demos = collect_demos("MountainCar-v0", random_policy("MountainCar-v0", 0), 2, seed=0)
    np.testing.assert_array_equal(episode_returns(demos), [-200.0, -200.0])
    with pytest.raises(ValueError, match=r"state-only"):
        episode_returns(collect_state_demos("CartPole-v1", random_policy("CartPole-v1", 0), 1, seed=0))


# Moved from tests/test_review_fixes.py (defects found in the final code review).
def test_noisy_policy_accepts_a_plain_function_returning_a_float_for_a_1d_action():
    info = describe_env("Pendulum-v1")
    noisy = NoisyPolicy(lambda o: 0.5, info, 0.5, np.random.default_rng(0))
    demos = collect_demos("Pendulum-v1", noisy, 1, seed=0)
    assert demos[0].acts.shape == (200, 1)
    assert np.any(demos[0].acts == 0.5) and np.any(demos[0].acts != 0.5)


@pytest.mark.parametrize("action", [np.array([1]), np.array([1.0]), 1.0, np.int64(1)])
def test_a_discrete_action_given_as_a_one_element_array_or_whole_float_is_accepted(action):
    demos = collect_demos("CartPole-v1", lambda o: action, 1, seed=0)
    assert set(demos[0].acts.tolist()) == {1}


@pytest.mark.parametrize("action", [float("nan"), 0.5, np.array([0, 1]), "left"])
def test_a_bad_discrete_action_gives_a_readable_error(action):
    with pytest.raises(ValueError, match=r"expects one integer in \[0, 2\)"):
        collect_demos("CartPole-v1", lambda o: action, 1, seed=0)


def test_a_batched_policy_returning_the_wrong_number_of_actions_is_rejected():
    class Short:
        def __call__(self, obs):
            return 0

        def act_batch(self, obs):
            return np.zeros(len(obs) - 1, dtype=np.int64)

    with pytest.raises(ValueError, match=r"returned \d+ actions for \d+ observations"):
        act_batch(Short(), np.zeros((3, 4), np.float32))
