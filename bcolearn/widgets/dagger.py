"""The DAgger panel (notebook 07): the learner acts, the expert labels, BC retrains on everything so far.

A small :class:`~bcolearn.widgets.TrainingPanel` subclass, like those of :mod:`bcolearn.widgets.panels`.
Its figure: the BC loss of each iteration against its epochs (one line per DAgger iteration, the latest
solid, earlier ones faded), and, after each iteration, the return and the share of the evaluation
episodes' states that are off the demonstrations, against the expert labels bought so far. Its result
says what was spent: expert labels, environment steps and complete iterations, also after Stop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bcolearn.config import ParamValue
from bcolearn.dagger import DAggerConfig, DAggerResult
from bcolearn.plotting import CurveAxes
from bcolearn.widgets.panels import expert_demos
from bcolearn.widgets.specs import ControlsSpec, CurvesSpec, PanelSettings, ProgressSpec, Report, TrainOutput
from bcolearn.widgets.trainer import TrainingPanel

__all__ = ["DAggerPanel", "dagger_panel"]


def _max_labels(env_id: str, config: DAggerConfig) -> int:
    """The most expert labels a run can buy: every rollout step of every iteration, to the time limit."""
    from bcolearn.envs import describe_env

    return config.iterations * config.rollout_episodes * (describe_env(env_id).max_episode_steps or 500)


def _dagger_note(result: DAggerResult, settings: PanelSettings, config: DAggerConfig) -> str:
    """What the run spent, read from the result's own counts (after a Stop too)."""
    demo_labels = sum(len(t) for t in result.dataset[: settings.n_demos])
    kept = int(result.history[-1]["expert/labels"]) if result.history else 0
    text = (f"DAgger asked the expert for <b>{result.labels:,}</b> labels on the learner's own states "
            f"({result.env_steps:,} environment steps of rollouts; evaluation episodes not counted), on top of "
            f"the demos' {demo_labels:,}; <b>{result.iterations}</b> of {config.iterations} iterations done")
    if result.labels > kept:
        text += (f" ({result.labels - kept:,} of those labels were bought in the unfinished iteration "
                 f"{result.iterations + 1}, whose policy was not kept)")
    return text + "."


class DAggerPanel(TrainingPanel[DAggerConfig]):
    """DAgger from expert demonstrations, with the bundled expert as the one that labels (notebook 07)."""

    title = "DAgger (Dataset Aggregation)"
    intro = ("BC on the demos, then in each iteration: the learner plays (the expert steers with probability β), "
             "the expert labels every state visited, BC retrains on all labels so far. Left: each iteration's BC "
             "training (earlier ones faded); middle and right: after each iteration, the return and the share of "
             "the learner's states off the demos, against the expert labels bought.")
    config_fields = ("iterations", "rollout_episodes", "beta", "beta_decay", "eval_episodes", "bc.epochs", "bc.lr",
                     "bc.hidden_size")

    def __init__(self, env_id: str = "Pendulum-v1", *, autorun: bool = True, background: bool = True,
                 **defaults: ParamValue) -> None:
        """Build the panel; ``eval_episodes`` given here sets both the evaluation after each iteration and
        the final one (see :func:`dagger_panel`)."""
        self._eval_episodes = defaults.get("eval_episodes")
        super().__init__(env_id, autorun=autorun, background=background, **defaults)

    @classmethod
    def default_config(cls, env_id: str) -> DAggerConfig:
        from bcolearn.dagger import recommended_dagger_config

        config = recommended_dagger_config(env_id)  # BC never evaluates mid-training: one return per iteration
        return dataclasses.replace(config, eval_episodes=5, bc=dataclasses.replace(config.bc, eval_every=0))

    def _config_for(self, env_id: str) -> DAggerConfig:
        config = super()._config_for(env_id)
        n = self._eval_episodes  # a setting of the panel too (the final evaluation), so the base skips it here
        return config if n is None else dataclasses.replace(config, eval_episodes=n)  # type: ignore[arg-type]

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        """β's decay does nothing when β₁ = 0 (the learner always acts) or with one iteration (only β₁ is used)."""
        if values.get("beta") == 0 or values.get("iterations") == 1:
            return ControlsSpec(frozenset({"beta_decay"}))
        return ControlsSpec()

    def progress_spec(self, config: DAggerConfig) -> ProgressSpec:
        return ProgressSpec((config.iterations + 1) * config.bc.epochs)  # BC on the demos, then each iteration's

    def curves_spec(self, env_id: str, config: DAggerConfig) -> CurvesSpec:
        labels = float(_max_labels(env_id, config))
        layout = (
            CurveAxes("bc_loss", ("loss/bc",), "epoch", "BC training, in each DAgger iteration",
                      xlabel="BC epoch (passes over the aggregated data)", split="dagger/iteration"),
            CurveAxes("return", ("eval/return_mean",), "expert/labels", "Return after each iteration"),
            CurveAxes("off_demos", ("dist/off_demos",), "expert/labels", "Covariate shift after each iteration",
                      ylabel="share of states off the demos"),
        )
        return CurvesSpec(layout=layout, figsize=(12.0, 4.2), x_max={
            "bc_loss": config.bc.epochs, "return": labels, "off_demos": labels})

    def train(self, settings: PanelSettings, config: DAggerConfig, report: Report) -> TrainOutput:
        from bcolearn.dagger import train_dagger
        from bcolearn.experts import load_expert

        result = train_dagger(expert_demos(settings), config, env_id=settings.env_id, seed=settings.seed,
                              expert=load_expert(settings.env_id), callbacks=report(""))
        return TrainOutput({"DAgger": result}, evaluate=("DAgger",), notes=(_dagger_note(result, settings, config),))


def dagger_panel(env_id: str = "Pendulum-v1", **defaults: ParamValue) -> DAggerPanel:
    """The DAgger panel: iterations, episodes per iteration, β and its decay, BC settings; live curves.

    Taught in notebook 07. Show it with a one-line cell, ``bcolearn.widgets.dagger_panel()``: it trains once
    with its defaults (one Pendulum demo, ``bl.recommended_dagger_config``: 5 iterations of 2 episodes, a few
    seconds), then Run trains again. The live figure shows the BC loss of each iteration, and the return and
    the off-demo share (``dist/off_demos``) against the expert labels; the result gives the final return and
    the labels, environment steps and iterations spent.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert, which labels).
        **defaults: initial values, e.g. ``beta=0.5, iterations=3, n_demos=2``, ``**{"bc.epochs": 50}``;
            ``eval_episodes`` sets the evaluation after each iteration and the final one. ``autorun=False``
            skips the first run, ``background=False`` trains in the caller's thread when Run is pressed.

    Returns:
        The panel (it displays itself).

    Raises:
        ValueError: for a setting the panel does not have (listing those it has) or a refused value.
    """
    return DAggerPanel(env_id, **defaults)  # type: ignore[arg-type]
