"""Making, describing and seeding environments; unknown ids and unsupported spaces."""

from __future__ import annotations

import random

import gymnasium as gym
import numpy as np
import pytest

import bcolearn
from bcolearn.envs import EnvInfo, check_spaces, describe_env, make_env, seed_everything


class SpacesEnv(gym.Env):
    """An environment that only has the given spaces (enough for make_env / check_spaces)."""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space) -> None:
        self.observation_space, self.action_space = observation_space, action_space

    def reset(self, *, seed=None, options=None):  # type: ignore[no-untyped-def]
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action):  # type: ignore[no-untyped-def]
        return self.observation_space.sample(), 0.0, False, False, {}


BOX = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
DICT = gym.spaces.Dict({"pos": BOX, "vel": BOX})


@pytest.mark.parametrize(
    "obs_space, act_space, match",
    [
        (DICT, gym.spaces.Discrete(2), r"observation space Dict.*needs a flat Box.*FlattenObservation"),
        (gym.spaces.Box(0, 255, (8, 8, 3), np.uint8), gym.spaces.Discrete(2), r"needs a flat Box"),
        (BOX, gym.spaces.MultiDiscrete([2, 3]), r"action space MultiDiscrete.*supports Discrete or a flat Box"),
        (BOX, gym.spaces.Dict({"a": gym.spaces.Discrete(2)}), r"action space Dict.*supports Discrete or a flat Box"),
        (BOX, gym.spaces.MultiBinary(4), r"action space MultiBinary"),
        (BOX, gym.spaces.Box(-1, 1, (2, 2), np.float32), r"supports Discrete or a flat Box"),
        (BOX, gym.spaces.Box(-np.inf, np.inf, (2,), np.float32), r"unbounded actions.*finite action bounds"),
        (BOX, gym.spaces.Discrete(3, start=1), r"numbered from 1.*0 … n − 1.*ActionWrapper"),
    ],
)
def test_unsupported_spaces_are_rejected(obs_space, act_space, match):
    env = SpacesEnv(obs_space, act_space)
    with pytest.raises(ValueError, match=match):
        check_spaces(env)
    with pytest.raises(ValueError, match=match):
        describe_env(env)


@pytest.fixture
def dict_env_id():
    env_id = "bcolearn-tests/DictObs-v0"
    gym.register(env_id, entry_point=SpacesEnv,
                 kwargs={"observation_space": DICT, "action_space": gym.spaces.Discrete(2)})
    yield env_id
    gym.registry.pop(env_id, None)


def test_registered_env_with_dict_observations_is_rejected_by_name(dict_env_id):
    with pytest.raises(ValueError, match=r"bcolearn-tests/DictObs-v0 has observation space Dict"):
        make_env(dict_env_id)
    with pytest.raises(ValueError, match=r"DictObs-v0 has observation space Dict"):
        bcolearn.collect_demos(dict_env_id, lambda o: 0, 1, seed=0)


@pytest.mark.parametrize("bad, suggestion", [("CartPole-v2", "'CartPole-v1'"), ("Pendulum", "'Pendulum-v1'"),
                                             ("acrobot-v1", "'Acrobot-v1'")])
def test_unknown_env_id_suggests_close_matches(bad, suggestion):
    with pytest.raises(ValueError, match=rf"Unknown environment id '{bad}'\. Did you mean .*{suggestion}"):
        make_env(bad)


def test_unknown_env_id_without_close_match_and_non_strings():
    with pytest.raises(ValueError, match=r"Unknown environment id 'zzzzzzzz'\. Use a registered Gymnasium id"):
        make_env("zzzzzzzz")
    with pytest.raises(ValueError, match=r"Unknown environment id 42"):
        describe_env(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Unknown environment id"):
        bcolearn.train_bc([], env_id="NoSuchTask-v0", seed=0)


def test_describe_discrete_and_continuous():
    cp = describe_env("CartPole-v1")
    assert cp == EnvInfo("CartPole-v1", 4, True, 2, 0, None, None, 500)
    assert str(cp) == "CartPole-v1: observations of size 4, 2 discrete actions, episodes of at most 500 steps"
    pe = describe_env("Pendulum-v1")
    assert (pe.obs_dim, pe.discrete, pe.n_actions, pe.act_dim, pe.max_episode_steps) == (3, False, 0, 1, 200)
    np.testing.assert_array_equal(pe.act_low, [-2.0])
    np.testing.assert_array_equal(pe.act_high, [2.0])
    assert pe.act_low.dtype == np.float32
    assert "continuous actions of size 1" in str(pe)


def test_describe_an_env_object_without_spec():
    info = describe_env(SpacesEnv(BOX, gym.spaces.Discrete(4)))
    assert (info.env_id, info.obs_dim, info.n_actions, info.max_episode_steps) == ("SpacesEnv", 3, 4, None)
    with make_env("Acrobot-v1") as env:
        assert describe_env(env).obs_dim == 6 and describe_env(env).n_actions == 3


def test_make_env_seeds_reset_and_action_space():
    def first(seed: int | None):
        env = make_env("CartPole-v1", seed=seed)
        obs = env.unwrapped.state.copy()
        acts = [env.action_space.sample() for _ in range(20)]
        env.close()
        return obs, acts

    (o1, a1), (o2, a2), (o3, a3) = first(7), first(7), first(8)
    np.testing.assert_array_equal(o1, o2)
    assert a1 == a2
    assert not np.array_equal(o1, o3) and a1 != a3


def test_make_env_passes_kwargs():
    env = make_env("Pendulum-v1", g=2.0)
    assert env.unwrapped.g == 2.0
    env.close()


def test_seed_everything_seeds_all_global_generators():
    import torch

    def draws():
        return random.random(), np.random.rand(), torch.rand(1).item()

    rng = seed_everything(3)
    a = draws()
    assert isinstance(rng, np.random.Generator)
    assert rng.random() == np.random.default_rng(3).random()
    seed_everything(3)
    assert draws() == a
    seed_everything(4)
    assert draws() != a


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True, 2**64])
def test_seed_everything_and_make_env_reject_bad_seeds(bad):
    calls = [lambda: seed_everything(bad)] + ([lambda: make_env("CartPole-v1", seed=bad)] if bad is not None else [])
    for call in calls:  # make_env takes seed=None: an unseeded environment
        with pytest.raises((TypeError, ValueError), match=r"seed must be") as err:
            call()
        assert repr(bad) in str(err.value)


@pytest.mark.filterwarnings("ignore:.*Overriding environment:UserWarning")
def test_describe_env_is_cached_per_id_until_the_id_is_registered_again():
    import gymnasium as gym

    a, b = describe_env("Pendulum-v1"), describe_env("Pendulum-v1")
    assert a is b  # no new environment per call
    with pytest.raises(ValueError, match="read-only"):
        a.act_low[0] = 5.0  # the shared description cannot be changed by accident
    gym.register("bcolearn-tests/Grow-v0", entry_point="gymnasium.envs.classic_control:CartPoleEnv", max_episode_steps=7)
    try:
        assert describe_env("bcolearn-tests/Grow-v0").max_episode_steps == 7
        gym.register("bcolearn-tests/Grow-v0", entry_point="gymnasium.envs.classic_control:CartPoleEnv",
                     max_episode_steps=9)
        assert describe_env("bcolearn-tests/Grow-v0").max_episode_steps == 9
    finally:
        gym.registry.pop("bcolearn-tests/Grow-v0", None)


def test_torch_is_configured_once_where_it_is_first_needed_not_on_import():
    import subprocess
    import sys

    code = ("import torch; torch.set_num_threads(2); import bcolearn.nets, bcolearn.training; "
            "n0 = torch.get_num_threads(); import bcolearn as bl; bl.make_policy('CartPole-v1', bl.BCConfig(), 0); "
            "n1 = torch.get_num_threads(); torch.set_num_threads(2); bl.configure_torch(); "
            "bl.make_policy('CartPole-v1', bl.BCConfig(), 0); print(n0, n1, torch.get_num_threads())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["2", "1", "2"]  # importing sets nothing; the first network sets 1; a learner's later choice stays
