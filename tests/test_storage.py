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
    with pytest.raises(ValueError, match=r"holds pickled Python objects, which bcolearn never loads") as err:
        load_demos(path)
    assert "allow_pickle" not in str(err.value) and "unsafe" not in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__  # NumPy's advice is not chained in
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
        ({"acts": np.array(1)}, r"x\.npz: acts must be integers of shape \(T,\).*shape \(\)"),
        ({"rews": np.ones(4)}, r"inconsistent: rews of shape \(4,\)"),
        ({"acts": np.array([0.5, 1.0, 1.0])}, r"acts must be integers"),
        ({"obs": np.full((5, 4), np.nan)}, r"x\.npz: obs contains 20 NaN"),
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
    with pytest.raises(ValueError, match=r"not a readable bcolearn policy file") as err:
        load_policy(path)
    assert "weights_only" not in str(err.value) and err.value.__cause__ is None
    assert not marker.exists()
    pickle.loads(path.read_bytes())  # the payload is live: plain pickle would have run it
    assert marker.exists()


def test_malicious_torch_file_is_refused_not_run(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    state = make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0).state_dict()
    torch.save({"format": "bcolearn-policy-v1", "env_id": "CartPole-v1", "hidden_sizes": [4, 4],
                "continuous_loss": "mse", "state_dict": state, "extra": Boom(str(marker))}, path)
    with pytest.raises(ValueError, match=r"not a readable bcolearn policy file: it holds pickled Python objects "
                                         r"\(Unsupported global: GLOBAL \w+\.open\)") as err:
        load_policy(path)
    assert "weights_only" not in str(err.value) and err.value.__cause__ is None
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
        with pytest.raises(ValueError, match=r"is not a readable bcolearn policy file.*truncated or corrupt"):
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
        (lambda p: p.pop("hidden_sizes"), r"incomplete: it has no hidden_sizes"),
        (lambda p: p.update(hidden_sizes=[8, 8]), r"hidden sizes \[8, 8\], which needs net\.0\.weight of shape "
                                                  r"\(8, 3\), but the file's is \(4, 3\)"),
        (lambda p: p.update(env_id="Acrobot-v1"), r"a policy for Acrobot-v1 with hidden sizes \[4, 4\], but its weights do not "
                                                  r"fit: missing \[\], unexpected \['head\.half_range', 'head\.mid'\]"),
        (lambda p: p.update(env_id="NoSuchEnv-v0"),
         r"p\.pt was saved for the environment 'NoSuchEnv-v0', which cannot be made here: Unknown environment id"),
        (lambda p: p.update(env_id=["Pendulum-v1"]), r"env_id field is \['Pendulum-v1'\], not an environment id"),
        (lambda p: p["state_dict"].pop("net.0.weight"), r"weights do not fit: missing \['net\.0\.weight'\]"),
        (lambda p: p["state_dict"].update(extra=torch.zeros(2)), r"unexpected \['extra'\]"),
        (lambda p: p.update(continuous_loss="l1"), r"continuous loss 'l1'; expected 'mse' or 'nll'"),
        (lambda p: p.update(hidden_sizes=[4, True]), r"hidden layer sizes \[4, True\]"),
        (lambda p: p.update(hidden_sizes="44"), r"hidden layer sizes '44'"),
        (lambda p: p.update(hidden_sizes=[]), r"1 to 16 hidden layers"),
        (lambda p: p.update(state_dict=[1, 2]), r"state_dict is not a dict of named tensors"),
        (lambda p: p["state_dict"].update({"net.0.bias": torch.zeros(4, dtype=torch.int64)}),
         r"weights net\.0\.bias of dtype torch\.int64; expected floats"),
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
# --- save and load agree: one check for both -------------------------------------------------------

@pytest.mark.parametrize(
    "env_id, acts, match",
    [
        ("CartPole-v1", [0, 5], r"demos\[0\]: Demo actions range over 0 … 5.*discrete actions 0 … 1"),
        ("Pendulum-v1", [[0.0], [3.0]], r"demos\[0\]: Demo actions range over .*accepts actions in \[\[-2\.\]"),
        ("Pendulum-v1", [[0.0, 1.0], [0.0, 1.0]], r"demos\[0\]: Demo actions have shape \(2, 2\)"),
        ("CartPole-v1", [[0.0], [1.0]], r"demos\[0\]: Demo actions range over 0\.0 … 1\.0 with shape \(2, 1\)"),
    ],
)
def test_save_refuses_exactly_what_load_refuses(tmp_path, env_id, acts, match):
    obs_dim = 4 if env_id == "CartPole-v1" else 3
    demo = Trajectory(obs=np.zeros((3, obs_dim)), acts=acts, rews=[1.0, 1.0])
    with pytest.raises(ValueError, match=match):
        save_demos(tmp_path / "d.npz", [demo], env_id)
    assert os.listdir(tmp_path) == []  # nothing half-written
    # The same arrays written by hand are refused on load with the same words (the file named first).
    np.savez(tmp_path / "h.npz", format=np.array("bcolearn-demos-v1"), env_id=np.array(env_id),
             lengths=np.array([2]), terminated=np.array([False]), obs=demo.obs, acts=demo.acts, rews=demo.rews)
    with pytest.raises(ValueError, match=r"h\.npz: " + match):
        load_demos(tmp_path / "h.npz")


def test_a_mix_of_demos_with_and_without_rewards_is_refused_not_silently_dropped(tmp_path, mixed_cartpole):
    without = Trajectory(obs=mixed_cartpole[1].obs, acts=mixed_cartpole[1].acts)
    with pytest.raises(ValueError, match=r"demos \[1\] have no rewards but the others have.*saving would lose them"):
        save_demos(tmp_path / "d.npz", [mixed_cartpole[0], without], "CartPole-v1")
    assert os.listdir(tmp_path) == []
    # All with rewards or all without: the round trip returns exactly what was saved.
    for demos in (mixed_cartpole, [Trajectory(obs=t.obs, acts=t.acts, terminated=t.terminated) for t in mixed_cartpole]):
        assert_same_demos(load_demos(save_demos(tmp_path / "d.npz", demos, "CartPole-v1")), demos)


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"terminated": np.array([0.7, 0.0])}, r"x\.npz: terminated\[0\] = 0\.7 is not a flag"),
        ({"terminated": np.array(["True", "False"])}, r"x\.npz: terminated holds text, e\.g\. 'True'"),
        ({"obs": np.array([["0.1"] * 4] * 5)}, r"x\.npz: obs holds text, e\.g\. '0\.1'; obs must hold real numbers"),
        ({"obs": np.zeros((5, 4), complex) + 1j}, r"x\.npz: obs holds complex numbers \(their imaginary part"),
        ({"acts": np.array([0, 1, 2**64 - 1], np.uint64)},
         r"x\.npz: acts\[2\] = 18446744073709551615 is too large for a discrete action"),
        ({"acts": np.array([0, -1, 1])}, r"x\.npz: demos\[0\]: Demo actions range over -1 … 0"),
        ({"rews": np.array(["1", "2", "3"])}, r"x\.npz: rews holds text"),
        ({"rews": np.ones(3), "acts": None}, r"inconsistent: it has rewards but no actions"),
        ({"lengths": np.array([2**63 - 1, 1])}, r"inconsistent: episode lengths"),
        ({"format": np.array(["bcolearn-demos-v1"])}, r"is not a bcolearn-demos-v1 file"),
        ({"env_id": np.array(5)}, r"env_id field is None, not an environment id"),
    ],
)
def test_bad_fields_in_a_file_are_named_with_the_file(tmp_path, overrides, match):
    with pytest.raises(ValueError, match=match):
        load_demos(_npz(tmp_path / "x.npz", **overrides))


def test_an_unknown_env_id_is_said_to_come_from_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"x\.npz was saved for the environment 'NoSuchEnv-v9', which cannot be made "
                                         r"here: Unknown environment id 'NoSuchEnv-v9'"):
        load_demos(_npz(tmp_path / "x.npz", env_id=np.array("NoSuchEnv-v9")))


def test_a_plain_pickle_given_to_load_demos_gets_no_unsafe_advice(tmp_path):
    path = tmp_path / "p.npz"
    path.write_bytes(pickle.dumps({"obs": [1, 2]}))
    with pytest.raises(ValueError, match=r"holds pickled Python objects, which bcolearn never loads") as err:
        load_demos(path)
    assert "allow_pickle" not in str(err.value) and "unsafely" not in str(err.value)


# --- policy files: sizes bounded before anything is built, weights finite --------------------------

def _policy_payload(env_id="Pendulum-v1", hidden=4):
    policy = make_policy(env_id, BCConfig(hidden_size=hidden), seed=0)
    return {"format": "bcolearn-policy-v1", "env_id": env_id, "hidden_sizes": [hidden, hidden],
            "continuous_loss": "mse", "state_dict": policy.state_dict()}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_policy_file_with_non_finite_weights_is_refused(tmp_path, bad):
    payload = _policy_payload()
    payload["state_dict"]["net.2.weight"][1, 2] = bad
    torch.save(payload, tmp_path / "p.pt")
    with pytest.raises(ValueError, match=r"p\.pt has 1 NaN or infinite value\(s\) in its weights net\.2\.weight"):
        load_policy(tmp_path / "p.pt")


def test_tiny_file_describing_a_huge_network_is_refused_before_it_is_built(tmp_path):
    # The file holds a 4-unit network but says it has two layers of 40 000 units (6.4 GB of weights if
    # built). Loading it in a process whose address space allows only ~1 GB more than it uses proves that
    # nothing is allocated before the description is checked against the weights.
    import subprocess
    import sys
    import textwrap

    payload = _policy_payload()
    payload["hidden_sizes"] = [40_000, 40_000]
    torch.save(payload, tmp_path / "p.pt")
    assert (tmp_path / "p.pt").stat().st_size < 10_000
    code = textwrap.dedent(f"""
        import resource, sys
        from bcolearn.storage import load_policy
        import bcolearn.nets
        vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (vm + 2**30, resource.RLIM_INFINITY))
        try:
            load_policy({str(tmp_path / "p.pt")!r})
        except ValueError as e:
            print(e)
            sys.exit(0)
        sys.exit(3)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "hidden sizes [40000, 40000], which needs net.0.weight of shape (40000, 3)" in out.stdout
    with pytest.raises(ValueError, match=r"hidden layer sizes \[100000\]; a bcolearn policy has 1 to 16 hidden "
                                         r"layers of 1 to 65536 units"):
        payload["hidden_sizes"] = [100_000]
        torch.save(payload, tmp_path / "p.pt")
        load_policy(tmp_path / "p.pt")


def test_save_policy_names_a_training_result(tmp_path):
    class Result:
        policy = make_policy("CartPole-v1", BCConfig(hidden_size=4), seed=0)

    with pytest.raises(TypeError, match=r"got Result \(a training result: pass result\.policy\)"):
        save_policy(tmp_path / "p.pt", Result())


# --- save errors name the user's path; stale temporary files are swept -----------------------------

def test_save_errors_name_the_users_path_not_the_temporary_file(tmp_path, monkeypatch, mixed_cartpole):
    import errno

    def no_space(f, **arrays):
        raise OSError(errno.ENOSPC, "No space left on device", f.name)

    monkeypatch.setattr(np, "savez_compressed", no_space)
    with pytest.raises(OSError, match=r"Could not save .*d\.npz: No space left on device") as err:
        save_demos(tmp_path / "d.npz", mixed_cartpole, "CartPole-v1")
    assert err.value.errno == errno.ENOSPC and "tmp" not in str(err.value).replace(str(tmp_path), "")
    assert os.listdir(tmp_path) == []
    monkeypatch.undo()
    with pytest.raises(IsADirectoryError, match=r"is a folder; give a file name inside it"):
        save_demos(tmp_path, mixed_cartpole, "CartPole-v1")
    with pytest.raises(TypeError, match=r"path must be a file name \(a str or pathlib\.Path\), got 42"):
        save_demos(42, mixed_cartpole, "CartPole-v1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"path must be a file name.*got None"):
        load_demos(None)  # type: ignore[arg-type]


@pytest.mark.skipif(os.name != "posix", reason="kills a process with SIGKILL")
def test_a_save_killed_mid_write_leaves_a_temp_file_that_the_next_save_sweeps(tmp_path, mixed_cartpole):
    import subprocess
    import sys
    import textwrap
    import time

    code = textwrap.dedent(f"""
        import os, signal
        import numpy as np
        import bcolearn as bl

        def killed(f, **arrays):
            f.write(b"PK half a file")
            f.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # the kernel dies mid-write: no cleanup can run

        demos = bl.collect_demos("CartPole-v1", bl.random_policy("CartPole-v1", 0), 1, seed=0)
        np.savez_compressed = killed
        bl.save_demos({str(tmp_path / "d.npz")!r}, demos, "CartPole-v1")
    """)
    assert subprocess.run([sys.executable, "-c", code], timeout=120).returncode == -9
    left = [n for n in os.listdir(tmp_path) if n.endswith(".bcolearn-tmp")]
    assert len(left) == 1 and left[0].startswith(".d.npz.")
    # Our own process's temp file (a save in progress, as far as we know) and other people's files stay.
    mine = tmp_path / f".e.npz.{os.getpid()}-abc123.bcolearn-tmp"
    mine.write_bytes(b"in progress")
    foreign = tmp_path / ".notes.tmp"
    foreign.write_bytes(b"not ours")
    save_demos(tmp_path / "other.npz", mixed_cartpole, "CartPole-v1")  # any save to the folder sweeps
    assert sorted(os.listdir(tmp_path)) == sorted([mine.name, foreign.name, "other.npz"])
    # A temp file older than an hour is stale whoever made it.
    old = time.time() - 2 * 3600
    os.utime(mine, (old, old))
    save_demos(tmp_path / "other.npz", mixed_cartpole, "CartPole-v1")
    assert sorted(os.listdir(tmp_path)) == sorted([foreign.name, "other.npz"])
