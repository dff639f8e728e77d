"""The training panels of the course: BC, inverse dynamics, BCO, BC vs BCO, REINFORCE.

Each is a small :class:`~bcolearn.widgets.TrainingPanel` subclass: its controls, default config, specs and
``train``. A notebook cell shows one with a one-line call: :func:`bc_panel` (notebook 03), :func:`idm_panel`
(notebook 04), :func:`bco_panel` and :func:`compare_panel` (notebook 05), :func:`reinforce_panel`
(notebook 01). Panels attach to training only through callbacks: the algorithms never import widgets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig, BCOResult
from bcolearn.config import Callback, ParamValue
from bcolearn.experts import load_expert
from bcolearn.plotting import CurveAxes, action_unit
from bcolearn.reinforce import ReinforceConfig
from bcolearn.types import Trajectory
from bcolearn.widgets.specs import ControlsSpec, CurvesSpec, PanelSettings, ProgressSpec, Report, TrainOutput
from bcolearn.widgets.trainer import TrainingPanel

__all__ = ["BCPanel", "IDMPanel", "BCOPanel", "ComparePanel", "ReinforcePanel", "expert_demos", "bc_panel",
           "idm_panel", "bco_panel", "compare_panel", "reinforce_panel"]


def expert_demos(settings: PanelSettings) -> list[Trajectory]:
    """The bundled expert's ``n_demos`` episodes on ``env_id``, seeded by ``seed`` (what the panels imitate)."""
    from bcolearn.rollout import collect_demos

    return collect_demos(settings.env_id, load_expert(settings.env_id), settings.n_demos, settings.seed)


def _discrete(env_id: str) -> bool:
    from bcolearn.envs import describe_env

    return describe_env(env_id).discrete


def _action_metric(env_id: str, name: str) -> str:
    """``acc/NAME`` for discrete actions, ``err/NAME`` for continuous ones (see bcolearn.training.action_metrics)."""
    return f"{'acc' if _discrete(env_id) else 'err'}/{name}"


class BCPanel(TrainingPanel[BCConfig]):
    """Behavioural Cloning from expert demonstrations (notebook 03)."""

    title = "Behavioural Cloning"
    intro = ("Imitate the expert's recorded actions by supervised learning. Change the settings and press "
             "<b>Run</b>; the faded dashed curves are the previous run.")
    config_fields = ("epochs", "lr", "batch_size", "hidden_size", "n_layers", "eval_every", "continuous_loss")

    @classmethod
    def default_config(cls, env_id: str) -> BCConfig:
        from bcolearn.bc import recommended_bc_config

        return dataclasses.replace(recommended_bc_config(env_id), eval_every=5, eval_episodes=5)

    def progress_spec(self, config: BCConfig) -> ProgressSpec:
        return ProgressSpec(config.epochs)

    def curves_spec(self, env_id: str, config: BCConfig) -> CurvesSpec:
        return CurvesSpec(keys=("loss/bc", "eval/return_mean"), x_max=config.epochs)

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        """Discrete actions always use the cross-entropy: the continuous loss control does nothing there."""
        if not _discrete(str(values["env_id"])):
            return ControlsSpec()
        return ControlsSpec(frozenset({"continuous_loss"}), {"continuous_loss": "loss=cross-entropy"})

    def train(self, settings: PanelSettings, config: BCConfig, report: Report) -> TrainOutput:
        from bcolearn.bc import train_bc

        result = train_bc(expert_demos(settings), config, env_id=settings.env_id, seed=settings.seed,
                          callbacks=report(""))
        return TrainOutput({"BC": result}, evaluate=("BC",))


class IDMPanel(TrainingPanel[BCOConfig]):
    """An inverse dynamics model trained on a random policy's transitions (notebook 04).

    Its figure: the training loss, and the IDM's accuracy (or action error) after every epoch on held-out
    random-policy transitions and on the expert's transitions, which it never trains on.
    """

    title = "Inverse dynamics model"
    intro = ("Learn which action took the agent from s to s′, from a random policy's own transitions, then "
             "check it on the expert's transitions, which it never saw.")
    settings_fields = ("env_id", "seed")
    config_fields = ("pre_demo_steps", "idm.epochs", "idm.lr", "idm.hidden_size", "idm.n_layers",
                     "idm.input_mode", "idm.val_fraction")

    @classmethod
    def default_config(cls, env_id: str) -> BCOConfig:
        from bcolearn.bco import recommended_bco_config

        return recommended_bco_config(env_id)

    def progress_spec(self, config: BCOConfig) -> ProgressSpec:
        return ProgressSpec(config.idm.epochs)

    def curves_spec(self, env_id: str, config: BCOConfig) -> CurvesSpec:
        return CurvesSpec(keys=("loss/idm", _action_metric(env_id, "idm"), _action_metric(env_id, "idm_demo")),
                          x_max=config.idm.epochs)

    def check(self, settings: PanelSettings, config: BCOConfig) -> None:
        steps, share = config.pre_demo_steps, config.idm.val_fraction
        n_val = round(steps * share)
        if n_val == 0:
            raise ValueError(f"idm.val_fraction = {share:g} of pre_demo_steps = {steps} holds out no transitions, so "
                             "the IDM's accuracy cannot be measured: raise idm.val_fraction or pre_demo_steps.")
        if n_val >= steps:
            raise ValueError(f"idm.val_fraction = {share:g} of pre_demo_steps = {steps} holds out every transition, "
                             "leaving none to train on: lower idm.val_fraction or raise pre_demo_steps.")

    def train(self, settings: PanelSettings, config: BCOConfig, report: Report) -> TrainOutput:
        from bcolearn.idm import idm_metrics, make_idm, train_idm
        from bcolearn.rollout import collect_transitions, random_policy
        from bcolearn.training import notify
        from bcolearn.types import to_transitions

        data = collect_transitions(settings.env_id, random_policy(settings.env_id, settings.seed),
                                   config.pre_demo_steps, settings.seed)
        expert = to_transitions(expert_demos(settings))
        model = make_idm(settings.env_id, config.idm, settings.seed)
        shown = report("")

        def with_expert(row: dict[str, float]) -> bool:  # every epoch: how well it labels the expert's actions
            return notify(shown, {**row, **idm_metrics(model, expert, "idm_demo")})

        callbacks: list[Callback] = [with_expert]
        result = train_idm(data, config.idm, env_id=settings.env_id, seed=settings.seed, callbacks=callbacks,
                           model=model)
        final = idm_metrics(result.model, expert, "expert")
        info = result.model.info
        if info.discrete:
            line = (f"<b>IDM</b> accuracy: <b>{result.history.last('acc/idm'):.1%}</b> on held-out random-policy "
                    f"transitions, <b>{final['acc/expert']:.1%}</b> on the expert's "
                    f"(chance: {1 / info.n_actions:.0%})")
        else:
            unit = action_unit(settings.env_id)
            line = (f"<b>IDM</b> mean absolute action error: <b>{result.history.last('err/idm'):.3f} {unit}</b> on "
                    f"held-out random-policy transitions, <b>{final['err/expert']:.3f} {unit}</b> on the expert's "
                    f"(actions range over {info.act_low[0]:g} to {info.act_high[0]:g} {unit})")
        return TrainOutput({"IDM": result}, notes=(line,))


def _without_alpha(values: Mapping[str, ParamValue]) -> ControlsSpec:
    """BCO(0) (α = 0) runs no improvement iterations: ``iterations`` and ``explore`` have no effect."""
    return ControlsSpec(frozenset({"iterations", "explore"}) if values.get("alpha") == 0 else frozenset())


def _bco_note(result: BCOResult, env_id: str) -> str:
    """What BCO spent and how well its IDM labelled the expert, read from the run's own history."""
    history = result.history
    steps = result.env_steps  # what was spent, with the rollout of an iteration that Stop cut short
    if any("acc/idm_demo" in row for row in history):
        labelled = f"the IDM labelled {history.last('acc/idm_demo'):.1%} of the expert's actions right"
    else:
        labelled = (f"the IDM's mean action error on the expert's transitions was {history.last('err/idm_demo'):.3f} "
                    f"{action_unit(env_id)}")
    kept = history.last("bco/labels_kept")
    if kept < 1:
        labelled += f"; BC trained on the {kept:.0%} of the demo transitions within label_radius of the IDM's data"
    shown = int(history.last("env/steps"))
    cut = f" (the last {steps - shown:,} for an iteration that Stop cut short)" if steps > shown else ""
    return f"BCO used {steps:,} environment steps{cut}; {labelled}."


class BCOPanel(TrainingPanel[BCOConfig]):
    """Behavioural Cloning from Observation, BCO(0) or BCO(α), from state-only demos (notebook 05).

    Its figure tells the story of each iteration. Top: the IDM's and the policy's training losses against
    the epoch of their phase, one line per BCO iteration (the latest solid, earlier ones faded). Bottom,
    against the environment steps used so far: the return, and how well the IDM labels actions, on its
    own held-out transitions and on the expert's (whose true actions are known here only because the
    demos were recorded from the bundled expert; BCO never trains on them).
    """

    title = "Behavioural Cloning from Observation"
    intro = ("Imitate state-only demonstrations: a random policy explores, an inverse dynamics model infers the "
             "expert's actions, BC learns from them. With α > 0 the policy's own rollouts improve the IDM. "
             "Top: each phase's training, one line per iteration (earlier ones faded); bottom: the return and "
             "the IDM's labels after each iteration, against the environment steps used.")
    config_fields = ("pre_demo_steps", "alpha", "iterations", "idm.epochs", "bc.epochs", "idm.input_mode",
                     "label_radius")

    @classmethod
    def default_config(cls, env_id: str) -> BCOConfig:
        from bcolearn.bco import recommended_bco_config

        return recommended_bco_config(env_id)

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        return _without_alpha(values)

    def progress_spec(self, config: BCOConfig) -> ProgressSpec:
        return ProgressSpec(config.passes * (config.idm.epochs + config.bc.epochs))

    def curves_spec(self, env_id: str, config: BCOConfig) -> CurvesSpec:
        idm = _action_metric(env_id, "idm")  # acc/idm or err/idm
        what = "accuracy" if idm.startswith("acc/") else "action error"
        layout = (
            CurveAxes("idm_loss", ("loss/idm",), "epoch", "IDM training, in each BCO iteration",
                      xlabel="IDM epoch (passes over the agent's transitions)", split="bco/iteration"),
            CurveAxes("bc_loss", ("loss/bc",), "epoch", "Policy training: BC on the IDM's labels",
                      xlabel="BC epoch (passes over the labelled demos)", split="bco/iteration"),
            CurveAxes("return", ("eval/return_mean",), "env/steps", "Return after each iteration"),
            CurveAxes("labels", (idm, idm + "_demo"), "env/steps", f"IDM {what} after each iteration"),
        )
        steps = config.env_steps
        return CurvesSpec(layout=layout, figsize=(10.0, 6.8), ncols=2, x_max={
            "idm_loss": config.idm.epochs, "bc_loss": config.bc.epochs, "return": steps, "labels": steps})

    def train(self, settings: PanelSettings, config: BCOConfig, report: Report) -> TrainOutput:
        from bcolearn.bco import train_bco
        from bcolearn.types import drop_actions

        demos = expert_demos(settings)  # recorded with the expert: their true actions score the IDM's labels
        result = train_bco(drop_actions(demos), config, env_id=settings.env_id, seed=settings.seed,
                           callbacks=report(""), expert_acts=[t.acts for t in demos])
        return TrainOutput({"BCO": result}, evaluate=("BCO",), notes=(_bco_note(result, settings.env_id),))


class ComparePanel(TrainingPanel[BCOConfig]):
    """BC (with the expert's actions) and BCO (states only) side by side on the same demos (notebook 05).

    Its figure: both policies' training loss and return against the epoch of their BC training (BC in
    blue, BCO in orange; BCO(α)'s earlier iterations faded), and how well BCO's IDM labels the expert's
    actions against the environment steps it used.
    """

    title = "BC vs BCO on the same demonstrations"
    intro = ("Both learn from the same expert episodes: BC sees the expert's actions, BCO only the states "
             "(plus its own environment steps). The BC settings (bc.*) are used by both, and BCO trusts every label "
             "its IDM gives, as in the paper.")
    config_fields = ("bc.epochs", "bc.lr", "pre_demo_steps", "alpha", "iterations")

    @classmethod
    def default_config(cls, env_id: str) -> BCOConfig:
        from bcolearn.bco import recommended_bco_config

        config = recommended_bco_config(env_id)
        return dataclasses.replace(config, label_radius=0.0,  # the paper's BCO, side by side with BC
                                   bc=dataclasses.replace(config.bc, eval_every=5, eval_episodes=5))

    def controls_spec(self, values: Mapping[str, ParamValue]) -> ControlsSpec:
        return _without_alpha(values)

    def progress_spec(self, config: BCOConfig) -> ProgressSpec:
        return ProgressSpec(config.bc.epochs + config.passes * (config.idm.epochs + config.bc.epochs))

    def curves_spec(self, env_id: str, config: BCOConfig) -> CurvesSpec:
        demo = _action_metric(env_id, "idm_demo")
        accuracy = demo.startswith("acc/")
        epoch = "BC epoch (passes over the demos)"
        layout = (
            CurveAxes("policy_loss", ("loss/bc",), "epoch", "Policy training loss (BC)", xlabel=epoch,
                      split="bco/iteration"),
            CurveAxes("return", ("eval/return_mean",), "epoch", "Return while the policy trains", xlabel=epoch,
                      split="bco/iteration"),
            CurveAxes("labels", (demo,), "env/steps", f"BCO's labels: IDM {'accuracy' if accuracy else 'action error'}",
                      sources=("BCO",), ylabel=("share of expert's actions right" if accuracy
                                                else f"error on expert's actions ({action_unit(env_id)})")),
        )
        return CurvesSpec(layout=layout, sources=("BC", "BCO"), x_max={
            "policy_loss": config.bc.epochs, "return": config.bc.epochs, "labels": config.env_steps})

    def train(self, settings: PanelSettings, config: BCOConfig, report: Report) -> TrainOutput:
        from bcolearn.bc import train_bc
        from bcolearn.bco import train_bco
        from bcolearn.types import drop_actions

        demos = expert_demos(settings)
        bc = train_bc(demos, config.bc, env_id=settings.env_id, seed=settings.seed, callbacks=report("BC"))
        if self.stopped():
            return TrainOutput({"BC": bc}, evaluate=("BC",), notes=("BCO was not run (stopped).",))
        bco = train_bco(drop_actions(demos), config, env_id=settings.env_id, seed=settings.seed,
                        callbacks=report("BCO"), expert_acts=[t.acts for t in demos])
        return TrainOutput({"BC": bc, "BCO": bco}, evaluate=("BC", "BCO"), notes=(_bco_note(bco, settings.env_id),))


class ReinforcePanel(TrainingPanel[ReinforceConfig]):
    """REINFORCE, learning from rewards alone (notebook 01)."""

    title = "REINFORCE (learning from rewards alone)"
    intro = ("No demonstrations: the agent tries actions and makes those followed by high return more likely. "
             "Watch how many environment steps it needs.")
    settings_fields = ("env_id", "seed")
    config_fields = ("total_steps", "episodes_per_iter", "lr", "gamma", "hidden_size")

    @classmethod
    def default_config(cls, env_id: str) -> ReinforceConfig:
        return ReinforceConfig(total_steps=10_000, eval_every=5, eval_episodes=5)

    def progress_spec(self, config: ReinforceConfig) -> ProgressSpec:
        return ProgressSpec(config.total_steps, "environment steps", key="env/steps", by_value=True)

    def curves_spec(self, env_id: str, config: ReinforceConfig) -> CurvesSpec:
        return CurvesSpec(keys=("loss/reinforce", "train/return_mean", "eval/return_mean"), x="env/steps",
                          x_max=float(config.total_steps))

    def train(self, settings: PanelSettings, config: ReinforceConfig, report: Report) -> TrainOutput:
        from bcolearn.reinforce import train_reinforce

        result = train_reinforce(settings.env_id, config, seed=settings.seed, callbacks=report(""))
        steps = int(result.history[-1]["env/steps"])
        return TrainOutput({"REINFORCE": result}, evaluate=("REINFORCE",),
                           notes=(f"REINFORCE used {steps:,} environment steps.",))


def bc_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> BCPanel:
    """The Behavioural Cloning panel: demos, epochs, learning rate, network size; live loss and return.

    Taught in notebook 03. Show it with a one-line cell, ``bcolearn.widgets.bc_panel()``: it trains once
    with its defaults (1 CartPole demo, 40 epochs: a few seconds), then Run trains again.

    Args:
        env_id: the initial task (the dropdown offers every task with a bundled expert).
        **defaults: initial values, e.g. ``n_demos=2, epochs=20, lr=1e-3``; ``autorun=False`` skips the
            first run, ``background=False`` trains in the caller's thread when Run is pressed.

    Returns:
        The panel (it displays itself).

    Raises:
        ValueError: for a setting the panel does not have (listing those it has) or a refused value.
    """
    return BCPanel(env_id, **defaults)  # type: ignore[arg-type]


def idm_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> IDMPanel:
    """The inverse dynamics panel: random steps, model size, epochs, input; live loss and accuracies.

    Taught in notebook 04. Arguments as for :func:`bc_panel` (e.g. ``pre_demo_steps=500``,
    ``**{"idm.epochs": 10}``).

    Returns:
        The panel (it displays itself).
    """
    return IDMPanel(env_id, **defaults)  # type: ignore[arg-type]


def bco_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> BCOPanel:
    """The BCO panel: random steps, α, iterations, epochs; live losses, IDM accuracy and return vs steps.

    Taught in notebook 05. Arguments as for :func:`bc_panel` (e.g. ``alpha=0.5, iterations=3``).

    Returns:
        The panel (it displays itself).
    """
    return BCOPanel(env_id, **defaults)  # type: ignore[arg-type]


def compare_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> ComparePanel:
    """BC and BCO trained side by side on the same demonstrations, with both curves in one figure.

    Taught in notebook 05. Arguments as for :func:`bc_panel`.

    Returns:
        The panel (it displays itself).
    """
    return ComparePanel(env_id, **defaults)  # type: ignore[arg-type]


def reinforce_panel(env_id: str = "CartPole-v1", **defaults: ParamValue) -> ReinforcePanel:
    """The REINFORCE panel: interaction budget, learning rate, discount; live return vs environment steps.

    Taught in notebook 01. Arguments as for :func:`bc_panel` (e.g. ``total_steps=20_000``).

    Returns:
        The panel (it displays itself).
    """
    return ReinforcePanel(env_id, **defaults)  # type: ignore[arg-type]
