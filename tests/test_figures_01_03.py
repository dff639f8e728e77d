"""The figures and the demonstrations panel added for notebooks 01–03 (plotting.py and widgets.py)."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn import plotting, widgets


def _texts(fig):
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    return [(ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in axes]


def test_plot_highest_positions_counts_the_episodes_at_the_flag():
    random_eps = bl.collect_demos("MountainCar-v0", bl.random_policy("MountainCar-v0", seed=0), 5, seed=0)
    expert_eps = bl.collect_demos("MountainCar-v0", bl.load_expert("MountainCar-v0"), 5, seed=0)
    fig = plotting.plot_highest_positions({"random": random_eps, "expert": expert_eps})
    (ax,) = fig.axes
    labels = ax.get_legend_handles_labels()[1]
    assert any("random (5 episodes, 0% reached" in lab for lab in labels)
    assert any("expert (5 episodes, 100% reached" in lab for lab in labels)
    assert "MountainCar-v0" in ax.get_title() and "position (m)" in ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="dim=5"):
        plotting.plot_highest_positions({"random": random_eps}, dim=5)
    with pytest.raises(ValueError, match="at least one episode"):
        plotting.plot_highest_positions({"random": []})


def test_plot_state_trajectories_has_one_labelled_panel_per_variable(cartpole_demos, pendulum_demos):
    fig = plotting.plot_state_trajectories(cartpole_demos, "CartPole-v1", max_steps=50)
    texts = _texts(fig)
    assert [y for _, _, y in texts] == list(plotting.STATE_NAMES["CartPole-v1"])
    assert all(x == "time step t" for _, x, _ in texts)
    assert len(fig.axes[0].lines[0].get_xdata()) == 51
    fig = plotting.plot_state_trajectories(bl.drop_actions(pendulum_demos), "Pendulum-v1", max_demos=2)
    assert sum(ax.axison for ax in fig.axes) == 3 and len(fig.axes[0].lines) == 2
    assert fig.legends  # more than one line: a legend
    with pytest.raises(ValueError, match="No demonstrations"):
        plotting.plot_state_trajectories([], "CartPole-v1")


def test_plot_action_effects_separates_cartpole_pushes(cartpole_demos, pendulum_demos):
    data = bl.to_transitions(cartpole_demos)
    fig = plotting.plot_action_effects(data, 1, "CartPole-v1", action_names={0: "push left", 1: "push right"})
    (ax,) = fig.axes
    assert "change in cart velocity (m/s)" in ax.get_xlabel()
    assert sorted(ax.get_legend_handles_labels()[1]) == ["action 0 (push left): 250 steps",
                                                         "action 1 (push right): 250 steps"]
    with pytest.raises(ValueError, match="discrete actions"):
        plotting.plot_action_effects(bl.to_transitions(pendulum_demos), 0)


def test_action_effects_legend_hides_no_bar():
    """On MountainCar the bars are tall everywhere: a legend inside the axes covered some of their tops."""
    env = "MountainCar-v0"
    data = bl.collect_transitions(env, bl.random_policy(env, seed=0), 4000, seed=0)
    fig = plotting.plot_action_effects(data, 1, env, action_names={0: "push left", 1: "no push", 2: "push right"})
    fig.canvas.draw()
    (ax,) = fig.axes
    legends = fig.legends + ([ax.get_legend()] if ax.get_legend() else [])
    assert len(legends) == 1 and len(legends[0].get_texts()) == 3
    box = legends[0].get_window_extent()
    bars = [bar.get_window_extent() for bar in ax.patches if bar.get_height() > 0]
    assert bars and not any(box.overlaps(bar) for bar in bars), "the legend covers bars"


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


def test_demos_panel_redraws_when_a_control_changes():
    panel = widgets.demos_panel(n_demos=2)
    first = panel.image.value
    assert first and "2 episode(s), 1,000 transitions" in panel.text.value and "expert reference 500" in panel.text.value
    panel.set(env_id="Pendulum-v1")
    assert panel.image.value != first and panel.settings.env_id == "Pendulum-v1"
    assert "acts (200, 1) float32" in panel.text.value and len(panel.demos) == 2
    panel.set(max_steps=20, seed=3)
    assert panel.settings.max_steps == 20 and panel.settings.seed == 3
    with pytest.raises(ValueError, match="No control 'epochs'"):
        panel.set(epochs=3)
    with pytest.raises(ValueError, match="n_demos"):
        widgets.demos_panel(n_demos=50)
