"""Tests of bcolearn.widgets.dagger, driven from Python as a learner drives the panel: set controls, press Run
and Stop, read the recorded run, the curve book's lines and the result. Tiny budgets on Pendulum (its
episodes always last 200 steps, so every count below is exact)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

import bcolearn as bl
from bcolearn import widgets
from bcolearn.widgets import PanelSettings

ENV = "Pendulum-v1"
TINY = {"iterations": 2, "rollout_episodes": 1, "eval_episodes": 2, "bc.epochs": 3}


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_exported_with_the_other_panels() -> None:
    assert {"dagger_panel", "DAggerPanel"} <= set(widgets.__all__)
    assert all(hasattr(widgets, name) for name in widgets.__all__)


def test_a_run_trains_with_the_values_it_shows_and_says_what_it_spent(assert_fits) -> None:  # type: ignore[no-untyped-def]
    panel = widgets.dagger_panel(background=False, autorun=False, **TINY)
    panel.set(beta=0.5, seed=1)
    panel.run_button.click()
    run = panel.last
    assert run is not None and not run.stopped and run.settings == PanelSettings(ENV, seed=1, eval_episodes=2)
    assert run.values["beta"] == 0.5 and run.config.beta == 0.5 and run.config.iterations == 2
    assert run.config.eval_episodes == 2, "eval_episodes given to the panel sets each iteration's evaluation too"
    assert (run.progress, run.total, run.unit) == (9, 9, "epochs"), "3 BC phases (demos, iterations 1 and 2)"
    result = run.results["DAgger"]
    assert result.labels == result.env_steps == 2 * 1 * 200 and result.iterations == 2
    assert len(run.evals["DAgger"].returns) == 2

    # The same settings through the API give the same history: the panel trained with exactly these values.
    demos = bl.collect_demos(ENV, bl.load_expert(ENV), 1, seed=1)
    direct = bl.train_dagger(demos, run.config, env_id=ENV, seed=1, expert=bl.load_expert(ENV))
    assert list(run.history) == list(direct.history)

    summary = panel.summary
    assert "Run 1 on Pendulum-v1" in summary and "beta=0.5" in summary and "normalised score" in summary
    assert "400 labels on the learner's own states (400 environment steps" in summary
    assert "on top of the demos' 200" in summary and "2 of 2 iterations done" in summary
    assert "unfinished" not in summary and "stopped early" not in summary

    book = panel.curves.book
    loss = book.lines(axes="bc_loss")
    assert [(line.role, line.split, len(line.xs)) for line in loss] == [
        ("earlier", 0.0, 3), ("earlier", 1.0, 3), ("current", 2.0, 3)], "one line of 3 epochs per iteration"
    assert [e.label for e in book.legend("bc_loss")] == ["BC loss, iteration 2", "earlier iterations"]
    for axes, key in (("return", "eval/return_mean"), ("off_demos", "dist/off_demos")):
        (line,) = book.lines(axes=axes)
        assert line.xs == (0.0, 200.0, 400.0), f"{axes}: one point per iteration, against the expert labels"
        assert line.ys == tuple(row[key] for row in run.history)
    assert book.x_key("return") == book.x_key("off_demos") == "expert/labels"
    assert panel.static_copy() is not None
    assert_fits(panel.curves)


def test_stop_keeps_the_last_complete_iteration_and_counts_every_label_bought() -> None:
    panel = widgets.dagger_panel(autorun=False, iterations=20, rollout_episodes=1, eval_episodes=2,
                                 **{"bc.epochs": 40})
    panel.run_button.click()  # a background run, as in the notebook
    wait_until(lambda: panel.progress.value >= 40 + 5)  # into iteration 1's BC
    panel.stop_button.click()
    panel.wait(120)
    run = panel.last
    assert run is not None and run.stopped and 45 <= run.progress < run.total == 21 * 40
    result = run.results["DAgger"]
    rollouts = sum(len(t) for t in result.dataset[1:])
    assert result.labels == result.env_steps == rollouts > 0, "every label bought is counted, kept or not"
    assert result.iterations == len(result.history) - 1 < 20
    summary = panel.summary
    assert f"stopped early after {run.progress:,} of 840 epochs" in summary
    assert f"{result.labels:,} labels on the learner's own states" in summary
    assert f"{result.iterations} of 20 iterations done" in summary
    kept = int(result.history[-1]["expert/labels"])
    assert ("unfinished iteration" in summary) == (result.labels > kept)
    assert panel.progress.description == f"{run.progress}/840"


def test_bad_settings_are_refused_aloud_and_keep_earlier_results() -> None:
    panel = widgets.dagger_panel(background=False, autorun=False, **TINY)
    for name, value in [("iterations", 0), ("beta", 1.5), ("rollout_episodes", 2.5)]:
        with pytest.raises(ValueError, match=f"{name} = {value!r} is not allowed"):
            panel.set(**{name: value})
        assert f"{name} = {value!r} is not allowed" in panel.message.value, "the panel says so too"
    assert panel.values()["iterations"] == 2 and not panel.runs
    with pytest.raises(ValueError, match="no setting 'rounds'.*iterations.*beta_decay"):
        widgets.dagger_panel(autorun=False, rounds=3)


def test_beta_decay_is_greyed_out_where_it_does_nothing() -> None:
    panel = widgets.dagger_panel(background=False, autorun=False)
    assert panel.controls["beta_decay"].disabled, "β₁ = 0: the learner always acts"
    panel.set(beta=0.5)
    assert not panel.controls["beta_decay"].disabled
    panel.set(iterations=1)
    assert panel.controls["beta_decay"].disabled, "one iteration uses only β₁"


def test_a_new_task_loads_its_recommended_settings() -> None:
    panel = widgets.dagger_panel(background=False, autorun=False, beta=0.25)
    panel.set(env_id="Acrobot-v1")
    recommended = bl.recommended_dagger_config("Acrobot-v1")
    assert panel.controls["iterations"].value == recommended.iterations
    assert panel.controls["bc.epochs"].value == recommended.bc.epochs
    assert panel.controls["beta"].value == 0.25, "the caller's defaults still apply"
    assert repr(panel) == "DAgger (Dataset Aggregation) panel (Acrobot-v1): run the cell to use it."
