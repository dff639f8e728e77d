"""Writing files atomically, and the wording of "this file cannot be read" errors.

A save writes a temporary file next to the target (same folder, so the final rename is atomic)
and renames it over the target; a failed save removes it, and a save that was killed outright
(the kernel died mid-write) leaves one behind that the next save to that folder sweeps away.
Errors name the user's path, never the temporary one.

Used by :mod:`bcolearn.storage` (taught in notebooks 02 and 03).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

TMP_SUFFIX = ".bcolearn-tmp"
"""Temporary files of a save are named ``.<file name>.<process id>-<random>.bcolearn-tmp``."""
STALE_AFTER_S = 3600.0
"""A temporary file this old (seconds) is stale whatever its process; a dead process's is stale at once."""
_TMP_NAME = re.compile(r"\..+\.(\d+)-[A-Za-z0-9_]+" + re.escape(TMP_SUFFIX))


def check_path(path: object) -> Path:
    """``Path(path)``, refusing anything that is not a file path (a number, None, a list)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (a str or pathlib.Path), got {path!r:.60} ({type(path).__name__}).")
    return Path(path)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":  # elsewhere os.kill(pid, 0) would not be a harmless probe
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


def sweep_stale_temp_files(folder: Path) -> list[Path]:
    """Remove the temporary files that killed saves left in ``folder``; return those removed.

    Only files named the way :func:`atomic_write` names them are touched: those of a process that no
    longer runs (on POSIX systems), and any older than :data:`STALE_AFTER_S`.
    """
    removed = []
    for entry in folder.glob(f".*{TMP_SUFFIX}"):
        match = _TMP_NAME.fullmatch(entry.name)
        if match is None:
            continue
        with contextlib.suppress(OSError):  # gone already, or not ours to remove
            if time.time() - entry.stat().st_mtime > STALE_AFTER_S or not _process_alive(int(match.group(1))):
                entry.unlink()
                removed.append(entry)
    return removed


def _naming(error: OSError, path: Path) -> OSError:
    """The same kind of error, worded around the user's ``path`` instead of the temporary file."""
    reason = error.strerror or str(error) or type(error).__name__
    message = f"Could not save {path}: {reason}."
    try:
        return type(error)(error.errno, message) if error.errno else type(error)(message)
    except TypeError:  # an OSError subclass with its own constructor
        return OSError(message)


def atomic_write(path: str | os.PathLike, write: Callable[[io.BufferedWriter], None]) -> Path:
    """Write through ``write(fileobj)`` into a temporary file, then rename it over ``path``.

    Raises:
        TypeError: if ``path`` is not a file path.
        FileNotFoundError: if the folder does not exist.
        IsADirectoryError: if ``path`` is a folder.
        OSError: if writing fails (e.g. no permission, disk full), naming ``path``.
    """
    path = check_path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"Folder {path.parent} does not exist; create it first.")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; give a file name inside it, e.g. {path / 'demos.npz'}.")
    sweep_stale_temp_files(path.parent)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=TMP_SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
        os.replace(tmp, path)
    except BaseException as e:
        if tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(e, OSError):
            raise _naming(e, path) from None
        raise
    return path


def _mentions_unsafe_loading(error: BaseException) -> bool:
    """True for a loader's error whose text advises loading the file unsafely (NumPy's and torch's do)."""
    text = str(error).lower()
    return any(word in text for word in ("allow_pickle", "weights_only", "pickled"))


def _detail(error: BaseException) -> tuple[str, bool]:
    """(the library's reason in a few words, whether the file holds pickled Python objects)."""
    text = str(error).strip()
    if "WeightsUnpickler error:" in text:  # torch: the same advice for garbage and real objects; the reason differs
        lines = [line.strip() for line in text.split("WeightsUnpickler error:", 1)[1].splitlines() if line.strip()]
        reason = lines[0].split(" was not an allowed global")[0] if lines else ""
        return reason[:160], reason.startswith("Unsupported global")
    if _mentions_unsafe_loading(error):  # NumPy: object arrays or a pickle
        return "", True
    return text.split("\n")[0].split(". ")[0][:160], False


def refuse_unreadable(path: Path, what: str, error: Exception, again: str) -> NoReturn:
    """Raise the ValueError for a file that NumPy or torch could not read.

    The library's reason is kept, but never its advice: for pickled content NumPy and torch advise
    loading the file unsafely, which would let it run code.

    Args:
        path: the user's file.
        what: what it should have been, e.g. ``"bcolearn demonstrations file"``.
        error: what the library raised.
        again: what to do, e.g. ``"Collect and save the demos again."``.
    """
    detail, objects = _detail(error)
    cause = None if _mentions_unsafe_loading(error) else error
    if objects:
        found = f" ({detail})" if detail else ""
        message = (f"{path} is not a readable {what}: it holds pickled Python objects{found}, which bcolearn never "
                   f"loads because loading them can run any code. Use only files that bcolearn saved. {again}")
    else:
        message = (f"{path} is not a readable {what} ({type(error).__name__}: {detail}); it may be truncated or "
                   f"corrupt. {again}")
    raise ValueError(message) from cause
