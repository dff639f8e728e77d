"""Tests of bcolearn.plotting.style: metric groups, labels, colours and the task tables' accessors."""

from __future__ import annotations

from matplotlib.colors import to_hex

from bcolearn.plotting import METRICS, action_unit, metric_color, metric_group, metric_label, state_name


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


def test_metrics_have_readable_labels_and_colours_apart_from_the_reference_lines() -> None:
    reference_colours = {to_hex("C2"), to_hex("C7")}  # the expert's and the random policy's lines
    for key in ("loss/bc", "loss/idm", "loss/reinforce", "eval/return_mean", "train/return_mean", "acc/idm",
                "acc/idm_demo", "err/idm", "err/idm_demo"):
        assert key in METRICS and "/" not in metric_label(key), key
        assert to_hex(metric_color(key)) not in reference_colours, key
    assert metric_label("custom/thing") == "custom/thing", "unknown metrics keep their key"
    assert metric_color("custom/thing") == metric_color("custom/thing")
    assert to_hex(metric_color("custom/thing")) not in reference_colours


def test_task_tables_answer_through_their_accessors() -> None:
    assert action_unit("Pendulum-v1") == "N·m" and action_unit("CartPole-v1") == action_unit(None) == "action units"
    assert state_name("CartPole-v1", 2) == "pole angle (rad)"
    assert state_name("CartPole-v1", 9) == state_name(None, 9) == "observation dimension 9"
