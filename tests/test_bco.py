"""BCO(0) and BCO(α): learning from state-only demos, the per-iteration history, validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig, BCOResult, recommended_bco_config, train_bco
from bcolearn.evaluation import evaluate
from bcolearn.tasks import EXPERTS, REFERENCE_RETURNS
from bcolearn.idm import IDMConfig
from bcolearn.nets import InverseDynamicsModel, MLPPolicy
from bcolearn.rollout import collect_demos, collect_state_demos
from bcolearn.tasks import load_expert
from bcolearn.types import StateTrajectory, Trajectory, drop_actions

# A tiny BCO(α) run for checking the bookkeeping (not the learning).
TINY = BCOConfig(pre_demo_steps=200, alpha=0.5, iterations=2, eval_episodes=2,
                 idm=IDMConfig(epochs=3), bc=BCConfig(epochs=3))


def test_bco0_reaches_500_on_cartpole_from_one_state_only_trajectory(cartpole_demos):
    states = drop_actions(cartpole_demos)
    assert type(states[0]) is StateTrajectory
    cfg = recommended_bco_config("CartPole-v1")
    assert cfg.alpha == 0 and cfg.pre_demo_steps <= 1000  # BCO(0), at most 1,000 environment interactions
    result = train_bco(states, cfg, env_id="CartPole-v1", seed=0, expert_acts=[t.acts for t in cartpole_demos])
    assert isinstance(result, BCOResult) and isinstance(result.policy, MLPPolicy)
    assert isinstance(result.idm, InverseDynamicsModel)
    (row,) = result.history  # BCO(0): one pass
    assert row["bco/iteration"] == 0 and row["env/steps"] == cfg.pre_demo_steps
    assert row["acc/idm"] > 0.95 and row["acc/idm_demo"] > 0.95
    assert evaluate("CartPole-v1", result.policy, n_episodes=20).mean == 500.0


def test_bco0_clearly_beats_random_on_pendulum(pendulum_demos):
    cfg = BCOConfig(pre_demo_steps=1000, bc=BCConfig(epochs=100))
    result = train_bco(drop_actions(pendulum_demos), cfg, env_id="Pendulum-v1", seed=0,
                       expert_acts=[t.acts for t in pendulum_demos])
    (row,) = result.history
    assert row["env/steps"] == 1000
    assert row["err/idm"] < 0.5 and row["err/idm_demo"] < 0.5  # continuous: mean absolute error in N·m
    ev = evaluate("Pendulum-v1", result.policy, n_episodes=10)
    ref = REFERENCE_RETURNS["Pendulum-v1"]
    assert ev.mean > ref.random + 0.5 * (ref.expert - ref.random)


def test_bco_alpha_history_counts_environment_steps(cartpole_demos):
    states = drop_actions(cartpole_demos)
    result = train_bco(states, TINY, env_id="CartPole-v1", seed=0)
    assert [r["bco/iteration"] for r in result.history] == [0, 1, 2]
    # |I_pre| = 200 random steps, then α·|I_pre| = 100 policy steps per iteration.
    assert [r["env/steps"] for r in result.history] == [200, 300, 400]
    for r in result.history:
        assert {"loss/idm", "loss/bc", "acc/idm", "eval/return_mean", "eval/return_std", "eval/score"} <= set(r)
        assert "acc/idm_demo" not in r  # no true actions given
    (labelled,) = result.inferred_demos
    assert isinstance(labelled, Trajectory)
    np.testing.assert_array_equal(labelled.obs, states[0].obs)
    assert labelled.acts.shape == (500,) and set(np.unique(labelled.acts)) <= {0, 1}


def test_action_labelled_demos_are_accepted_and_their_actions_ignored(cartpole_demos):
    cfg = BCOConfig(pre_demo_steps=200, eval_episodes=1, idm=IDMConfig(epochs=2), bc=BCConfig(epochs=2))
    # Give wrong actions: if BCO used them, the result would change.
    wrong = [Trajectory(obs=t.obs, acts=1 - t.acts, terminated=t.terminated) for t in cartpole_demos]
    a = train_bco(wrong, cfg, env_id="CartPole-v1", seed=0)
    b = train_bco(drop_actions(cartpole_demos), cfg, env_id="CartPole-v1", seed=0)
    assert a.history == b.history
    np.testing.assert_array_equal(a.inferred_demos[0].acts, b.inferred_demos[0].acts)


def test_callbacks_see_phase_rows_and_iteration_summaries_and_can_stop(cartpole_demos):
    rows: list[dict] = []
    train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0, callbacks=[rows.append])
    summaries = [r for r in rows if "env/steps" in r]
    assert [r["env/steps"] for r in summaries] == [200, 300, 400]
    idm_rows = [r for r in rows if "epoch" in r and "loss/idm" in r]
    bc_rows = [r for r in rows if "epoch" in r and "loss/bc" in r]
    assert len(idm_rows) == len(bc_rows) == 3 * 3  # 3 iterations × 3 epochs each
    assert all("bco/iteration" in r for r in rows)

    stopped = train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0,
                        callbacks=[lambda m: "env/steps" in m])
    assert len(stopped.history) == 1  # stopped after the first iteration's summary


def test_a_stop_in_the_middle_of_an_iteration_keeps_the_last_complete_one(cartpole_demos):
    full = train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0)
    # Ask to stop during the second iteration's IDM training (its first epoch row).
    stopped = train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0,
                        callbacks=[lambda m: m.get("bco/iteration") == 1 and "loss/idm" in m])
    assert len(stopped.history) == 1
    assert stopped.history[0] == full.history[0]
    obs = cartpole_demos[0].obs
    first_iteration_only = train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=0,
                                     callbacks=[lambda m: "env/steps" in m])
    np.testing.assert_array_equal(stopped.policy.act_batch(obs), first_iteration_only.policy.act_batch(obs))


def test_bad_inputs(cartpole_demos, pendulum_demos):
    states = drop_actions(cartpole_demos)
    with pytest.raises(ValueError, match=r"No demonstrations given"):
        train_bco([], TINY, env_id="CartPole-v1", seed=0)
    with pytest.raises(ValueError, match=r"observations of size 3, but the environment's are of size 4"):
        train_bco(drop_actions(pendulum_demos), TINY, env_id="CartPole-v1", seed=0)
    with pytest.raises(ValueError, match=r"expert_acts must hold one action per transition"):
        train_bco(states, TINY, env_id="CartPole-v1", seed=0, expert_acts=[cartpole_demos[0].acts[:-1]])
    with pytest.raises(ValueError, match=r"Unknown environment id"):
        train_bco(states, TINY, env_id="CartPole", seed=0)
    with pytest.raises(ValueError, match=r"BCOConfig\.alpha = -1 is out of range"):
        train_bco(states, BCOConfig(alpha=-1), env_id="CartPole-v1", seed=0)


def test_recommended_configs_cover_every_bundled_task():
    for env_id in EXPERTS:
        cfg = recommended_bco_config(env_id)
        assert isinstance(cfg, BCOConfig) and isinstance(cfg.bc, BCConfig)
    assert recommended_bco_config("SomethingElse-v0") == BCOConfig()


def test_recommended_configs_spend_few_interactions():
    """Issue 13: BCO's promise is few interactions: at most 5,000 on Acrobot and MountainCar (measured to reach the
    expert in benchmarks/bench_core.py); as the config counts them and as a run spends them."""
    for env_id in ("Acrobot-v1", "MountainCar-v0"):
        assert recommended_bco_config(env_id).env_steps <= 5_000, env_id
    cfg = recommended_bco_config("MountainCar-v0")
    steps = []
    result = train_bco(collect_state_demos("MountainCar-v0", load_expert("MountainCar-v0"), 1, seed=0),
                       dataclasses.replace(cfg, idm=dataclasses.replace(cfg.idm, epochs=1),
                                           bc=dataclasses.replace(cfg.bc, epochs=1)),
                       env_id="MountainCar-v0", seed=0, callbacks=[lambda m: steps.append(m.get("env/steps"))])
    assert result.env_steps == max(s for s in steps if s is not None) == cfg.env_steps <= 5_000


def test_bco_on_a_task_that_is_not_bundled(line_env_id):
    from bcolearn.rollout import random_policy

    def go_to_zero(obs):
        return 0 if obs[0] > 0.25 else 2 if obs[0] < -0.25 else 1

    states = collect_state_demos(line_env_id, go_to_zero, 10, seed=0)
    cfg = BCOConfig(pre_demo_steps=500, eval_episodes=5, bc=BCConfig(epochs=100))
    result = train_bco(states, cfg, env_id=line_env_id, seed=0)
    assert "eval/score" not in result.history[-1]
    learnt = evaluate(line_env_id, result.policy, 20).mean
    expert = evaluate(line_env_id, go_to_zero, 20).mean
    rand = evaluate(line_env_id, random_policy(line_env_id, 0), 20).mean
    assert learnt > rand + 0.8 * (expert - rand)


@pytest.mark.parametrize("alpha, iterations", [(0.0, 3), (0.5, 2), (0.333, 1)])
def test_the_config_predicts_the_environment_steps_a_run_takes(cartpole_demos, alpha, iterations):
    cfg = BCOConfig(pre_demo_steps=150, alpha=alpha, iterations=iterations, eval_episodes=1,
                    idm=IDMConfig(epochs=1), bc=BCConfig(epochs=1))
    res = train_bco(drop_actions(cartpole_demos), cfg, env_id="CartPole-v1", seed=0)
    assert res.history.last("env/steps") == cfg.env_steps
    assert len(res.history) == cfg.passes


# One evaluation episode per iteration (from the review of the stop logic).
TINY_ONE_EPISODE = BCOConfig(pre_demo_steps=200, alpha=0.5, iterations=2, eval_episodes=1, idm=IDMConfig(epochs=3),
                             bc=BCConfig(epochs=3))


def test_a_stop_during_the_bc_phase_returns_the_previous_iterations_policy_unchanged(cartpole_demos):
    states = drop_actions(cartpole_demos)
    first = train_bco(states, TINY_ONE_EPISODE, env_id="CartPole-v1", seed=0, callbacks=[lambda m: "env/steps" in m])
    stopped = train_bco(states, TINY_ONE_EPISODE, env_id="CartPole-v1", seed=0,
                        callbacks=[lambda m: m.get("bco/iteration") == 1 and m.get("epoch") == 2 and "loss/bc" in m])
    obs = cartpole_demos[0].obs
    assert len(stopped.history) == 1
    np.testing.assert_array_equal(stopped.policy.act_batch(obs), first.policy.act_batch(obs))
    for a, b in zip(stopped.policy.parameters(), first.policy.parameters()):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def test_expert_acts_of_the_wrong_shape_are_rejected(pendulum_demos):
    with pytest.raises(ValueError, match=r"floats of shape \(T, act_dim\)"):
        train_bco(drop_actions(pendulum_demos), TINY_ONE_EPISODE, env_id="Pendulum-v1", seed=0,
                  expert_acts=[t.acts[:, 0] for t in pendulum_demos])


def test_the_result_reports_the_interactions_spent_even_after_a_stop(cartpole_demos):
    """Issue 9: a stop during iteration 1 comes after its rollout was taken: those steps were spent."""
    states = drop_actions(cartpole_demos)
    full = train_bco(states, TINY, env_id="CartPole-v1", seed=0)
    assert full.env_steps == full.history.last("env/steps") == TINY.env_steps == 400
    # Stop at iteration 0's summary: no further rollout was taken.
    at_summary = train_bco(states, TINY, env_id="CartPole-v1", seed=0, callbacks=[lambda m: "env/steps" in m])
    assert at_summary.env_steps == at_summary.history.last("env/steps") == 200
    # Stop in iteration 1's IDM phase: its 100 policy steps were taken; the policy is iteration 0's.
    mid = train_bco(states, TINY, env_id="CartPole-v1", seed=0,
                    callbacks=[lambda m: m.get("bco/iteration") == 1 and "loss/idm" in m])
    assert len(mid.history) == 1 and mid.history.last("env/steps") == 200
    assert mid.env_steps == 300


@pytest.mark.parametrize("bad", [-1, None, "0", 1.5, 2**64, True])
def test_a_bad_seed_is_named(cartpole_demos, bad):
    with pytest.raises((TypeError, ValueError), match=r"^seed must be") as err:
        train_bco(drop_actions(cartpole_demos), TINY, env_id="CartPole-v1", seed=bad)
    assert repr(bad) in str(err.value)


@pytest.mark.parametrize("bad, found", [(BCConfig(), "BCConfig"), (IDMConfig(), "IDMConfig"), ({"alpha": 1}, "dict")])
def test_a_config_of_another_class_names_both_classes(cartpole_demos, bad, found):
    with pytest.raises(TypeError, match=rf"train_bco needs a BCOConfig, got {found}.*Build one with BCOConfig\("):
        train_bco(drop_actions(cartpole_demos), bad, env_id="CartPole-v1", seed=0)


@pytest.fixture(scope="module")
def acrobot_demos():
    return collect_demos("Acrobot-v1", load_expert("Acrobot-v1"), 5, seed=0)


def test_label_radius_leaves_out_the_labels_far_from_the_idms_data_which_are_the_wrong_ones(acrobot_demos):
    """BCO(0) on Acrobot: the random data covers the expert's slow swings only. The labels BC keeps are (almost)
    all right; the ones it leaves out are wrong far more often."""
    acts = [t.acts for t in acrobot_demos]
    cfg = BCOConfig(pre_demo_steps=1000, label_radius=1.0, eval_episodes=2, bc=BCConfig(epochs=5))
    result = train_bco(drop_actions(acrobot_demos), cfg, env_id="Acrobot-v1", seed=0, expert_acts=acts)
    kept = np.concatenate(result.labels_kept)
    right = np.concatenate([t.acts for t in result.inferred_demos]) == np.concatenate(acts)
    assert 0.05 < kept.mean() < 0.95
    assert result.history[-1]["bco/labels_kept"] == pytest.approx(kept.mean())
    assert right[kept].mean() > 0.95 and right[~kept].mean() < right[kept].mean() - 0.2
    # every label is still given (inferred_demos), only BC's training set shrinks; 0 keeps every label
    assert [len(t) for t in result.inferred_demos] == [len(t) for t in acrobot_demos]
    every = train_bco(drop_actions(acrobot_demos), dataclasses.replace(cfg, label_radius=0.0), env_id="Acrobot-v1",
                      seed=0)
    assert np.concatenate(every.labels_kept).all() and every.history[-1]["bco/labels_kept"] == 1.0
    assert every.history[-1]["loss/bc"] != result.history[-1]["loss/bc"]


def test_bco_reaches_the_expert_on_acrobot_with_its_recommended_settings(acrobot_demos):
    """Issue 13: at most 5,000 interactions, and the expert's return (normalised score 0.98 or more). Seed 4 is the
    one of seeds 0-8 where the same settings with every label kept (label_radius 0) scored lowest, 0.90."""
    cfg = recommended_bco_config("Acrobot-v1")
    assert cfg.label_radius > 0 and cfg.env_steps <= 5_000
    result = train_bco(drop_actions(acrobot_demos), cfg, env_id="Acrobot-v1", seed=4)
    assert evaluate("Acrobot-v1", result.policy, n_episodes=20).score >= 0.98


def test_a_label_radius_that_keeps_nothing_is_refused_with_what_to_do(cartpole_demos):
    with pytest.raises(ValueError, match=r"No demo transition lies within label_radius = 1e-06 .* raise label_radius"):
        train_bco(drop_actions(cartpole_demos), dataclasses.replace(TINY, label_radius=1e-6), env_id="CartPole-v1",
                  seed=0)
    with pytest.raises(ValueError, match=r"BCOConfig\.label_radius = -1 is out of range"):
        BCOConfig(label_radius=-1)
