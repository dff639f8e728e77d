"""Tests of bcolearn.widgets.controls and the dotted config paths of bcolearn.config it builds on."""

from __future__ import annotations

import ipywidgets as w
import pytest

from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig
from bcolearn.config import bounds_text, field_at, get_path, hyperparameters, replace_path
from bcolearn.reinforce import ReinforceConfig
from bcolearn.widgets import PanelSettings, config_controls


def test_controls_are_built_from_config_fields_with_the_fields_bounds() -> None:
    controls = config_controls(BCConfig(), ["epochs", "lr", "continuous_loss", "eval_every", "hidden_size"])
    epochs, lr, loss, every, hidden = controls.values()
    assert isinstance(epochs, w.IntSlider) and (epochs.min, epochs.max, epochs.value) == (1, 1000, 40)
    assert isinstance(lr, w.FloatLogSlider) and (lr.min, lr.max) == (-5, 0)  # log10 of the field's bounds
    assert isinstance(loss, w.Dropdown) and loss.options == ("mse", "nll")
    assert isinstance(every, w.IntSlider) and (every.min, every.max) == (0, 1000)
    assert isinstance(hidden, w.IntSlider) and (hidden.min, hidden.max) == (1, 1024)
    for name, control in controls.items():
        assert control.description == name
        assert control.tooltip == BCConfig.__dataclass_fields__[name].metadata["doc"]
        assert getattr(control, "continuous_update", False) is False


def test_ranges_too_wide_for_a_slider_get_an_unbounded_text_box() -> None:
    """A text box that cannot clamp: the panel sees the typed value and refuses it aloud (test_widgets_base)."""
    seed = config_controls(PanelSettings(), ["seed"])["seed"]
    steps = config_controls(ReinforceConfig(), ["total_steps"])["total_steps"]
    batch = config_controls(BCConfig(), ["batch_size"])["batch_size"]
    for box in (seed, steps, batch):
        assert isinstance(box, w.IntText) and box.continuous_update is False
    batch.value = 10**9
    assert batch.value == 10**9, "a text box keeps what was typed (the panel, not the box, decides)"


def test_nested_config_fields_and_unknown_names() -> None:
    controls = config_controls(BCOConfig(), ["alpha", "idm.epochs", "bc.lr"])
    assert [c.description for c in controls.values()] == ["alpha", "idm.epochs", "bc.lr"]
    assert isinstance(controls["alpha"], w.FloatSlider) and (controls["alpha"].min, controls["alpha"].max) == (0, 10)
    assert controls["idm.epochs"].value == 30
    with pytest.raises(ValueError, match="no hyperparameter 'epoch'"):
        config_controls(BCConfig(), ["epoch"])


def test_dotted_paths_read_and_replace_nested_fields() -> None:
    config = BCOConfig()
    paths = hyperparameters(config)
    assert paths[:2] == ("pre_demo_steps", "alpha") and "idm.epochs" in paths and "bc.lr" in paths
    assert get_path(config, "idm.epochs") == 30 and field_at(config, "bc.lr").metadata["log"] is True
    new = replace_path(config, "idm.epochs", 3)
    assert new.idm.epochs == 3 and config.idm.epochs == 30 and new.bc == config.bc
    assert bounds_text(field_at(config, "idm.epochs")) == "from 1 to 1000"
    assert bounds_text(field_at(config, "idm.input_mode")) == "one of 'delta', 'concat'"


@pytest.mark.parametrize(("path", "value", "words"), [
    ("bc.epochs", 5000, "a whole number from 1 to 1000"),
    ("bc.lr", -1, "a number from 1e-05 to 1"),
    ("bc.batch_size", 0, "from 1 to 100000"),
    ("iterations", 2.7, "a whole number from 1 to 100"),
    ("idm.input_mode", "pixels", "one of 'delta', 'concat'"),
    ("alpha", True, "a number from 0 to 10"),
])
def test_replace_path_refuses_and_never_clamps(path: str, value: object, words: str) -> None:
    with pytest.raises(ValueError) as err:
        replace_path(BCOConfig(), path, value)  # type: ignore[arg-type]
    assert f"{path} = {value!r} is not allowed" in str(err.value) and words in str(err.value)
    assert "Nothing was changed" in str(err.value)


def test_an_unknown_dotted_path_lists_the_paths_there_are() -> None:
    with pytest.raises(ValueError, match=r"IDMConfig has no hyperparameter 'epoch'; it has idm\.epochs, idm\.lr"):
        get_path(BCOConfig(), "idm.epoch")
    with pytest.raises(ValueError, match="BCConfig has no hyperparameter 'idm.epochs'; it has epochs, lr"):
        replace_path(BCConfig(), "idm.epochs", 3)
    with pytest.raises(TypeError, match="path is a string"):
        field_at(BCConfig(), 3)  # type: ignore[arg-type]
