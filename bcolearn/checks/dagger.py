"""Self-check of notebook 07's assignment: the learner's DAgger aggregation loop.

Kept apart from :mod:`bcolearn.checks` while that module is split into a package; it uses the same
:class:`~bcolearn.checks.CheckResult` and runner, and moves into ``bcolearn/checks/`` at merge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bcolearn.checks.result import CheckResult, check, failed, passed
from bcolearn.checks.result import run_learner_code as _run_learner_code

ENV = "Pendulum-v1"


@check
def check_dagger_loop(fn: Callable[..., Any], *, iterations: int = 2, episodes: int = 2, seed: int = 0,
                      max_error: float = 1.0) -> CheckResult:
    """Notebook 07, assignment: ``fn(demos, expert, env_id, iterations, episodes, seed)`` runs DAgger.

    It must return ``(policy, data)``: ``data`` the demos followed by ``iterations × episodes`` of the
    learner's own episodes, each labelled by ``expert`` (queried once per state), and ``policy`` retrained
    on all of ``data``. The check runs it on Pendulum-v1 from one demo, with a counting expert, and
    explains the first thing that is wrong.

    Args:
        fn: the learner's function.
        iterations: DAgger iterations the check asks for.
        episodes: learner episodes per iteration.
        seed: the seed passed to ``fn``.
        max_error: the largest mean |policy(s) − label| (N·m) on the last iteration's states: a policy
            retrained on them fits them (measured: 0.25); one trained before they were added does not (2.28).
    """
    from bcolearn.dagger import CountingExpert
    from bcolearn.experts import load_expert
    from bcolearn.rollout import act_batch, collect_demos
    from bcolearn.types import Trajectory

    expert = load_expert(ENV)
    demos = collect_demos(ENV, expert, 1, seed=0)
    counter = CountingExpert(expert)
    out, error = _run_learner_code(fn, list(demos), counter, ENV, iterations, episodes, seed)
    if error is not None:
        return error
    if not isinstance(out, tuple) or len(out) != 2:
        return failed(f"Return the pair (policy, data), got {type(out).__name__}.")
    policy, data = out
    if not callable(policy):
        return failed(f"The first item must be the trained policy, got a {type(policy).__name__}.")
    if not isinstance(data, (list, tuple)) or not all(isinstance(t, Trajectory) for t in data):
        return failed("The second item must be the aggregated data: a list of bl.Trajectory.")
    expected = len(demos) + iterations * episodes
    if len(data) == iterations * episodes:
        return failed("The demonstrations are missing from data: DAgger aggregates, D ← D ∪ new; start from the demos.")
    if len(data) == len(demos) + episodes and iterations > 1:
        return failed(f"data holds only the last iteration's {episodes} episodes besides the demos: keep every "
                      "iteration's episodes (data = data + labelled), do not replace them.")
    if len(data) != expected:
        return failed(f"data has {len(data)} trajectories; expected {expected}: the {len(demos)} demo plus "
                      f"{episodes} learner episodes in each of {iterations} iterations.")
    if not np.array_equal(data[0].obs, demos[0].obs):
        return failed("data must begin with the demonstrations, unchanged.")
    added = data[len(demos):]
    for i, traj in enumerate(added):
        truth = np.asarray(act_batch(expert, traj.obs[:-1]), dtype=np.float32).reshape(len(traj), -1)
        if not np.allclose(traj.acts, truth, atol=1e-5):
            return failed(f"The actions of added trajectory {i} are not the expert's: label every state s of the "
                          "learner's episode with expert(s), not with the action the learner took.")
    n_added = sum(len(t) for t in added)
    if counter.queries < n_added:
        return failed("These labels did not come from the expert you were given: call the `expert` argument.")
    if counter.queries > n_added:
        return failed(f"You asked the expert {counter.queries} times for {n_added} new states: ask once per state "
                      "(did you let the expert act in the rollouts? The learner's policy must act).")
    first = added[:episodes]
    upright = float(np.mean(np.concatenate([t.obs[:-1, 0] for t in first]) > 0.9))
    if upright > 0.5:
        return failed(f"The first iteration's episodes spend {upright:.0%} of their time upright, like the expert's: "
                      "roll out the learner's policy (trained on the demos), not the expert.")
    last = added[-episodes:]
    states = np.concatenate([t.obs[:-1] for t in last])
    labels = np.concatenate([t.acts for t in last])
    try:
        err = float(np.mean(np.abs(np.asarray(act_batch(policy, states), dtype=np.float32).reshape(labels.shape)
                                   - labels)))
    except Exception as exc:  # noqa: BLE001 - a learner's policy that cannot act is reported, never raised
        return failed(f"The returned policy could not act on a batch of states: {type(exc).__name__}: {exc}")
    if err > max_error:
        return failed(f"The data is right, but the returned policy is off by {err:.2f} N·m on the last iteration's "
                      f"labels (a policy trained on them is within {max_error}): retrain with bl.train_bc on all of "
                      "data after each aggregation, and return that policy.")
    return passed(f"Right: {iterations} iterations aggregated {n_added} expert labels on the learner's own states "
                  f"(one query each), and the retrained policy fits them (mean error {err:.2f} N·m).")
