"""Tests of bcolearn.widgets.panels: what each panel of notebooks 03-05 draws and reports after a run.

Driven as a learner drives a panel (set, Run), with tiny budgets, reading only public records: the run
(:class:`~bcolearn.widgets.specs.PanelRun`), the curve book's lines and legends, the summary and the static copy.
"""

from __future__ import annotations

import re

import pytest
from IPython.core.formatters import format_display_data

from bcolearn.plotting.book import CurveLine
from bcolearn.widgets import bc_panel, bco_panel, compare_panel, idm_panel

TINY_BCO = {"pre_demo_steps": 300, "iterations": 2, "idm.epochs": 2, "bc.epochs": 2}


def lines_by(panel, axes: str, role: str | None = None) -> list[CurveLine]:
    return list(panel.curves.book.lines(role=role, axes=axes))


def legend(panel, axes: str) -> list[str]:
    return [e.label for e in panel.curves.book.legend(axes)]


@pytest.mark.parametrize(("env_id", "metric", "words"), [
    ("CartPole-v1", "acc", r"IDM accuracy: \d+\.\d% on held-out random-policy transitions, \d+\.\d% on the expert's "
                           r"\(chance: 50%\)"),
    ("Pendulum-v1", "err", r"IDM mean absolute action error: \d\.\d{3} N·m on held-out random-policy transitions, "
                           r"\d\.\d{3} N·m on the expert's \(actions range over -2 to 2 N·m\)"),
])
def test_the_idm_panel_plots_held_out_and_expert_labels_every_epoch(env_id: str, metric: str, words: str) -> None:
    panel = idm_panel(env_id, background=False, autorun=False)
    panel.set(**{"pre_demo_steps": 300, "idm.epochs": 3})
    panel.run_button.click()
    group = "accuracy" if metric == "acc" else "error"
    shown = {line.key: line for line in lines_by(panel, group)}
    assert set(shown) == {f"{metric}/idm", f"{metric}/idm_demo"}, "held-out and expert-transition curves"
    assert all(line.xs == (1, 2, 3) for line in shown.values()), "one point per IDM epoch"
    assert shown[f"{metric}/idm"].color != shown[f"{metric}/idm_demo"].color
    assert any("expert's transitions" in label for label in legend(panel, group))
    # The expert-transition curve ends where the result line says: the panel reports what it plotted.
    final = shown[f"{metric}/idm_demo"].ys[-1]
    text = re.sub(r"<[^>]+>", "", panel.summary)
    assert re.search(words, text), text
    if metric == "acc":
        assert f"{final:.1%} on the expert's" in text


def test_the_bco_panel_draws_one_line_per_iteration_and_reports_the_steps_it_spent() -> None:
    panel = bco_panel(background=False, autorun=False, alpha=0.5)
    panel.set(**TINY_BCO)
    panel.run_button.click()
    run = panel.last
    result = run.results["BCO"]
    for axes in ("idm_loss", "bc_loss"):
        splits = sorted(line.split for line in lines_by(panel, axes))
        assert splits == [0.0, 1.0, 2.0], "BCO(0) then two improvement iterations, one line each"
        assert [line.split for line in lines_by(panel, axes, "current")] == [2.0], "the latest is solid"
        assert legend(panel, axes)[-1] == "earlier iterations" and "iteration 2" in legend(panel, axes)[0]
    (ret,) = lines_by(panel, "return")
    assert ret.xs[-1] == result.env_steps == 300 + 2 * 150, "return plotted against the interactions spent"
    assert f"BCO used {result.env_steps:,} environment steps" in panel.summary
    assert (run.progress, run.total) == (3 * (2 + 2), 3 * (2 + 2))


def test_bco0_greys_out_the_settings_it_ignores() -> None:
    panel = bco_panel(background=False, autorun=False, alpha=0.0)
    assert panel.controls["iterations"].disabled
    panel.set(alpha=1.0)
    assert not panel.controls["iterations"].disabled


def test_the_compare_panel_tells_bc_from_bco_by_colour_in_every_axes() -> None:
    panel = compare_panel(background=False, autorun=False, alpha=0.5)
    panel.set(**{"pre_demo_steps": 300, "iterations": 2, "bc.epochs": 3})
    panel.run_button.click()
    run = panel.last
    assert set(run.evals) == {"BC", "BCO"} and all(r.score is not None for r in run.evals.values())
    for axes in ("policy_loss", "return"):
        current = lines_by(panel, axes, "current")
        colours = {line.source: line.color for line in current}
        assert set(colours) == {"BC", "BCO"} and colours["BC"] != colours["BCO"]
        assert legend(panel, axes)[:2] == ["BC", "BCO, iteration 2"]
    assert "BC: return" in panel.summary and "BCO: return" in panel.summary


def test_bc_on_continuous_actions_reports_a_normalised_score_in_context() -> None:
    panel = bc_panel("Pendulum-v1", background=False, autorun=False)
    panel.set(epochs=3)
    panel.run_button.click()
    run = panel.last
    assert run.config.continuous_loss in ("mse", "nll") and run.evals["BC"].env_id == "Pendulum-v1"
    assert [line.xs for line in lines_by(panel, "loss")] == [(1, 2, 3)]
    text = re.sub(r"<[^>]+>", "", panel.summary)
    # Reference returns in the same one-decimal form as the return itself.
    assert re.search(r"normalised score -?\d\.\d\d \(random policy -1200\.3 = 0, expert -157\.6 = 1\)", text), text


def test_the_static_copy_shows_the_last_figure_and_result_as_plain_output() -> None:
    panel = bc_panel(background=False, autorun=False)
    assert panel.static_copy() is None, "nothing to copy before a run"
    panel.set(epochs=2)
    panel.run_button.click()
    copy = panel.static_copy()
    bundle, _ = format_display_data(copy)  # what a notebook stores for it
    assert bundle["text/html"].count("<img src='data:image/png;base64,") == 1
    assert "Behavioural Cloning" in bundle["text/html"] and "static copy" in bundle["text/html"]
    assert "BC: return" in bundle["text/plain"] and "<" not in bundle["text/plain"]
    assert repr(panel) == "Behavioural Cloning panel (CartPole-v1): run the cell to use it."
