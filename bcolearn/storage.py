"""Saving and loading demonstrations and policies, safely.

Demonstrations are stored as a NumPy ``.npz`` archive, loaded with ``allow_pickle=False``;
policies as a torch file loaded with ``weights_only=True``. Neither format can run code when
loaded: a crafted file gives an error, never execution. Saves write to a temporary file in the
same folder and then rename it, so a crash never leaves a half-written file behind.

Taught in notebook 02 (demonstrations) and notebook 03 (policies).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bcolearn.envs import EnvInfo, check_actions, describe_env
from bcolearn.files import atomic_write, check_path, refuse_unreadable
from bcolearn.types import StateTrajectory, Trajectory, check_demos
from bcolearn.validation import as_actions, as_flags, as_float_array

DEMOS_FORMAT = "bcolearn-demos-v1"
POLICY_FORMAT = "bcolearn-policy-v1"
MAX_HIDDEN_LAYERS = 16
"""Policy files describing more hidden layers than this are refused before anything is built."""
MAX_HIDDEN_SIZE = 65_536
"""Policy files describing a wider hidden layer than this are refused before anything is built."""


def check_demos_for_task(demos: Sequence[StateTrajectory], info: EnvInfo, *, where: str = "") -> list[StateTrajectory]:
    """The one check that both :func:`save_demos` and :func:`load_demos` make: would these demos fit the task?

    Used behind the scenes in notebook 02.

    Args:
        demos: trajectories, all action-labelled or all state-only.
        info: the task they are for (:func:`bcolearn.describe_env`).
        where: a prefix for messages saying where the demos come from (a file name).

    Returns:
        The demos, as a list.

    Raises:
        ValueError: for observations of the wrong size, actions the task could not have taken, a mix of
            state-only and labelled demos, or a mix of demos with and without rewards (a file keeps
            rewards for every episode or for none).
    """
    demos = check_demos(demos, obs_dim=info.obs_dim)
    labelled = [isinstance(t, Trajectory) for t in demos]
    if any(labelled) and not all(labelled):
        raise ValueError(f"{where}Mix of state-only and action-labelled demos (demos[{labelled.index(False)}] is "
                         "state-only); save them in separate files.")
    if not all(labelled):
        return demos
    no_rews = [i for i, t in enumerate(demos) if t.rews is None]  # type: ignore[attr-defined]
    if 0 < len(no_rews) < len(demos):
        raise ValueError(
            f"{where}demos {no_rews[:5]}{'…' if len(no_rews) > 5 else ''} have no rewards but the others have: "
            "a file keeps rewards for every episode or for none, and saving would lose them. Save the two kinds "
            "in separate files, or drop all rewards: [Trajectory(obs=t.obs, acts=t.acts, terminated=t.terminated) "
            "for t in demos]."
        )
    for i, t in enumerate(demos):
        try:
            check_actions(t.acts, info)  # type: ignore[attr-defined]
        except ValueError as e:
            raise ValueError(f"{where}demos[{i}]: {e}") from None
    return demos


def _task_from_file(path: Path, env_id: object) -> EnvInfo:
    """The task a file says it was saved for, with an error that says the id came from the file."""
    if not isinstance(env_id, str):
        raise ValueError(f"{path} is inconsistent: its env_id field is {env_id!r:.60}, not an environment id.")
    try:
        return describe_env(env_id)
    except ValueError as e:
        raise ValueError(f"{path} was saved for the environment {env_id!r}, which cannot be made here: {e}") from None


def save_demos(path: str | os.PathLike, demos: Sequence[StateTrajectory], env_id: str) -> Path:
    """Save demonstrations (with or without actions) to an ``.npz`` file.

    Taught in notebook 02.

    Args:
        path: the file to write (conventionally ending in ``.npz``).
        demos: trajectories, all with actions or all state-only; with rewards for all or for none.
        env_id: the environment they come from; recorded and checked on load.

    Returns:
        The path written.

    Raises:
        ValueError: for demos that :func:`load_demos` would refuse (see :func:`check_demos_for_task`).
        OSError: if the file cannot be written (the message names ``path``).
    """
    path = check_path(path)
    demos = check_demos_for_task(demos, describe_env(env_id))
    arrays: dict[str, np.ndarray] = {
        "format": np.array(DEMOS_FORMAT),
        "env_id": np.array(env_id),
        "lengths": np.array([len(t) for t in demos], dtype=np.int64),
        "terminated": np.array([t.terminated for t in demos], dtype=bool),
        "obs": np.concatenate([t.obs for t in demos]),
    }
    if isinstance(demos[0], Trajectory):
        arrays["acts"] = np.concatenate([t.acts for t in demos])  # type: ignore[attr-defined]
        if demos[0].rews is not None:
            arrays["rews"] = np.concatenate([t.rews for t in demos])  # type: ignore[attr-defined]
    return atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array (.npy), not an .npz archive")
        with loaded as npz:
            return {k: npz[k] for k in npz.files}
    except Exception as e:  # noqa: BLE001  # garbage bytes can fail anywhere in zipfile, zlib or NumPy's header parser
        refuse_unreadable(path, "bcolearn demonstrations file", e, "Collect and save the demos again.")


def _text_field(data: dict[str, np.ndarray], key: str) -> str | None:
    value = data.get(key)
    return str(value) if value is not None and value.ndim == 0 and value.dtype.kind == "U" else None


def load_demos(path: str | os.PathLike, env_id: str | None = None) -> list[StateTrajectory]:
    """Load demonstrations saved by :func:`save_demos`, validating everything.

    Taught in notebook 02.

    Args:
        path: the ``.npz`` file.
        env_id: if given, the environment the demos must come from.

    Returns:
        Trajectories (action-labelled if the file has actions, state-only otherwise).

    Raises:
        ValueError: for a corrupt, truncated, foreign or mismatched file (the message names the file and the field).
    """
    path = check_path(path)
    if not path.exists():
        raise FileNotFoundError(f"No demonstrations file at {path}.")
    data = _read_npz(path)
    if _text_field(data, "format") != DEMOS_FORMAT:
        raise ValueError(f"{path} is not a {DEMOS_FORMAT} file (format field: {data.get('format')!r:.60}).")
    missing = sorted({"env_id", "lengths", "terminated", "obs"} - set(data))
    if missing:
        raise ValueError(f"{path} is incomplete: it has no {', '.join(missing)}. Collect and save the demos again.")
    saved_env = _text_field(data, "env_id")
    if env_id is not None and saved_env != env_id:
        raise ValueError(f"{path} holds demos for {saved_env!r}, not {env_id!r}.")
    info = _task_from_file(path, saved_env)
    where = f"{path}: "
    lengths, obs = data["lengths"], as_float_array("obs", data["obs"], 2, where=where)
    terminated = as_flags("terminated", data["terminated"], where=where)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or (lengths < 1).any() \
            or (lengths >= len(obs)).any() or terminated.shape != lengths.shape \
            or len(obs) != int((lengths + 1).sum()):
        raise ValueError(f"{path} is inconsistent: episode lengths {np.ravel(lengths).tolist()[:5]}… and "
                         f"terminated flags {terminated.shape} do not match obs {obs.shape}.")
    obs_starts = np.r_[0, np.cumsum(lengths + 1)]
    act_starts = np.r_[0, np.cumsum(lengths)]
    fields = {"acts": as_actions(data["acts"], where=where) if "acts" in data else None,
              "rews": as_float_array("rews", data["rews"], 1, where=where) if "rews" in data else None}
    for key, value in fields.items():
        if value is not None and len(value) != act_starts[-1]:
            raise ValueError(f"{path} is inconsistent: {key} of shape {value.shape} for {act_starts[-1]} transitions.")
    if fields["rews"] is not None and fields["acts"] is None:
        raise ValueError(f"{path} is inconsistent: it has rewards but no actions.")
    demos: list[StateTrajectory] = []
    for i in range(len(lengths)):
        o, span = obs[obs_starts[i] : obs_starts[i + 1]], slice(act_starts[i], act_starts[i + 1])
        if fields["acts"] is None:
            demos.append(StateTrajectory(obs=o, terminated=bool(terminated[i])))
            continue
        rews = fields["rews"][span] if fields["rews"] is not None else None
        demos.append(Trajectory(obs=o, acts=fields["acts"][span], rews=rews, terminated=bool(terminated[i])))
    return check_demos_for_task(demos, info, where=where)


def save_policy(path: str | os.PathLike, policy: object) -> Path:
    """Save a bcolearn policy (an :class:`~bcolearn.nets.MLPPolicy`) to a torch file.

    Taught in notebook 03.

    Raises:
        TypeError: if ``policy`` is not an MLPPolicy (for a training result, pass ``result.policy``).
        OSError: if the file cannot be written (the message names ``path``).
    """
    import torch

    from bcolearn.nets import MLPPolicy

    path = check_path(path)
    if not isinstance(policy, MLPPolicy):
        hint = " (a training result: pass result.policy)" if isinstance(getattr(policy, "policy", None), MLPPolicy) \
            else ""
        raise TypeError(f"save_policy saves bcolearn MLPPolicy objects, got {type(policy).__name__}{hint}.")
    payload = {
        "format": POLICY_FORMAT,
        "env_id": policy.info.env_id,
        "hidden_sizes": list(policy.hidden_sizes),
        "continuous_loss": policy.continuous_loss,
        "state_dict": policy.state_dict(),
    }
    return atomic_write(path, lambda f: torch.save(payload, f))


def _check_policy_payload(path: Path, payload: dict) -> tuple[EnvInfo, tuple[int, ...], str, dict]:
    """Check a policy file's description and weights against each other and the task, building nothing big.

    The network the file describes is first built on torch's ``meta`` device (shapes only, no memory),
    so a tiny file that describes a huge network is refused before anything is allocated.
    """
    import torch

    from bcolearn.nets import MLPPolicy

    missing = sorted({"env_id", "hidden_sizes", "continuous_loss", "state_dict"} - set(payload))
    if missing:
        raise ValueError(f"{path} is incomplete: it has no {', '.join(missing)}. Save the policy again.")
    info = _task_from_file(path, payload["env_id"])
    hidden, loss, state = payload["hidden_sizes"], payload["continuous_loss"], payload["state_dict"]
    if not isinstance(hidden, (list, tuple)) or not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS or not all(
            isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= MAX_HIDDEN_SIZE for h in hidden):
        raise ValueError(f"{path} describes hidden layer sizes {hidden!r:.80}; a bcolearn policy has 1 to "
                         f"{MAX_HIDDEN_LAYERS} hidden layers of 1 to {MAX_HIDDEN_SIZE} units. Save the policy again.")
    if loss not in ("mse", "nll"):
        raise ValueError(f"{path} has continuous loss {loss!r:.60}; expected 'mse' or 'nll'. Save the policy again.")
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, torch.Tensor)
                                              for k, v in state.items()):
        raise ValueError(f"{path} has no weights (state_dict is not a dict of named tensors). Save the policy again.")
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in MLPPolicy(info, hidden, loss).state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    described = f"a policy for {info.env_id} with hidden sizes {list(hidden)}"
    if set(found) != set(expected):
        raise ValueError(f"{path} describes {described}, but its weights do not fit: missing "
                         f"{sorted(set(expected) - set(found))}, unexpected {sorted(set(found) - set(expected))}. "
                         "Save the policy again.")
    for key, shape in expected.items():
        if found[key] != shape:
            raise ValueError(f"{path} describes {described}, which needs {key} of shape {shape}, but the file's is "
                             f"{found[key]}. Save the policy again.")
        if not state[key].is_floating_point():
            raise ValueError(f"{path} has weights {key} of dtype {state[key].dtype}; expected floats. "
                             "Save the policy again.")
        bad = int((~torch.isfinite(state[key])).sum())
        if bad:
            raise ValueError(f"{path} has {bad} NaN or infinite value(s) in its weights {key}; such a policy "
                             "cannot act. Train and save it again.")
    return info, tuple(hidden), loss, state


def load_policy(path: str | os.PathLike) -> object:
    """Load a policy saved by :func:`save_policy` (weights only: no code in the file is run).

    Taught in notebook 03.

    Returns:
        An :class:`~bcolearn.nets.MLPPolicy` in evaluation mode; ``policy.info`` names the task it was saved for.

    Raises:
        ValueError: for a corrupt file, a file that is not a bcolearn policy, one that tries to run code, one
            whose network description and weights disagree (checked before anything is built), or non-finite weights.
    """
    import torch

    from bcolearn.nets import MLPPolicy

    path = check_path(path)
    if not path.exists():
        raise FileNotFoundError(f"No policy file at {path}.")
    try:
        payload = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # noqa: BLE001  # a damaged file can fail anywhere in torch's zip reader or unpickler
        refuse_unreadable(path, "bcolearn policy file", e, "Save the policy again.")
    if not isinstance(payload, dict) or not isinstance(payload.get("format"), str) \
            or payload["format"] != POLICY_FORMAT:
        raise ValueError(f"{path} is not a {POLICY_FORMAT} file.")
    info, hidden, loss, state = _check_policy_payload(path, payload)
    policy = MLPPolicy(info, hidden, loss)
    policy.load_state_dict(state)
    policy.eval()
    return policy
