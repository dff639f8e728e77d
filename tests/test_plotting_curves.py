"""Tests of bcolearn.plotting.curves: a finished run's curves, learning curves over seeds, return distributions."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

import bcolearn
from bcolearn import plotting
from figure_checks import assert_labelled, inside_figure
from bcolearn.plotting import plot_history, plot_learning_curves, plot_return_distribution

ENV = "CartPole-v1"
LONG = "Behavioural cloning from one demonstration: where the learner goes compared with the expert"


def test_plot_history_of_a_real_run(cartpole_demos: list) -> None:
    result = bcolearn.train_bc(cartpole_demos, bcolearn.BCConfig(epochs=10, eval_every=5, eval_episodes=2),
                               env_id=ENV, seed=0)
    fig = plot_history(result.history, env_id=ENV, title="BC on CartPole")
    assert_labelled(fig)
    assert [ax.get_title() for ax in fig.axes] == ["Training loss", "Return"]
    loss_line = fig.axes[0].get_lines()[0]
    assert loss_line.get_ydata().tolist() == [row["loss/bc"] for row in result.history]
    with pytest.raises(ValueError, match="Nothing to plot"):
        plot_history(result.history, ["eval/score"])


def test_plot_learning_curves_mean_and_band() -> None:
    ys = np.array([[10.0, 100.0, 300.0], [30.0, 140.0, 500.0], [20.0, 120.0, 400.0]])  # 3 seeds × 3 points
    fig = plot_learning_curves({"BCO(0)": ([1000, 2000, 3000], ys), "BC": {1: [400, 500], 2: [500, 500]}},
                               xlabel="environment steps (interactions)", env_id=ENV)
    assert_labelled(fig)
    ax = fig.axes[0]
    mean_line = ax.get_lines()[0]
    assert np.allclose(mean_line.get_ydata(), ys.mean(axis=0))
    band = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert band.min() <= ys.mean(axis=0).min() and band.max() >= ys.mean(axis=0).max()
    assert "mean of 3 seeds" in mean_line.get_label()
    with pytest.raises(ValueError, match="n_seeds"):
        plot_learning_curves({"bad": ([1, 2], np.zeros((3, 5)))})


def test_plot_return_distribution(cartpole_demos: list) -> None:
    expert = bcolearn.evaluate(ENV, bcolearn.load_expert(ENV), n_episodes=5)
    rand = [12.0, 25.0, 18.0, 30.0]
    fig = plot_return_distribution({"expert": expert, "random": rand}, env_id=ENV)
    assert_labelled(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["expert", "random"]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(d.get_offsets()) for d in dots] == [len(expert.returns), len(rand)]


def test_log_x_ticks_are_the_data_x_values() -> None:
    curves = {"BC": {1: [-130, -140], 2: [-80, -79], 5: [-88, -85], 10: [-76, -77]},
              "BCO(0)": ([1, 2, 5, 10], np.array([[-336, -114, -134, -118], [-300, -120, -130, -119]]))}
    fig = plotting.plot_learning_curves(curves, xlabel="number of demonstrations (episodes)", log_x=True)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "5", "10"]
    assert not any(t.get_text() for t in ax.xaxis.get_minorticklabels()), "minor ticks must stay unlabelled"
    with pytest.raises(ValueError, match="positive"):
        plotting.plot_learning_curves({"BC": {0: [1.0], 1: [2.0]}}, log_x=True)


def test_log_x_with_many_x_values_labels_them_plainly() -> None:
    xs = np.arange(1, 41)
    fig = plotting.plot_learning_curves({"a": (xs, np.ones((2, len(xs))))}, log_x=True)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and not any("^" in lab or "10^" in lab for lab in labels), labels
    assert "1" in labels and "10" in labels


def test_learning_curves_never_share_a_colour_with_the_reference_lines() -> None:
    curves = {f"α = {a}": ([1000, 2000], [[-200.0, -100.0]]) for a in (0.5, 1, 2, 3)}
    fig = plotting.plot_learning_curves(curves, env_id="Acrobot-v1")
    lines = fig.axes[0].get_lines()
    reference = {to_hex(ln.get_color()) for ln in lines if ln.get_label().startswith(("expert", "random"))}
    curve_colours = {to_hex(ln.get_color()) for ln in lines if ln.get_label().startswith("α")}
    assert len(reference) == 2 and len(curve_colours) == 4 and not reference & curve_colours


def test_long_titles_wrap_instead_of_clipping() -> None:
    fig = plotting.plot_return_distribution({"one": [1.0, 2.0]}, "Pendulum-v1", title=LONG)
    assert inside_figure(fig, fig.axes[0].title)
    fig = plotting.plot_learning_curves({"a": ([1, 2], [[1.0, 2.0]])}, title=LONG + LONG)
    assert inside_figure(fig, fig.axes[0].title)


@pytest.mark.parametrize("label", ["BC", "DAgger, 1 demo + queries on its own states"])
def test_learning_curves_legend_sits_below_the_axes_and_inside_the_figure(label: str) -> None:
    xs = np.array([200, 600, 1000])
    fig = plot_learning_curves({label: (xs, np.ones((3, 3))), "BC, more demos": (xs, np.zeros((3, 3)))})
    (ax,) = fig.axes
    legend = ax.get_legend()
    fig.canvas.draw()
    assert legend.get_window_extent().y1 <= ax.get_window_extent().y0, "the legend hides no curve"
    assert all(inside_figure(fig, t) for t in legend.get_texts()), "no legend entry is clipped"
