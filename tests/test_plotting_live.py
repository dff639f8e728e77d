"""Tests of bcolearn.plotting.live: live curves record, redraw throttled and cheaply, and reuse their axes.

They read the public curve book (``curves.book``), the drawn axes (``curves.axes``) and the image."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

import bcolearn
from bcolearn.experts import REFERENCE_RETURNS
from bcolearn.plotting import CurveAxes, LiveCurves, plot_history

ENV = "CartPole-v1"
BCO_LAYOUT = (CurveAxes("idm_loss", ("loss/idm",), "epoch", "IDM training", split="bco/iteration"),
              CurveAxes("labels", ("acc/idm", "acc/idm_demo"), "env/steps", "IDM accuracy"))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def bc_rows(n: int = 20, scale: float = 1.0) -> list[dict[str, float]]:
    """Rows as train_bc reports them with eval_every=5."""
    return [{"epoch": e, "loss/bc": scale * 0.6 / e, **({"eval/return_mean": 100.0 * e / 5} if e % 5 == 0 else {})}
            for e in range(1, n + 1)]


def busy(seconds: float) -> None:
    """Use ``seconds`` of CPU, as training does (the drawing budget is a share of the CPU time)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def legend(curves: LiveCurves, axes: str) -> list[str]:
    return [t.get_text() for t in curves.axes[axes].get_legend().get_texts()]


def drawn_lines(curves: LiveCurves, axes: str) -> list:  # type: ignore[type-arg]
    """The book's lines as drawn (animated artists, blitted over the saved background)."""
    return [line for line in curves.axes[axes].get_lines() if line.get_animated()]


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
    levels = {tuple(line.get_ydata()) for line in curves.axes["return"].get_lines() if line.get_label()[0] != "_"}
    assert (ref.expert, ref.expert) in levels and (ref.random, ref.random) in levels
    texts = legend(curves, "return")
    assert "evaluation return (mean over test episodes)" in texts and any(t.startswith("expert") for t in texts)


def test_throttle_keeps_drawing_to_its_share_of_training_time() -> None:
    stingy = LiveCurves(max_overhead=1e-9, min_interval=0.0)
    for row in bc_rows(40):
        stingy(row)
    assert stingy.draws == 1, "no time budget: only the first frame, at once"
    stingy.finish()
    assert stingy.draws == 2, "finish() must draw the final state once"

    generous = LiveCurves(max_overhead=1.0, min_interval=0.0)
    for row in bc_rows(6):
        generous(row)
        busy(0.15)  # training's CPU time, so that the budget allows redraws
    assert generous.draws >= 3
    assert generous.draw_seconds <= 1.0 * generous.throttle.cpu_elapsed()


def test_run_shows_the_empty_axes_at_once_then_a_frame_a_second() -> None:
    """Issue 9: after Run, the new run's axes (previous run faded) at once; data within 0.5 s; >= 1 frame/s."""
    clock = Clock()
    curves = LiveCurves(("loss/bc", "eval/return_mean"), x="epoch", env_id=ENV, x_max=300, clock=clock)
    curves.draw()
    for row in bc_rows(300):
        curves(row)
    curves.finish()
    last = curves.widget.value
    shown: list[float] = []
    curves.widget.observe(lambda _: shown.append(clock.now), names="value")
    curves.reset()  # the last run was fitted to its data: its axes are rendered again, after a quick blit
    at_run = len(shown)
    assert at_run and set(shown) == {0.0} and curves.widget.value != last, "the new run's axes did not appear at Run"
    assert curves.draws == at_run == 2 and curves.full_draws == 1, "a blit first, then the render"
    assert [line.label for line in curves.book.lines("previous")] == ["BC loss",
                                                                      "evaluation return (mean over test episodes)"]
    for row in bc_rows(300, scale=0.8):  # a 6 s run: a row every 20 ms
        clock.now += 0.02
        curves(row)
    data_frames = shown[at_run:]
    assert data_frames and data_frames[0] <= 0.5, "the first frame with data came late"
    gaps = np.diff(shown)
    assert len(shown) >= 6 and gaps.max() <= 1.0, f"frames at {shown}"


def test_a_new_iteration_costs_no_render() -> None:
    clock = Clock()
    curves = LiveCurves(layout=BCO_LAYOUT, env_id="Acrobot-v1", x_max={"idm_loss": 3, "labels": 3000}, clock=clock,
                        min_interval=0.0)
    curves.draw()
    curves.reset()
    renders = []
    for it in range(6):
        for e in range(1, 4):
            clock.now += 0.3
            curves({"bco/iteration": it, "epoch": e, "loss/idm": 1.0 / e})
        curves({"bco/iteration": it, "env/steps": 300 * (it + 1), "acc/idm": 0.9, "acc/idm_demo": 0.7})
        renders.append(curves.full_draws)
    assert renders[-1] == renders[1], f"renders after each iteration: {renders}"
    assert legend(curves, "idm_loss") == ["IDM loss, iteration 5", "earlier iterations"], \
        "the legend names the current iteration (drawn with the lines)"


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
    assert [line.label for line in curves.book.lines("previous")] == ["BC loss",
                                                                      "evaluation return (mean over test episodes)"]
    assert curves.full_draws == 1, "the legend gains 'previous run' once"
    curves.reset()
    for row in bc_rows(20, scale=0.9):
        curves(row)
    curves.finish()
    assert curves.full_draws == 0, "a third run with the same settings should only blit"


def test_a_new_x_range_is_rendered_when_the_setting_changes_not_at_run() -> None:
    """A panel prepares the next run's axes when a setting changes, so that Run's first frames are cheap blits."""
    clock = Clock()
    curves = LiveCurves(layout=BCO_LAYOUT, env_id="Acrobot-v1", x_max={"idm_loss": 30, "labels": 11_000}, clock=clock)
    curves.draw()
    before = curves.widget.value
    curves.prepare(x_max={"idm_loss": 30, "labels": 21_000})  # e.g. more BCO iterations
    assert curves.widget.value != before, "the new x range is shown at once"
    assert curves.axes["labels"].get_xlim()[1] >= 21_000
    curves.reset(x_max={"idm_loss": 30, "labels": 21_000})
    clock.now += 0.3
    curves({"bco/iteration": 0, "epoch": 1, "loss/idm": 0.9})
    assert curves.draws == 2 and curves.full_draws == 0, "Run then only blits: the axes were ready"
    curves.prepare(x_max={"idm_loss": 30, "labels": 21_000})
    assert curves.draws == 2, "nothing changed: nothing drawn"


def test_a_new_title_at_run_shows_at_once_without_a_render() -> None:
    """A panel numbers its runs in the title: the first frame at Run is new even before any data, and cheap."""
    curves = LiveCurves(layout=BCO_LAYOUT, env_id="Acrobot-v1", x_max={"idm_loss": 30, "labels": 11_000},
                        title="BCO on Acrobot-v1")
    curves.draw()
    before = curves.widget.value
    curves.reset(title="BCO on Acrobot-v1: run 1")
    assert curves.widget.value != before and curves.full_draws == 0
    assert curves.figure.get_suptitle() == "BCO on Acrobot-v1: run 1" == curves.title


def test_rows_that_came_too_soon_are_drawn_when_the_next_rows_are_slow() -> None:
    """Issue 9: REINFORCE reports 4 quick iterations, then evaluates for 0.7 s: its first data must not wait for that."""
    curves = LiveCurves(("loss/bc", "eval/return_mean"), x="epoch", env_id=ENV, x_max=20, min_interval=0.1)
    curves.draw()
    curves.reset(title="run 1")
    curves(bc_rows(1)[0])  # too soon after the frame at Run
    assert curves.draws == 1
    time.sleep(0.6)  # no more rows for a while
    assert curves.draws == 2 and curves.book.line("loss/bc").xs == (1.0,)


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
    assert curves.book.lines("previous") == ()
    assert curves.axes["return"].get_ylim()[1] < 0, "CartPole's returns (up to 400) still stretch the axes"
    assert "previous run" not in legend(curves, "return")
    curves.reset(env_id="Pendulum-v1")  # the same task again: the previous run is kept
    assert [line.label for line in curves.book.lines("previous")] == ["BC loss",
                                                                      "evaluation return (mean over test episodes)"]


def test_live_curves_are_generic_over_keys_and_x() -> None:
    """REINFORCE-style rows: drawn against environment steps; unknown metrics go to 'other'."""
    curves = LiveCurves(x="env/steps", env_id=ENV, title="REINFORCE")
    for i in range(1, 6):
        curves({"iteration": i, "env/steps": 200 * i, "loss/reinforce": -0.01 * i, "train/return_mean": 20.0 * i,
                "train/terminations": 8})
    curves.finish()
    assert set(curves.axes) == {"loss", "return", "other"}
    assert curves.axes["return"].get_xlabel().startswith("environment steps")
    assert curves.book.line("train/return_mean").xs == (200, 400, 600, 800, 1000)


def test_sources_are_drawn_in_their_colours_with_a_legend() -> None:
    curves = LiveCurves(x="epoch")
    bco = curves.source("BCO")
    for _ in range(2):
        for e in range(1, 4):
            bco({"bco/iteration": 0, "epoch": e, "loss/idm": 1.0 / e})
    curves.source("BC")({"epoch": 1, "loss/bc": 0.5})
    curves.finish()
    assert legend(curves, "loss") == ["BCO: IDM loss", "BC: BC loss"]
    colours = {to_hex(line.get_color()) for line in drawn_lines(curves, "loss")}
    assert colours == {to_hex("C1"), to_hex("C0")}


def test_metrics_have_one_colour_in_live_and_static_figures(cartpole_demos: list) -> None:
    result = bcolearn.train_bc(cartpole_demos, bcolearn.BCConfig(epochs=5, eval_every=5, eval_episodes=2),
                               env_id=ENV, seed=0)
    curves = LiveCurves(env_id=ENV)
    for row in result.history:
        curves(row)
    curves.finish()
    live = {line.label: to_hex(line.color) for line in curves.book.lines()}
    drawn = {to_hex(line.get_color()) for axes in curves.axes for line in drawn_lines(curves, axes)}
    fig = plot_history(result.history, env_id=ENV)
    static = {line.get_label(): to_hex(line.get_color()) for ax in fig.axes for line in ax.get_lines()
              if not line.get_label().startswith(("_", "expert", "random"))}
    expected = {"BC loss": to_hex("C0"), "evaluation return (mean over test episodes)": to_hex("C3")}
    assert live == static == expected and drawn == set(expected.values())
    texts = [t for axes in curves.axes for t in legend(curves, axes)]
    assert not any("/" in text for text in texts), f"a raw metric key in the legend: {texts}"


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
    page = curves.figure.bbox
    for ax in curves.axes.values():
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            box = text.get_window_extent()
            assert page.x0 + 3 <= box.x0 and box.x1 <= page.x1 - 3 and page.y0 + 3 <= box.y0 \
                and box.y1 <= page.y1 - 3, f"{text.get_text()!r} touches the figure's edge"
        box = ax.get_legend().get_window_extent()
        assert box.y0 >= page.y0 and box.y1 < ax.get_window_extent().y0, "the legend belongs below the axes"
    top = curves.axes["loss"].get_ylim()[1]
    assert top <= 1.3 * 0.58, f"the loss axis reaches {top:.2f} for a loss that peaks at 0.58"
    if env_id == "Pendulum-v1":
        assert curves.axes["error"].get_ylabel() == "mean absolute error (N·m)"


def test_layout_draws_earlier_iterations_faded() -> None:
    curves = LiveCurves(layout=BCO_LAYOUT, env_id="Acrobot-v1", x_max={"idm_loss": 3, "labels": 600})
    for it, steps in enumerate((300, 600)):
        for e in range(1, 4):
            curves({"bco/iteration": it, "epoch": e, "loss/idm": 1.0 / e})
        curves({"bco/iteration": it, "env/steps": steps, "acc/idm": 0.95, "acc/idm_demo": 0.6 + it / 10})
    curves.finish()
    assert sorted(line.get_alpha() for line in drawn_lines(curves, "idm_loss")) == [0.35, 1.0]
    assert curves.axes["idm_loss"].get_xlim()[1] < 3.5
    assert legend(curves, "idm_loss") == ["IDM loss, iteration 1", "earlier iterations"]
    legend_box = curves.axes["idm_loss"].get_legend().get_window_extent()
    assert legend_box.y1 < curves.axes["idm_loss"].get_window_extent().y0, "the legend drawn with the lines fits"


def test_live_curves_reject_a_bad_budget() -> None:
    with pytest.raises(ValueError, match="max_overhead"):
        LiveCurves(max_overhead=0)
