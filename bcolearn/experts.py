"""Bundled experts: small, documented hand-made controllers, one per task.

Each expert is a plain function of the observation, written from the task's physics, so a learner
can read exactly what the "expert" does and no weights need downloading. The controllers live with
their task's record in :mod:`bcolearn.tasks` (one file to add a task); this module keeps their names,
:data:`EXPERTS`, :data:`REFERENCE_RETURNS` and :func:`load_expert` importable from here.

The returns of the experts, and of a uniform random policy, are measured over 100 seeded episodes and
recorded in :data:`REFERENCE_RETURNS`; ``python -m bcolearn.evaluation measure`` measures them again and
tests/test_tasks.py checks that the two agree.

Taught in notebook 01; used by every later notebook.
"""

from __future__ import annotations

from bcolearn.tasks import (EXPERTS, REFERENCE_RETURNS, Expert, ReferenceReturns, acrobot_expert,  # noqa: F401
                            cartpole_expert, load_expert, lunarlander_expert, mountaincar_expert, pendulum_expert)

__all__ = ["EXPERTS", "REFERENCE_RETURNS", "Expert", "ReferenceReturns", "acrobot_expert", "cartpole_expert",
           "load_expert", "lunarlander_expert", "mountaincar_expert", "pendulum_expert"]
