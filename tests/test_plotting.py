"""Tests of bcolearn.plotting: live curves (recording, throttled redraws, reuse between runs), static
figures (labelled, with legends), and episode animations."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from PIL import Image

import bcolearn
from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.plotting import (
    METRICS,
    CurveAxes,
    LiveCurves,
    _series,
    animate_episode,
    metric_color,
    metric_group,
    metric_label,
    plot_history,
    plot_learning_curves,
    plot_return_distribution,
    plot_state_visitation,
)

ENV = "CartPole-v1"


def bc_rows(n: int = 20, scale: float = 1.0) -> list[dict[str, float]]:
    """Rows as train_bc reports them with eval_every=5."""
    return [{"epoch": e, "loss/bc": scale * 0.6 / e, **({"eval/return_mean": 100.0 * e / 5} if e % 5 == 0 else {})}
            for e in range(1, n + 1)]


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def assert_labelled(fig) -> None:  # type: ignore[no-untyped-def]
    """Every axes has a title and labelled axes; any with more than one labelled line has a legend."""
    assert fig.axes, "the figure has no axes"
    for ax in fig.axes:
        assert ax.get_title(), "an axes has no title"
        assert ax.get_xlabel() and ax.get_ylabel(), f"axes {ax.get_title()!r} lacks an axis label"
        labelled = [h for h in ax.get_lines() + ax.collections if not h.get_label().startswith("_")]
        if len(labelled) > 1:
            assert ax.get_legend() is not None, f"axes {ax.get_title()!r} has {len(labelled)} lines but no legend"


def test_metric_groups() -> None:
    assert metric_group("loss/bc") == "loss"
    assert metric_group("loss/reinforce") == "loss"
    assert metric_group("eval/return_mean") == "return"
    assert metric_group("train/return_mean") == "return"
    assert metric_group("acc/idm") == "accuracy"
    assert metric_group("err/idm_demo") == "error"
    assert metric_group("train/terminations") == "other"
    for bookkeeping in ("epoch", "iteration", "env/steps", "bco/iteration", "eval/score", "eval/return_std"):
        assert metric_group(bookkeeping) is None


def test_restarting_x_values_carry_on() -> None:
    """BCO trains its IDM again from epoch 1 each iteration: drawn one after the other, not on top."""
    rows = [{"epoch": e, "loss/idm": 1.0} for e in (1, 2, 3, 1, 2, 3)] + [{"loss/idm": 0.5}]  # the last: no x
    assert _series(rows, "loss/idm", "epoch")[0].tolist() == [1, 2, 3, 4, 5, 6]
    steps = [{"env/steps": s, "eval/return_mean": 1.0} for s in (100, 300, 600)]
    assert _series(steps, "eval/return_mean", "env/steps")[0].tolist() == [100, 300, 600]


def test_live_curves_record_draw_and_change() -> None:
    curves = LiveCurves(env_id=ENV, title="BC")
    for row in bc_rows(10):
        curves(row)
    curves.finish()
    assert curves.history().series("loss/bc")[1].tolist() == [0.6 / e for e in range(1, 11)]
    assert curves.widget.value[:2] == b"\xff\xd8", "the widget shows a JPEG"
    before = pixels(curves.png)
    assert before.shape[1] == 800 and curves.draws >= 1
    for row in bc_rows(20)[10:]:
        curves(row)
    curves.finish()
    after = pixels(curves.png)
    assert (np.abs(after - before).sum(axis=2) > 60).sum() > 50, "new points did not change the image"


def test_live_curves_draw_expert_and_random_returns() -> None:
    curves = LiveCurves(env_id=ENV)
    for row in bc_rows(5):
        curves(row)
    curves.finish()
    ref = REFERENCE_RETURNS[ENV]
    levels = {tuple(line.get_ydata()) for line in curves._axes["return"].get_lines() if line.get_label()[0] != "_"}
    assert (ref.expert, ref.expert) in levels and (ref.random, ref.random) in levels
    legend = [t.get_text() for t in curves._axes["return"].get_legend().get_texts()]
    assert "evaluation return (mean over test episodes)" in legend and any(t.startswith("expert") for t in legend)


def test_throttle_keeps_drawing_to_its_share_of_training_time() -> None:
    stingy = LiveCurves(max_overhead=1e-9, min_interval=0.0)
    for row in bc_rows(40):
        stingy(row)
    assert stingy.draws == 0, "no time budget, yet it redrew during training"
    stingy.finish()
    assert stingy.draws == 1, "finish() must draw the final state once"

    generous = LiveCurves(max_overhead=1.0, min_interval=0.0)
    for row in bc_rows(6):
        generous(row)
        time.sleep(0.15)  # training time, so that the budget allows redraws
    assert generous.draws >= 3
    assert generous.draw_seconds <= 1.0 * (time.perf_counter() - generous._t0)


def test_repeated_run_reuses_the_background_and_keeps_the_previous_run() -> None:
    curves = LiveCurves(("loss/bc", "eval/return_mean"), x="epoch", env_id=ENV, x_max=20)
    curves.draw()  # the empty axes, as a panel draws them when it is built
    curves.reset()  # and as the panel starts a run
    for row in bc_rows(20):
        curves(row)
    curves.finish()
    assert curves.full_draws == 0, "the empty axes drawn in advance should have been enough"
    curves.reset()
    for row in bc_rows(20, scale=0.8):
        curves(row)
    curves.finish()
    assert [c.label for c in curves._previous] == ["BC loss", "evaluation return (mean over test episodes)"]
    assert curves.full_draws == 1, "the legend gains 'previous run' once"
    curves.reset()
    for row in bc_rows(20, scale=0.9):
        curves(row)
    curves.finish()
    assert curves.full_draws == 0, "a third run with the same settings should only blit"


def test_a_new_task_drops_the_previous_run() -> None:
    """Another task's curves are on another scale: they must not be drawn as the faded previous run."""
    curves = LiveCurves(("loss/bc", "eval/return_mean"), x="epoch", env_id=ENV, x_max=20)
    for row in bc_rows(20):
        curves(row)
    curves.finish()
    curves.reset(env_id="Pendulum-v1")
    for row in bc_rows(20, scale=0.5):
        curves({**row, **({"eval/return_mean": -1000.0} if "eval/return_mean" in row else {})})
    curves.finish()
    assert curves._previous == []
    assert curves._axes["return"].get_ylim()[1] < 0, "CartPole's returns (up to 400) still stretch the axes"
    legend = [t.get_text() for t in curves._axes["return"].get_legend().get_texts()]
    assert "previous run" not in legend
    curves.reset(env_id="Pendulum-v1")  # the same task again: the previous run is kept
    assert [c.label for c in curves._previous] == ["BC loss", "evaluation return (mean over test episodes)"]


def test_live_curves_are_generic_over_keys_and_x() -> None:
    """REINFORCE-style rows: drawn against environment steps; unknown metrics go to 'other'."""
    curves = LiveCurves(x="env/steps", env_id=ENV, title="REINFORCE")
    for i in range(1, 6):
        curves({"iteration": i, "env/steps": 200 * i, "loss/reinforce": -0.01 * i, "train/return_mean": 20.0 * i,
                "train/terminations": 8})
    curves.finish()
    assert set(curves._axes) == {"loss", "return", "other"}
    assert curves._axes["return"].get_xlabel().startswith("environment steps")
    line = curves._curves[("", "train/return_mean")]
    assert line.xs == [200, 400, 600, 800, 1000]


def test_sources_label_curves_and_continue_restarting_epochs() -> None:
    curves = LiveCurves(x="epoch")
    bco = curves.source("BCO")
    for _ in range(2):  # two BCO(α) iterations: the IDM restarts from epoch 1
        for e in range(1, 4):
            bco({"bco/iteration": 0, "epoch": e, "loss/idm": 1.0 / e})
    curves.source("BC")({"epoch": 1, "loss/bc": 0.5})
    curves.finish()
    assert curves._curves[("BCO", "loss/idm")].xs == [1, 2, 3, 4, 5, 6]
    legend = [t.get_text() for t in curves._axes["loss"].get_legend().get_texts()]
    assert legend == ["BCO: IDM loss", "BC: BC loss"]
    # Learners side by side are told apart by colour; a learner's second metric in an axes by its line style.
    idm, bcos_bc = curves._curves[("BCO", "loss/idm")], curves._new_curve("BCO", "loss/bc", "loss")
    assert idm.color == bcos_bc.color != curves._curves[("BC", "loss/bc")].color and idm.style != bcos_bc.style
    curves.source("DAgger")({"epoch": 1, "loss/bc": 0.4})  # a learner without a colour of its own gets a free one
    other = curves._curves[("DAgger", "loss/bc")].color
    assert other not in {idm.color, curves._curves[("BC", "loss/bc")].color, "C2", "C7"}


def test_metrics_have_readable_labels_and_one_colour_in_live_and_static_figures(cartpole_demos: list) -> None:
    reference_colours = {to_hex("C2"), to_hex("C7")}  # the expert's and the random policy's lines
    for key in ("loss/bc", "loss/idm", "loss/reinforce", "eval/return_mean", "train/return_mean", "acc/idm",
                "acc/idm_demo", "err/idm", "err/idm_demo"):
        assert key in METRICS and "/" not in metric_label(key), key
        assert to_hex(metric_color(key)) not in reference_colours, key
    assert metric_label("custom/thing") == "custom/thing", "unknown metrics keep their key"
    assert metric_color("custom/thing") == metric_color("custom/thing")
    assert to_hex(metric_color("custom/thing")) not in reference_colours

    result = bcolearn.train_bc(cartpole_demos, bcolearn.BCConfig(epochs=5, eval_every=5, eval_episodes=2),
                               env_id=ENV, seed=0)
    curves = LiveCurves(env_id=ENV)
    for row in result.history:
        curves(row)
    curves.finish()
    live = {c.label: to_hex(c.line.get_color()) for c in curves._curves.values()}
    fig = plot_history(result.history, env_id=ENV)
    static = {line.get_label(): to_hex(line.get_color()) for ax in fig.axes for line in ax.get_lines()
              if not line.get_label().startswith(("_", "expert", "random"))}
    expected = {"BC loss": to_hex("C0"), "evaluation return (mean over test episodes)": to_hex("C3")}
    assert live == static == expected
    legend = [t.get_text() for ax in curves._axes.values() for t in ax.get_legend().get_texts()]
    assert not any("/" in text for text in legend), f"a raw metric key in the legend: {legend}"


def _blank_rows_at_bottom(png: bytes) -> int:
    rows = pixels(png).min(axis=(1, 2)) >= 250  # every pixel of the row (nearly) white
    return int(np.argmin(rows[::-1])) if not rows.all() else len(rows)


@pytest.mark.parametrize("env_id, keys", [("CartPole-v1", ("loss/bc", "eval/return_mean")),
                                          ("Pendulum-v1", ("loss/idm", "err/idm"))])
def test_live_figure_fits_its_content(env_id: str, keys: tuple[str, str], assert_fits) -> None:  # type: ignore[no-untyped-def]
    """No empty band under the legends, no label against the figure's edge, no loss axis twice the loss's height."""
    curves = LiveCurves(keys, x="epoch", env_id=env_id, x_max=20, title=f"BC on {env_id}")
    curves.draw()  # the empty axes, drawn in advance as a panel does
    curves.reset()
    for e in range(1, 21):
        second = 25.0 * e if keys[1].startswith("eval") else 0.6 / e
        curves({"epoch": e, keys[0]: 0.58 / e ** 0.5, keys[1]: second})
    png = curves.png
    height = pixels(png).shape[0]
    assert _blank_rows_at_bottom(png) <= 0.04 * height, "an empty band under the curves"
    assert_fits(curves)
    page = curves._fig.bbox
    for ax in curves._axes.values():
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            box = text.get_window_extent()
            assert page.x0 + 3 <= box.x0 and box.x1 <= page.x1 - 3 and page.y0 + 3 <= box.y0 \
                and box.y1 <= page.y1 - 3, f"{text.get_text()!r} touches the figure's edge"
        legend = ax.get_legend().get_window_extent()
        assert legend.y0 >= page.y0 and legend.y1 < ax.get_window_extent().y0, "the legend belongs below the axes"
    top = curves._axes["loss"].get_ylim()[1]
    assert top <= 1.3 * 0.58, f"the loss axis reaches {top:.2f} for a loss that peaks at 0.58"
    if env_id == "Pendulum-v1":
        assert curves._axes["error"].get_ylabel() == "mean absolute error (N·m)"


def test_layout_splits_lines_per_iteration_and_fades_the_earlier_ones() -> None:
    """BCO(α) trains its IDM again in every iteration: each phase is drawn from its own epoch 1."""
    layout = (CurveAxes("idm_loss", ("loss/idm",), "epoch", "IDM training", split="bco/iteration"),
              CurveAxes("labels", ("acc/idm", "acc/idm_demo"), "env/steps", "IDM accuracy"))
    curves = LiveCurves(layout=layout, env_id="Acrobot-v1", x_max={"idm_loss": 3, "labels": 600})
    for it, steps in enumerate((300, 600)):
        for e in range(1, 4):
            curves({"bco/iteration": it, "epoch": e, "loss/idm": 1.0 / e, "acc/idm": 0.9})  # acc vs epoch: not here
        curves({"bco/iteration": it, "env/steps": steps, "loss/idm": 0.3, "acc/idm": 0.95, "acc/idm_demo": 0.6 + it / 10})
    curves.finish()
    (earlier,), latest = curves._earlier, curves._curves[("", "loss/idm")]
    assert earlier.xs == latest.xs == [1, 2, 3] and (earlier.split, latest.split) == (0, 1)
    assert earlier.line.get_alpha() < 0.5 and latest.line.get_alpha() == 1.0
    assert curves._axes["idm_loss"].get_xlim()[1] < 3.5
    assert curves._curves[("", "acc/idm_demo")].xs == [300, 600]
    assert curves._curves[("", "acc/idm")].ys == [0.95, 0.95], "per-epoch accuracies belong to another x"
    legend = [t.get_text() for t in curves._axes["idm_loss"].get_legend().get_texts()]
    assert legend == ["IDM loss, iteration 1", "earlier iterations"]
    curves.reset()
    assert curves._previous == [c for c in curves._previous if c.group == "labels"], \
        "split axes draw no previous run (their earlier iterations are faded already)"
    with pytest.raises(ValueError, match="one kind"):
        CurveAxes("mixed", ("loss/idm", "acc/idm"), "epoch", "mixed")


def test_live_curves_reject_a_bad_budget() -> None:
    with pytest.raises(ValueError, match="max_overhead"):
        LiveCurves(max_overhead=0)


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
    expert = bcolearn.evaluate(bcolearn.load_expert(ENV), ENV, n_episodes=5)
    rand = [12.0, 25.0, 18.0, 30.0]
    fig = plot_return_distribution({"expert": expert, "random": rand}, env_id=ENV)
    assert_labelled(fig)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["expert", "random"]
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(d.get_offsets()) for d in dots] == [len(expert.returns), len(rand)]


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


def test_animate_episode_shows_the_return_and_stays_small() -> None:
    anim = animate_episode(ENV, bcolearn.load_expert(ENV), seed=0, max_steps=120)
    assert anim.n_steps == 120 and anim.episode_return == 120.0
    assert "return 120" in anim.html and "<script" in anim.html and "data:image/jpeg;base64," in anim.html
    assert anim.n_frames <= 82 and anim.stride == 2
    assert len(anim.html) < 1_000_000
    assert anim._repr_html_() == anim.html


def test_animate_episode_continuous_actions_and_bad_arguments() -> None:
    anim = animate_episode("Pendulum-v1", bcolearn.load_expert("Pendulum-v1"), seed=1, max_steps=10, max_frames=4)
    assert anim.n_steps == 10 and anim.n_frames <= 5 and anim.episode_return < 0
    with pytest.raises(ValueError, match="max_frames"):
        animate_episode(ENV, bcolearn.load_expert(ENV), max_frames=1)
