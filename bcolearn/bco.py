"""Behavioural Cloning from Observation (Torabi, Warnell & Stone, 2018).

BCO learns from state-only demonstrations:

1. pre-demonstration: a random policy acts for |I_pre| steps, recording (s, a, s′);
2. an inverse dynamics model (IDM) learns a ← (s, s′) from those transitions;
3. the IDM infers the missing actions of the expert's state pairs (s, s′);
4. Behavioural Cloning on the inferred (s, â) pairs gives the policy π.

BCO(0) stops there. BCO(α) then repeats: π acts for α·|I_pre| more steps (with a share of random
actions, so that every action is tried in the states π reaches), those transitions join the IDM's
data (now from states closer to the expert's), and steps 2–4 run again.

Deliberate differences from the paper, and why:

- the share of random actions in BCO(α)'s rollouts (``explore``): a greedy π would only confirm its
  own labels; the paper's rollouts use π alone;
- each iteration trains a fresh IDM on all transitions so far, where the paper improves the last one
  (going on training the last one was tried on Acrobot: no better, within the noise of 6 seeds);
- optionally (``label_radius``), BC leaves out the demo transitions that lie far from all the IDM's data,
  where its labels are guesses (:func:`~bcolearn.coverage_distance`); the paper trusts every label;
- the policy is trained on, not replaced: each BC step starts from the last iteration's policy;
- the evaluation episodes after each iteration (``eval/return_mean``) are not counted as interactions:
  they measure, they do not train. Everything else that touches the environment is counted
  (``BCOResult.env_steps``), a rollout cut short by Stop included.

Taught in notebook 05.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bcolearn.bc import BCConfig, recommended_bc_config, train_bc
from bcolearn.config import Callback, check_config, check_seed, param, validate
from bcolearn.envs import check_actions, describe_env
from bcolearn.evaluation import eval_metrics
from bcolearn.idm import IDMConfig, coverage_distance, label_demos, train_idm
from bcolearn.nets import InverseDynamicsModel
from bcolearn.rollout import NoisyPolicy, collect_transitions, random_policy
from bcolearn.tasks import find_task
from bcolearn.training import TrainResult, action_metrics, notify
from bcolearn.types import (StateTrajectory, Trajectory, Transitions, check_demos, concat_transitions, keep_transitions,
                            state_pairs, to_transitions)

__all__ = ["BCOConfig", "BCOResult", "recommended_bco_config", "train_bco"]


@dataclass(frozen=True)
class BCOConfig:
    """Hyperparameters of BCO(α) (bounds are checked on creation).

    Taught in notebook 05.
    """

    pre_demo_steps: int = param(1000, "random-policy steps before the IDM is first trained, |I_pre|", low=1, high=1_000_000)
    """Environment steps taken by a random policy before the demonstrations are used, |I_pre|."""
    alpha: float = param(0.0, "BCO(α): policy steps per iteration, as a share of |I_pre|", low=0.0, high=10.0)
    """Each BCO(α) iteration rolls out the policy for α·|I_pre| steps; α = 0 is BCO(0)."""
    iterations: int = param(5, "BCO(α) improvement iterations (unused when α = 0)", low=1, high=100)
    """Number of improvement iterations after the first pass (only when α > 0)."""
    explore: float = param(0.5, "share of random actions in BCO(α) rollouts", low=0.0, high=1.0)
    """In BCO(α) rollouts the policy's action is replaced by a random one with this probability, so the
    IDM sees every action in the states the policy reaches (a greedy policy would only confirm its own labels)."""
    label_radius: float = param(0.0, "leave out of BC the demo transitions farther than this from all the IDM's "
                                "data (0: keep every label)", low=0.0, high=10.0)
    """Demo transitions farther than this from every transition the IDM trained on (in its standardised input
    units, :func:`~bcolearn.coverage_distance`) are left out of BC: the IDM has never been checked there, so
    their labels are guesses, and BC generalises from the labels it can trust. 0 keeps every label (the paper's
    BCO)."""
    eval_episodes: int = param(10, "evaluation episodes after each iteration", low=1, high=1000)
    """Episodes used to evaluate the policy after each iteration (not counted as interactions)."""
    idm: IDMConfig = field(default_factory=IDMConfig)
    """Hyperparameters of the inverse dynamics model."""
    bc: BCConfig = field(default_factory=BCConfig)
    """Hyperparameters of the Behavioural Cloning step."""

    @property
    def passes(self) -> int:
        """How many times the IDM and the policy are trained: 1 for BCO(0), 1 + iterations for BCO(α > 0)."""
        return 1 + (self.iterations if self.alpha > 0 else 0)

    @property
    def steps_per_iteration(self) -> int:
        """Policy steps each BCO(α) iteration adds, round(α·|I_pre|) (at least 1); 0 for BCO(0)."""
        return max(1, int(round(self.alpha * self.pre_demo_steps))) if self.alpha > 0 else 0

    @property
    def env_steps(self) -> int:
        """Environment steps a whole run takes (evaluation episodes not counted)."""
        return self.pre_demo_steps + (self.passes - 1) * self.steps_per_iteration

    def __post_init__(self) -> None:
        validate(self)
        if not isinstance(self.idm, IDMConfig) or not isinstance(self.bc, BCConfig):
            raise TypeError("BCOConfig.idm must be an IDMConfig and BCOConfig.bc a BCConfig.")


def recommended_bco_config(env_id: str) -> BCOConfig:
    """BCO settings measured to reach the bundled expert (normalised score about 0.98 or more) on each task.

    Taught in notebook 05.

    The settings are the task's ``Task.bco_settings`` (see :mod:`bcolearn.tasks`), with BC set by
    :func:`~bcolearn.recommended_bc_config`. CartPole: BCO(0) with 1,000 random steps is enough. Acrobot and
    MountainCar: random steps never reach the states the expert swings through, so the IDM mislabels them;
    BCO(α) fixes that within 5,000 interactions in all (Acrobot: four BCO(1) iterations of 1,000 steps after
    1,000 random ones; MountainCar: two BCO(0.5) iterations of 1,250 after 2,500, with an IDM on (s, s′),
    which extrapolates better to the fast swings than (s, s′ − s)), with only 10 % random actions so that
    the policy's rollouts get as far as the expert's. Acrobot's rollouts still never reach the expert's
    fast last swing, so BC there trains only on the labels within ``label_radius`` = 1 of the IDM's data.
    Pendulum: 5,000 random steps; BCO(0) already reaches the expert on most seeds, and three BCO(0.5)
    iterations repair the IDM on the others. LunarLander: a random lander crashes and never rests on the
    pad, so BCO(0)'s IDM mislabels the expert's landed steps; one BCO(1) iteration of the policy's own
    landings after 10,000 random steps repairs them. Measured in benchmarks/bench_core.py (seeds 0–2, 50
    evaluation episodes each): 1.00, 0.990, 0.991, 1.006 and 1.002 in the order above. Over seeds 0–8
    (``--seeds 9``): 1.00, 0.994 ± 0.007 sd (0.969 ± 0.025 with every label kept), 0.993, 0.995 and
    LunarLander 0.964 ± 0.062 sd, whose IDM on two seeds of nine labels the landed lander's idling as a side
    engine, so the policy keeps firing on the pad and misses the bonus for coming to rest (``label_radius`` = 1
    makes LunarLander worse, 0.834 ± 0.133 sd: ``--label-radius 1``). A task that is not bundled gets the defaults.
    """
    task = find_task(env_id)
    settings = dict(task.bco_settings) if task is not None else {}
    idm = IDMConfig(**settings.pop("idm", {}))  # type: ignore[arg-type]  (the IDM's fields, as a mapping)
    return BCOConfig(**settings, idm=idm, bc=recommended_bc_config(env_id))


@dataclass
class BCOResult(TrainResult):
    """The BCO policy, its last inverse dynamics model, and one history row per iteration.

    Used behind the scenes in notebook 05.
    """

    idm: InverseDynamicsModel | None = None
    inferred_demos: list[Trajectory] = field(default_factory=list)
    """The state-only demos with the IDM's inferred actions, as last labelled (every label, including any that
    ``label_radius`` left out of BC)."""
    labels_kept: list[np.ndarray] = field(default_factory=list)
    """Per demo, which of its transitions the last BC step trained on (all True when ``label_radius`` is 0)."""
    env_steps: int = 0
    """Environment steps the run spent (evaluation episodes not counted). Equal to the last history row's
    ``env/steps``, except after a Stop in the middle of an iteration: the policy is then the last complete
    iteration's, but the rollout already taken for the cut-short one counts too."""


def train_bco(
    demos: Sequence[StateTrajectory],
    config: BCOConfig | None = None,
    *,
    env_id: str,
    seed: int,
    callbacks: Iterable[Callback] = (),
    expert_acts: Sequence[np.ndarray] | None = None,
) -> BCOResult:
    """Behavioural Cloning from Observation: imitate state-only demonstrations.

    Taught in notebook 05.

    Args:
        demos: state-only trajectories (action-labelled ones are accepted, their actions ignored).
        config: hyperparameters; ``BCOConfig()`` (BCO(0)) if None.
        env_id: the environment to interact with.
        seed: seeds the rollouts, the networks and the minibatches.
        callbacks: receive every epoch's row of the IDM and BC phases (with ``bco/iteration``) and,
            after each iteration, a summary row with ``env/steps``, ``acc/idm`` (or ``err/idm``),
            ``eval/return_mean``; returning True stops early: the result is the last complete iteration
            (or, when stopped in the first, the policy as trained so far).
        expert_acts: the demos' true actions, if known, used only to report how well the IDM
            labels them (``acc/idm_demo``), never for training.

    Returns:
        A :class:`BCOResult`. ``history`` has one row per iteration: ``bco/iteration``,
        ``env/steps`` (interactions used so far), IDM loss and held-out accuracy or error,
        accuracy on the demos' true actions when given, the share of demo transitions BC trained on
        (``bco/labels_kept``), BC loss and evaluation return. ``env_steps`` is what the whole run spent.

    Raises:
        TypeError: for a config of another class or a bad seed.
        ValueError: for demos or ``expert_acts`` that do not fit the task, or a ``label_radius`` that leaves
            BC no demo transition.
    """
    info = describe_env(env_id)
    config = check_config(config, BCOConfig, where="train_bco")
    seed = check_seed(seed)
    demos = check_demos(demos, obs_dim=info.obs_dim)
    true_acts = None
    if expert_acts is not None:
        if [len(a) for a in expert_acts] != [len(t) for t in demos]:
            raise ValueError("expert_acts must hold one action per transition of each demo, in the same order.")
        true_acts = to_transitions([Trajectory(obs=t.obs, acts=a) for t, a in zip(demos, expert_acts)]).acts
        check_actions(true_acts, info)
    callbacks = list(callbacks)
    data = collect_transitions(env_id, random_policy(env_id, seed), config.pre_demo_steps, seed)
    steps = config.pre_demo_steps
    result: BCOResult | None = None
    stop = False

    def forward(row: dict[str, float]) -> bool | None:
        nonlocal stop
        stop = notify(callbacks, row) or stop
        return stop

    for it in range(config.passes):
        tag = {"bco/iteration": it}
        idm = train_idm(data, config.idm, env_id=env_id, seed=seed, callbacks=[forward], extra_metrics=tag)
        if stop and result is not None:
            break  # stopped mid-iteration: keep the last complete one
        labelled = label_demos(idm.model, demos)
        kept = trusted_labels(idm.model, data, demos, config.label_radius)
        used = [piece for t, k in zip(labelled, kept) for piece in keep_transitions(t, k)]
        bc = train_bc(used, config.bc, env_id=env_id, seed=seed, callbacks=[forward], extra_metrics=tag,
                      policy=copy.deepcopy(result.policy) if result is not None else None)
        if stop and result is not None:
            break
        ev = eval_metrics(env_id, bc.policy, config.eval_episodes)
        score = ev.pop("eval/score", None)
        row = {**tag, "env/steps": steps, "loss/idm": idm.history.last("loss/idm"),
               "loss/bc": bc.history.last("loss/bc"), "bco/labels_kept": float(np.concatenate(kept).mean()), **ev}
        row.update({k: v for k, v in idm.history[-1].items() if k.startswith(("acc/", "err/"))})
        if score is not None:
            row["eval/score"] = score
        if true_acts is not None:
            row.update(action_metrics(idm.model, idm.model.features(*state_pairs(demos)), true_acts, "idm_demo"))
        history = result.history if result is not None else None
        result = BCOResult(bc.policy, idm=idm.model, inferred_demos=labelled, labels_kept=kept, env_steps=steps)
        if history is not None:
            result.history.extend(history)
        result.history.append(row)
        if forward(row) or it == config.passes - 1:
            break
        n_new = config.steps_per_iteration
        explorer = NoisyPolicy(bc.policy, info, config.explore, np.random.default_rng([seed, it]))
        new = collect_transitions(env_id, explorer, n_new, (seed + 100_003 * (it + 1)) % 2**32)
        data = concat_transitions(data, new)
        steps += n_new
    assert result is not None
    result.env_steps = steps  # what was spent, with a rollout taken for an iteration that Stop cut short
    return result


def trusted_labels(idm: InverseDynamicsModel, data: Transitions, demos: Sequence[StateTrajectory],
                   radius: float) -> list[np.ndarray]:
    """Per demo, which transitions lie within ``radius`` of the IDM's data (all of them when ``radius`` is 0).

    Used behind the scenes in notebook 05.

    Raises:
        ValueError: if none does: BC would have nothing to learn from.
    """
    if radius == 0:
        return [np.ones(len(t), bool) for t in demos]
    dist = coverage_distance(idm, data, demos)
    if not any((d <= radius).any() for d in dist):
        raise ValueError(
            f"No demo transition lies within label_radius = {radius:g} of the IDM's data (the nearest is "
            f"{min(d.min() for d in dist):.2f} away), so BC would have nothing to learn from; raise label_radius, "
            "or set it to 0 to keep every label.")
    return [d <= radius for d in dist]
