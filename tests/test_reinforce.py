"""Tests of bcolearn.reinforce: the REINFORCE baseline of notebook 01."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bcolearn.envs import describe_env
from bcolearn.reinforce import (ReinforceConfig, SamplingPolicy, log_prob, make_reinforce_policy,
                                rewards_to_go, train_reinforce)


def test_rewards_to_go_discounts_backwards():
    np.testing.assert_allclose(rewards_to_go([1.0, 1.0, 1.0], 0.5), [1.75, 1.5, 1.0])
    np.testing.assert_allclose(rewards_to_go([0.0, 0.0, 2.0], 1.0), [2.0, 2.0, 2.0])
    assert rewards_to_go([], 0.9).shape == (0,)


@pytest.mark.parametrize("bad", [{"lr": 0.0}, {"gamma": 1.5}, {"total_steps": 0}, {"episodes_per_iter": 0}])
def test_config_rejects_out_of_range_values(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        ReinforceConfig(**bad)


@pytest.mark.parametrize("bad", [-1, None, "0", 1.5, 2**64, True])
def test_a_bad_seed_is_named(bad):
    with pytest.raises((TypeError, ValueError), match=r"^seed must be") as err:
        train_reinforce("CartPole-v1", ReinforceConfig(total_steps=10), seed=bad)
    assert repr(bad) in str(err.value)


@pytest.mark.parametrize("bad, found", [({"total_steps": 10}, "dict"), (3, "int")])
def test_a_config_of_another_class_names_both_classes(bad, found):
    with pytest.raises(TypeError, match=rf"train_reinforce needs a ReinforceConfig, got {found}"):
        train_reinforce("CartPole-v1", bad, seed=0)


def test_log_prob_matches_torch_distributions():
    policy = make_reinforce_policy("CartPole-v1", ReinforceConfig(), seed=0)
    obs = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    acts = np.array([0, 1, 1, 0, 1])
    logits = policy(torch.as_tensor(obs))
    expected = torch.distributions.Categorical(logits=logits).log_prob(torch.as_tensor(acts))
    torch.testing.assert_close(log_prob(policy, obs, acts), expected)


def test_sampling_policy_follows_the_probabilities():
    policy = make_reinforce_policy("CartPole-v1", ReinforceConfig(), seed=0)
    obs = np.zeros((20_000, 4), np.float32)
    acts = SamplingPolicy(policy, np.random.default_rng(0)).act_batch(obs)
    with torch.no_grad():
        p1 = float(torch.softmax(policy(torch.as_tensor(obs[:1])), -1)[0, 1])
    assert set(np.unique(acts)) <= {0, 1}
    assert abs(acts.mean() - p1) < 0.02


def test_history_rows_and_step_budget():
    rows = []
    cfg = ReinforceConfig(total_steps=600, episodes_per_iter=4, eval_every=2, eval_episodes=2)
    result = train_reinforce("CartPole-v1", cfg, seed=0, callbacks=[rows.append])
    assert rows == list(result.history)
    assert {"iteration", "env/steps", "train/return_mean", "train/terminations", "loss/reinforce"} <= set(rows[0])
    assert rows[0]["train/terminations"] == 4  # a fresh policy drops the pole in every episode
    steps = [r["env/steps"] for r in rows]
    assert steps == sorted(steps) and steps[-1] == 600, "the budget is spent, never more (issue 9: 10,948/10,000)"
    assert "eval/return_mean" in rows[-1] and "eval/score" in rows[-1]  # the last iteration is evaluated
    assert isinstance(result.policy(np.zeros(4, np.float32)), int)  # the returned policy acts greedily


def test_the_last_iteration_ends_where_the_budget_does():
    rows = []
    train_reinforce("CartPole-v1", ReinforceConfig(total_steps=2_345, episodes_per_iter=8), seed=1,
                    callbacks=[rows.append])
    steps = [r["env/steps"] for r in rows]
    assert steps[-1] == 2_345 and len(set(steps)) == len(steps), "one last iteration, cut where the budget ends"
    # Before the last iteration every episode was whole: all 8 of them ended with the pole down.
    assert all(r["train/terminations"] == 8 for r in rows[:-1])


def test_a_callback_can_stop_training():
    result = train_reinforce("CartPole-v1", ReinforceConfig(total_steps=10_000, episodes_per_iter=2), seed=0,
                             callbacks=[lambda row: row["iteration"] >= 3])
    assert len(result.history) == 3


def test_same_seed_gives_identical_losses():
    cfg = ReinforceConfig(total_steps=1_000, episodes_per_iter=4)
    a = train_reinforce("CartPole-v1", cfg, seed=3).history
    b = train_reinforce("CartPole-v1", cfg, seed=3).history
    c = train_reinforce("CartPole-v1", cfg, seed=4).history
    assert [r["loss/reinforce"] for r in a] == [r["loss/reinforce"] for r in b]
    assert [r["loss/reinforce"] for r in a] != [r["loss/reinforce"] for r in c]


def test_continuous_actions_are_supported():
    result = train_reinforce("Pendulum-v1", ReinforceConfig(total_steps=400, episodes_per_iter=2), seed=0)
    assert len(result.history) == 1 and np.isfinite(result.history.last("loss/reinforce"))
    action = result.policy(np.zeros(describe_env("Pendulum-v1").obs_dim, np.float32))
    assert action.shape == (1,) and -2.0 <= float(action[0]) <= 2.0


def test_reinforce_learns_cartpole():
    """From rewards alone it clearly beats random (20) within 40k steps, with a fixed seed."""
    result = train_reinforce("CartPole-v1", ReinforceConfig(total_steps=40_000), seed=0)
    first = result.history[0]["train/return_mean"]
    recent = np.mean([r["train/return_mean"] for r in result.history if "train/return_mean" in r][-3:])
    assert first < 40 and recent > 150, (first, recent)
