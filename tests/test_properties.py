"""Property-based tests (Hypothesis): random shapes, dtypes and values thrown at the data types, the
demonstration files and the config constructors. Each either accepts the input (and then its promises
hold) or refuses it with a ValueError or TypeError whose message names the field; never anything else,
and never a NumPy warning about a lossy conversion."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bcolearn.bc import BCConfig
from bcolearn.bco import BCOConfig
from bcolearn.idm import IDMConfig
from bcolearn.storage import load_demos, save_demos
from bcolearn.types import StateTrajectory, Trajectory, Transitions, keep_transitions, to_transitions

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DTYPES = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.boolean_dtypes(),
                   hnp.complex_number_dtypes(), st.just(np.dtype("U3")), st.just(np.dtype(object)))


@st.composite
def arrays(draw, min_dims: int = 0, max_dims: int = 3, rows: int | None = None):  # type: ignore[no-untyped-def]
    """An array of any dtype and shape (``rows`` rows if given), with any values, NaN and infinities included."""
    dtype = draw(DTYPES)
    shape = draw(hnp.array_shapes(min_dims=max(min_dims, 1 if rows else 0), max_dims=max_dims, min_side=0, max_side=5))
    if rows is not None:
        shape = (rows, *shape[1:])
    if dtype == object:
        items = st.one_of(st.none(), st.integers(-2**70, 2**70), st.floats(), st.text(max_size=2), st.booleans())
        flat = draw(st.lists(items, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
        arr = np.empty(len(flat), dtype=object)
        arr[:] = flat
        return arr.reshape(shape)
    return draw(hnp.arrays(dtype, shape))


def shaped(shape: tuple[int, ...]):  # type: ignore[no-untyped-def]
    """An array of the right shape for its field, of any dtype (numbers more often), with any values."""
    dtype = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), DTYPES)
    return dtype.flatmap(lambda d: arrays_of(d, shape))


def arrays_of(dtype: np.dtype, shape: tuple[int, ...]):  # type: ignore[no-untyped-def]
    if dtype == object:
        return st.just(np.full(shape, None, dtype=object))
    return hnp.arrays(dtype, shape)


def lists_or_arrays(strategy):  # type: ignore[no-untyped-def]
    """The array itself, or as nested Python lists (what a learner types)."""
    return st.one_of(strategy, strategy.map(lambda a: a.tolist()))


def strict():  # type: ignore[no-untyped-def]
    """Every warning an error: a ComplexWarning or a cast overflow would be a silent coercion."""
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error")
    return context


def refused_naming(error: Exception, names: tuple[str, ...]) -> None:
    assert isinstance(error, (ValueError, TypeError)), f"{type(error).__name__}: {error}"
    assert any(n in str(error) for n in names), f"message names no field: {error}"


TRAJ_FIELDS = ("obs", "acts", "rews", "terminated", "trajectory", "transition")


@FAST
@given(T=st.integers(0, 4), d=st.integers(1, 3), data=st.data(),
       terminated=st.one_of(st.booleans(), st.booleans(), st.floats(), st.integers(), st.text(max_size=3), st.none()))
def test_trajectory_accepts_or_names_the_field(T, d, data, terminated):
    obs = data.draw(lists_or_arrays(st.one_of(shaped((T + 1, d)), arrays())), label="obs")
    acts = data.draw(lists_or_arrays(st.one_of(shaped((T,)), shaped((T, d)), arrays())), label="acts")
    rews = data.draw(st.none() | lists_or_arrays(st.one_of(shaped((T,)), arrays(max_dims=2))), label="rews")
    context = strict()
    try:
        t = Trajectory(obs=obs, acts=acts, rews=rews, terminated=terminated)
    except Exception as e:  # noqa: BLE001
        refused_naming(e, TRAJ_FIELDS)
        return
    finally:
        context.__exit__(None, None, None)
    assert t.obs.dtype == np.float32 and t.obs.ndim == 2 and len(t.obs) >= 2 and np.isfinite(t.obs).all()
    assert t.acts.dtype in (np.int64, np.float32) and len(t.acts) == len(t) == len(t.obs) - 1
    assert t.acts.ndim == (1 if t.acts.dtype == np.int64 else 2)
    assert t.acts.dtype == np.int64 or np.isfinite(t.acts).all()
    assert t.rews is None or (t.rews.shape == (len(t),) and np.isfinite(t.rews).all())
    assert isinstance(t.terminated, bool)
    if np.asarray(acts).dtype.kind in "iu":  # whole numbers keep their values: nothing wraps around
        np.testing.assert_array_equal(t.acts, np.asarray(acts))


@FAST
@given(obs=lists_or_arrays(st.one_of(arrays(), st.integers(1, 4).flatmap(lambda n: shaped((n, 2))))),
       terminated=st.one_of(st.booleans(), st.floats(), st.none()))
def test_state_trajectory_accepts_or_names_the_field(obs, terminated):
    context = strict()
    try:
        t = StateTrajectory(obs=obs, terminated=terminated)
    except Exception as e:  # noqa: BLE001
        refused_naming(e, TRAJ_FIELDS)
        return
    finally:
        context.__exit__(None, None, None)
    assert t.obs.dtype == np.float32 and t.obs.ndim == 2 and np.isfinite(t.obs).all() and len(t) >= 1


@FAST
@given(n=st.integers(0, 4), d=st.integers(1, 3), data=st.data())
def test_transitions_accept_or_name_the_field(n, d, data):
    shapes = {"obs": (n, d), "acts": (n,), "next_obs": (n, d), "dones": (n,)}
    fields = {name: data.draw(lists_or_arrays(st.one_of(shaped(shape), shaped(shape), arrays())), label=name)
              for name, shape in shapes.items()}
    context = strict()
    try:
        tr = Transitions(**fields)
    except Exception as e:  # noqa: BLE001
        refused_naming(e, ("obs", "acts", "next_obs", "dones", "Transitions"))
        return
    finally:
        context.__exit__(None, None, None)
    assert tr.obs.shape == tr.next_obs.shape and tr.obs.dtype == np.float32 and len(tr) >= 1
    assert tr.dones.dtype == bool and tr.dones.shape == (len(tr),) and len(tr.acts) == len(tr)
    raw = np.asarray(fields["dones"])
    if raw.dtype.kind in "iuf":  # numbers are flags only when exactly 0 or 1: nothing truthy becomes True
        np.testing.assert_array_equal(tr.dones, raw == 1)


TASKS = {"CartPole-v1": (4, None), "Pendulum-v1": (3, 1)}


@st.composite
def demos_for(draw, env_id: str):  # type: ignore[no-untyped-def]
    """Random demonstrations shaped for ``env_id``: actions sometimes out of range, rewards sometimes missing."""
    obs_dim, act_dim = TASKS[env_id]
    n = draw(st.integers(1, 3))
    labelled, with_rews = draw(st.booleans()), draw(st.sampled_from([True, False, "mixed"]))
    finite = st.floats(-1e6, 1e6, width=32)
    demos = []
    for i in range(n):
        T = draw(st.integers(1, 6))
        obs = draw(hnp.arrays(np.float32, (T + 1, obs_dim), elements=finite))
        terminated = draw(st.booleans())
        if not labelled:
            demos.append(StateTrajectory(obs=obs, terminated=terminated))
            continue
        if act_dim is None:
            acts = draw(hnp.arrays(np.int64, (T,), elements=st.integers(0, 2)))  # 2 is out of CartPole's range
        else:
            acts = draw(hnp.arrays(np.float32, (T, act_dim), elements=st.floats(-2.5, 2.5, width=32)))
        keep = with_rews is True or (with_rews == "mixed" and i % 2 == 0)
        rews = draw(hnp.arrays(np.float32, (T,), elements=finite)) if keep else None
        demos.append(Trajectory(obs=obs, acts=acts, rews=rews, terminated=terminated))
    return demos


@settings(max_examples=40, deadline=None)
@given(data=st.data(), env_id=st.sampled_from(sorted(TASKS)))
def test_a_round_trip_returns_what_was_saved_or_refuses_to_save(data, env_id):
    demos = data.draw(demos_for(env_id))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "d.npz")
        try:
            save_demos(path, demos, env_id)
        except ValueError as e:
            assert os.listdir(folder) == [], "a refused save wrote something"
            assert "demos" in str(e)
            return
        loaded = load_demos(path, env_id=env_id)
    assert len(loaded) == len(demos)
    for x, y in zip(demos, loaded, strict=True):
        assert type(x) is type(y) and x.terminated == y.terminated
        np.testing.assert_array_equal(x.obs, y.obs)
        if isinstance(x, Trajectory):
            assert x.acts.dtype == y.acts.dtype
            np.testing.assert_array_equal(x.acts, y.acts)
            assert (x.rews is None) == (y.rews is None)
            if x.rews is not None:
                np.testing.assert_array_equal(x.rews, y.rews)


ANY_VALUE = st.one_of(st.integers(-2**70, 2**70), st.integers(-5, 2000), st.floats(), st.floats(0, 2),
                      st.booleans(), st.none(), st.text(max_size=4), st.complex_numbers(max_magnitude=10),
                      st.sampled_from(["mse", "nll", "delta", "concat"]), st.just(10**400))


@pytest.mark.parametrize("config_class", [BCConfig, IDMConfig, BCOConfig])
@FAST
@given(data=st.data())
def test_config_constructors_give_a_valid_config_or_name_the_field(config_class, data):
    fields = [f for f in dataclasses.fields(config_class) if "doc" in f.metadata]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.name, min_size=1, max_size=3))
    values = {f.name: data.draw(ANY_VALUE, label=f.name) for f in chosen}
    try:
        config = config_class(**values)
    except Exception as e:  # noqa: BLE001
        refused_naming(e, tuple(values))
        return
    for f in fields:  # a config that was built is within every bound
        value, meta = getattr(config, f.name), f.metadata
        if meta["choices"] is not None:
            assert value in meta["choices"]
        else:
            assert not isinstance(value, bool) and np.isfinite(value)
            assert (meta["low"] is None or value >= meta["low"]) and (meta["high"] is None or value <= meta["high"])


@FAST
@given(T=st.integers(1, 12), data=st.data(), terminated=st.booleans(), with_rews=st.booleans())
def test_keep_transitions_returns_exactly_the_kept_transitions_in_order(T, data, terminated, with_rews) -> None:
    obs = np.arange((T + 1) * 2, dtype=np.float32).reshape(T + 1, 2)
    demo = Trajectory(obs=obs, acts=np.arange(T) % 3, rews=np.arange(T, dtype=np.float32) if with_rews else None,
                      terminated=terminated)
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=T, max_size=T)))
    pieces = keep_transitions(demo, keep)
    assert sum(len(p) for p in pieces) == keep.sum()
    if pieces:
        flat = to_transitions(pieces)
        np.testing.assert_array_equal(flat.obs, obs[:-1][keep])
        np.testing.assert_array_equal(flat.next_obs, obs[1:][keep])
        np.testing.assert_array_equal(flat.acts, demo.acts[keep])
    # a piece is a run of consecutive kept transitions: pieces never touch, and only a piece that ends where the
    # demo ends can be terminal
    assert len(pieces) == int(np.sum(np.diff(np.r_[0, keep.astype(int)]) == 1))
    assert [p.terminated for p in pieces] == [terminated and p.obs[-1, 0] == obs[-1, 0] for p in pieces]
    if with_rews:
        assert sum(float(p.rews.sum()) for p in pieces) == float(demo.rews[keep].sum())


def test_keep_transitions_needs_one_flag_per_transition() -> None:
    demo = Trajectory(obs=np.zeros((4, 2), np.float32), acts=[0, 1, 0])
    with pytest.raises(ValueError, match=r"keep has shape \(2,\); expected \(3,\)"):
        keep_transitions(demo, [True, False])
    with pytest.raises(ValueError, match="keep"):
        keep_transitions(demo, ["yes", "no", "yes"])
