"""Self-checks for the learners' exercises: each says what is right, or what is wrong and why.

Every check returns a :class:`CheckResult` (shown as a short green or red line in a notebook) and
never raises on a wrong answer, so a learner can try again. Tested with a right and a wrong answer
in tests/test_checks*.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check."""

    passed: bool
    message: str

    def __str__(self) -> str:
        return ("✅ " if self.passed else "❌ ") + self.message

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        return f'<div style="color:{colour};font-weight:600">{self}</div>'

    def __bool__(self) -> bool:
        return self.passed


def passed(message: str) -> CheckResult:
    """A passing result."""
    return CheckResult(True, message)


def failed(message: str) -> CheckResult:
    """A failing result, whose message says what is wrong and how to fix it."""
    return CheckResult(False, message)


# --- notebooks 01–03 -------------------------------------------------------------------------------


# --- notebooks 04–06 -------------------------------------------------------------------------------
