"""GAIfO: learning on CartPole from one state-only demo, determinism, the state-only guarantee, Stop, bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import bcolearn as bl
from bcolearn.gaifo import (Discriminator, GAIfOConfig, compare_interactions, discriminator_loss, gaifo_reward,
                            train_gaifo)
from bcolearn.ppo import PPOConfig

ENV = "CartPole-v1"
SMALL = GAIfOConfig(total_steps=512, eval_every=0, eval_episodes=1, ppo=PPOConfig(n_envs=4, n_steps=64))


@pytest.fixture(scope="module")
def demos():
    return bl.collect_demos(ENV, bl.load_expert(ENV), 1, seed=0)


def test_reward_and_loss_formulas():
    d = np.array([0.1, 0.5, 0.9])
    logits = np.log(d) - np.log(1 - d)
    np.testing.assert_allclose(gaifo_reward(logits, "signed"), np.log(d) - np.log(1 - d), atol=1e-12)
    np.testing.assert_allclose(gaifo_reward(logits, "positive"), -np.log(1 - d), atol=1e-12)
    assert (gaifo_reward(logits, "positive") > 0).all()
    fe, fa = torch.tensor([2.0, 0.0]), torch.tensor([-1.0])
    expected = -np.mean(np.log(torch.sigmoid(fe).numpy())) - np.mean(np.log(1 - torch.sigmoid(fa).numpy()))
    assert float(discriminator_loss(fe, fa)) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ValueError, match="reward"):
        gaifo_reward(logits, "log D")


def test_discriminator_inputs():
    disc = Discriminator(2, (8,), "delta")
    s, s2 = np.array([[1.0, 2.0]]), np.array([[1.5, 1.0]])
    np.testing.assert_allclose(disc.features(s, s2), [[1.0, 2.0, 0.5, -1.0]])
    np.testing.assert_allclose(Discriminator(2, (8,), "concat").features(s, s2), [[1.0, 2.0, 1.5, 1.0]])
    assert disc.prob(s, s2).shape == (1,) and 0 < disc.prob(s, s2)[0] < 1


def test_learns_cartpole_from_one_state_only_demo(demos):
    """Cold start (a fresh policy), the signed reward: far above a random policy's 20 within 12,288 steps."""
    res = train_gaifo(bl.drop_actions(demos), GAIfOConfig(total_steps=12_288, eval_every=0), env_id=ENV, seed=0)
    assert res.history.last("env/steps") == 12_288
    assert bl.evaluate(ENV, res.policy, 10).mean > 200
    assert res.history.last("disc/expert_prob") > res.history.last("disc/agent_prob")
    assert res.history.last("reward/absorbing") < 0  # ending a CartPole episode is un-expert-like


def test_metrics_are_namespaced(demos):
    row = train_gaifo(demos, SMALL, env_id=ENV, seed=0).history[-1]
    for key in ("env/steps", "loss/disc", "disc/expert_prob", "disc/agent_prob", "eval/return_mean", "eval/score",
                "reward/mean", "loss/policy", "loss/value"):
        assert key in row


def _losses(result):
    return [(r["loss/disc"], r["loss/policy"], r["loss/value"], r["eval/return_mean"]) for r in result.history
            if "eval/return_mean" in r] + [(r["loss/disc"], r["loss/policy"]) for r in result.history]


def test_same_seed_same_losses(demos):
    a = train_gaifo(demos, SMALL, env_id=ENV, seed=5)
    b = train_gaifo(demos, SMALL, env_id=ENV, seed=5)
    c = train_gaifo(demos, SMALL, env_id=ENV, seed=6)
    assert _losses(a) == _losses(b)
    assert _losses(a) != _losses(c)


def test_never_reads_actions(demos):
    """Demos with the expert's actions, with garbage actions, and without actions give identical runs."""
    rng = np.random.default_rng(0)
    garbage = [bl.Trajectory(obs=t.obs, acts=rng.integers(2, size=len(t)), terminated=t.terminated) for t in demos]
    runs = [train_gaifo(d, SMALL, env_id=ENV, seed=1) for d in (demos, garbage, bl.drop_actions(demos))]
    assert _losses(runs[0]) == _losses(runs[1]) == _losses(runs[2])


def test_stop_keeps_the_policy_and_counts_steps_truthfully(demos):
    cfg = GAIfOConfig(total_steps=100_000, ppo=PPOConfig(n_envs=4, n_steps=64))
    res = train_gaifo(demos, cfg, env_id=ENV, seed=0, callbacks=[lambda row: row["iteration"] >= 3])
    assert len(res.history) == 3
    assert res.history.last("env/steps") == 3 * 256
    assert isinstance(res.policy, bl.MLPPolicy)


def test_warm_start_copies_the_policy(demos):
    bco = bl.train_bco(bl.drop_actions(demos), env_id=ENV, seed=0)
    before = [p.detach().clone() for p in bco.policy.parameters()]
    res = train_gaifo(demos, SMALL, env_id=ENV, seed=0, policy=bco.policy)
    assert res.policy is not bco.policy
    assert all(torch.equal(a, b) for a, b in zip(before, bco.policy.parameters()))  # the caller's policy is untouched
    assert not all(torch.equal(a, b) for a, b in zip(before, res.policy.parameters()))


def test_continuous_actions_run():
    env = "Pendulum-v1"
    demos = bl.collect_state_demos(env, bl.load_expert(env), 1, seed=0)
    res = train_gaifo(demos, SMALL, env_id=env, seed=0)
    assert np.isfinite(res.history.last("loss/disc")) and res.history.last("env/steps") == 512
    mean_only = bl.make_policy(env, bl.BCConfig(), seed=0)  # a BC policy with no σ: PPO gets a copy that has one
    warm = train_gaifo(demos, SMALL, env_id=env, seed=0, policy=mean_only)
    assert warm.policy.continuous_loss == "nll" and np.isfinite(warm.history.last("eval/return_mean"))


def test_bad_input(demos):
    with pytest.raises(TypeError, match="GAIfOConfig"):
        train_gaifo(demos, {"total_steps": 10}, env_id=ENV, seed=0)
    with pytest.raises(TypeError, match="GAIfOConfig"):
        train_gaifo(demos, bl.BCOConfig(), env_id=ENV, seed=0)
    with pytest.raises(ValueError, match="seed"):
        train_gaifo(demos, SMALL, env_id=ENV, seed=-1)
    with pytest.raises(TypeError, match="seed"):
        train_gaifo(demos, SMALL, env_id=ENV, seed=0.5)
    with pytest.raises(ValueError, match="No demonstrations"):
        train_gaifo([], SMALL, env_id=ENV, seed=0)
    with pytest.raises(ValueError, match="size 4"):
        train_gaifo(demos, SMALL, env_id="Acrobot-v1", seed=0)
    with pytest.raises(TypeError, match="Trajectory"):
        train_gaifo([np.zeros((10, 4))], SMALL, env_id=ENV, seed=0)
    with pytest.raises(TypeError, match="MLPPolicy"):
        train_gaifo(demos, SMALL, env_id=ENV, seed=0, policy=bl.load_expert(ENV))
    with pytest.raises(ValueError, match="reward"):
        GAIfOConfig(reward="log D")
    with pytest.raises(ValueError, match="disc_lr"):
        GAIfOConfig(disc_lr=0.0)
    with pytest.raises(TypeError, match="PPOConfig"):
        GAIfOConfig(ppo={"lr": 1e-3})


def test_compare_interactions_counts_every_interaction(demos):
    """The warm start's curve begins at BCO(0)'s interactions and return; the table says 'never' honestly."""
    states = bl.drop_actions(demos)
    bco0 = bl.BCOConfig(pre_demo_steps=500, idm=bl.IDMConfig(epochs=3), bc=bl.BCConfig(epochs=3))
    bco_alpha = dataclasses.replace(bco0, alpha=1.0, iterations=1)
    tiny = dataclasses.replace(SMALL, eval_every=1)
    cmp = compare_interactions(ENV, states, seeds=(0,), bco0=bco0, bco_alpha=bco_alpha, gaifo=tiny, warm_steps=256,
                               score=2.0)  # a score nobody reaches
    assert list(cmp.curves) == ["BCO(0)", "BCO(α = 1)", "GAIfO, cold start", "GAIfO, warm start from BCO(0)"]
    assert cmp.curves["BCO(0)"][0] == [500] and cmp.curves["BCO(α = 1)"][0] == [500, 1000]
    assert cmp.curves["GAIfO, cold start"][0] == [256, 512]
    xs, ys = cmp.curves["GAIfO, warm start from BCO(0)"]
    assert xs == [500, 756] and ys[0][0] == cmp.curves["BCO(0)"][1][0][0]
    assert all(np.isnan(v).all() for v in cmp.need.values())
    assert cmp.table().count("never") == 4 and "—" in cmp.table()
    with pytest.raises(ValueError, match="alpha = 0"):
        compare_interactions(ENV, states, seeds=(0,), bco0=bco_alpha, bco_alpha=bco_alpha, gaifo=tiny, warm_steps=256)
