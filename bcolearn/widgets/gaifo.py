"""The GAIfO panel (notebook 08): a discriminator against a PPO learner, live, from state-only demos.

:func:`gaifo_panel` shows a :class:`GAIfOPanel`, a :class:`~bcolearn.widgets.TrainingPanel` like the panels
of :mod:`bcolearn.widgets.panels`: the task, the demos and the seed; GAIfO's budget, reward, absorbing state,
discriminator input and updates; PPO's learning rate and batch; and whether to start from the policy BCO
learns from the same demos. Its figure shows, against the environment interactions GAIfO has used, the
greedy policy's evaluation return beside the return of its own (sampled) training episodes, and the
discriminator's mean output on the expert's transitions and on the learner's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bcolearn.config import ParamValue, param
from bcolearn.gaifo import GAIfOConfig, GAIfOResult
from bcolearn.plotting import CurveAxes
from bcolearn.widgets.specs import ControlsSpec, CurvesSpec, PanelSettings, ProgressSpec, Report, TrainOutput
from bcolearn.widgets.trainer import TrainingPanel

__all__ = ["GAIfOPanelConfig", "GAIfOPanel", "gaifo_panel", "PANEL_BUDGETS"]

PANEL_BUDGETS: dict[str, int] = {"CartPole-v1": 12_288, "Acrobot-v1": 16_384, "MountainCar-v0": 50_000,
                                 "Pendulum-v1": 50_000, "LunarLander-v3": 100_000}
"""The panel's starting ``total_steps`` on each task (a few seconds on CartPole; others take longer)."""


@dataclasses.dataclass(frozen=True)
class GAIfOPanelConfig(GAIfOConfig):
    """GAIfO's hyperparameters plus the panel's one choice that is not one of them: where the policy starts.

    Used behind the scenes in notebook 08 (the GAIfO panel).
    """

    warm_start: bool = param(False, "start from the policy BCO learns from the same demos (BCO's recommended "
                                    "settings for the task), not a fresh one", choices=(False, True))
    """True: train BCO first (its interactions are counted apart) and let GAIfO improve a copy of its policy."""

    def gaifo(self) -> GAIfOConfig:
        """The :class:`~bcolearn.GAIfOConfig` that ``train_gaifo`` gets (every field but ``warm_start``)."""
        return GAIfOConfig(**{f.name: getattr(self, f.name) for f in dataclasses.fields(GAIfOConfig)})


def _iterations_total(config: GAIfOConfig) -> int:
    """The interactions a run uses: ``total_steps`` rounded up to whole PPO iterations."""
    batch = config.ppo.batch_size
    return -(-config.total_steps // batch) * batch


def _note(result: GAIfOResult) -> str:
    """What GAIfO spent and where its discriminator ended, read from the run's own history."""
    history = result.history
    line = f"GAIfO used {int(history.last('env/steps')):,} environment interactions (evaluation episodes not counted)"
    if any("disc/expert_prob" in row for row in history):
        expert, learner = history.last("disc/expert_prob"), history.last("disc/agent_prob")
        line += (f"; the discriminator's mean output at the end: {expert:.2f} on the expert's transitions, "
                 f"{learner:.2f} on the learner's (½ on both would mean it cannot tell them apart)")
    return line + "."


class GAIfOPanel(TrainingPanel[GAIfOPanelConfig]):
    """GAIfO from state-only demos, cold or warm-started from BCO (notebook 08).

    Its figure, against GAIfO's environment interactions: left, the greedy policy's evaluation return and
    the return of the learner's own training episodes (sampled actions); right, the discriminator's mean
    D(s, s′) on the expert's transitions and on the learner's, during its updates.
    """

    title = "GAIfO: adversarial imitation from observation"
    intro = ("A discriminator D(s, s′) learns to tell the expert's transitions from the learner's; PPO trains the "
             "learner on D's reward. No actions are read from the demos. Left: the return; right: D's mean output "
             "on each side, against the environment interactions GAIfO has used.")
    config_fields = ("total_steps", "reward", "absorbing", "input_mode", "disc_steps", "disc_lr", "ppo.lr",
                     "ppo.n_envs", "ppo.n_steps", "warm_start")

    @classmethod
    def default_config(cls, env_id: str) -> GAIfOPanelConfig:
        return GAIfOPanelConfig(total_steps=PANEL_BUDGETS.get(env_id, GAIfOConfig().total_steps))

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        """With no discriminator steps D never learns: its learning rate has no effect."""
        return ControlsSpec(frozenset({"disc_lr"}) if values.get("disc_steps") == 0 else frozenset())

    def progress_spec(self, config: GAIfOPanelConfig) -> ProgressSpec:
        return ProgressSpec(_iterations_total(config), "interactions", key="env/steps", by_value=True)

    def curves_spec(self, env_id: str, config: GAIfOPanelConfig) -> CurvesSpec:
        steps = float(_iterations_total(config))
        layout = (
            CurveAxes("return", ("eval/return_mean", "train/return_mean"), "env/steps", "Return while GAIfO trains",
                      ylabel="return (sum of rewards)"),
            CurveAxes("disc", ("disc/expert_prob", "disc/agent_prob"), "env/steps", "The discriminator's outputs",
                      ylabel="mean D(s, s′) (probability 'expert')"),
        )
        return CurvesSpec(layout=layout, x_max={"return": steps, "disc": steps})

    def check(self, settings: PanelSettings, config: GAIfOPanelConfig) -> None:
        ppo, batch = config.ppo, config.ppo.batch_size
        if config.total_steps < batch:
            raise ValueError(f"total_steps = {config.total_steps:,} is less than one PPO iteration (ppo.n_envs × "
                             f"ppo.n_steps = {ppo.n_envs} × {ppo.n_steps} = {batch:,} interactions), and GAIfO "
                             "trains in whole iterations: raise total_steps or lower ppo.n_envs or ppo.n_steps.")

    def train(self, settings: PanelSettings, config: GAIfOPanelConfig, report: Report) -> TrainOutput:
        from bcolearn.bco import recommended_bco_config, train_bco
        from bcolearn.gaifo import train_gaifo
        from bcolearn.types import drop_actions
        from bcolearn.widgets.panels import expert_demos

        demos = drop_actions(expert_demos(settings))  # states only, for BCO and GAIfO alike
        results, notes, start = {}, [], None
        if config.warm_start:
            bco = train_bco(demos, recommended_bco_config(settings.env_id), env_id=settings.env_id,
                            seed=settings.seed, callbacks=[lambda row: self.stopped()])
            results["BCO (the warm start)"], start = bco, bco.policy
            notes.append(f"BCO used {bco.env_steps:,} environment interactions before GAIfO started from its policy.")
            if self.stopped():
                return TrainOutput(results, evaluate=tuple(results), notes=(*notes, "GAIfO was not run (stopped)."))
        gaifo = train_gaifo(demos, config.gaifo(), env_id=settings.env_id, seed=settings.seed, callbacks=report(""),
                            policy=start)
        results = {"GAIfO": gaifo, **results}
        return TrainOutput(results, evaluate=tuple(results), notes=(_note(gaifo), *notes))


def gaifo_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> GAIfOPanel:
    """The GAIfO panel: budget, reward, absorbing state, discriminator and PPO settings, warm start from BCO.

    Taught in notebook 08. Show it with a one-line cell, ``bcolearn.widgets.gaifo_panel()``: it trains once
    with its defaults (1 CartPole demo, 12,288 interactions: a few seconds), then Run trains again. Live:
    the return and the discriminator's mean outputs against the environment interactions used.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert).
        **defaults: initial values, e.g. ``total_steps=20_000, reward="positive", warm_start=True``,
            ``**{"ppo.lr": 1e-3}``; ``autorun=False`` skips the first run, ``background=False`` trains in the
            caller's thread when Run is pressed.

    Returns:
        The panel (it displays itself).

    Raises:
        ValueError: for a setting the panel does not have (listing those it has) or a refused value.
    """
    return GAIfOPanel(env_id, **defaults)  # type: ignore[arg-type]
