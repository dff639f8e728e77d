"""Tests of bcolearn.widgets.base and .trainer, driven from Python as a learner drives a panel: set
controls, press Run and Stop, read the result. Tiny budgets throughout."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

import bcolearn
from bcolearn.bc import BCConfig
from bcolearn.widgets import PanelSettings, ProgressSpec, TrainOutput, bc_panel, idm_panel, reinforce_panel
from bcolearn.widgets.specs import Report

ENV = "CartPole-v1"


def image(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class LateThread(threading.Thread):
    """A thread that starts its work only when the test says so: anything it would read late, it reads late."""

    go = threading.Event()

    def run(self) -> None:
        assert self.go.wait(60)
        super().run()


def test_a_panel_trains_with_the_values_it_shows(cartpole_demos: list) -> None:
    panel = bc_panel(background=False)
    empty = image(panel.curves.png)
    panel.set(epochs=7, lr=1e-3)
    panel.run_button.click()
    run = panel.last
    assert run is not None and run.values["epochs"] == 7 and run.values["lr"] == 1e-3
    assert run.config.epochs == 7 and run.config.lr == 1e-3 and run.settings == PanelSettings(ENV)
    assert [row["epoch"] for row in run.history] == list(range(1, 8))
    # The same settings through the API give identical losses: the panel trained with exactly these values.
    direct = bcolearn.train_bc(cartpole_demos, BCConfig(epochs=7, lr=1e-3, eval_every=5, eval_episodes=5),
                               env_id=ENV, seed=0)
    assert [r["loss/bc"] for r in run.history] == [r["loss/bc"] for r in direct.history]
    assert run.evals["BC"].score is not None and (run.progress, run.total, run.unit) == (7, 7, "epochs")
    summary = panel.summary
    assert "Run 1" in summary and "epochs=7" in summary and "normalised score" in summary and "95 % CI" in summary
    first = image(panel.curves.png)
    assert np.abs(first - empty).sum() > 0, "the curves did not change"
    assert panel.progress.bar_style == "success" and panel.progress.description == "7/7"

    panel.set(epochs=3)
    panel.run_button.click()
    assert len(panel.runs) == 2 and len(panel.last.history) == 3
    assert "Run 2" in panel.summary and "epochs=3" in panel.summary
    assert np.abs(image(panel.curves.png) - first).sum() > 0
    assert panel.run_button.disabled is False and panel.stop_button.disabled is True


def test_set_refuses_out_of_range_values_naming_setting_value_and_range() -> None:
    panel = bc_panel(background=False, autorun=False)
    before = panel.values()
    for name, value, words in [("epochs", 5000, "from 1 to 1000"), ("lr", -1, "from 1e-05 to 1"),
                               ("batch_size", 0, "from 1 to 100000"), ("n_demos", 2.7, "a whole number from 1 to 100")]:
        with pytest.raises(ValueError) as err:
            panel.set(**{name: value})
        assert f"{name} = {value!r} is not allowed" in str(err.value) and words in str(err.value)
        assert f"{name} = {value!r} is not allowed" in panel.message.value, "the panel says so too"
    assert panel.values() == before, "nothing was clamped, rounded or set"
    with pytest.raises(ValueError):
        panel.set(epochs=20, lr=5.0)  # one bad value: none is set
    assert panel.values() == before
    panel.set(epochs=1000)  # the config's own bound is allowed (the slider reaches it)
    assert panel.controls["epochs"].value == 1000 and panel.controls["epochs"].max == 1000


def test_an_unknown_setting_is_a_clear_error_listing_the_settings() -> None:
    panel = bc_panel(background=False, autorun=False)
    with pytest.raises(ValueError, match=r"BCPanel has no setting 'idm\.epochs'; its settings are env_id, n_demos, "
                                         r"seed, epochs, lr"):
        panel.set(**{"idm.epochs": 3})
    with pytest.raises(ValueError, match="BCPanel has no setting 'foo'; it has env_id, n_demos, seed, eval_episodes, "
                                         "epochs"):
        bc_panel(foo=1)
    with pytest.raises(ValueError, match="epochs = 0 is not allowed"):
        bc_panel(epochs=0)


def test_a_value_typed_in_a_text_box_out_of_range_is_refused_aloud() -> None:
    panel = bc_panel(background=False, autorun=False)
    box = panel.controls["batch_size"]
    box.value = 0  # as the page sends a typed value
    assert box.value == 128, "the box goes back to the last valid value"
    assert "batch_size = 0 is not allowed" in panel.message.value and "from 1 to 100000" in panel.message.value
    panel.controls["seed"].value = -3
    assert panel.controls["seed"].value == 0 and "seed = -3 is not allowed" in panel.message.value


def test_a_slider_that_reaches_its_end_says_a_larger_typed_value_stops_there() -> None:
    panel = bc_panel(background=False, autorun=False)
    panel.controls["epochs"].value = 1000  # what the page sends when 5000 is typed into the readout
    assert "epochs = 1000 is the end of its range" in panel.message.value and "1 to 1000" in panel.message.value


def test_a_run_records_the_settings_read_when_run_was_pressed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings are read once, on the caller's thread: a set() right after Run belongs to the next run."""
    monkeypatch.setattr("bcolearn.widgets.trainer.threading.Thread", LateThread)
    panel = bc_panel(epochs=6, eval_every=0, n_demos=1)
    LateThread.go.clear()
    panel.run()  # a background run, whose thread has not started its work yet
    panel.set(epochs=2, n_demos=3)
    LateThread.go.set()
    panel.wait(60)
    run = panel.last
    assert run is not None and run.values["epochs"] == 6 and run.config.epochs == 6 and len(run.history) == 6
    assert run.values["n_demos"] == 1 and run.settings.n_demos == 1
    assert "epochs=6" in panel.summary and "n_demos=1" in panel.summary


def test_stop_ends_a_background_run_early_and_keeps_what_was_learnt() -> None:
    panel = bc_panel(epochs=300, eval_every=0)
    panel.run_button.click()  # trains in a background thread, as it does in the notebook
    wait_until(lambda: panel.progress.value >= 3)
    assert panel.running and panel.run_button.disabled and not panel.stop_button.disabled
    panel.stop_button.click()
    panel.wait(60)
    run = panel.last
    assert run is not None and run.stopped and 3 <= run.progress < 300
    assert len(run.history) == run.progress, "the epochs reported are the epochs done"
    assert run.evals["BC"].mean > 0, "the policy learnt before Stop was evaluated"
    assert f"stopped early after {run.progress} of 300 epochs" in panel.summary
    assert not panel.running and not panel.run_button.disabled and panel.stop_button.disabled
    assert panel.progress.bar_style == "", "a stopped run's bar is neutral, not green"


def test_a_new_runs_label_never_shows_the_previous_count_and_fits_its_budget() -> None:
    panel = reinforce_panel(background=False, autorun=False, total_steps=600, episodes_per_iter=4)
    labels: list[str] = []
    panel.progress.observe(lambda change: labels.append(change["new"]), names="description")
    panel.run()
    steps = int(panel.last.history[-1]["env/steps"])
    assert steps >= 600 and labels[0] == "0/600" and labels[-1] == "600/600"
    assert all(int(label.split("/")[0]) <= 600 for label in labels), "the label never passes its budget"
    width = int(panel.progress.style.description_width.removesuffix("ch"))
    assert width >= len("600/600"), "the label fits its box"
    panel.set(total_steps=1000)
    labels.clear()
    panel.run()
    assert labels[0] == "0/1000", "a new run starts from 0, not the previous run's 600/600"


def test_bad_settings_give_a_message_in_the_panel_and_keep_earlier_results() -> None:
    panel = idm_panel(background=False, pre_demo_steps=200, **{"idm.epochs": 2})
    panel.run()
    summary, n_runs = panel.summary, len(panel.runs)
    panel.set(pre_demo_steps=100, **{"idm.val_fraction": 0.001})  # holds out round(0.1) = 0 transitions
    panel.run_button.click()
    assert "holds out no transitions" in panel.message.value
    assert len(panel.runs) == n_runs and panel.summary == summary

    def broken(settings: PanelSettings, config: object, report: Report) -> TrainOutput:
        raise RuntimeError("simulated failure")

    panel.set(**{"idm.val_fraction": 0.2})
    panel.train = broken  # type: ignore[method-assign,assignment]
    panel.run_button.click()
    assert "Training failed: RuntimeError: simulated failure" in panel.message.value
    assert len(panel.runs) == n_runs and panel.summary == summary
    assert not panel.running and not panel.run_button.disabled and panel.progress.bar_style == "danger"


def test_choosing_a_task_loads_settings_known_to_work_for_it() -> None:
    panel = bc_panel(background=False, autorun=False, lr=1e-3)
    panel.set(env_id="Pendulum-v1")
    assert panel.controls["epochs"].value == 100 and panel.controls["hidden_size"].value == 64
    assert panel.controls["lr"].value == 1e-3, "the caller's defaults still apply"
    assert repr(panel) == "Behavioural Cloning panel (Pendulum-v1): run the cell to use it."


def test_the_specs_declare_the_progress_of_a_run() -> None:
    panel = reinforce_panel(background=False, autorun=False)
    assert panel.progress_spec(panel.config) == ProgressSpec(10_000, "environment steps", key="env/steps",
                                                             by_value=True)
    bc = bc_panel(background=False, autorun=False, epochs=12)
    assert bc.progress_spec(bc.config) == ProgressSpec(12, "epochs")
    assert bc.curves_spec(ENV, bc.config).x_max == 12
