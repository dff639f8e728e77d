"""Saving and loading: round trips, corrupt and foreign files, no code execution, no half-written files."""

from __future__ import annotations

import io
import os
import pickle
import random
import zipfile

import numpy as np
import pytest
import torch

from bcolearn.bc import BCConfig, make_policy
from bcolearn.storage import load_demos, load_policy, save_demos, save_policy
from bcolearn.types import StateTrajectory, Trajectory, drop_actions


def assert_same_demos(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert type(x) is type(y) and x.terminated == y.terminated
        np.testing.assert_array_equal(x.obs, y.obs)
        if isinstance(x, Trajectory):
            np.testing.assert_array_equal(x.acts, y.acts)
            assert x.acts.dtype == y.acts.dtype
            if x.rews is None:
                assert y.rews is None
            else:
                np.testing.assert_array_equal(x.rews, y.rews)


@pytest.fixture(scope="module")
def mixed_cartpole():
    """Two short random-policy CartPole episodes (both terminated; the expert's is cut off at 500 steps)."""
    from bcolearn.rollout import collect_demos, random_policy

    return collect_demos("CartPole-v1", random_policy("CartPole-v1", 0), 2, seed=0)


def test_round_trip_action_labelled_demos(tmp_path, cartpole_demos, mixed_cartpole):
    demos = list(cartpole_demos) + mixed_cartpole
    path = save_demos(tmp_path / "d.npz", demos, "CartPole-v1")
    assert path == tmp_path / "d.npz" and path.exists()
    assert_same_demos(load_demos(path), demos)
    assert_same_demos(load_demos(str(path), env_id="CartPole-v1"), demos)


def test_round_trip_continuous_without_rewards_and_state_only(tmp_path, pendulum_demos):
    no_rews = [Trajectory(obs=t.obs, acts=t.acts, terminated=t.terminated) for t in pendulum_demos]
    save_demos(tmp_path / "a.npz", no_rews, "Pendulum-v1")
    loaded = load_demos(tmp_path / "a.npz")
    assert_same_demos(loaded, no_rews)
    assert loaded[0].acts.dtype == np.float32 and loaded[0].acts.shape == (200, 1)

    states = drop_actions(pendulum_demos)
    save_demos(tmp_path / "s.npz", states, "Pendulum-v1")
    loaded = load_demos(tmp_path / "s.npz", env_id="Pendulum-v1")
    assert all(type(t) is StateTrajectory for t in loaded)
    assert_same_demos(loaded, states)


def test_save_validates(tmp_path, cartpole_demos, pendulum_demos):
    with pytest.raises(ValueError, match=r"Mix of state-only and action-labelled demos"):
        save_demos(tmp_path / "m.npz", list(cartpole_demos) + drop_actions(cartpole_demos), "CartPole-v1")
    with pytest.raises(ValueError, match=r"observations of size 3, but the environment's are of size 4"):
        save_demos(tmp_path / "w.npz", pendulum_demos, "CartPole-v1")
    with pytest.raises(ValueError, match=r"No demonstrations given"):
        save_demos(tmp_path / "e.npz", [], "CartPole-v1")
    with pytest.raises(FileNotFoundError, match=r"does not exist; create it first"):
        save_demos(tmp_path / "no" / "such" / "d.npz", cartpole_demos, "CartPole-v1")
    assert sorted(os.listdir(tmp_path)) == []


def test_load_checks_the_environment(tmp_path, cartpole_demos):
    save_demos(tmp_path / "d.npz", cartpole_demos, "CartPole-v1")
    with pytest.raises(ValueError, match=r"holds demos for 'CartPole-v1', not 'Acrobot-v1'"):
        load_demos(tmp_path / "d.npz", env_id="Acrobot-v1")
    with pytest.raises(FileNotFoundError, match=r"No demonstrations file"):
        load_demos(tmp_path / "missing.npz")


# --- corrupt, truncated and foreign demo files -------------------------------------------------

@pytest.fixture
def saved(tmp_path, cartpole_demos, mixed_cartpole):
    path = save_demos(tmp_path / "d.npz", list(cartpole_demos) + mixed_cartpole, "CartPole-v1")
    return path, path.read_bytes()


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.5, 0.9, 0.999])
def test_truncated_demo_file(saved, fraction):
    path, raw = saved
    path.write_bytes(raw[: int(len(raw) * fraction)])
    with pytest.raises(ValueError, match=r"is not a readable bcolearn demonstrations file.*truncated or corrupt"):
        load_demos(path)


def _damaged_copies(raw: bytes, n: int):
    """``n`` reproducible copies of ``raw`` with 1, 3 or 20 random bytes changed."""
    for seed in range(n):
        rnd, data = random.Random(seed), bytearray(raw)
        for _ in range(rnd.choice([1, 3, 20])):
            data[rnd.randrange(len(data))] ^= rnd.randrange(1, 256)
        yield bytes(data)


def test_damaged_demo_files_load_or_raise_value_error(saved):
    # Bytes changed anywhere (zip headers, NumPy headers, compressed data, checksums): the loader either
    # still reads valid demos (a change in an unchecked field) or raises ValueError, never anything else.
    path, raw = saved
    errors = 0
    for data in _damaged_copies(raw, 150):
        path.write_bytes(data)
        try:
            assert all(isinstance(t, Trajectory) for t in load_demos(path))
        except ValueError:
            errors += 1
    assert errors > 120  # nearly every change is detected


def test_garbage_and_foreign_files(tmp_path):
    garbage = tmp_path / "g.npz"
    garbage.write_bytes(os.urandom(3000))
    with pytest.raises(ValueError, match=r"not a readable bcolearn demonstrations file"):
        load_demos(garbage)
    text = tmp_path / "t.npz"
    text.write_text("obs,acts\n1,2\n")
    with pytest.raises(ValueError, match=r"not a readable"):
        load_demos(text)
    npy = tmp_path / "a.npy"
    np.save(npy, np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"single array \(\.npy\), not an \.npz archive"):
        load_demos(npy)
    other = tmp_path / "other.npz"
    np.savez(other, x=np.zeros(3), y=np.ones(2))
    with pytest.raises(ValueError, match=r"is not a bcolearn-demos-v1 file \(format field: None\)"):
        load_demos(other)
    plain_zip = tmp_path / "z.npz"
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ValueError):
        load_demos(plain_zip)


class Boom:
    """Unpickling this creates ``marker``: proof that code from the file ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (open, (self.marker, "w"))


def test_demo_file_with_a_pickled_object_is_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.npz"
    np.savez(path, format=np.array("bcolearn-demos-v1"), env_id=np.array("CartPole-v1"),
             lengths=np.array([1]), terminated=np.array([False]),
             obs=np.array([Boom(str(marker)), Boom(str(marker))], dtype=object))
    with pytest.raises(ValueError, match=r"Object arrays cannot be loaded when allow_pickle=False"):
        load_demos(path)
    assert not marker.exists()
    # The payload is live: loading it the unsafe way would have run it.
    with np.load(path, allow_pickle=True) as npz:
        npz["obs"]
    assert marker.exists()


def _npz(path, **overrides):
    arrays = {"format": np.array("bcolearn-demos-v1"), "env_id": np.array("CartPole-v1"),
              "lengths": np.array([2, 1]), "terminated": np.array([True, False]), "obs": np.zeros((5, 4)),
              "acts": np.array([0, 1, 1])}
    arrays.update(overrides)
    np.savez(path, **{k: v for k, v in arrays.items() if v is not None})
    return path


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"obs": None}, r"incomplete: it has no obs"),
        ({"env_id": None, "lengths": None}, r"incomplete: it has no env_id, lengths"),
        ({"env_id": np.array("NoSuchEnv-v9")}, r"Unknown environment id 'NoSuchEnv-v9'"),
        ({"obs": np.zeros((6, 4))}, r"inconsistent: episode lengths \[2, 1\].*obs \(6, 4\)"),
        ({"lengths": np.array(3), "obs": np.zeros((4, 4))}, r"inconsistent: episode lengths \[3\]"),
        ({"lengths": np.array([2.0, 1.0])}, r"inconsistent"),
        ({"lengths": np.array([3, 0])}, r"inconsistent"),
        ({"terminated": np.array(True)}, r"inconsistent.*terminated flags \(\)"),
        ({"acts": np.array([0, 1])}, r"inconsistent: acts of shape \(2,\) for 3 transitions"),
        ({"acts": np.array(1)}, r"inconsistent: acts of shape \(\)"),
        ({"rews": np.ones(4)}, r"inconsistent: rews of shape \(4,\)"),
        ({"acts": np.array([0.5, 1.0, 1.0])}, r"acts must be integers"),
        ({"obs": np.full((5, 4), np.nan)}, r"obs contains 12 NaN"),
        ({"obs": np.zeros((5, 3))}, r"observations of size 3, but the environment's are of size 4"),
    ],
)
def test_inconsistent_demo_files(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        load_demos(_npz(tmp_path / "x.npz", **overrides))


def test_hand_written_valid_file_loads(tmp_path):
    demos = load_demos(_npz(tmp_path / "ok.npz"))
    assert [len(t) for t in demos] == [2, 1] and [t.terminated for t in demos] == [True, False]


# --- atomic saves ----------------------------------------------------------------------------------

def _fail_midway(real_write):
    """Wrap np.savez_compressed(f, ...) or torch.save(obj, f) so that it writes half the file, then fails."""

    def write(*args, **kwargs):
        f = next(a for a in args if hasattr(a, "write"))
        buf = io.BytesIO()
        real_write(*[buf if a is f else a for a in args], **kwargs)
        f.write(buf.getvalue()[: len(buf.getvalue()) // 2])  # half the file reaches the disk ...
        raise OSError("disk full")  # ... then the write fails

    return write


def test_failed_demo_save_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch, cartpole_demos,
                                                                       mixed_cartpole):
    path = save_demos(tmp_path / "d.npz", mixed_cartpole, "CartPole-v1")
    before = path.read_bytes()
    monkeypatch.setattr(np, "savez_compressed", _fail_midway(np.savez_compressed))
    with pytest.raises(OSError, match="disk full"):
        save_demos(path, cartpole_demos, "CartPole-v1")
    with pytest.raises(OSError, match="disk full"):
        save_demos(tmp_path / "new.npz", cartpole_demos, "CartPole-v1")
    assert os.listdir(tmp_path) == ["d.npz"]  # no temporary file, no half-written new.npz
    assert path.read_bytes() == before
    assert_same_demos(load_demos(path), mixed_cartpole)


def test_failed_policy_save_leaves_no_partial_file_and_keeps_the_old_one(tmp_path, monkeypatch):
    path = save_policy(tmp_path / "p.pt", make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0))
    before = path.read_bytes()
    monkeypatch.setattr(torch, "save", _fail_midway(torch.save))
    with pytest.raises(OSError, match="disk full"):
        save_policy(path, make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=1))

    def interrupted(obj, f):
        f.write(b"PK\x03\x04")
        raise KeyboardInterrupt  # Ctrl-C in a notebook, mid-write

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_policy(tmp_path / "q.pt", make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=1))
    assert os.listdir(tmp_path) == ["p.pt"]
    assert path.read_bytes() == before


# --- policies --------------------------------------------------------------------------------------

@pytest.mark.parametrize("env_id, loss", [("CartPole-v1", "mse"), ("Pendulum-v1", "mse"), ("Pendulum-v1", "nll")])
def test_policy_round_trip_gives_identical_actions(tmp_path, env_id, loss):
    policy = make_policy(env_id, BCConfig(hidden_size=16, n_layers=3, continuous_loss=loss), seed=0)
    obs = np.random.default_rng(0).normal(size=(200, policy.info.obs_dim)).astype(np.float32)
    policy.norm.fit(obs * 3 + 1)  # non-default normaliser buffers must survive too
    save_policy(tmp_path / "p.pt", policy)
    loaded = load_policy(tmp_path / "p.pt")
    assert type(loaded) is type(policy) and not loaded.training
    assert loaded.hidden_sizes == (16, 16, 16) and loaded.continuous_loss == loss
    assert (loaded.info.env_id, loaded.info.obs_dim) == (env_id, policy.info.obs_dim)
    np.testing.assert_array_equal(loaded.act_batch(obs), policy.act_batch(obs))
    with torch.no_grad():
        torch.testing.assert_close(loaded(torch.as_tensor(obs)), policy(torch.as_tensor(obs)), rtol=0, atol=0)


def test_save_policy_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match=r"saves bcolearn MLPPolicy objects, got function"):
        save_policy(tmp_path / "p.pt", lambda o: 0)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # torch notes the plain pickle's protocol
def test_malicious_pickle_is_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"format": "bcolearn-policy-v1", "payload": Boom(str(marker))}))
    with pytest.raises(ValueError, match=r"could not be loaded as bcolearn policy weights"):
        load_policy(path)
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the payload is live: plain pickle would have run it
    assert marker.exists()


def test_malicious_torch_file_is_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    state = make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0).state_dict()
    torch.save({"format": "bcolearn-policy-v1", "env_id": "CartPole-v1", "hidden_sizes": [4, 4],
                "continuous_loss": "mse", "state_dict": state, "extra": Boom(str(marker))}, path)
    with pytest.raises(ValueError, match=r"could not be loaded as bcolearn policy weights \(UnpicklingError\)"):
        load_policy(path)
    assert not marker.exists()
    torch.load(path, weights_only=False)  # the payload is live
    assert marker.exists()


def test_damaged_policy_files_load_or_raise_value_error(tmp_path):
    raw = save_policy(tmp_path / "p.pt", make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0)).read_bytes()
    errors = 0
    for data in _damaged_copies(raw, 150):
        (tmp_path / "p.pt").write_bytes(data)
        try:
            load_policy(tmp_path / "p.pt")  # a changed weight value still loads (torch keeps no checksum)
        except ValueError:
            errors += 1
    assert errors > 75


def test_corrupt_and_foreign_policy_files(tmp_path):
    policy = make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0)
    raw = save_policy(tmp_path / "p.pt", policy).read_bytes()
    bad = tmp_path / "bad.pt"
    for content in (raw[: len(raw) // 2], raw[:10], b"", os.urandom(500)):
        bad.write_bytes(content)
        with pytest.raises(ValueError, match=r"could not be loaded as bcolearn policy weights"):
            load_policy(bad)
    torch.save({"weights": torch.zeros(3)}, bad)
    with pytest.raises(ValueError, match=r"is not a bcolearn-policy-v1 file"):
        load_policy(bad)
    torch.save([1, 2, 3], bad)
    with pytest.raises(ValueError, match=r"is not a bcolearn-policy-v1 file"):
        load_policy(bad)
    with pytest.raises(FileNotFoundError, match=r"No policy file"):
        load_policy(tmp_path / "missing.pt")


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda p: p.pop("hidden_sizes"), r"KeyError: 'hidden_sizes'"),
        (lambda p: p.update(hidden_sizes=[8, 8]), r"(?s)do not fit.*size mismatch for net\.2\.weight"),
        (lambda p: p.update(env_id="Acrobot-v1"), r"(?s)do not fit.*size mismatch for norm\.mean"),
        (lambda p: p.update(env_id="NoSuchEnv-v0"), r"Unknown environment id 'NoSuchEnv-v0'"),
        (lambda p: p["state_dict"].pop("net.0.weight"), r"Missing key\(s\).*net\.0\.weight"),
        (lambda p: p.update(continuous_loss="l1"), r"continuous loss must be 'mse' or 'nll'"),
    ],
)
def test_policy_file_that_does_not_describe_its_weights(tmp_path, change, match):
    policy = make_policy("Pendulum-v1", BCConfig(hidden_size=4), seed=0)
    payload = {"format": "bcolearn-policy-v1", "env_id": "Pendulum-v1", "hidden_sizes": [4, 4],
               "continuous_loss": "mse", "state_dict": policy.state_dict()}
    change(payload)
    torch.save(payload, tmp_path / "p.pt")
    with pytest.raises(ValueError, match=match):
        load_policy(tmp_path / "p.pt")


# Moved from tests/test_review_fixes.py (defects found in the final code review).
def test_load_demos_rejects_actions_the_environment_cannot_take(tmp_path, cartpole_demos):
    path = save_demos(tmp_path / "d.npz", cartpole_demos, env_id="CartPole-v1")
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}
    data["acts"] = data["acts"] + 5
    np.savez(path, **data)
    with pytest.raises(ValueError, match=r"discrete actions 0 … 1"):
        load_demos(path)
