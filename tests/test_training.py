"""The training kernel: History and its x keys, TrainResult, the seeded builder, and determinism
(the same seed gives identical losses and returns; another seed gives other losses)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bcolearn.bc import BCConfig, train_bc
from bcolearn.bco import BCOConfig, train_bco
from bcolearn.evaluation import evaluate
from bcolearn.idm import IDMConfig, train_idm
from bcolearn.nets import MLPPolicy
from bcolearn.rollout import collect_transitions, random_policy
from bcolearn.training import X_KEYS, History, TrainResult, seeded
from bcolearn.types import drop_actions


def test_history_helpers():
    h = History([{"epoch": 1, "loss/bc": 2.0}, {"epoch": 2, "loss/bc": 1.0, "eval/return_mean": 9.0}])
    assert h.last("loss/bc") == 1.0 and h.last("eval/return_mean") == 9.0
    with pytest.raises(KeyError, match=r"No metric 'acc/idm' recorded; have \['epoch', 'eval/return_mean'"):
        h.last("acc/idm")
    xs, ys = h.series("loss/bc")
    assert xs.tolist() == [1, 2] and ys.tolist() == [2.0, 1.0]


def test_history_series_picks_the_first_x_key_the_rows_have():
    assert X_KEYS == ("epoch", "iteration", "bco/iteration", "env/steps")
    bco_rows = History([{"bco/iteration": i, "env/steps": 200 + 100 * i, "eval/return_mean": 9.0} for i in range(3)])
    xs, ys = bco_rows.series("eval/return_mean")
    assert xs.tolist() == [0, 1, 2] and len(ys) == 3
    xs, _ = bco_rows.series("eval/return_mean", x="env/steps")
    assert xs.tolist() == [200, 300, 400]
    with pytest.raises(KeyError, match=r"have no 'epoch'"):
        bco_rows.series("eval/return_mean", x="epoch")


def test_seeded_builds_the_same_weights_and_leaves_the_global_generator_alone():
    from bcolearn.envs import describe_env

    info = describe_env("CartPole-v1")
    torch.manual_seed(5)
    before = torch.rand(1)
    torch.manual_seed(5)
    a = seeded(3, lambda: MLPPolicy(info, (8,)))
    assert torch.equal(torch.rand(1), before)  # the caller's generator did not move
    b, c = seeded(3, lambda: MLPPolicy(info, (8,))), seeded(4, lambda: MLPPolicy(info, (8,)))
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert not all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), c.state_dict().values()))


def test_train_result_evaluates_its_policy(cartpole_demos):
    result = train_bc(cartpole_demos, BCConfig(epochs=1), env_id="CartPole-v1", seed=0)
    assert isinstance(result, TrainResult) and isinstance(result.history, History)
    np.testing.assert_array_equal(result.evaluate(2).returns, evaluate("CartPole-v1", result.policy, 2).returns)


def losses(history, key):
    return [row[key] for row in history if key in row]


def test_bc_same_seed_same_losses_and_returns(pendulum_demos):
    cfg = BCConfig(epochs=5, eval_every=5, eval_episodes=3)
    a, b, c = (train_bc(pendulum_demos, cfg, env_id="Pendulum-v1", seed=s) for s in (3, 3, 4))
    assert a.history == b.history  # losses and the evaluation returns, bit for bit
    for x, y in zip(a.policy.state_dict().values(), b.policy.state_dict().values()):
        assert (x == y).all()
    ra, rb = evaluate("Pendulum-v1", a.policy, 3), evaluate("Pendulum-v1", b.policy, 3)
    np.testing.assert_array_equal(ra.returns, rb.returns)
    assert losses(a.history, "loss/bc") != losses(c.history, "loss/bc")


def test_bc_does_not_depend_on_global_random_state(cartpole_demos):
    import torch

    cfg = BCConfig(epochs=3)
    torch.manual_seed(123)
    np.random.seed(123)
    a = train_bc(cartpole_demos, cfg, env_id="CartPole-v1", seed=0)
    torch.manual_seed(999)
    np.random.seed(999)
    b = train_bc(cartpole_demos, cfg, env_id="CartPole-v1", seed=0)
    assert a.history == b.history


def test_idm_same_seed_same_losses_and_accuracy():
    data = collect_transitions("CartPole-v1", random_policy("CartPole-v1", 0), 600, seed=0)
    cfg = IDMConfig(epochs=4)
    a, b, c = (train_idm(data, cfg, env_id="CartPole-v1", seed=s) for s in (1, 1, 2))
    assert a.history == b.history
    assert losses(a.history, "loss/idm") != losses(c.history, "loss/idm")


def test_bco_same_seed_same_history(cartpole_demos):
    cfg = BCOConfig(pre_demo_steps=200, alpha=0.5, iterations=2, eval_episodes=2,
                    idm=IDMConfig(epochs=3), bc=BCConfig(epochs=3))
    states = drop_actions(cartpole_demos)
    a, b, c = (train_bco(states, cfg, env_id="CartPole-v1", seed=s) for s in (0, 0, 1))
    # Per iteration: steps, IDM and BC losses, IDM accuracy, evaluation returns; all identical.
    assert a.history == b.history and len(a.history) == 3
    np.testing.assert_array_equal(a.inferred_demos[0].acts, b.inferred_demos[0].acts)
    assert losses(a.history, "loss/idm") != losses(c.history, "loss/idm")
    assert losses(a.history, "loss/bc") != losses(c.history, "loss/bc")
