"""Saving and loading demonstrations and policies, safely.

Demonstrations are stored as a NumPy ``.npz`` archive, loaded with ``allow_pickle=False``;
policies as a torch file loaded with ``weights_only=True``. Neither format can run code when
loaded: a crafted file gives an error, never execution. Saves write to a temporary file in the
same folder and then rename it, so a crash never leaves a half-written file behind.

Taught in notebook 02 (demonstrations) and notebook 03 (policies).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bcolearn.envs import check_actions, describe_env
from bcolearn.types import StateTrajectory, Trajectory, check_demos

DEMOS_FORMAT = "bcolearn-demos-v1"
POLICY_FORMAT = "bcolearn-policy-v1"


def _atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> Path:
    """Write through ``write(fileobj)`` into a temporary file, then rename it over ``path``."""
    path = Path(path)
    if not path.parent.exists():
        raise FileNotFoundError(f"Folder {path.parent} does not exist; create it first.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def save_demos(path: str | os.PathLike, demos: Sequence[StateTrajectory], env_id: str) -> Path:
    """Save demonstrations (with or without actions) to an ``.npz`` file.

    Taught in notebook 02.

    Args:
        path: the file to write (conventionally ending in ``.npz``).
        demos: trajectories, all with actions or all state-only.
        env_id: the environment they come from; recorded and checked on load.

    Returns:
        The path written.
    """
    demos = check_demos(demos, obs_dim=describe_env(env_id).obs_dim)
    labelled = [isinstance(t, Trajectory) for t in demos]
    if any(labelled) and not all(labelled):
        raise ValueError("Mix of state-only and action-labelled demos; save them in separate files.")
    arrays: dict[str, np.ndarray] = {
        "format": np.array(DEMOS_FORMAT),
        "env_id": np.array(env_id),
        "lengths": np.array([len(t) for t in demos], dtype=np.int64),
        "terminated": np.array([t.terminated for t in demos], dtype=bool),
        "obs": np.concatenate([t.obs for t in demos]),
    }
    if all(labelled):
        arrays["acts"] = np.concatenate([t.acts for t in demos])  # type: ignore[attr-defined]
        if all(t.rews is not None for t in demos):  # type: ignore[attr-defined]
            arrays["rews"] = np.concatenate([t.rews for t in demos])  # type: ignore[attr-defined]
    return _atomic_write(path, lambda f: np.savez_compressed(f, **arrays))


def load_demos(path: str | os.PathLike, env_id: str | None = None) -> list[StateTrajectory]:
    """Load demonstrations saved by :func:`save_demos`, validating everything.

    Taught in notebook 02.

    Args:
        path: the ``.npz`` file.
        env_id: if given, the environment the demos must come from.

    Returns:
        Trajectories (action-labelled if the file has actions, state-only otherwise).

    Raises:
        ValueError: for a corrupt, truncated, foreign or mismatched file.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No demonstrations file at {path}.")
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array (.npy), not an .npz archive")
        with loaded as npz:
            data = {k: npz[k] for k in npz.files}
    except Exception as e:  # noqa: BLE001  # garbage bytes can fail anywhere in zipfile, zlib or NumPy's header parser
        raise ValueError(
            f"{path} is not a readable bcolearn demonstrations file ({type(e).__name__}: {e}); "
            "it may be truncated or corrupt. Collect and save the demos again."
        ) from e
    if "format" not in data or str(data["format"]) != DEMOS_FORMAT:
        raise ValueError(f"{path} is not a {DEMOS_FORMAT} file (format field: {data.get('format')!r}).")
    missing = sorted({"env_id", "lengths", "terminated", "obs"} - set(data))
    if missing:
        raise ValueError(f"{path} is incomplete: it has no {', '.join(missing)}. Collect and save the demos again.")
    saved_env = str(data["env_id"])
    if env_id is not None and saved_env != env_id:
        raise ValueError(f"{path} holds demos for {saved_env!r}, not {env_id!r}.")
    lengths, terminated, obs = data["lengths"], data["terminated"], data["obs"]
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer) or (lengths < 1).any() \
            or terminated.shape != lengths.shape or obs.ndim != 2 or len(obs) != int((lengths + 1).sum()):
        raise ValueError(f"{path} is inconsistent: episode lengths {np.ravel(lengths).tolist()[:5]}… and "
                         f"terminated flags {terminated.shape} do not match obs {obs.shape}.")
    obs_starts = np.r_[0, np.cumsum(lengths + 1)]
    act_starts = np.r_[0, np.cumsum(lengths)]
    for key in ("acts", "rews"):
        if key in data and (data[key].ndim == 0 or len(data[key]) != act_starts[-1]):
            raise ValueError(
                f"{path} is inconsistent: {key} of shape {data[key].shape} for {act_starts[-1]} transitions."
            )
    demos: list[StateTrajectory] = []
    for i in range(len(lengths)):
        o = obs[obs_starts[i] : obs_starts[i + 1]]
        if "acts" in data:
            rews = data["rews"][act_starts[i] : act_starts[i + 1]] if "rews" in data else None
            demos.append(Trajectory(obs=o, acts=data["acts"][act_starts[i] : act_starts[i + 1]], rews=rews,
                                    terminated=bool(terminated[i])))
        else:
            demos.append(StateTrajectory(obs=o, terminated=bool(terminated[i])))
    info = describe_env(saved_env)
    if "acts" in data:
        check_actions(data["acts"], info)
    return check_demos(demos, obs_dim=info.obs_dim)


def save_policy(path: str | os.PathLike, policy: object) -> Path:
    """Save a bcolearn policy (an :class:`~bcolearn.nets.MLPPolicy`) to a torch file.

    Taught in notebook 03.
    """
    import torch

    from bcolearn.nets import MLPPolicy

    if not isinstance(policy, MLPPolicy):
        raise TypeError(f"save_policy saves bcolearn MLPPolicy objects, got {type(policy).__name__}.")
    payload = {
        "format": POLICY_FORMAT,
        "env_id": policy.info.env_id,
        "hidden_sizes": list(policy.hidden_sizes),
        "continuous_loss": policy.continuous_loss,
        "state_dict": policy.state_dict(),
    }
    return _atomic_write(path, lambda f: torch.save(payload, f))


def load_policy(path: str | os.PathLike) -> object:
    """Load a policy saved by :func:`save_policy` (weights only: no code in the file is run).

    Taught in notebook 03.

    Raises:
        ValueError: for a corrupt file, a file that is not a bcolearn policy, or one that tries to run code.
    """
    import torch

    from bcolearn.nets import MLPPolicy

    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No policy file at {path}.")
    try:
        payload = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as e:  # noqa: BLE001  # a damaged file can fail anywhere in torch's zip reader or unpickler
        raise ValueError(
            f"{path} could not be loaded as bcolearn policy weights ({type(e).__name__}); it is corrupt, "
            "truncated, or contains something other than weights. Save the policy again."
        ) from e
    if not isinstance(payload, dict) or payload.get("format") != POLICY_FORMAT:
        raise ValueError(f"{path} is not a {POLICY_FORMAT} file.")
    try:
        policy = MLPPolicy(describe_env(payload["env_id"]), payload["hidden_sizes"], payload["continuous_loss"])
        policy.load_state_dict(payload["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as e:
        raise ValueError(f"{path} has a network description or weights that do not fit ({type(e).__name__}: {e}). "
                         "Save the policy again.") from e
    policy.eval()
    return policy
