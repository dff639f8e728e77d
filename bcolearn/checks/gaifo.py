"""Self-checks for notebook 08's exercises (GAIfO). Part of :mod:`bcolearn.checks`.

Each check returns a :class:`~bcolearn.checks.CheckResult` and never raises on a wrong answer.
Tested with right and wrong answers in tests/test_checks_gaifo.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bcolearn.checks.result import CheckResult, check, failed, passed
from bcolearn.checks.result import run_learner_code as _run_learner_code

_D = np.array([0.02, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98])
"""Discriminator outputs the reward check tries (away from 0 and 1, where the logarithms blow up)."""


@check
def check_gaifo_reward(fn: Callable[[np.ndarray], Any]) -> CheckResult:
    """Notebook 08, exercise 1: ``fn(d)`` returns the signed reward log D − log(1 − D) for each D.

    Args:
        fn: the learner's function; ``d`` is a NumPy array of discriminator outputs in (0, 1), shape (N,).
    """
    out, error = _run_learner_code(fn, _D.copy())
    if error is not None:
        return error
    try:
        r = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return failed(f"Your function returned {type(out).__name__}; return a NumPy array, one reward per D.")
    if r.shape != _D.shape:
        return failed(f"For {len(_D)} values of D your function returned shape {r.shape}; return one reward "
                      f"per value, shape ({len(_D)},) (work element-wise, e.g. with np.log, no sum or mean).")
    if not np.all(np.isfinite(r)):
        return failed("Your rewards contain NaN or infinity for D strictly between 0 and 1: check the logarithms.")
    right = np.log(_D) - np.log(1 - _D)
    if np.allclose(r, right, atol=1e-6):
        return passed("Right: r = log D − log(1 − D), the discriminator's logit. It is positive where the "
                      "transition looks like the expert's (D > ½), negative where it does not, 0 at D = ½.")
    known = {
        "survival": -np.log(1 - _D),
        "log_d": np.log(_D),
        "flipped": np.log(1 - _D) - np.log(_D),
        "prob": _D,
        "ratio": _D / (1 - _D),
        "log10": np.log10(_D) - np.log10(1 - _D),
    }
    hints = {
        "survival": "That is −log(1 − D), the survival-biased reward: it is positive for every step, so it pays "
                    "for staying alive whatever the learner does. Subtract log(1 − D) from log D instead.",
        "log_d": "That is log D alone: it is negative for every step, so it pays the learner to end episodes "
                 "early. Subtract log(1 − D) as well.",
        "flipped": "The sign is flipped: your reward is high where the discriminator says 'learner'. Use "
                   "log D − log(1 − D).",
        "prob": "That is D itself, a probability. The reward is its log-odds, log D − log(1 − D).",
        "ratio": "That is the odds D / (1 − D); take its logarithm.",
        "log10": "Use the natural logarithm (np.log), not log10: the discriminator's logit is in nats.",
    }
    for name, value in known.items():
        if np.allclose(r, value, atol=1e-6):
            return failed(hints[name])
    if np.allclose(r[_D == 0.5], 0.0, atol=1e-6) and np.all(np.sign(r) == np.sign(right)):
        return failed("Nearly: the sign is right (0 at D = ½, positive above), but the values are not "
                      "log D − log(1 − D); check both logarithms.")
    i = int(np.argmax(np.abs(r - right)))
    return failed(f"For D = {_D[i]} your reward is {r[i]:.4g}; expected log D − log(1 − D) = {right[i]:.4g}.")
