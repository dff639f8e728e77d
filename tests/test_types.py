"""Demonstration data types: validation with clear messages, and the conversions between them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from bcolearn.types import (StateTrajectory, Trajectory, Transitions, check_demos, concat_transitions, drop_actions,
                            state_pairs, to_transitions)


def traj(T: int = 3, obs_dim: int = 2, continuous: bool = False, **kw) -> Trajectory:
    obs = np.arange((T + 1) * obs_dim, dtype=np.float64).reshape(T + 1, obs_dim)
    acts = np.linspace(-1, 1, T, dtype=np.float32)[:, None] if continuous else np.arange(T) % 2
    return Trajectory(obs=obs, acts=acts, rews=np.ones(T), **kw)


def test_trajectory_converts_dtypes_and_counts_transitions():
    t = traj(T=3)
    assert t.obs.dtype == np.float32 and t.obs.shape == (4, 2)
    assert t.acts.dtype == np.int64 and t.acts.shape == (3,)
    assert t.rews.dtype == np.float32
    assert len(t) == 3 and t.episode_return == 3.0
    assert not t.terminated
    c = traj(T=3, continuous=True)
    assert c.acts.dtype == np.float32 and c.acts.shape == (3, 1)


def test_trajectory_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        traj().obs = np.zeros((2, 2))  # type: ignore[misc]


def test_unknown_rewards_give_nan_return():
    t = Trajectory(obs=np.zeros((3, 2)), acts=[0, 1])
    assert t.rews is None and np.isnan(t.episode_return)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"obs": np.zeros(4), "acts": [0, 1, 0]}, r"obs must have 2 dimension\(s\), got shape \(4,\)"),
        ({"obs": np.zeros((1, 2)), "acts": np.zeros(0, int)}, r"at least two observations.*\(1, 2\)"),
        ({"obs": np.zeros((0, 2)), "acts": np.zeros(0, int)}, r"at least two observations"),
        ({"obs": np.zeros((4, 2)), "acts": [0, 1]}, r"acts has 2 entries.*len\(acts\) == len\(obs\) - 1 = 3"),
        ({"obs": np.zeros((4, 2)), "acts": [0, 1, 1], "rews": [1.0, 2.0]}, r"rews has shape \(2,\); expected \(3,\)"),
        ({"obs": np.zeros((4, 2)), "acts": [0.0, 1.0, 1.0]}, r"acts must be integers of shape \(T,\).*float64"),
        ({"obs": np.zeros((4, 2)), "acts": np.zeros((3, 1, 1))}, r"acts must be integers.*shape \(3, 1, 1\)"),
        ({"obs": np.zeros((4, 2)), "acts": None}, r"needs acts; use StateTrajectory"),
        ({"obs": np.zeros((4, 2)), "acts": [0, 1, 0], "rews": np.ones((3, 1))}, r"rews must have 1 dimension"),
    ],
)
def test_misshaped_trajectories_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Trajectory(**kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_anywhere_is_rejected(bad):
    obs = np.zeros((4, 2))
    obs[2, 1] = bad
    with pytest.raises(ValueError, match=r"obs contains 1 NaN or infinite"):
        StateTrajectory(obs=obs)
    with pytest.raises(ValueError, match=r"rews contains 1 NaN or infinite"):
        Trajectory(obs=np.zeros((4, 2)), acts=[0, 1, 0], rews=[0.0, bad, 0.0])
    with pytest.raises(ValueError, match=r"acts contains 1 NaN or infinite"):
        Trajectory(obs=np.zeros((4, 2)), acts=np.array([[0.0], [bad], [0.0]]))
    with pytest.raises(ValueError, match=r"next_obs contains 1 NaN"):
        Transitions(obs=np.zeros((3, 2)), acts=[0, 1, 0], next_obs=obs[1:], dones=np.zeros(3, bool))


def test_transitions_validation():
    with pytest.raises(ValueError, match=r"empty \(N = 0\)"):
        Transitions(obs=np.zeros((0, 2)), acts=np.zeros(0, int), next_obs=np.zeros((0, 2)), dones=np.zeros(0, bool))
    with pytest.raises(ValueError, match=r"disagree: obs \(3, 2\), acts \(2,\), next_obs \(3, 2\)"):
        Transitions(obs=np.zeros((3, 2)), acts=[0, 1], next_obs=np.zeros((3, 2)), dones=np.zeros(3, bool))
    with pytest.raises(ValueError, match=r"disagree.*next_obs \(3, 3\)"):
        Transitions(obs=np.zeros((3, 2)), acts=[0, 1, 1], next_obs=np.zeros((3, 3)), dones=np.zeros(3, bool))
    with pytest.raises(ValueError, match=r"disagree.*dones \(2,\)"):
        Transitions(obs=np.zeros((3, 2)), acts=[0, 1, 1], next_obs=np.zeros((3, 2)), dones=np.zeros(2, bool))


def test_drop_actions_keeps_states_only():
    demos = [traj(T=3, terminated=True), traj(T=5)]
    states = drop_actions(demos)
    assert [type(s) for s in states] == [StateTrajectory, StateTrajectory]
    assert not any(hasattr(s, "acts") for s in states)
    for s, t in zip(states, demos):
        np.testing.assert_array_equal(s.obs, t.obs)
        assert s.terminated == t.terminated and len(s) == len(t)


def test_to_transitions_flattens_in_order():
    a, b = traj(T=3, terminated=True), traj(T=2)
    tr = to_transitions([a, b])
    assert len(tr) == 5 and tr.obs.shape == (5, 2) and tr.next_obs.shape == (5, 2)
    np.testing.assert_array_equal(tr.obs, np.concatenate([a.obs[:-1], b.obs[:-1]]))
    np.testing.assert_array_equal(tr.next_obs, np.concatenate([a.obs[1:], b.obs[1:]]))
    np.testing.assert_array_equal(tr.acts, np.concatenate([a.acts, b.acts]))
    # Only the last step of an episode that really terminated is a terminal transition.
    np.testing.assert_array_equal(tr.dones, [False, False, True, False, False])


def test_to_transitions_needs_actions():
    with pytest.raises(ValueError, match=r"demos\[0\] is state-only.*train_bco"):
        to_transitions(drop_actions([traj()]))


def test_state_pairs_of_state_only_demos():
    a, b = traj(T=3), traj(T=2)
    s, s2 = state_pairs(drop_actions([a, b]))
    assert s.shape == s2.shape == (5, 2)
    np.testing.assert_array_equal(s2[:3], a.obs[1:])
    np.testing.assert_array_equal(s[3:], b.obs[:-1])


def test_concat_transitions():
    x, y = to_transitions([traj(T=3)]), to_transitions([traj(T=4, continuous=False)])
    both = concat_transitions(x, y)
    assert len(both) == 7
    np.testing.assert_array_equal(both.acts, np.r_[x.acts, y.acts])
    np.testing.assert_array_equal(both.next_obs[3:], y.next_obs)


def test_check_demos_messages():
    with pytest.raises(ValueError, match=r"No demonstrations given \(an empty list\)"):
        check_demos([])
    with pytest.raises(TypeError, match=r"demos\[1\] is a ndarray; expected a Trajectory"):
        check_demos([traj(), np.zeros((3, 2))])
    with pytest.raises(ValueError, match=r"demos\[0\] has observations of size 2, but the environment's are of size 4"):
        check_demos([traj()], obs_dim=4)
    with pytest.raises(ValueError, match=r"different observation sizes \[2, 3\]"):
        check_demos([traj(obs_dim=2), traj(obs_dim=3)])
    with pytest.raises(ValueError, match=r"demos\[1\] is state-only"):
        check_demos([traj(), StateTrajectory(np.zeros((3, 2)))], need_actions=True)


def test_check_demos_accepts_one_trajectory_and_returns_a_list():
    t = traj()
    assert check_demos(t) == [t]
    assert check_demos((t, t), need_actions=True, obs_dim=2) == [t, t]


def test_short_reprs_show_shapes_not_arrays():
    t = traj(T=3, terminated=True)
    assert repr(t) == "Trajectory(T=3, obs (4, 2), acts (3,) int64, return 3.0, terminated=True)"
    assert repr(Trajectory(obs=np.zeros((3, 1)), acts=np.zeros((2, 1)))) == \
        "Trajectory(T=2, obs (3, 1), acts (2, 1) float32, terminated=False)"
    assert repr(drop_actions([t])[0]) == "StateTrajectory(T=3, obs (4, 2), terminated=True)"
    assert repr(to_transitions([t])) == "Transitions(N=3, obs (3, 2), acts (3,) int64, next_obs (3, 2), 1 terminal)"


# Moved from tests/test_review_fixes.py (defects found in the final code review).
def test_terminated_must_be_a_bool():
    with pytest.raises(ValueError, match=r"terminated must be True or False"):
        StateTrajectory(obs=np.zeros((3, 2)), terminated="no")  # type: ignore[arg-type]
# --- no silent coercion: every field names the bad value -------------------------------------------

@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"obs": [[0.0, 1.0], [2.0], [3.0, 4.0]], "acts": [0, 1]}, r"obs is ragged \(rows of lengths \[1, 2\]\)"),
        ({"obs": [["a", "b"]] * 3, "acts": [0, 1]}, r"obs holds text, e\.g\. 'a'; obs must hold real numbers"),
        ({"obs": np.zeros((3, 2)) + 1j, "acts": [0, 1]}, r"obs holds complex numbers \(their imaginary part"),
        ({"obs": [[0.0, None]] * 3, "acts": [0, 1]}, r"obs\[0, 1\] is None \(NoneType\)"),
        ({"obs": np.full((3, 2), 1e39), "acts": [0, 1]}, r"obs\[0, 0\] = 1e\+39 is too large for float32"),
        ({"obs": np.zeros((3, 2)), "acts": np.array([1, 2**64 - 1], np.uint64)},
         r"acts\[1\] = 18446744073709551615 is too large for a discrete action"),
        ({"obs": np.zeros((3, 2)), "acts": [[0.5], ["x"]]}, r"acts holds text"),
        ({"obs": np.zeros((3, 2)), "acts": np.ones((2, 1)) * 1j}, r"acts holds complex numbers"),
        ({"obs": np.zeros((3, 2)), "acts": [True, False]}, r"acts must be integers.*got dtype bool"),
        ({"obs": np.zeros((3, 2)), "acts": [0, 1], "rews": ["1", "2"]}, r"rews holds text, e\.g\. '1'"),
        ({"obs": np.zeros((3, 2)), "acts": [0, 1], "rews": [1.0, None]}, r"rews\[1\] is None"),
        ({"obs": np.zeros((3, 2)), "acts": [0, 1], "terminated": 0.7}, r"terminated must be True or False, got 0\.7"),
        ({"obs": np.zeros((3, 2)), "acts": [0, 1], "terminated": "False"}, r"terminated must be True or False, got 'False'"),
        ({"obs": np.zeros((3, 2)), "acts": [0, 1], "terminated": 1}, r"terminated must be True or False, got 1 \(int\)"),
    ],
)
def test_values_that_would_be_coerced_are_refused_naming_the_field_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Trajectory(**kwargs)


def test_a_nan_is_located():
    obs = np.zeros((5, 2))
    obs[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"obs contains 1 NaN or infinite value\(s\), the first nan at obs\[3, 1\]"):
        StateTrajectory(obs=obs)


@pytest.mark.parametrize(
    "dones, match",
    [
        (["False", "False", "True"], r"dones holds text, e\.g\. 'False'; dones must hold True or False"),
        ([0.0, 0.7, 1.0], r"dones\[1\] = 0\.7 is not a flag; dones must hold True or False \(or exactly 1 and 0\)"),
        ([0, 2, 1], r"dones\[1\] = 2 is not a flag"),
        ([None, False, True], r"dones\[0\] is None"),
        ([0j, 1j, 0j], r"dones holds complex numbers"),
    ],
)
def test_dones_must_be_flags(dones, match):
    with pytest.raises(ValueError, match=match):
        Transitions(obs=np.zeros((3, 2)), acts=[0, 1, 1], next_obs=np.zeros((3, 2)), dones=dones)


def test_numeric_flags_and_plain_lists_are_accepted():
    tr = Transitions(obs=[[0.0, 1.0]] * 3, acts=[0, 1, 1], next_obs=np.ones((3, 2), int), dones=[0, 1.0, False])
    assert tr.dones.dtype == bool and tr.dones.tolist() == [False, True, False]
    assert tr.obs.dtype == tr.next_obs.dtype == np.float32
    t = Trajectory(obs=np.zeros((3, 2), np.int8), acts=np.array([1, 0], np.uint8), terminated=np.bool_(True))
    assert t.acts.dtype == np.int64 and t.terminated is True


def test_concat_transitions_refuses_what_it_cannot_join():
    x = to_transitions([traj(T=3)])
    with pytest.raises(ValueError, match=r"needs at least one Transitions"):
        concat_transitions()
    with pytest.raises(TypeError, match=r"part 1 is a list, not Transitions; .*concat_transitions\(\*batches\)"):
        concat_transitions(x, [x])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"different tasks \(obs size 2 with continuous actions \(1,\), obs size 2 "
                                         r"with discrete actions \(\)\)"):
        concat_transitions(x, to_transitions([traj(T=3, continuous=True)]))
    with pytest.raises(ValueError, match=r"different tasks \(obs size 2 .*obs size 3"):
        concat_transitions(x, to_transitions([traj(T=3, obs_dim=3)]))


@pytest.mark.parametrize("demos, found", [(None, "NoneType"), ("CartPole-v1", "str"), (np.zeros((3, 2)), "ndarray"),
                                          (3, "int")])
def test_check_demos_refuses_what_is_not_a_list_of_trajectories(demos, found):
    with pytest.raises(TypeError, match=rf"demos must be a list of Trajectory or StateTrajectory objects .*got a {found}"):
        check_demos(demos)
