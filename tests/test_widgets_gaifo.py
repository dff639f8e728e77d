"""The GAIfO panel, driven from Python as a learner drives it: set controls, press Run and Stop, read the result
and the curve book's lines. Tiny budgets throughout (one PPO iteration is 1,024 CartPole interactions)."""

from __future__ import annotations

import time
from collections.abc import Callable

import ipywidgets as w
import pytest

import bcolearn as bl
from bcolearn.widgets import GAIfOPanelConfig, gaifo_panel

ENV = "CartPole-v1"


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_run_is_recorded_with_the_values_shown_and_matches_the_api():
    panel = gaifo_panel(autorun=False, background=False, total_steps=2048, disc_steps=5)
    panel.run_button.click()
    run = panel.last
    assert run is not None and not run.stopped and run.values["total_steps"] == 2048
    assert (run.progress, run.total, run.unit) == (2048, 2048, "interactions")
    assert [row["env/steps"] for row in run.history] == [1024, 2048]
    assert run.evals["GAIfO"].score is not None
    # The same settings through the API give the same numbers: the panel trained with exactly these values.
    demos = bl.collect_state_demos(ENV, bl.load_expert(ENV), 1, seed=0)
    direct = bl.train_gaifo(demos, bl.GAIfOConfig(total_steps=2048, disc_steps=5), env_id=ENV, seed=0)
    assert [r["loss/disc"] for r in run.history] == [r["loss/disc"] for r in direct.history]
    summary = panel.summary
    assert "Run 1" in summary and "total_steps=2048" in summary and "normalised score" in summary
    assert "GAIfO used 2,048 environment interactions" in summary
    assert panel.static_copy() is not None


def test_the_curves_are_the_returns_and_the_discriminators_outputs_against_interactions():
    panel = gaifo_panel(autorun=False, background=False, total_steps=2048)
    book = panel.curves.book
    assert [a.name for a in book.layout] == ["return", "disc"]
    assert {a.x for a in book.layout} == {"env/steps"} and all(a.ylabel for a in book.layout)
    panel.run(wait=True)
    rows = panel.last.history
    for key in ("disc/expert_prob", "disc/agent_prob", "train/return_mean", "eval/return_mean"):
        line = book.line(key)
        assert line is not None and line.label != key  # a readable legend label (plotting.style)
        assert line.xs == tuple(r["env/steps"] for r in rows if key in r)
        assert line.ys == pytest.approx([r[key] for r in rows if key in r])
    assert book.line("disc/expert_prob").axes == book.line("disc/agent_prob").axes == "disc"


def test_stop_reports_the_interactions_done_truthfully():
    panel = gaifo_panel(autorun=False, total_steps=200_000)
    panel.run()
    wait_until(lambda: panel.progress.value >= 2048)
    panel.stop()
    panel.wait(120)
    run = panel.last
    assert run is not None and run.stopped
    done = int(run.history.last("env/steps"))
    assert run.progress == done and 2048 <= done < run.total == 200_704  # 196 whole iterations of 1,024
    assert f"stopped early after {done:,} of 200,704 interactions" in panel.summary
    assert panel.progress.description == f"{done}/200704"


def test_warm_start_trains_bco_first_and_says_what_it_spent():
    panel = gaifo_panel(autorun=False, background=False, total_steps=1024, warm_start=True)
    panel.run(wait=True)
    run = panel.last
    assert list(run.results) == ["GAIfO", "BCO (the warm start)"] and set(run.evals) == set(run.results)
    assert run.history.last("env/steps") == 1024  # the curves and the bar count GAIfO's own interactions
    assert "BCO used 1,000 environment interactions before GAIfO started from its policy" in panel.summary


def test_controls_from_the_config():
    panel = gaifo_panel(autorun=False)
    budget = panel.controls["total_steps"]
    assert isinstance(budget, w.FloatLogSlider) and budget.value == 12_288 and isinstance(budget.value, int)
    budget.value = 17_782.8  # a position of the log slider: a whole number of interactions
    assert budget.value == 17_782 and isinstance(budget.value, int)
    assert panel.controls["warm_start"].value is False and panel.controls["reward"].options == ("signed", "positive")
    panel.set(disc_steps=0)
    assert panel.controls["disc_lr"].disabled  # D never learns: its learning rate does nothing
    panel.controls["env_id"].value = "Acrobot-v1"
    assert panel.controls["total_steps"].value == 16_384  # the new task's starting budget
    assert isinstance(GAIfOPanelConfig(warm_start=True).gaifo(), bl.GAIfOConfig)


def test_bad_settings_are_refused_with_a_message():
    panel = gaifo_panel(autorun=False, background=False, total_steps=1024)
    panel.set(**{"ppo.n_steps": 512})
    panel.run(wait=True)
    assert panel.last is None
    assert "less than one PPO iteration" in panel.message.value and "4,096" in panel.message.value
    with pytest.raises(ValueError, match="total_steps"):
        panel.set(total_steps=0)
    assert "total_steps" in panel.message.value
    with pytest.raises(ValueError, match="no setting 'epochs'"):
        gaifo_panel(autorun=False, epochs=3)
