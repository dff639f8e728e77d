"""Behavioural Cloning: input validation, callbacks, and learning checks with fixed seeds."""

from __future__ import annotations

import numpy as np
import pytest

from bcolearn.bc import BCConfig, TrainResult, make_policy, recommended_bc_config, train_bc
from bcolearn.evaluation import evaluate
from bcolearn.idm import IDMConfig
from bcolearn.tasks import EXPERTS, REFERENCE_RETURNS
from bcolearn.nets import MLPPolicy
from bcolearn.types import Trajectory, drop_actions

FAST = BCConfig(epochs=2)


def test_bc_reaches_500_on_cartpole_from_one_expert_trajectory(cartpole_demos):
    result = train_bc(cartpole_demos, env_id="CartPole-v1", seed=0)
    assert isinstance(result, TrainResult) and isinstance(result.policy, MLPPolicy)
    assert len(result.history) == BCConfig().epochs
    assert result.history[-1]["loss/bc"] < result.history[0]["loss/bc"]
    ev = result.evaluate(n_episodes=20)
    assert len(ev.returns) == 20
    assert ev.mean == 500.0


def test_bc_clearly_beats_random_on_pendulum(pendulum_demos):
    result = train_bc(pendulum_demos, BCConfig(epochs=100), env_id="Pendulum-v1", seed=0)
    ev = evaluate("Pendulum-v1", result.policy, n_episodes=10)
    ref = REFERENCE_RETURNS["Pendulum-v1"]
    assert ev.mean > ref.random + 0.5 * (ref.expert - ref.random)  # more than half-way from random to expert
    assert ev.score > 0.5


def test_state_only_demos_are_rejected(cartpole_demos):
    with pytest.raises(ValueError, match=r"demos\[0\] is state-only.*needs the expert's actions.*train_bco"):
        train_bc(drop_actions(cartpole_demos), FAST, env_id="CartPole-v1", seed=0)


def test_empty_demos_are_rejected():
    with pytest.raises(ValueError, match=r"No demonstrations given"):
        train_bc([], FAST, env_id="CartPole-v1", seed=0)


def test_demos_from_another_environment_are_rejected(cartpole_demos, pendulum_demos):
    with pytest.raises(ValueError, match=r"observations of size 3, but the environment's are of size 4.*another"):
        train_bc(pendulum_demos, FAST, env_id="CartPole-v1", seed=0)
    with pytest.raises(ValueError, match=r"observations of size 4, but the environment's are of size 6"):
        train_bc(cartpole_demos, FAST, env_id="Acrobot-v1", seed=0)


def _relabel(t: Trajectory, acts: np.ndarray) -> Trajectory:
    return Trajectory(obs=t.obs, acts=acts, rews=t.rews, terminated=t.terminated)


@pytest.mark.parametrize(
    "env_id, make_acts, match",
    [
        # Same observation size, but actions the environment does not have.
        ("CartPole-v1", lambda t: t.acts + 1, r"range over 1 … 2.*CartPole-v1 has discrete actions 0 … 1"),
        ("CartPole-v1", lambda t: t.acts - 1, r"range over -1 … 0"),
        ("CartPole-v1", lambda t: t.acts[:, None].astype(np.float32), r"shape \(500, 1\).*discrete actions 0 … 1"),
        ("Pendulum-v1", lambda t: np.zeros(len(t), np.int64), r"shape \(200,\).*continuous actions of size 1"),
        ("Pendulum-v1", lambda t: np.zeros((len(t), 2), np.float32), r"shape \(200, 2\).*continuous actions of size 1"),
        ("Pendulum-v1", lambda t: 3 * t.acts, r"Demo actions range over \[-6\.?\] … \[6\.?\].*accepts actions in"),
    ],
)
def test_actions_the_environment_cannot_take_are_rejected(cartpole_demos, pendulum_demos, env_id, make_acts, match):
    t = (cartpole_demos if env_id == "CartPole-v1" else pendulum_demos)[0]
    with pytest.raises(ValueError, match=match):
        train_bc([_relabel(t, make_acts(t))], FAST, env_id=env_id, seed=0)


def test_nan_in_demos_is_rejected_before_training(cartpole_demos):
    obs = cartpole_demos[0].obs.copy()
    obs[10, 2] = np.nan
    with pytest.raises(ValueError, match=r"obs contains 1 NaN or infinite"):
        train_bc([Trajectory(obs=obs, acts=cartpole_demos[0].acts)], FAST, env_id="CartPole-v1", seed=0)


def test_callbacks_get_namespaced_metrics_every_epoch_and_can_stop(cartpole_demos):
    rows: list[dict] = []
    train_bc(cartpole_demos, BCConfig(epochs=3), env_id="CartPole-v1", seed=0, callbacks=[rows.append])
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert all(set(r) == {"epoch", "loss/bc"} for r in rows)

    seen: list[dict] = []
    result = train_bc(cartpole_demos, BCConfig(epochs=50), env_id="CartPole-v1", seed=0,
                      callbacks=[seen.append, lambda m: m["epoch"] == 2])
    assert len(result.history) == 2 and len(seen) == 2


def test_evaluation_during_training(cartpole_demos):
    cfg = BCConfig(epochs=5, eval_every=2, eval_episodes=2)
    result = train_bc(cartpole_demos, cfg, env_id="CartPole-v1", seed=0, extra_metrics={"run": 7})
    evaluated = [r["epoch"] for r in result.history if "eval/return_mean" in r]
    assert evaluated == [2, 4, 5]  # every 2 epochs, and after the last
    assert all(r["run"] == 7 for r in result.history)
    xs, ys = result.history.series("eval/return_mean")
    assert xs.tolist() == [2, 4, 5] and ys.shape == (3,)
    assert {"eval/return_std", "eval/score"} <= set(result.history[-1])


def test_continue_training_a_given_policy(cartpole_demos):
    policy = make_policy("CartPole-v1", BCConfig(hidden_size=8), seed=1)
    result = train_bc(cartpole_demos, BCConfig(epochs=1), env_id="CartPole-v1", seed=0, policy=policy,
                      metric_prefix="mine")
    assert result.policy is policy and "loss/mine" in result.history[0]


def test_make_policy_is_seeded():
    cfg = BCConfig(hidden_size=8, n_layers=3)
    a, b, c = (make_policy("Pendulum-v1", cfg, s) for s in (0, 0, 1))
    assert a.hidden_sizes == (8, 8, 8)
    for (k, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert (x == y).all(), k
    assert not all((x == y).all() for x, y in zip(a.state_dict().values(), c.state_dict().values()))


def test_recommended_configs():
    assert recommended_bc_config("CartPole-v1") == BCConfig()  # the defaults are tuned for CartPole
    assert all(isinstance(recommended_bc_config(e), BCConfig) for e in EXPERTS)
    assert recommended_bc_config("SomethingElse-v0") == BCConfig()


def go_to_zero(obs):
    """Expert for the test task LineEnv (tests/conftest.py): step towards 0, then stay."""
    return 0 if obs[0] > 0.25 else 2 if obs[0] < -0.25 else 1


def test_bc_on_a_task_that_is_not_bundled(line_env_id):
    from bcolearn.rollout import collect_demos, random_policy

    demos = collect_demos(line_env_id, go_to_zero, 10, seed=0)
    result = train_bc(demos, BCConfig(epochs=100), env_id=line_env_id, seed=0)
    learnt = evaluate(line_env_id, result.policy, 20)
    expert = evaluate(line_env_id, go_to_zero, 20)
    rand = evaluate(line_env_id, random_policy(line_env_id, 0), 20)
    assert learnt.score is None  # no reference returns for this task
    assert learnt.mean > rand.mean + 0.8 * (expert.mean - rand.mean)


BAD_SEEDS = [-1, None, "0", 1.5, 2**64, True]


@pytest.mark.parametrize("bad", BAD_SEEDS)
def test_a_bad_seed_is_named(cartpole_demos, bad):
    for call in (lambda: train_bc(cartpole_demos, FAST, env_id="CartPole-v1", seed=bad),
                 lambda: make_policy("CartPole-v1", FAST, bad)):
        with pytest.raises((TypeError, ValueError), match=r"^seed must be") as err:
            call()
        assert repr(bad) in str(err.value)


@pytest.mark.parametrize("bad, found", [(IDMConfig(), "IDMConfig"), ({"epochs": 3}, "dict"), ("fast", "str")])
def test_a_config_of_another_class_names_both_classes(cartpole_demos, bad, found):
    with pytest.raises(TypeError, match=rf"train_bc needs a BCConfig, got {found}.*Build one with BCConfig\("):
        train_bc(cartpole_demos, bad, env_id="CartPole-v1", seed=0)
    from bcolearn.bco import BCOConfig

    with pytest.raises(TypeError, match=r"train_bc needs a BCConfig, got BCOConfig"):
        train_bc(cartpole_demos, BCOConfig(), env_id="CartPole-v1", seed=0)


def test_a_policy_from_another_task_names_both_tasks(cartpole_demos):
    acrobot = make_policy("Acrobot-v1", FAST, 0)
    with pytest.raises(ValueError, match=r"made for Acrobot-v1, but train_bc was asked to use it on CartPole-v1"):
        train_bc(cartpole_demos, FAST, env_id="CartPole-v1", seed=0, policy=acrobot)


def test_a_policy_from_a_task_of_the_same_sizes_is_not_trained_silently(cartpole_demos):
    import gymnasium as gym

    gym.register("bcolearn-tests/TwinPole-v0", entry_point="gymnasium.envs.classic_control:CartPoleEnv",
                 max_episode_steps=500)
    try:
        twin = make_policy("bcolearn-tests/TwinPole-v0", FAST, 0)  # 4 observations, 2 actions: sizes match
        with pytest.raises(ValueError, match=r"made for bcolearn-tests/TwinPole-v0, .* on CartPole-v1"):
            train_bc(cartpole_demos, FAST, env_id="CartPole-v1", seed=0, policy=twin)
    finally:
        gym.registry.pop("bcolearn-tests/TwinPole-v0", None)


def test_a_result_or_another_object_as_policy_says_what_to_pass(cartpole_demos):
    result = train_bc(cartpole_demos, BCConfig(epochs=1), env_id="CartPole-v1", seed=0)
    with pytest.raises(TypeError, match=r"got a TrainResult as its policy; pass result\.policy"):
        train_bc(cartpole_demos, FAST, env_id="CartPole-v1", seed=0, policy=result)
    with pytest.raises(TypeError, match=r"train_bc needs its policy to be a MLPPolicy, got 'left' \(str\)"):
        train_bc(cartpole_demos, FAST, env_id="CartPole-v1", seed=0, policy="left")
