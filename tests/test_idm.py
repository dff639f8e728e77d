"""Inverse dynamics model: accuracy on held-out transitions, validation, hold-out split, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from bcolearn.bc import BCConfig
from bcolearn.idm import IDMConfig, IDMResult, coverage_distance, idm_metrics, label_demos, make_idm, split, train_idm
from bcolearn.nets import InverseDynamicsModel
from bcolearn.rollout import collect_transitions, random_policy
from bcolearn.types import StateTrajectory, Trajectory, Transitions, drop_actions, to_transitions

FAST = IDMConfig(epochs=2)


@pytest.fixture(scope="module")
def cartpole_random():
    """Random-policy CartPole transitions: 2000 to train on, and 1000 from other episodes to test on."""
    train = collect_transitions("CartPole-v1", random_policy("CartPole-v1", 0), 2000, seed=0)
    test = collect_transitions("CartPole-v1", random_policy("CartPole-v1", 1), 1000, seed=50_000)
    return train, test


def test_idm_is_accurate_on_held_out_random_cartpole_transitions(cartpole_random):
    train, test = cartpole_random
    result = train_idm(train, env_id="CartPole-v1", seed=0)
    assert isinstance(result, IDMResult) and isinstance(result.model, InverseDynamicsModel)
    assert idm_metrics(result.model, test)["acc/idm"] > 0.95
    # The in-training hold-out accuracy is reported every epoch, and agrees.
    assert all("acc/idm" in row for row in result.history)
    assert result.history.last("acc/idm") > 0.95


def test_idm_labels_expert_demos(cartpole_random, cartpole_demos):
    # Trained only on random behaviour, it still labels the expert's own transitions.
    result = train_idm(cartpole_random[0], env_id="CartPole-v1", seed=0)
    assert idm_metrics(result.model, to_transitions(cartpole_demos), name="demo")["acc/demo"] > 0.95


def test_continuous_idm_reports_mean_absolute_error():
    data = collect_transitions("Pendulum-v1", random_policy("Pendulum-v1", 0), 2000, seed=0)
    result = train_idm(data, IDMConfig(epochs=20), env_id="Pendulum-v1", seed=0)
    assert "acc/idm" not in result.history[-1]
    # Random torques are uniform on [-2, 2] (mean absolute error 1.0 for a constant guess of 0).
    assert result.history.last("err/idm") < 0.3
    assert result.history.last("err/idm") < result.history[0]["err/idm"]


def test_concat_input_mode_also_learns(cartpole_random):
    train, test = cartpole_random
    result = train_idm(train, IDMConfig(input_mode="concat"), env_id="CartPole-v1", seed=0)
    assert result.model.input_mode == "concat"
    assert idm_metrics(result.model, test)["acc/idm"] > 0.8


def test_split_holds_out_a_fraction(cartpole_random):
    data = cartpole_random[0]
    train, val = split(data, 0.2, np.random.default_rng(0))
    assert (len(train), len(val)) == (1600, 400)
    # A partition: every transition is in exactly one part.
    all_obs = np.concatenate([train.obs, val.obs])
    assert sorted(map(tuple, all_obs)) == sorted(map(tuple, data.obs))
    assert split(data, 0.0, np.random.default_rng(0)) == (data, None)
    tiny = Transitions(data.obs[:2], data.acts[:2], data.next_obs[:2], data.dones[:2])
    assert split(tiny, 0.2, np.random.default_rng(0)) == (tiny, None)  # rounds to no hold-out


def test_without_hold_out_no_accuracy_is_reported(cartpole_random):
    result = train_idm(cartpole_random[0], IDMConfig(epochs=2, val_fraction=0.0), env_id="CartPole-v1", seed=0)
    assert [set(r) for r in result.history] == [{"epoch", "loss/idm"}] * 2


def test_callbacks_extra_metrics_and_continued_training(cartpole_random):
    rows: list[dict] = []
    first = train_idm(cartpole_random[0], FAST, env_id="CartPole-v1", seed=0, callbacks=[rows.append],
                      extra_metrics={"bco/iteration": 3})
    assert [r["epoch"] for r in rows] == [1, 2]
    assert all(r["bco/iteration"] == 3 and "loss/idm" in r and "acc/idm" in r for r in rows)
    again = train_idm(cartpole_random[0], FAST, env_id="CartPole-v1", seed=0, model=first.model,
                      callbacks=[lambda m: True])
    assert again.model is first.model and len(again.history) == 1


def test_bad_inputs(cartpole_random, cartpole_demos):
    train = cartpole_random[0]
    with pytest.raises(TypeError, match=r"transitions must be a bcolearn Transitions, got list"):
        train_idm(cartpole_demos, FAST, env_id="CartPole-v1", seed=0)
    with pytest.raises(ValueError, match=r"observations of size 4, but Acrobot-v1 has 6"):
        train_idm(train, FAST, env_id="Acrobot-v1", seed=0)
    shifted = Transitions(train.obs, train.acts + 5, train.next_obs, train.dones)
    with pytest.raises(ValueError, match=r"range over 5 … 6.*CartPole-v1 has discrete actions 0 … 1"):
        train_idm(shifted, FAST, env_id="CartPole-v1", seed=0)
    with pytest.raises(ValueError, match=r"Unknown environment id 'Cartpole-v1'\. Did you mean 'CartPole-v1'"):
        train_idm(train, FAST, env_id="Cartpole-v1", seed=0)


@pytest.mark.parametrize("bad", [-1, None, "0", 1.5, 2**64, True])
def test_a_bad_seed_is_named(cartpole_random, bad):
    for call in (lambda: train_idm(cartpole_random[0], FAST, env_id="CartPole-v1", seed=bad),
                 lambda: make_idm("CartPole-v1", FAST, bad)):
        with pytest.raises((TypeError, ValueError), match=r"^seed must be") as err:
            call()
        assert repr(bad) in str(err.value)


@pytest.mark.parametrize("bad, found", [(BCConfig(), "BCConfig"), ({"epochs": 3}, "dict")])
def test_a_config_of_another_class_names_both_classes(cartpole_random, bad, found):
    with pytest.raises(TypeError, match=rf"train_idm needs a IDMConfig, got {found}.*Build one with IDMConfig\("):
        train_idm(cartpole_random[0], bad, env_id="CartPole-v1", seed=0)


def test_a_model_from_another_task_or_of_another_kind_is_named(cartpole_random):
    from bcolearn.bc import make_policy

    train = cartpole_random[0]
    with pytest.raises(ValueError, match=r"model was made for Acrobot-v1, but train_idm was asked to use it on "
                                         r"CartPole-v1"):
        train_idm(train, FAST, env_id="CartPole-v1", seed=0, model=make_idm("Acrobot-v1", FAST, 0))
    result = train_idm(train, IDMConfig(epochs=1), env_id="CartPole-v1", seed=0)
    with pytest.raises(TypeError, match=r"got a IDMResult as its model; pass result\.model"):
        train_idm(train, FAST, env_id="CartPole-v1", seed=0, model=result)
    with pytest.raises(TypeError, match=r"needs its model to be a InverseDynamicsModel, got MLPPolicy"):
        train_idm(train, FAST, env_id="CartPole-v1", seed=0, model=make_policy("CartPole-v1", BCConfig(), 0))


def test_label_demos_infers_one_action_per_state_pair(cartpole_random, cartpole_demos):
    idm = train_idm(cartpole_random[0], FAST, env_id="CartPole-v1", seed=0).model
    states = drop_actions(cartpole_demos)
    (labelled,) = label_demos(idm, states)
    assert type(labelled) is Trajectory and labelled.terminated == states[0].terminated
    np.testing.assert_array_equal(labelled.obs, states[0].obs)
    np.testing.assert_array_equal(labelled.acts, idm.predict(states[0].obs[:-1], states[0].obs[1:]))
    # Action-labelled demos: their actions are ignored.
    np.testing.assert_array_equal(label_demos(idm, cartpole_demos)[0].acts, labelled.acts)


def test_label_demos_names_what_is_wrong(cartpole_random, pendulum_demos):
    result = train_idm(cartpole_random[0], IDMConfig(epochs=1), env_id="CartPole-v1", seed=0)
    with pytest.raises(TypeError, match=r"got a IDMResult as its model; pass result\.model"):
        label_demos(result, pendulum_demos)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"observations of size 3, but the environment's are of size 4"):
        label_demos(result.model, [StateTrajectory(obs=t.obs) for t in pendulum_demos])


def test_coverage_distance_is_zero_on_the_idms_own_data_and_grows_away_from_it(cartpole_random):
    train, test = cartpole_random
    idm = train_idm(train, FAST, env_id="CartPole-v1", seed=0).model
    own = StateTrajectory(obs=np.r_[train.obs[:5], train.next_obs[4:5]])  # the data's first five transitions
    far = StateTrajectory(obs=own.obs * 10)
    near_d, far_d = coverage_distance(idm, train, [own, far])
    assert near_d.shape == (5,) and far_d.shape == (5,)
    np.testing.assert_allclose(near_d, 0.0, atol=1e-5)
    assert (far_d > 1.0).all()
    # in the IDM's standardised inputs: the nearest transition's distance, measured here by brute force
    mean, std = idm.norm.mean.numpy(), idm.norm.std.numpy()
    ref = (idm.features(train.obs, train.next_obs) - mean) / std
    other = StateTrajectory(obs=test.obs[:51])  # states of other episodes
    x = (idm.features(other.obs[:-1], other.obs[1:]) - mean) / std
    expected = np.sqrt(((x[:, None, :] - ref[None]) ** 2).sum(-1)).min(1)
    (got,) = coverage_distance(idm, train, [other])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_coverage_distance_refuses_what_it_cannot_measure(cartpole_random):
    train, _ = cartpole_random
    result = train_idm(train, FAST, env_id="CartPole-v1", seed=0)
    demos = [StateTrajectory(obs=train.obs[:4])]
    with pytest.raises(TypeError, match="model"):
        coverage_distance(result, train, demos)  # the IDMResult, not its model
    with pytest.raises(TypeError, match="Transitions"):
        coverage_distance(result.model, demos, demos)
    with pytest.raises(ValueError, match="size"):
        coverage_distance(result.model, train, [StateTrajectory(obs=np.zeros((3, 3)))])
