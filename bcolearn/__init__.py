"""bcolearn: imitation learning from demonstrations, for learners.

Behavioural Cloning (BC), DAgger, inverse dynamics models (IDM), Behavioural Cloning from Observation
(BCO(0), BCO(α)) and adversarial imitation from observation (GAIfO, on a small PPO) on Gymnasium
tasks, with the data types, experts, evaluation, plots and widgets that the course notebooks use.

Names are loaded on first use, so ``import bcolearn`` is quick; PyTorch is imported only when a
network is first needed.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "types": ["Trajectory", "StateTrajectory", "Transitions", "drop_actions", "to_transitions", "concat_transitions",
              "state_pairs", "check_demos", "keep_transitions"],
    "envs": ["make_env", "describe_env", "EnvInfo", "seed_everything", "configure_torch"],
    "tasks": ["Task", "TASKS", "get_task", "load_expert", "EXPERTS", "REFERENCE_RETURNS", "ReferenceReturns"],
    "rollout": ["collect_demos", "collect_state_demos", "collect_transitions", "random_policy", "NoisyPolicy",
                "episode_returns"],
    "storage": ["save_demos", "load_demos", "save_policy", "load_policy"],
    "evaluation": ["evaluate", "EvalResult", "normalised_score", "bootstrap_ci", "EVAL_SEED", "check_made_for"],
    "nets": ["MLPPolicy", "InverseDynamicsModel"],
    "training": ["TrainResult", "History"],
    "bc": ["train_bc", "BCConfig", "make_policy", "recommended_bc_config"],
    "idm": ["train_idm", "IDMConfig", "IDMResult", "idm_metrics", "label_demos", "coverage_distance"],
    "bco": ["train_bco", "BCOConfig", "BCOResult", "recommended_bco_config"],
    "reinforce": ["train_reinforce", "ReinforceConfig"],
    "dagger": ["train_dagger", "DAggerConfig", "DAggerResult", "CountingExpert", "off_demo_share",
               "recommended_dagger_config"],
    "ppo": ["train_ppo", "PPOConfig", "PPO"],
    "gaifo": ["train_gaifo", "GAIfOConfig", "GAIfOResult", "Discriminator", "gaifo_reward", "discriminator_loss",
              "interactions_to_reach", "compare_interactions"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"bcolearn.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bcolearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # let type checkers and IDEs see the real names
    from bcolearn.bc import BCConfig, make_policy, recommended_bc_config, train_bc  # noqa: F401
    from bcolearn.bco import BCOConfig, BCOResult, recommended_bco_config, train_bco  # noqa: F401
    from bcolearn.dagger import (CountingExpert, DAggerConfig, DAggerResult, off_demo_share,  # noqa: F401
                                 recommended_dagger_config, train_dagger)
    from bcolearn.envs import EnvInfo, configure_torch, describe_env, make_env, seed_everything  # noqa: F401
    from bcolearn.evaluation import (EVAL_SEED, EvalResult, bootstrap_ci, check_made_for, evaluate,  # noqa: F401
                                     normalised_score)
    from bcolearn.idm import IDMConfig, IDMResult, coverage_distance, idm_metrics, label_demos, train_idm  # noqa: F401
    from bcolearn.gaifo import (Discriminator, GAIfOConfig, GAIfOResult, compare_interactions,  # noqa: F401
                                discriminator_loss, gaifo_reward, interactions_to_reach, train_gaifo)
    from bcolearn.nets import InverseDynamicsModel, MLPPolicy  # noqa: F401
    from bcolearn.ppo import PPO, PPOConfig, train_ppo  # noqa: F401
    from bcolearn.reinforce import ReinforceConfig, train_reinforce  # noqa: F401
    from bcolearn.rollout import (NoisyPolicy, collect_demos, collect_state_demos, collect_transitions,  # noqa: F401
                                  episode_returns, random_policy)
    from bcolearn.storage import load_demos, load_policy, save_demos, save_policy  # noqa: F401
    from bcolearn.tasks import (EXPERTS, REFERENCE_RETURNS, TASKS, ReferenceReturns, Task, get_task,  # noqa: F401
                                load_expert)
    from bcolearn.training import History, TrainResult  # noqa: F401
    from bcolearn.types import (StateTrajectory, Trajectory, Transitions, check_demos, concat_transitions,  # noqa: F401
                                drop_actions, keep_transitions, state_pairs, to_transitions)
