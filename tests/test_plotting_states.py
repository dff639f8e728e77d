"""Tests of bcolearn.plotting.states: state visitation, covariate shift and IDM coverage figures."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn
import bcolearn as bl
from bcolearn import plotting
from figure_checks import assert_labelled, inside_figure
from bcolearn.plotting import plot_state_visitation

ENV = "CartPole-v1"
LONG = "Behavioural cloning from one demonstration: where the learner goes compared with the expert"


def test_plot_state_visitation_shows_covariate_shift(cartpole_demos: list) -> None:
    info = bcolearn.describe_env(ENV)
    noisy = bcolearn.NoisyPolicy(bcolearn.load_expert(ENV), info, 0.5, np.random.default_rng(0))
    learner = bcolearn.collect_demos(ENV, noisy, 3, seed=10)
    fig = plot_state_visitation(cartpole_demos, learner, dims=(0, 2), env_id=ENV)
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "cart position (m)" and ax.get_ylabel() == "pole angle (rad)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("expert") for t in labels) and any(t.startswith("learner") for t in labels)
    with pytest.raises(ValueError, match="dimensions"):
        plot_state_visitation(cartpole_demos, learner, dims=(0, 7))


def test_distance_to_demos_is_zero_on_demonstrated_states(cartpole_demos):
    states = cartpole_demos[0].obs
    assert np.allclose(plotting.distance_to_demos(cartpole_demos, states[:10]), 0)
    far = plotting.distance_to_demos(cartpole_demos, states[:1] + np.array([[2.0, 0, 0, 0]], np.float32))
    assert far[0] > 1


def test_plot_covariate_shift(cartpole_demos):
    expert = bl.load_expert("CartPole-v1")
    learner = bl.NoisyPolicy(expert, bl.describe_env("CartPole-v1"), 0.5, np.random.default_rng(0))
    episodes = bl.collect_demos("CartPole-v1", learner, 3, seed=0)
    fig = plotting.plot_covariate_shift(cartpole_demos, episodes, expert, expert, env_id="CartPole-v1")
    left, right = fig.axes[:2]
    assert left.get_title() and right.get_title() and left.get_legend() is not None
    assert left.get_xlabel() == "cart position (m)" and left.get_ylabel() == "pole angle (rad)"
    assert "learner: episode failed here" in left.get_legend_handles_labels()[1]
    heights = [bar.get_height() for bar in right.patches]
    assert np.nansum(heights) == 0  # the expert never disagrees with itself
    assert "learner" in right.get_ylabel()


def test_plot_covariate_shift_names_what_a_terminal_state_means():
    """On MountainCar an episode ends when the car reaches the flag: a success, not a failure."""
    env = "MountainCar-v0"
    expert = bl.load_expert(env)
    demos, episodes = bl.collect_demos(env, expert, 1, seed=0), bl.collect_demos(env, expert, 2, seed=3)
    fig = plotting.plot_covariate_shift(demos, episodes, expert, expert, dims=(0, 1), env_id=env)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "learner: reached the goal here" in labels and not any("failed" in label for label in labels)


def test_state_visitation_names_what_a_terminal_state_means() -> None:
    """A cross marks where an episode ended: a failure on CartPole, but the goal on MountainCar."""
    env = "MountainCar-v0"
    demos = bl.collect_demos(env, bl.load_expert(env), 2, seed=0)
    fig = plotting.plot_state_visitation(demos, demos, dims=(0, 1), env_id=env)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "expert: reached the goal here" in labels and not any("failed" in lab for lab in labels)


@pytest.mark.parametrize("env_id", ["Pendulum-v1", "LunarLander-v3", None])
def test_long_titles_wrap_instead_of_clipping(env_id: str | None) -> None:
    demos = bl.collect_demos("Pendulum-v1", bl.load_expert("Pendulum-v1"), 1, seed=0)
    fig = plotting.plot_state_visitation(demos, demos, dims=(0, 2), env_id=env_id, title=LONG)
    title = fig.axes[0].title
    assert title.get_text().startswith(LONG) and (env_id is None or title.get_text().endswith(f"({env_id})"))
    assert inside_figure(fig, title)


def test_plot_idm_coverage_marks_where_the_idm_is_right(cartpole_demos) -> None:
    own = bl.collect_transitions(ENV, bl.random_policy(ENV, seed=0), 300, seed=0)
    idm = bl.train_idm(own, bl.IDMConfig(epochs=2), env_id=ENV, seed=0).model
    fig = plotting.plot_idm_coverage(own, bl.to_transitions(cartpole_demos), idm, dims=(0, 2), env_id=ENV)
    assert_labelled(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "cart position (m)" and ax.get_ylabel() == "pole angle (rad)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "IDM training data (300 transitions)" and any("IDM wrong" in t for t in labels)
    with pytest.raises(ValueError, match="dimensions"):
        plotting.plot_idm_coverage(own, bl.to_transitions(cartpole_demos), idm, dims=(0, 9))
