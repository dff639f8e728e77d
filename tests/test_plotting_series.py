"""Tests of bcolearn.plotting.series: x keys and a metric's points over training rows."""

from __future__ import annotations

from bcolearn.plotting import series, x_key


def test_restarting_x_values_carry_on() -> None:
    """BCO trains its IDM again from epoch 1 each iteration: drawn one after the other, not on top."""
    rows = [{"epoch": e, "loss/idm": 1.0} for e in (1, 2, 3, 1, 2, 3)] + [{"loss/idm": 0.5}]  # the last: no x
    assert series(rows, "loss/idm", "epoch")[0].tolist() == [1, 2, 3, 4, 5, 6]
    steps = [{"env/steps": s, "eval/return_mean": 1.0} for s in (100, 300, 600)]
    assert series(steps, "eval/return_mean", "env/steps")[0].tolist() == [100, 300, 600]


def test_x_key_as_given_per_group_or_auto() -> None:
    assert x_key("env/steps", "loss") == "env/steps"
    assert x_key({"return": "env/steps", "default": "epoch"}, "loss") == "epoch"
    assert x_key("auto", "loss", {"iteration": 1, "env/steps": 5, "loss/x": 1}) == "iteration"
    assert x_key("auto", "loss", None) is None
