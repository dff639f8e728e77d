"""The self-check of notebook 08, with the right answer and each kind of wrong one."""

from __future__ import annotations

import numpy as np
import pytest

from bcolearn.checks import check_gaifo_reward


@pytest.mark.parametrize("fn", [lambda d: np.log(d) - np.log(1 - d), lambda d: np.log(d / (1 - d)),
                                lambda d: [float(np.log(x / (1 - x))) for x in d]])
def test_right(fn):
    result = check_gaifo_reward(fn)
    assert result and "Right" in str(result)


@pytest.mark.parametrize(
    ("fn", "hint"),
    [
        (lambda d: -np.log(1 - d), "survival-biased"),
        (lambda d: np.log(d), "end episodes"),
        (lambda d: np.log(1 - d) - np.log(d), "sign is flipped"),
        (lambda d: d, "probability"),
        (lambda d: d / (1 - d), "odds"),
        (lambda d: np.log10(d) - np.log10(1 - d), "log10"),
        (lambda d: 2 * (np.log(d) - np.log(1 - d)), "Nearly"),
        (lambda d: np.mean(np.log(d) - np.log(1 - d)), "shape"),
        (lambda d: np.log(d - 0.5), "NaN"),
        (lambda d: np.zeros_like(d), "expected"),
        (lambda d: 1 / 0, "ZeroDivisionError"),
        (lambda d: ..., "placeholder"),
        (lambda d: None, "return statement"),
        (lambda d: "high", "NumPy array"),
    ],
)
def test_wrong(fn, hint):
    result = check_gaifo_reward(fn)
    assert not result
    assert hint in result.message


def test_not_a_function():
    assert "without calling it" in check_gaifo_reward(np.zeros(3)).message
