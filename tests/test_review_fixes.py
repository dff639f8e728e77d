"""Regression tests for defects found in the final code review (each failed before its fix)."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig, train_bco
from bcolearn.idm import IDMConfig
from bcolearn.rollout import NoisyPolicy, act_batch, collect_demos
from bcolearn.types import StateTrajectory, drop_actions

TINY = BCOConfig(pre_demo_steps=200, alpha=0.5, iterations=2, eval_episodes=1, idm=IDMConfig(epochs=3),
                 bc=BCConfig(epochs=3))


def test_a_stop_during_the_bc_phase_returns_the_previous_iterations_policy_unchanged(cartpole_demos):
    states = drop_actions(cartpole_demos)
    first = train_bco(states, TINY, env_id="CartPole-v1", seed=0, callbacks=[lambda m: "env/steps" in m])
    stopped = train_bco(states, TINY, env_id="CartPole-v1", seed=0,
                        callbacks=[lambda m: m.get("bco/iteration") == 1 and m.get("epoch") == 2 and "loss/bc" in m])
    obs = cartpole_demos[0].obs
    assert len(stopped.history) == 1
    np.testing.assert_array_equal(stopped.policy.act_batch(obs), first.policy.act_batch(obs))
    for a, b in zip(stopped.policy.parameters(), first.policy.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_expert_acts_of_the_wrong_shape_are_rejected(pendulum_demos):
    with pytest.raises(ValueError, match=r"floats of shape \(T, act_dim\)"):
        train_bco(drop_actions(pendulum_demos), TINY, env_id="Pendulum-v1", seed=0,
                  expert_acts=[t.acts[:, 0] for t in pendulum_demos])


def test_noisy_policy_accepts_a_plain_function_returning_a_float_for_a_1d_action():
    info = bl.describe_env("Pendulum-v1")
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


def test_terminated_must_be_a_bool():
    with pytest.raises(ValueError, match=r"terminated must be True or False"):
        StateTrajectory(obs=np.zeros((3, 2)), terminated="no")  # type: ignore[arg-type]


def test_history_series_picks_the_x_key_that_bco_rows_have(cartpole_demos):
    res = train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0)
    xs, ys = res.history.series("eval/return_mean")
    assert xs.tolist() == [0, 1, 2] and len(ys) == 3
    xs, _ = res.history.series("eval/return_mean", x="env/steps")
    assert xs.tolist() == [200, 300, 400]
    with pytest.raises(KeyError, match=r"have no 'epoch'"):
        res.history.series("eval/return_mean", x="epoch")


def test_load_demos_rejects_actions_the_environment_cannot_take(tmp_path, cartpole_demos):
    path = bl.save_demos(tmp_path / "d.npz", cartpole_demos, env_id="CartPole-v1")
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    data["acts"] = data["acts"] + 5
    np.savez(path, **data)
    with pytest.raises(ValueError, match=r"discrete actions 0 … 1"):
        bl.load_demos(path)


def test_swapped_policy_and_env_id_get_a_hint():
    expert = bl.load_expert("CartPole-v1")
    with pytest.raises(ValueError, match=r"were the policy and env_id swapped"):
        bl.evaluate("CartPole-v1", expert, 1)  # type: ignore[arg-type]
