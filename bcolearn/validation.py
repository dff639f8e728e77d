"""Checking arrays where they enter bcolearn: one wording for every field, no silent coercion.

The data types (:mod:`bcolearn.types`), the file loaders (:mod:`bcolearn.storage`) and the rollouts
(:mod:`bcolearn.rollout`) all convert what a user or a file gives them through these functions, so
that ragged lists, text, ``None``, complex numbers, integers that would wrap around and truthy
non-booleans are refused with a message naming the field and the value, instead of being turned
into NaN, ``True`` or a wrapped number. Every check is vectorised over the whole array.

Taught in notebook 02.
"""

from __future__ import annotations

import reprlib

import numpy as np

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_INT64_MAX = int(np.iinfo(np.int64).max)
_short = reprlib.Repr()
_short.maxstring, _short.maxother, _short.maxlist = 40, 40, 4


def show(value: object) -> str:
    """A short ``repr`` of ``value`` for messages (at most about 40 characters)."""
    if isinstance(value, np.ndarray):
        text = np.array2string(value, threshold=4, edgeitems=2, max_line_width=60)
        return text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, np.generic):
        value = value.item()
    return _short.repr(value)


def _first_bad(arr: np.ndarray, ok: np.ndarray) -> tuple[tuple[int, ...], object]:
    """The index and value of the first entry of ``arr`` where ``ok`` is False."""
    index = tuple(int(i) for i in np.argwhere(~ok)[0])
    return index, arr[index]


def _where(index: tuple[int, ...]) -> str:
    return f"[{', '.join(map(str, index))}]"


def as_array(name: str, value: object, *, where: str = "") -> np.ndarray:
    """``numpy.asarray(value)``, with a message naming the field for ragged input.

    Args:
        name: the field's name (``"obs"``), used in messages.
        value: an array or nested sequence.
        where: a prefix saying where the value comes from (a file name), e.g. ``"demos.npz: "``.

    Raises:
        ValueError: if ``value`` has rows of different lengths.
    """
    try:
        return np.asarray(value)
    except (ValueError, TypeError) as e:
        lengths = sorted({len(v) for v in value if hasattr(v, "__len__")}) if isinstance(value, (list, tuple)) else []
        rows = f" (rows of lengths {lengths})" if len(lengths) > 1 else ""
        raise ValueError(f"{where}{name} is ragged{rows}: every row needs the same number of values; "
                         f"got {show(value)}.") from e


def _refuse_kind(name: str, arr: np.ndarray, expected: str, where: str) -> None:
    """Raise for an array whose dtype is not a real number (text, None, complex, dates, …)."""
    kind = arr.dtype.kind
    if kind == "O":
        flat = arr.reshape(-1)
        numeric = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                            for v in flat], dtype=bool)
        if numeric.all():
            return
        index, value = _first_bad(arr, numeric.reshape(arr.shape))
        raise ValueError(f"{where}{name}{_where(index)} is {show(value)} ({type(value).__name__}); "
                         f"{name} must hold {expected}.")
    what = {"c": "complex numbers (their imaginary part would be lost)", "U": "text", "S": "bytes",
            "M": "dates", "m": "time spans", "V": "raw records"}.get(kind, f"values of dtype {arr.dtype}")
    example = f", e.g. {show(arr.reshape(-1)[0])}" if arr.size else ""
    raise ValueError(f"{where}{name} holds {what}{example}; {name} must hold {expected}. "
                     "Convert it first, e.g. with numpy.asarray(x, dtype=float) for numbers stored as text.")


def _as_float64(name: str, arr: np.ndarray, where: str) -> np.ndarray:
    """An object array of Python numbers as float64 (a whole number too large for a float is refused)."""
    try:
        return arr.astype(np.float64)
    except (OverflowError, ValueError, TypeError) as e:
        raise ValueError(f"{where}{name} holds a number too large for a float: {show(arr)}.") from e


def as_float_array(name: str, value: object, ndim: int, *, where: str = "") -> np.ndarray:
    """Convert ``value`` to a finite float32 array with ``ndim`` dimensions.

    Used behind the scenes in notebook 02.

    Args:
        name: the field's name, used in messages.
        value: real numbers (bools and integers are accepted and converted).
        ndim: the number of dimensions required.
        where: a prefix saying where the value comes from (a file name).

    Returns:
        A float32 array.

    Raises:
        ValueError: for ragged input, non-numbers (text, None, complex), the wrong number of dimensions,
            NaN or infinite values, or values too large for float32.
    """
    arr = as_array(name, value, where=where)
    if arr.dtype.kind not in "biuf":
        _refuse_kind(name, arr, "real numbers", where)
        arr = _as_float64(name, arr, where)
    if arr.ndim != ndim:
        raise ValueError(f"{where}{name} must have {ndim} dimension(s), got shape {arr.shape}.")
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            index, bad = _first_bad(arr, finite)
            count = int(arr.size - np.count_nonzero(finite))
            raise ValueError(f"{where}{name} contains {count} NaN or infinite value(s), the first {bad} at "
                             f"{name}{_where(index)}; clean or drop those steps first.")
        if arr.dtype.itemsize > 4 and arr.size and float(np.abs(arr).max()) > _FLOAT32_MAX:
            index, bad = _first_bad(arr, np.abs(arr) <= _FLOAT32_MAX)
            raise ValueError(f"{where}{name}{_where(index)} = {bad} is too large for float32 "
                             f"(|x| <= {_FLOAT32_MAX:.3g}); rescale it first.")
    return arr.astype(np.float32)


def as_actions(value: object, *, name: str = "acts", where: str = "") -> np.ndarray:
    """Convert actions: integers of shape (T,) (discrete) or floats of shape (T, act_dim) (continuous).

    Whether they are in a task's range is checked where the task is known (``bcolearn.envs.check_actions``).

    Used behind the scenes in notebook 02.

    Returns:
        int64 of shape (T,), or float32 of shape (T, act_dim).

    Raises:
        ValueError: for any other shape or dtype, unsigned integers too large for int64 (they would wrap
            around to negative numbers), or non-finite continuous actions.
    """
    arr = as_array(name, value, where=where)
    if arr.ndim == 1 and arr.dtype.kind in "iu":
        if arr.size and arr.dtype.kind == "u" and int(arr.max()) > _INT64_MAX:
            index, bad = _first_bad(arr, arr <= _INT64_MAX)
            raise ValueError(f"{where}{name}{_where(index)} = {bad} is too large for a discrete action (int64); "
                             "discrete actions are numbered 0 … n − 1.")
        return arr.astype(np.int64)
    if arr.ndim == 2:
        return as_float_array(name, arr, 2, where=where)
    raise ValueError(
        f"{where}{name} must be integers of shape (T,) for discrete actions or floats of shape (T, act_dim) for "
        f"continuous ones, got dtype {arr.dtype} and shape {arr.shape}."
    )


def as_flags(name: str, value: object, *, where: str = "") -> np.ndarray:
    """Convert true/false flags (``dones``, ``terminated``): bools, or numbers that are exactly 0 or 1.

    Used behind the scenes in notebook 02.

    Returns:
        A bool array.

    Raises:
        ValueError: for text (``'False'`` is not False), None, or numbers other than 0 and 1 (0.7).
    """
    arr = as_array(name, value, where=where)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind not in "iuf":
        _refuse_kind(name, arr, "True or False (bools)", where)
        arr = _as_float64(name, arr, where)
    binary = (arr == 0) | (arr == 1)
    if not binary.all():
        index, bad = _first_bad(arr, binary)
        raise ValueError(f"{where}{name}{_where(index)} = {bad} is not a flag; {name} must hold True or False "
                         "(or exactly 1 and 0).")
    return arr.astype(bool)


def check_flag(name: str, value: object) -> bool:
    """Check one true/false argument (``terminated``) and return it as a plain ``bool``.

    Raises:
        ValueError: for anything but True, False or a NumPy bool (0.7 and 'False' are refused).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {show(value)} ({type(value).__name__}).")
    return bool(value)
