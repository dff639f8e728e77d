"""Figures used by notebooks 04–06 (plotting.py): log axes ticked at the data, titles that never clip."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_hex

import bcolearn as bl
from bcolearn import plotting

LONG = "Behavioural cloning from one demonstration: where the learner goes compared with the expert"


def _inside_figure(fig, text) -> bool:  # type: ignore[no-untyped-def]
    """Whether a drawn text lies wholly inside the figure (1 px of slack for antialiasing)."""
    fig.canvas.draw()
    box, page = text.get_window_extent(), fig.bbox
    return box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1


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


@pytest.mark.parametrize("env_id", ["Pendulum-v1", "LunarLander-v3", None])
def test_long_titles_wrap_instead_of_clipping(env_id: str | None) -> None:
    demos = bl.collect_demos("Pendulum-v1", bl.load_expert("Pendulum-v1"), 1, seed=0)
    fig = plotting.plot_state_visitation(demos, demos, dims=(0, 2), env_id=env_id, title=LONG)
    title = fig.axes[0].title
    assert title.get_text().startswith(LONG) and (env_id is None or title.get_text().endswith(f"({env_id})"))
    assert _inside_figure(fig, title)
    fig = plotting.plot_return_distribution({"one": [1.0, 2.0]}, env_id, title=LONG)
    assert _inside_figure(fig, fig.axes[0].title)
    fig = plotting.plot_learning_curves({"a": ([1, 2], [[1.0, 2.0]])}, title=LONG + LONG)
    assert _inside_figure(fig, fig.axes[0].title)


def test_state_visitation_names_what_a_terminal_state_means() -> None:
    """A cross marks where an episode ended: a failure on CartPole, but the goal on MountainCar."""
    env = "MountainCar-v0"
    demos = bl.collect_demos(env, bl.load_expert(env), 2, seed=0)
    fig = plotting.plot_state_visitation(demos, demos, dims=(0, 1), env_id=env)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "expert: reached the goal here" in labels and not any("failed" in lab for lab in labels)


def test_learning_curves_never_share_a_colour_with_the_reference_lines() -> None:
    curves = {f"α = {a}": ([1000, 2000], [[-200.0, -100.0]]) for a in (0.5, 1, 2, 3)}
    fig = plotting.plot_learning_curves(curves, env_id="Acrobot-v1")
    lines = fig.axes[0].get_lines()
    reference = {to_hex(ln.get_color()) for ln in lines if ln.get_label().startswith(("expert", "random"))}
    curve_colours = {to_hex(ln.get_color()) for ln in lines if ln.get_label().startswith("α")}
    assert len(reference) == 2 and len(curve_colours) == 4 and not reference & curve_colours
