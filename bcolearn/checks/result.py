"""What a self-check returns, "not answered yet", strict mode for CI, and partial-credit rubrics.

A check returns a :class:`CheckResult`: ✅ passed, ❌ failed (the message says what is wrong and how to
fix it), or ✏️ not answered yet (the learner's cell still holds the student edition's placeholder:
``...`` or ``raise NotImplementedError``). A learner's wrong answer never raises, so Run All goes on.

**Strict mode.** With the environment variable ``BCOLEARN_STRICT_CHECKS=1`` (CI sets it), a check
that *fails* raises an :class:`AssertionError` carrying its message, so a wrong reference solution in
a committed notebook fails the nbval run. "Not answered yet" never raises, so the student edition runs
top to bottom under strict mode too (and a placeholder that made a check *fail* would be caught).
With ``BCOLEARN_STRICT_CHECKS=grade`` (for autograding, e.g. with nbgrader) a check also raises while
the answer is not given, so that only a passing check cell runs without an error.

Taught (used) in every notebook's exercises; the student edition is built by :mod:`bcolearn.course`.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

STRICT_ENV = "BCOLEARN_STRICT_CHECKS"
"""The environment variable that turns strict mode on ("1", "true" or "yes")."""

NOT_ANSWERED = "Not answered yet"
"""How every "not answered yet" message starts (the student edition's run looks for it)."""


def strict_mode() -> bool:
    """True when ``BCOLEARN_STRICT_CHECKS`` asks failing checks to raise (as CI does, and grading)."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "grade"}


def grading_mode() -> bool:
    """True when ``BCOLEARN_STRICT_CHECKS=grade``: a check that does not pass raises, even "not answered yet"."""
    return os.environ.get(STRICT_ENV, "").strip().lower() == "grade"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check, shown as a short coloured line in a notebook.

    ``bool(result)`` is True only for a pass. Used in every notebook's exercises.
    """

    passed: bool
    """Whether the answer is right."""
    message: str
    """What is right, or what is wrong and how to fix it."""
    answered: bool = field(default=True)
    """False while the cell still holds the student edition's placeholder (then ``passed`` is False)."""

    def __post_init__(self) -> None:
        if self.passed and not self.answered:
            raise ValueError("A CheckResult cannot pass without an answer; use passed=False, answered=False.")

    @property
    def icon(self) -> str:
        """✅, ❌ or ✏️ (not answered yet)."""
        return "✅" if self.passed else ("❌" if self.answered else "✏️")

    def __str__(self) -> str:
        return f"{self.icon} {self.message}"

    def __repr__(self) -> str:
        extra = "" if self.answered else ", answered=False"
        return f"CheckResult(passed={self.passed!r}, message={self.message!r}{extra})"

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else ("#cf222e" if self.answered else "#6e7781")
        return f'<div style="color:{colour};font-weight:600">{self}</div>'

    def __bool__(self) -> bool:
        return self.passed


def passed(message: str) -> CheckResult:
    """A passing result."""
    return CheckResult(True, message)


def failed(message: str) -> CheckResult:
    """A failing result, whose message says what is wrong and how to fix it."""
    return CheckResult(False, message)


def not_answered(what: str = "replace the placeholder with your code, then run this check again.") -> CheckResult:
    """The friendly result for a placeholder that the learner has not replaced yet."""
    return CheckResult(False, f"{NOT_ANSWERED}: {what}", answered=False)


def enforce(result: CheckResult) -> CheckResult:
    """Return ``result``; in strict mode raise :class:`AssertionError` with its message if it failed.

    Raises:
        AssertionError: in strict mode, for an answered, failing result; in grading mode, for any result
            that did not pass.
    """
    if grading_mode() and not result.passed:
        raise AssertionError(f"{result} (grading: {STRICT_ENV}=grade)")
    if strict_mode() and result.answered and not result.passed:
        raise AssertionError(f"{result} (strict checks: {STRICT_ENV}=1)")
    return result


F = TypeVar("F", bound=Callable[..., CheckResult])


def check(fn: F) -> F:
    """Decorate a public check so that its result goes through :func:`enforce` (strict mode)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
        return enforce(fn(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def run_learner_code(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, CheckResult | None]:
    """Call the learner's function; turn an exception, a placeholder or a missing return into a result.

    Returns:
        ``(output, None)`` when the call returned something, else ``(None, result)`` where ``result`` is
        "not answered yet" (``NotImplementedError``, or ``...`` returned) or a failure naming the error.
    """
    if fn is Ellipsis:
        return None, not_answered()
    if not callable(fn):
        return None, failed(f"Pass your function itself (without calling it), got a {type(fn).__name__}.")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        return None, not_answered("replace `raise NotImplementedError(...)` with your code, then run this "
                                  "check again.")
    except Exception as exc:  # noqa: BLE001 - any error in a learner's code is reported, never raised
        return None, failed(f"Your function raised {type(exc).__name__}: {exc}")
    return out, unfinished(out, "Your function returned")


def unfinished(value: Any, what: str = "Your answer is") -> CheckResult | None:
    """"Not answered yet" for a placeholder (``...``), a failure for a missing ``return`` (None); else None."""
    if value is Ellipsis:
        return not_answered(f"{what} ... (Ellipsis): replace the ... placeholder with your code.")
    if value is None:
        return failed(f"{what} None: did you forget a return statement, or to assign the variable?")
    return None


def match_answer(value: float, expected: float, right: str,
                 mistakes: Sequence[tuple[float, float, str]] = (), tol: float = 1e-3) -> CheckResult | None:
    """Passed (``right``) when ``value`` is ``expected``; failed with the message of the first known mistake it
    matches, each given as (the value that mistake gives, its tolerance, what to say); else None (no verdict)."""
    if abs(value - expected) < tol:
        return passed(right)
    for wrong, tolerance, message in mistakes:
        if abs(value - wrong) < tolerance:
            return failed(message)
    return None


def as_number(answer: Any, what: str) -> tuple[float, CheckResult | None]:
    """The learner's answer as one float, or a result for a placeholder or a non-number."""
    problem = unfinished(answer)
    if problem is not None:
        return math.nan, problem
    try:
        return float(answer), None
    except (TypeError, ValueError):
        return math.nan, failed(f"Give {what} as one number, got {type(answer).__name__}.")


class Rubric:
    """Partial credit: named criteria, each met or not, summed up in one result.

    The message lists every criterion, e.g. ``"loss decreases ✔, uses minibatches ✔, reaches 500 ✘"``,
    then says what to fix for each one that is not met. Used by the assignments of notebooks 03–05.
    """

    def __init__(self) -> None:
        self.items: list[tuple[str, bool, str]] = []

    def add(self, name: str, ok: bool, fix: str = "") -> bool:
        """Record criterion ``name``; ``fix`` says what to change when it is not met. Returns ``ok``."""
        self.items.append((name, bool(ok), fix))
        return bool(ok)

    @property
    def score(self) -> tuple[int, int]:
        """(criteria met, criteria recorded)."""
        return sum(ok for _, ok, _ in self.items), len(self.items)

    def result(self, praise: str) -> CheckResult:
        """A pass with ``praise`` if every criterion is met, else a failure saying what to fix."""
        summary = ", ".join(f"{name} {'✔' if ok else '✘'}" for name, ok, _ in self.items)
        got, total = self.score
        if got == total:
            return passed(f"{summary} ({got}/{total}). {praise}")
        fixes = " ".join(f"{name}: {fix}" for name, ok, fix in self.items if not ok and fix)
        return failed(f"{summary} ({got}/{total}). {fixes}")
