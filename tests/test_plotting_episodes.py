"""Tests of bcolearn.plotting.episodes: how far episodes got, state trajectories, what each action does."""

from __future__ import annotations

import numpy as np
import pytest

import bcolearn as bl
from bcolearn import plotting


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
