"""Self-checks for the learners' exercises and graders for the assignments.

Each check says what is right, or what is wrong and how to fix it, and "not answered yet" while a cell
still holds the student edition's placeholder. In strict mode (``BCOLEARN_STRICT_CHECKS=1``, as in CI)
a failing check raises, so that a wrong reference solution fails the build; see
:mod:`bcolearn.checks.result`.

* :mod:`~bcolearn.checks.result`: :class:`CheckResult`, strict mode, partial-credit rubrics;
* :mod:`~bcolearn.checks.exercises_01_03` and :mod:`~bcolearn.checks.exercises_04_06`: the exercises;
* :mod:`~bcolearn.checks.assignments`: the assignments of notebooks 03, 04 and 05;
* :mod:`~bcolearn.checks.dagger`: the assignment of notebook 07;
* :mod:`~bcolearn.checks.gaifo`: the exercise of notebook 08.

Every public name is importable from ``bcolearn.checks`` (``from bcolearn import checks``).
"""

from __future__ import annotations

from bcolearn.checks.assignments import check_bc_training_loop, check_bco_alpha, check_idm_experiment
from bcolearn.checks.dagger import check_dagger_loop
from bcolearn.checks.gaifo import check_gaifo_reward
from bcolearn.checks.exercises_01_03 import (check_bc_loss, check_discounted_return, check_drop_actions,
                                             check_gaussian_nll, check_inferred_actions, check_policy)
from bcolearn.checks.exercises_04_06 import (check_bco_interactions, check_bootstrap_ci, check_idm_accuracy,
                                             check_idm_features, check_inferred_demos, check_normalised_score)
from bcolearn.checks.result import (NOT_ANSWERED, STRICT_ENV, CheckResult, Rubric, enforce, failed, grading_mode,
                                    not_answered, passed, strict_mode)

__all__ = [
    "CheckResult", "NOT_ANSWERED", "Rubric", "STRICT_ENV", "enforce", "failed", "not_answered", "passed",
    "strict_mode", "grading_mode",
    "check_discounted_return", "check_policy", "check_drop_actions", "check_inferred_actions", "check_bc_loss",
    "check_gaussian_nll",
    "check_idm_features", "check_idm_accuracy", "check_inferred_demos", "check_bco_interactions",
    "check_normalised_score", "check_bootstrap_ci",
    "check_bc_training_loop", "check_idm_experiment", "check_bco_alpha", "check_dagger_loop",
    "check_gaifo_reward",
]
