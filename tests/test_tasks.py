"""Task records: one per bundled id, with its expert, reference returns (re-measured), names and settings."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import bcolearn
from bcolearn import evaluation
from bcolearn.evaluation import measure
from bcolearn.tasks import EXPERTS, REFERENCE_RETURNS, TASKS, ReferenceReturns, Task, find_task, get_task, load_expert

BUNDLED = ("CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1", "LunarLander-v3")


def test_every_bundled_task_has_a_complete_record():
    assert tuple(TASKS) == BUNDLED
    for env_id, task in TASKS.items():
        assert isinstance(task, Task) and task.env_id == env_id
        assert task.reference.expert > task.reference.random
        assert len(task.state_names) == task.info.obs_dim  # one name, with its unit, per observation dimension
        assert all(0 <= dim < task.info.obs_dim for dim in task.fail_bounds)
        assert set(task.bc_settings) <= {f.name for f in dataclasses.fields(bcolearn.BCConfig)}
        assert set(task.bco_settings) <= {f.name for f in dataclasses.fields(bcolearn.BCOConfig)} - {"bc"}
    assert get_task("Pendulum-v1").action_unit == "N·m" and get_task("CartPole-v1").action_unit == "action units"
    assert get_task("CartPole-v1").terminal_meaning == "episode failed here"
    assert get_task("MountainCar-v0").terminal_meaning == "reached the goal here"


def test_records_are_frozen_and_the_tables_read_only():
    task = get_task("CartPole-v1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.env_id = "Other-v0"  # type: ignore[misc]
    for table in (TASKS, EXPERTS, REFERENCE_RETURNS, task.fail_bounds, get_task("Acrobot-v1").bc_settings):
        with pytest.raises(TypeError):
            table["x"] = 1  # type: ignore[index]


def test_the_old_tables_are_views_of_the_records_and_importable_as_before():
    from bcolearn.experts import EXPERTS as OLD_EXPERTS
    from bcolearn.experts import REFERENCE_RETURNS as OLD_REFS
    from bcolearn.experts import load_expert as old_load_expert

    assert OLD_EXPERTS is EXPERTS and OLD_REFS is REFERENCE_RETURNS and old_load_expert is load_expert
    assert bcolearn.EXPERTS is EXPERTS and bcolearn.REFERENCE_RETURNS is REFERENCE_RETURNS
    for env_id, task in TASKS.items():
        assert EXPERTS[env_id] is task.expert and REFERENCE_RETURNS[env_id] is task.reference
        assert load_expert(env_id) is task.expert


def test_the_recommended_configs_are_built_from_the_records():
    for env_id, task in TASKS.items():
        bc = bcolearn.recommended_bc_config(env_id)
        assert all(getattr(bc, k) == v for k, v in task.bc_settings.items())
        bco = bcolearn.recommended_bco_config(env_id)
        settings = dict(task.bco_settings)
        assert all(getattr(bco.idm, k) == v for k, v in settings.pop("idm", {}).items())
        assert all(getattr(bco, k) == v for k, v in settings.items()) and bco.bc == bc
    assert bcolearn.recommended_bc_config("CartPole-v1") == bcolearn.BCConfig()


def test_task_info_is_cached_per_id():
    assert get_task("LunarLander-v3").info is get_task("LunarLander-v3").info
    assert bcolearn.describe_env("Pendulum-v1") is get_task("Pendulum-v1").info


def test_unknown_ids_are_named_with_the_bundled_ones():
    assert find_task("MountainCarContinuous-v0") is None and find_task(["CartPole-v1"]) is None  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"No bundled task 'Nope-v0'\. Bundled tasks: 'CartPole-v1', 'Acrobot-v1'"):
        get_task("Nope-v0")


@pytest.mark.parametrize("bad", [["CartPole-v1"], None, 3, {"CartPole-v1"}])
def test_load_expert_names_a_bad_value_and_the_bundled_ids(bad):
    with pytest.raises(TypeError) as err:
        load_expert(bad)
    message = str(err.value)
    assert repr(bad) in message and "one environment id (a string)" in message and "'CartPole-v1'" in message
    assert "unhashable" not in message


def test_load_expert_unknown_env():
    with pytest.raises(ValueError, match=r"No bundled expert for 'MountainCarContinuous-v0'.*CartPole-v1.*"
                                         r"collect_demos"):
        load_expert("MountainCarContinuous-v0")


# The whole measurement takes about 6-9 s on a 2-core CPU. Acrobot's random policy (100 × 500 steps of
# a Runge-Kutta integrator) is over half of it, so that case is marked slow (deselect with -m "not slow").
@pytest.mark.filterwarnings("ignore:builtin type .* has no __module__ attribute:DeprecationWarning")  # Box2D's SWIG
@pytest.mark.parametrize(
    "env_id", [pytest.param(e, marks=pytest.mark.slow) if e == "Acrobot-v1" else e for e in sorted(REFERENCE_RETURNS)]
)
def test_reference_returns_are_reproduced(env_id):
    got = measure(env_id)
    ref = REFERENCE_RETURNS[env_id]
    # Recorded to two decimals, so allow the last digit's rounding.
    assert got.expert == pytest.approx(ref.expert, abs=0.011)
    assert got.random == pytest.approx(ref.random, abs=0.011)


def test_cli_prints_the_table_rows(monkeypatch, capsys):
    # The measurement itself is tested above; here only the command-line wrapper.
    monkeypatch.setattr(evaluation, "measure", lambda env_id: REFERENCE_RETURNS[env_id])
    evaluation.main(["measure", "CartPole-v1", "Pendulum-v1"])
    out = capsys.readouterr().out.splitlines()
    # Each line can be pasted into a Task's ReferenceReturns as it is.
    assert out == [f'    "{e}": {REFERENCE_RETURNS[e]!r},' for e in ("CartPole-v1", "Pendulum-v1")]
    assert eval(out[0].split(": ", 1)[1].rstrip(","), {"ReferenceReturns": ReferenceReturns}) == \
        REFERENCE_RETURNS["CartPole-v1"]


def test_discrete_experts_return_valid_actions():
    rng = np.random.default_rng(0)
    for env_id, task in TASKS.items():
        info = task.info
        if not info.discrete:
            continue
        for _ in range(50):
            a = task.expert(rng.normal(size=info.obs_dim).astype(np.float32))
            assert isinstance(a, int) and 0 <= a < info.n_actions
