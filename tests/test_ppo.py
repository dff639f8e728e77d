"""PPO: advantages, learning on CartPole, determinism, continuous actions, learnt rewards, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import bcolearn as bl
from bcolearn.ppo import PPO, PPOConfig, gae, train_ppo, with_distribution

SMALL = PPOConfig(n_envs=4, n_steps=64)


def test_gae_by_hand():
    rews = np.array([[1.0], [2.0], [3.0]])
    values = np.array([[0.5], [1.0], [1.5]])
    next_values = np.array([[1.0], [0.0], [4.0]])  # step 1 ends its episode (terminal value 0)
    dones = np.array([[False], [True], [False]])
    gamma, lam = 0.9, 0.8
    d = rews[:, 0] + gamma * next_values[:, 0] - values[:, 0]
    a2 = d[2]
    a1 = d[1]  # the sum stops at the episode's end
    a0 = d[0] + gamma * lam * a1
    np.testing.assert_allclose(gae(rews, values, next_values, dones, gamma, lam)[:, 0], [a0, a1, a2])


def test_gae_lambda_one_is_the_discounted_return_minus_value():
    rews = np.ones((4, 1))
    values = np.zeros((4, 1))
    adv = gae(rews, values, np.zeros((4, 1)), np.zeros((4, 1), bool), 0.5, 1.0)
    np.testing.assert_allclose(adv[:, 0], [1 + 0.5 + 0.25 + 0.125, 1 + 0.5 + 0.25, 1.5, 1.0])


def test_learns_cartpole_quickly():
    res = train_ppo("CartPole-v1", seed=0, total_steps=6144, eval_episodes=5)
    assert res.history.last("env/steps") == 6144
    assert res.history.last("eval/return_mean") > 150  # a random policy gets about 20
    assert bl.evaluate("CartPole-v1", res.policy, 5).mean > 150


def test_same_seed_same_losses_other_seed_other_losses():
    def run(seed):
        res = train_ppo("CartPole-v1", SMALL, seed=seed, total_steps=512, eval_episodes=2)
        return [(r["loss/policy"], r["loss/value"], r["policy/entropy"]) for r in res.history]

    assert run(3) == run(3)
    assert run(3) != run(4)


def test_continuous_actions_and_a_learnt_reward():
    seen = []

    def reward_fn(obs, next_obs):
        seen.append((obs.shape, next_obs.shape))
        return -np.abs(next_obs[:, 2])  # Pendulum: keep the angular velocity small

    ppo = PPO("Pendulum-v1", SMALL, seed=0)
    states = torch.as_tensor(np.random.default_rng(0).normal(size=(5, 3)), dtype=torch.float32)
    sigma = ppo.policy.distribution(states).stddev.detach()  # the policy's own head gives π(· | s)
    np.testing.assert_allclose(sigma.numpy(), np.exp(SMALL.init_log_std), rtol=1e-6)  # the same σ in every state
    batch = ppo.collect()
    assert batch.acts.shape == (64, 4, 1) and batch.acts.dtype == np.float32
    ppo.update(batch, np.ones((64, 4)))
    assert not np.allclose(ppo.policy.distribution(states).stddev.detach().numpy(), sigma.numpy())  # σ is learnt
    ppo.close()
    res = train_ppo("Pendulum-v1", SMALL, seed=0, total_steps=256, reward_fn=reward_fn, eval_episodes=1)
    assert seen == [((256, 3), (256, 3))]
    assert np.isfinite(res.history.last("loss/value"))


def test_a_mean_only_policy_gets_a_distribution_and_acts_the_same():
    """A continuous policy trained with the squared error has no σ: PPO improves a copy that has one."""
    policy = bl.make_policy("Pendulum-v1", bl.BCConfig(), seed=0)
    with pytest.raises(ValueError, match="no distribution"):
        policy.distribution(torch.zeros(1, 3))
    copy = with_distribution(policy, -1.0)
    obs = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    np.testing.assert_allclose(copy.act_batch(obs), policy.act_batch(obs), rtol=1e-6)
    np.testing.assert_allclose(copy.distribution(torch.as_tensor(obs)).stddev.detach().numpy(), np.exp(-1.0), rtol=1e-6)
    ppo = PPO("Pendulum-v1", SMALL, seed=0, policy=policy)
    assert ppo.policy is not policy and ppo.policy.continuous_loss == "nll"
    ppo.close()
    cartpole = bl.make_policy("CartPole-v1", bl.BCConfig(), seed=0)
    assert with_distribution(cartpole, -1.0) is cartpole  # discrete heads have one: a Categorical


def test_stop_and_warm_policy_trained_in_place():
    policy = bl.make_policy("CartPole-v1", bl.BCConfig(), seed=0)
    res = train_ppo("CartPole-v1", SMALL, seed=0, total_steps=10_000, policy=policy,
                    callbacks=[lambda row: row["iteration"] >= 2])
    assert len(res.history) == 2 and res.history.last("env/steps") == 2 * SMALL.batch_size
    assert res.policy is policy


def test_bad_input():
    with pytest.raises(TypeError, match="PPOConfig"):
        train_ppo("CartPole-v1", {"lr": 1e-3}, seed=0, total_steps=10)
    with pytest.raises(ValueError, match="seed"):
        train_ppo("CartPole-v1", seed=-1, total_steps=10)
    with pytest.raises(ValueError, match="total_steps"):
        train_ppo("CartPole-v1", seed=0, total_steps=0)
    with pytest.raises(ValueError, match="clip"):
        PPOConfig(clip=2.0)
    with pytest.raises(ValueError, match="made for"):
        PPO("Acrobot-v1", SMALL, seed=0, policy=bl.make_policy("CartPole-v1", bl.BCConfig(), 0))
