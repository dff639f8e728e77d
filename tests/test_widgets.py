"""Tests of bcolearn.widgets, driven from Python as a learner drives them: set controls, press Run and
Stop, read the result; plus one run of the demo notebook on a real kernel (as nbval/nbconvert do)."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import ipywidgets as w
import numpy as np
import pytest
from PIL import Image

import bcolearn
from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig
from bcolearn.widgets import (
    PanelSettings,
    bc_panel,
    bco_panel,
    compare_panel,
    config_controls,
    idm_panel,
    reinforce_panel,
)

ENV = "CartPole-v1"
NOTEBOOK = Path(__file__).resolve().parent / "browser" / "demo_panel.ipynb"


def image(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=int)


def wait_until(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_controls_are_built_from_config_fields() -> None:
    controls = config_controls(BCConfig(), ["epochs", "lr", "continuous_loss", "eval_every"])
    epochs, lr, loss, every = controls.values()
    assert isinstance(epochs, w.IntSlider) and (epochs.min, epochs.max, epochs.value) == (1, 300, 40)
    assert isinstance(lr, w.FloatLogSlider) and (lr.min, lr.max) == (-5, 0)  # log10 of the field's bounds
    assert isinstance(loss, w.Dropdown) and loss.options == ("mse", "nll")
    assert isinstance(every, w.IntSlider) and (every.min, every.max) == (0, 50)
    for name, control in controls.items():
        assert control.description == name
        assert control.tooltip == BCConfig.__dataclass_fields__[name].metadata["doc"]
        if hasattr(control, "continuous_update"):
            assert control.continuous_update is False
    seed = config_controls(PanelSettings(), ["seed"])["seed"]
    assert isinstance(seed, w.BoundedIntText) and seed.min == 0  # too wide a range for a slider


def test_nested_config_fields_and_unknown_names() -> None:
    controls = config_controls(BCOConfig(), ["alpha", "idm.epochs", "bc.lr"])
    assert [c.description for c in controls.values()] == ["alpha", "idm.epochs", "bc.lr"]
    assert isinstance(controls["alpha"], w.FloatSlider) and controls["alpha"].max == 2.0
    with pytest.raises(ValueError, match="no hyperparameter 'epoch'"):
        config_controls(BCConfig(), ["epoch"])
    with pytest.raises(ValueError, match="no setting 'foo'"):
        bc_panel(foo=1)


def test_bc_panel_trains_with_the_slider_values(cartpole_demos: list) -> None:
    panel = bc_panel(background=False)
    empty = image(panel.curves.png)
    panel.controls["epochs"].value = 7
    panel.controls["lr"].value = 1e-3
    panel.run_button.click()
    run = panel.last
    assert run is not None and run.values["epochs"] == 7 and run.values["lr"] == 1e-3
    assert [row["epoch"] for row in run.history] == list(range(1, 8))
    # The same settings through the API give identical losses: the panel trained with exactly these values.
    direct = bcolearn.train_bc(cartpole_demos, BCConfig(epochs=7, lr=1e-3, eval_every=5, eval_episodes=5),
                               env_id=ENV, seed=0)
    assert [r["loss/bc"] for r in run.history] == [r["loss/bc"] for r in direct.history]
    assert run.evals["BC"].score is not None
    summary = panel.summary
    assert "Run 1" in summary and "epochs=7" in summary and "normalised score" in summary and "95 % CI" in summary
    first = image(panel.curves.png)
    assert np.abs(first - empty).sum() > 0, "the curves did not change"

    panel.set(epochs=3)
    panel.run_button.click()
    assert len(panel.runs) == 2 and len(panel.last.history) == 3
    assert "Run 2" in panel.summary and "epochs=3" in panel.summary
    assert np.abs(image(panel.curves.png) - first).sum() > 0
    assert panel.run_button.disabled is False and panel.stop_button.disabled is True


def test_stop_ends_a_background_run_early_and_keeps_what_was_learnt() -> None:
    panel = bc_panel(epochs=300, eval_every=0)
    panel.run_button.click()  # trains in a background thread, as it does in the notebook
    wait_until(lambda: panel.progress.value >= 3)
    assert panel.running and panel.run_button.disabled and not panel.stop_button.disabled
    panel.stop_button.click()
    panel.wait(60)
    run = panel.last
    assert run is not None and run.stopped and 3 <= run.progress < 300
    assert len(run.history) == run.progress
    assert run.evals["BC"].mean > 0, "the policy learnt before Stop was evaluated"
    assert f"stopped early after {run.progress} of 300 epochs" in panel.summary
    assert not panel.running and not panel.run_button.disabled and panel.stop_button.disabled


def test_bad_settings_give_a_message_in_the_panel_and_keep_earlier_results() -> None:
    panel = idm_panel(background=False, pre_demo_steps=200, **{"idm.epochs": 2})
    panel.run()
    summary, n_runs = panel.summary, len(panel.runs)
    panel.set(pre_demo_steps=100, **{"idm.val_fraction": 0.001})  # holds out round(0.1) = 0 transitions
    panel.run_button.click()
    assert "holds out no transitions" in panel.message.value
    assert len(panel.runs) == n_runs and panel.summary == summary

    def broken(*args: object) -> None:
        raise RuntimeError("simulated failure")

    panel.set(**{"idm.val_fraction": 0.2})
    panel.train = broken  # type: ignore[method-assign]
    panel.run_button.click()
    assert "Training failed: RuntimeError: simulated failure" in panel.message.value
    assert len(panel.runs) == n_runs and panel.summary == summary
    assert not panel.running and not panel.run_button.disabled


def test_choosing_a_task_loads_settings_known_to_work_for_it() -> None:
    panel = bc_panel(background=False, lr=1e-3)
    panel.set(env_id="Pendulum-v1")
    assert panel.controls["epochs"].value == 100 and panel.controls["hidden_size"].value == 64
    assert panel.controls["lr"].value == 1e-3, "the caller's defaults still apply"


def test_bc_panel_greys_out_the_continuous_loss_for_discrete_actions() -> None:
    panel = bc_panel(background=False, autorun=False, epochs=2, eval_every=0)
    assert panel.controls["continuous_loss"].disabled
    panel.run()
    assert "loss=cross-entropy" in panel.summary and "continuous_loss" not in panel.summary
    panel.set(env_id="Pendulum-v1")
    assert not panel.controls["continuous_loss"].disabled


def test_idm_panel_reports_accuracy_against_chance(assert_fits) -> None:  # type: ignore[no-untyped-def]
    panel = idm_panel(background=False, pre_demo_steps=300, **{"idm.epochs": 4})
    panel.run()
    assert len(panel.last.history) == 4 and panel.last.evals == {}
    assert "on the expert's" in panel.summary and "chance: 50%" in panel.summary
    assert set(panel.curves._axes) == {"loss", "accuracy"}
    assert_fits(panel.curves)


def test_bco_and_compare_panels_use_the_same_demos(assert_fits) -> None:  # type: ignore[no-untyped-def]
    bco = bco_panel(background=False, pre_demo_steps=300, **{"idm.epochs": 3, "bc.epochs": 3})
    bco.run()
    assert "BCO used 300 environment steps" in bco.summary and "normalised score" in bco.summary
    assert bco.curves._group_x["return"] == "env/steps"

    compare = compare_panel(background=False, pre_demo_steps=300, **{"idm.epochs": 3, "bc.epochs": 5})
    compare.run()
    assert set(compare.last.evals) == {"BC", "BCO"}
    assert "BC: return" in compare.summary and "BCO: return" in compare.summary
    drawn = {k for k, c in compare.curves._curves.items() if c.xs}
    assert drawn == {("BC", "loss/bc"), ("BCO", "loss/bc"), ("BC", "eval/return_mean"), ("BCO", "eval/return_mean"),
                     ("BCO", "acc/idm_demo")}, "the policies' training side by side, and how well BCO's labels are"
    assert compare.curves._curves[("BCO", "loss/bc")].xs == [1, 2, 3, 4, 5], "BC epochs of both learners"
    assert compare.curves._curves[("BC", "loss/bc")].color != compare.curves._curves[("BCO", "loss/bc")].color
    legend = [t.get_text() for t in compare.curves._axes["policy_loss"].get_legend().get_texts()]
    assert legend == ["BC", "BCO"]
    assert_fits(bco.curves)
    assert_fits(compare.curves)


def test_bco_panel_tells_the_story_of_each_iteration() -> None:
    """(a) each phase's loss against the epoch of that phase, one line per iteration; (b) the return and (c) the
    IDM's accuracy on its own held-out transitions and on the expert's, against environment steps."""
    panel = bco_panel(background=False, pre_demo_steps=300, alpha=1.0, iterations=1, **{"idm.epochs": 3, "bc.epochs": 4})
    panel.run()
    curves, history = panel.curves, panel.last.history
    assert list(curves._axes) == ["idm_loss", "bc_loss", "return", "labels"]
    assert curves._curves[("", "loss/idm")].xs == [1, 2, 3] and curves._curves[("", "loss/bc")].xs == [1, 2, 3, 4]
    assert sorted(len(c.xs) for c in curves._earlier) == [3, 4], "iteration 0's lines, drawn faded"
    assert curves._axes["bc_loss"].get_xlim()[1] < 5, "the BC axis spans one phase, not every iteration's epochs"
    assert curves._curves[("", "eval/return_mean")].xs == [300, 600]
    held_out, on_expert = curves._curves[("", "acc/idm")], curves._curves[("", "acc/idm_demo")]
    assert held_out.xs == on_expert.xs == [300, 600]
    assert held_out.ys == [row["acc/idm"] for row in history] and on_expert.ys == [row["acc/idm_demo"] for row in history]
    legend = [t.get_text() for t in curves._axes["labels"].get_legend().get_texts()]
    assert legend == ["IDM accuracy, held-out agent transitions", "IDM accuracy on the expert's transitions"]
    assert curves._axes["labels"].get_xlabel().startswith("environment steps")


def test_results_name_only_the_settings_that_matter() -> None:
    """With α = 0 (BCO(0)) the iterations do nothing: greyed out, and not named in the result."""
    panel = bco_panel(background=False, pre_demo_steps=200, alpha=0.0, **{"idm.epochs": 1, "bc.epochs": 1})
    assert panel.controls["iterations"].disabled
    panel.run()
    assert "alpha=0" in panel.summary and "iterations" not in panel.summary and "explore" not in panel.summary
    panel.set(alpha=0.5)
    assert not panel.controls["iterations"].disabled
    assert "iterations=5" in panel._shown_values(panel.values())
    compare = compare_panel(background=False, autorun=False, alpha=0.0)
    assert compare.controls["iterations"].disabled and not any(
        v.startswith("iterations") for v in compare._shown_values(compare.values()))


def test_reinforce_panel_counts_environment_steps() -> None:
    panel = reinforce_panel(background=False, total_steps=600, episodes_per_iter=4)
    panel.run()
    steps = int(panel.last.history[-1]["env/steps"])
    assert steps >= 600 and f"REINFORCE used {steps:,} environment steps" in panel.summary
    assert panel.progress.value == panel.progress.max == 600


def test_displaying_a_panel_trains_once_and_adds_a_static_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    panel = bc_panel(epochs=3)
    panel._ipython_display_()
    widget, static = shown
    assert widget is panel.widget and len(panel.runs) == 1
    bundle = static._repr_mimebundle_()
    assert "data:image/png;base64," in bundle["text/html"] and "normalised score" in bundle["text/plain"]
    assert f"bcolearn-static-{panel._uid}" in bundle["text/html"]
    assert f".bcolearn-static-{panel._uid} {{display: none;}}" in panel.widget.children[-1].value, \
        "the live panel must hide the copy"
    panel._ipython_display_()  # shown again: no second training run
    assert len(panel.runs) == 1


def test_demo_notebook_runs_top_to_bottom_on_a_kernel(tmp_path: Path) -> None:
    """As nbval and nbconvert run it: the panel trains once; the saved outputs carry a static copy."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    panel_outputs = nb.cells[2].outputs
    kinds = [set(o.get("data", {})) for o in panel_outputs]
    assert "application/vnd.jupyter.widget-view+json" in kinds[0]
    static = panel_outputs[1]["data"]
    assert "data:image/png;base64," in static["text/html"] and "Run 1 on CartPole-v1" in static["text/plain"]
    animation = nb.cells[3].outputs[0]["data"]["text/html"]
    assert "return 150" in animation and "data:image/jpeg;base64," in animation


def test_continuous_actions_report_the_action_error(assert_fits) -> None:  # type: ignore[no-untyped-def]
    idm = idm_panel("Pendulum-v1", background=False, pre_demo_steps=300, **{"idm.epochs": 2})
    idm.run()
    assert "mean absolute action error" in idm.summary and "range over -2 to 2 N·m" in idm.summary
    assert idm.summary.count("N·m") == 3, "every error has its unit"
    assert set(idm.curves._axes) == {"loss", "error"}
    assert idm.curves._axes["error"].get_ylabel() == "mean absolute error (N·m)"
    assert_fits(idm.curves)
    bco = bco_panel("Pendulum-v1", background=False, pre_demo_steps=300, **{"idm.epochs": 2, "bc.epochs": 2})
    bco.run()
    assert "mean action error on the expert's transitions" in bco.summary and "normalised score" in bco.summary
    assert re.search(r"expert's transitions was \d\.\d+ N·m", bco.summary)
    legend = [t.get_text() for t in bco.curves._axes["labels"].get_legend().get_texts()]
    assert legend == ["IDM action error, held-out agent transitions", "IDM action error on the expert's transitions"]
    assert "N·m" in bco.curves._axes["labels"].get_ylabel()
    assert_fits(bco.curves)
