"""The small frozen records a panel is declared with, and what a run records.

A training panel (:class:`bcolearn.widgets.TrainingPanel`) answers three questions with specs, for given
settings: how far a run goes (:class:`ProgressSpec`), what its figure shows (:class:`CurvesSpec`) and which
controls have no effect (:class:`ControlsSpec`); its ``train`` returns a :class:`TrainOutput`, and every
press of Run is recorded as a :class:`PanelRun`. Used by every panel (notebooks 01, 03–06).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from bcolearn.config import Callback, ParamValue, param, validate
from bcolearn.evaluation import EvalResult, format_score
from bcolearn.experts import EXPERTS, REFERENCE_RETURNS
from bcolearn.plotting import CurveAxes
from bcolearn.rollout import Policy
from bcolearn.training import History

__all__ = ["PanelSettings", "ProgressSpec", "CurvesSpec", "ControlsSpec", "Trained", "TrainOutput", "PanelRun",
           "Report", "describe_return", "ConfigT"]

ConfigT = TypeVar("ConfigT")
"""A panel's config dataclass (``BCConfig``, ``BCOConfig``…)."""

Report = Callable[[str], list[Callback]]
"""``report(label)``: the callbacks for one learner's metrics (``""`` for a panel of one learner)."""


@dataclass(frozen=True)
class PanelSettings:
    """Settings of a panel that are not hyperparameters of the algorithm."""

    env_id: str = param("CartPole-v1", "the task (one with a bundled expert)", choices=tuple(EXPERTS))
    """The Gymnasium task."""
    n_demos: int = param(1, "expert episodes recorded as demonstrations", low=1, high=100)
    """Number of expert episodes the learner imitates."""
    seed: int = param(0, "seeds the demonstrations, the networks and the minibatches", low=0, high=2**31 - 1)
    """One seed for everything random in a run."""
    eval_episodes: int = param(20, "episodes used to evaluate the trained policy", low=2, high=1000)
    """Episodes of the final evaluation (mean, 95 % CI, normalised score)."""

    def __post_init__(self) -> None:
        validate(self)


@dataclass(frozen=True)
class ProgressSpec:
    """How far a run goes: the progress bar's budget and what one unit of it is."""

    total: int
    """Units the run will report, e.g. the epochs planned."""
    unit: str = "epochs"
    """What one unit is, in words (plural), e.g. ``"environment steps"``."""
    key: str = "epoch"
    """Rows with this key advance the bar."""
    by_value: bool = False
    """The bar goes to the key's value (``env/steps``) rather than one step per row."""


@dataclass(frozen=True)
class CurvesSpec:
    """What the live figure shows (see :class:`bcolearn.plotting.LiveCurves`)."""

    keys: tuple[str, ...] | None = None
    """The metrics drawn (None: every metric that has a group)."""
    x: str | Mapping[str, str] = "epoch"
    """The x key (or one per group)."""
    layout: tuple[CurveAxes, ...] | None = None
    """The axes laid out by hand (then ``keys`` and ``x`` are not used)."""
    x_max: float | Mapping[str, float] | None = None
    """The expected x range (per group or layout axes), so that the axes start that wide."""
    figsize: tuple[float, float] = (10.0, 4.0)
    """The figure's size in inches."""
    ncols: int | None = None
    """Axes per row (None: all in one row)."""
    sources: tuple[str, ...] = ("",)
    """The learners whose legend entries are drawn before training (the labels ``train`` reports under)."""


@dataclass(frozen=True)
class ControlsSpec:
    """Which controls have no effect with the current values: greyed out, and not named in the result."""

    disabled: frozenset[str] = frozenset()
    """Controls that do nothing now (e.g. ``iterations`` while α = 0)."""
    named: Mapping[str, str] = field(default_factory=dict)
    """What the result says instead for some controls, e.g. ``{"continuous_loss": "loss=cross-entropy"}``."""


class Trained(Protocol):
    """What a train function returns (a TrainResult, IDMResult, BCOResult…): it has a history."""

    @property
    def history(self) -> History: ...


class TrainedPolicy(Trained, Protocol):
    """A train function's result with a policy, which the panel evaluates."""

    @property
    def policy(self) -> Policy: ...


@dataclass(frozen=True)
class TrainOutput:
    """What a panel's ``train`` returns; the base class evaluates the policies and writes the result lines."""

    results: Mapping[str, Trained]
    """What each train function returned, by label (``"BC"``, ``"BCO"``…), in the order shown."""
    evaluate: tuple[str, ...] = ()
    """The labels whose ``policy`` the panel evaluates (each gets a :func:`describe_return` line)."""
    notes: tuple[str, ...] = ()
    """Further result lines (HTML), after the returns."""


@dataclass(frozen=True)
class PanelRun(Generic[ConfigT]):
    """One press of Run: the settings used, read once when Run was pressed, and what came out."""

    values: Mapping[str, ParamValue]
    """The value of every control, by name."""
    settings: PanelSettings
    """The panel settings used (task, demos, seed, evaluation episodes)."""
    config: ConfigT
    """The config trained with."""
    results: Mapping[str, Trained]
    """What each train function returned, by label."""
    evals: Mapping[str, EvalResult]
    """The final evaluation of each trained policy, by label (empty for the IDM panel)."""
    lines: tuple[str, ...]
    """The result lines shown (HTML)."""
    stopped: bool
    """True if Stop ended training early."""
    seconds: float
    """Wall-clock time of the run."""
    progress: int
    """Units done (epochs, or environment steps for REINFORCE), as the run's rows report them."""
    total: int
    """Units planned."""
    unit: str
    """What a unit is, e.g. ``"epochs"``."""

    @property
    def history(self) -> History:
        """The history of the first (or only) result."""
        return next(iter(self.results.values())).history


def describe_return(label: str, result: EvalResult) -> str:
    """One line of HTML: the mean return with its 95 % CI, and the normalised score in context.

    Used by every panel; taught in notebook 06.

    Args:
        label: which policy, e.g. ``"BC"``.
        result: its evaluation.

    Returns:
        E.g. "BC: return 487.3 (95 % CI 462.0 to 500.0, 20 episodes) · normalised score 0.98
        (random policy 20.1 = 0, expert 500 = 1)".
    """
    text = (f"<b>{html.escape(label)}</b>: return <b>{result.mean:.1f}</b> (95 % CI {result.ci_low:.1f} to "
            f"{result.ci_high:.1f}, {len(result.returns)} episodes)")
    ref = REFERENCE_RETURNS.get(result.env_id)
    if result.score is not None and ref is not None:
        text += (f" · normalised score <b>{format_score(result.score)}</b> "  # references with one decimal, as the return
                 f"(random policy {round(ref.random, 1):g} = 0, expert {round(ref.expert, 1):g} = 1)")
    return text
