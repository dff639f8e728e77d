"""Tests of bcolearn.plotting.book: rows in, lines out; the run rules and the iteration rules."""

from __future__ import annotations

import pytest
from matplotlib.colors import to_hex

from bcolearn.plotting import CurveAxes, CurveBook

BCO_LAYOUT = (CurveAxes("idm_loss", ("loss/idm",), "epoch", "IDM training", split="bco/iteration"),
              CurveAxes("labels", ("acc/idm", "acc/idm_demo"), "env/steps", "IDM accuracy"))


def bc_rows(n: int = 20, scale: float = 1.0) -> list[dict[str, float]]:
    """Rows as train_bc reports them with eval_every=5."""
    return [{"epoch": e, "loss/bc": scale * 0.6 / e, **({"eval/return_mean": 100.0 * e / 5} if e % 5 == 0 else {})}
            for e in range(1, n + 1)]


def test_rows_become_lines_with_labels_and_colours() -> None:
    book = CurveBook(("loss/bc", "eval/return_mean"), x="epoch")
    for row in bc_rows(10):
        book.record("", row)
    loss, ret = book.line("loss/bc"), book.line("eval/return_mean")
    assert loss.xs == tuple(range(1, 11)) and loss.ys == tuple(0.6 / e for e in range(1, 11))
    assert ret.xs == (5, 10) and ret.marker == "o", "returns are drawn with markers"
    assert (loss.label, to_hex(loss.color), loss.axes, loss.role) == ("BC loss", to_hex("C0"), "loss", "current")
    assert book.groups() == ["loss", "return"] and book.x_key("loss") == "epoch"
    assert [e.label for e in book.legend("return")] == ["evaluation return (mean over test episodes)"]
    assert book.rows[""] == bc_rows(10)


def test_known_keys_give_empty_lines_before_training() -> None:
    book = CurveBook(("loss/bc", "eval/return_mean"), x="epoch", sources=("BC", "BCO"))
    assert {(line.source, line.key) for line in book.lines()} == {
        (s, k) for s in ("BC", "BCO") for k in ("loss/bc", "eval/return_mean")}
    assert all(line.xs == () for line in book.lines())


def test_generic_over_keys_and_x() -> None:
    """REINFORCE-style rows: drawn against environment steps; unknown metrics go to 'other'."""
    book = CurveBook(x="env/steps")
    for i in range(1, 6):
        book.record("", {"iteration": i, "env/steps": 200 * i, "loss/reinforce": -0.01 * i,
                         "train/return_mean": 20.0 * i, "train/terminations": 8})
    assert book.groups() == ["loss", "return", "other"]
    assert book.line("train/return_mean").xs == (200, 400, 600, 800, 1000)


def test_sources_label_curves_and_continue_restarting_epochs() -> None:
    book = CurveBook(x="epoch")
    for _ in range(2):  # two BCO(α) iterations: the IDM restarts from epoch 1
        for e in range(1, 4):
            book.record("BCO", {"bco/iteration": 0, "epoch": e, "loss/idm": 1.0 / e, "loss/bc": 0.5})
    book.record("BC", {"epoch": 1, "loss/bc": 0.5})
    idm, bcos_bc, bc = book.line("loss/idm", "BCO"), book.line("loss/bc", "BCO"), book.line("loss/bc", "BC")
    assert idm.xs == (1, 2, 3, 4, 5, 6)
    assert [e.label for e in book.legend("loss")] == ["BCO: IDM loss", "BCO: BC loss", "BC: BC loss"]
    # Learners side by side are told apart by colour; a learner's second metric in an axes by its line style.
    assert idm.color == bcos_bc.color != bc.color and idm.style != bcos_bc.style
    book.record("DAgger", {"epoch": 1, "loss/bc": 0.4})  # a learner without a colour of its own gets a free one
    assert book.line("loss/bc", "DAgger").color not in {idm.color, bc.color, "C2", "C7"}


def test_a_new_run_keeps_the_previous_one_faded() -> None:
    book = CurveBook(("loss/bc", "eval/return_mean"), x="epoch")
    for row in bc_rows(20):
        book.record("", row)
    book.new_run()
    previous = book.lines("previous")
    assert [line.label for line in previous] == ["BC loss", "evaluation return (mean over test episodes)"]
    assert all(line.alpha < 0.5 and line.ls == "--" for line in previous)
    assert book.line("loss/bc").xs == () and book.rows == {}
    assert [e.label for e in book.legend("loss")] == ["BC loss", "previous run"]
    book.new_run(keep_previous=False)
    assert book.lines("previous") == ()


def test_layout_splits_lines_per_iteration_and_fades_the_earlier_ones() -> None:
    """BCO(α) trains its IDM again in every iteration: each phase is drawn from its own epoch 1."""
    book = CurveBook(layout=BCO_LAYOUT)
    for it, steps in enumerate((300, 600)):
        for e in range(1, 4):
            book.record("", {"bco/iteration": it, "epoch": e, "loss/idm": 1.0 / e, "acc/idm": 0.9})  # not here
        book.record("", {"bco/iteration": it, "env/steps": steps, "loss/idm": 0.3, "acc/idm": 0.95,
                         "acc/idm_demo": 0.6 + it / 10})
    (earlier,), latest = book.lines("earlier"), book.line("loss/idm")
    assert earlier.xs == latest.xs == (1, 2, 3) and (earlier.split, latest.split) == (0, 1)
    assert earlier.alpha < 0.5 and latest.alpha == 1.0 and earlier.color == latest.color
    assert book.line("acc/idm_demo").xs == (300, 600)
    assert book.line("acc/idm").ys == (0.95, 0.95), "per-epoch accuracies belong to another x"
    assert [e.label for e in book.legend("idm_loss")] == ["IDM loss, iteration 1", "earlier iterations"]
    book.new_run()
    assert {line.axes for line in book.lines("previous")} == {"labels"}, \
        "split axes draw no previous run (their earlier iterations are faded already)"
    assert book.lines("earlier") == ()


def test_layout_rules_are_checked() -> None:
    with pytest.raises(ValueError, match="one kind"):
        CurveAxes("mixed", ("loss/idm", "acc/idm"), "epoch", "mixed")
    with pytest.raises(ValueError, match="only one axes"):
        CurveBook(layout=(CurveAxes("a", ("loss/idm",), "epoch", "a"), CurveAxes("b", ("loss/idm",), "epoch", "b")))
    book = CurveBook(layout=(CurveAxes("bco", ("loss/bc",), "epoch", "BCO only", sources=("BCO",)),))
    book.record("BC", {"epoch": 1, "loss/bc": 1.0})
    assert book.line("loss/bc", "BC") is None, "an axes with sources draws only theirs"
