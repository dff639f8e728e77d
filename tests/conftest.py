"""Shared fixtures: expert demonstrations collected once per test session, and a tiny custom task.

The cached demos are shared between tests: their arrays are made read-only so that a test (or the
package) that writes into them fails loudly instead of corrupting other tests.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import bcolearn


def _frozen(demos: list) -> list:
    for t in demos:
        for name in ("obs", "acts", "rews"):
            arr = getattr(t, name, None)
            if arr is not None:
                arr.flags.writeable = False
    return demos


@pytest.fixture(scope="session")
def assert_fits():  # type: ignore[no-untyped-def]
    """A check for a drawn :class:`bcolearn.plotting.LiveCurves`: every y label is no longer than its axes is
    high (a longer one stuck out and reached for the figure's top edge)."""

    def check(curves) -> None:  # type: ignore[no-untyped-def]
        for ax in curves.axes.values():
            label, box = ax.yaxis.label.get_window_extent(), ax.get_window_extent()
            assert box.y0 - 1 <= label.y0 and label.y1 <= box.y1 + 1, \
                f"y label {ax.yaxis.label.get_text()!r} is longer than its axes"

    return check


@pytest.fixture(scope="session")
def cartpole_demos() -> list:
    """One CartPole-v1 expert episode (500 steps), seed 0."""
    return _frozen(bcolearn.collect_demos("CartPole-v1", bcolearn.load_expert("CartPole-v1"), 1, seed=0))


@pytest.fixture(scope="session")
def pendulum_demos() -> list:
    """Five Pendulum-v1 expert episodes (200 steps each), seeds 0 … 4."""
    return _frozen(bcolearn.collect_demos("Pendulum-v1", bcolearn.load_expert("Pendulum-v1"), 5, seed=0))


class LineEnv(gym.Env):
    """A task that is not bundled: move a point on a line to 0 (actions 0 left, 1 stay, 2 right).

    Reward −|x| per step; the episode ends after 10 steps. Used to check that bcolearn works with any
    Gymnasium environment with Box observations and Discrete actions.
    """

    observation_space = gym.spaces.Box(-10.0, 10.0, (1,), np.float32)
    action_space = gym.spaces.Discrete(3)

    def reset(self, *, seed=None, options=None):  # type: ignore[no-untyped-def]
        super().reset(seed=seed)
        self.x = float(self.np_random.uniform(-3, 3))
        return np.array([self.x], np.float32), {}

    def step(self, action):  # type: ignore[no-untyped-def]
        self.x += (int(action) - 1) * 0.5
        return np.array([self.x], np.float32), -abs(self.x), False, False, {}


LINE_ID = "bcolearn-tests/Line-v0"


@pytest.fixture(scope="session")
def line_env_id() -> str:
    """The id of :class:`LineEnv`, registered for the session (10-step episodes)."""
    gym.register(LINE_ID, entry_point=LineEnv, max_episode_steps=10)
    yield LINE_ID
    gym.registry.pop(LINE_ID, None)
