"""Hyperparameter fields with bounds and help text, shared by the algorithms' config dataclasses.

The bounds and help text are read by :mod:`bcolearn.widgets` to build sliders, and by
:func:`validate` to reject out-of-range values with a clear message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

Callback = Callable[[dict[str, float]], "bool | None"]
"""Called with namespaced metrics (``{"epoch": 3, "loss/bc": 0.21, ...}``); return True to stop early."""


def param(
    default: Any,
    doc: str,
    *,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[Any, ...] | None = None,
    log: bool = False,
) -> Any:
    """A dataclass field carrying its help text and valid range (``low <= value <= high``).

    Used behind the scenes in notebook 03.

    Args:
        default: the default value.
        doc: one-line help text, shown next to the widget.
        low: smallest valid value (inclusive), or None.
        high: largest valid value (inclusive), or None.
        choices: the allowed values, for categorical settings.
        log: the value spans orders of magnitude (a learning rate): use a log slider.
    """
    meta = {"doc": doc, "low": low, "high": high, "choices": choices, "log": log}
    return dataclasses.field(default=default, metadata=meta)


def validate(config: object) -> None:
    """Check every field of a config dataclass against its bounds.

    Used behind the scenes in notebook 03.

    Raises:
        ValueError: naming the field, the bad value, and the valid range.
    """
    cls = type(config).__name__
    for f in dataclasses.fields(config):  # type: ignore[arg-type]
        value = getattr(config, f.name)
        meta = f.metadata
        if "doc" not in meta:
            continue
        if meta["choices"] is not None:
            if value not in meta["choices"]:
                raise ValueError(f"{cls}.{f.name} = {value!r} is not one of {meta['choices']}: {meta['doc']}.")
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"{cls}.{f.name} must be a number, got {value!r}: {meta['doc']}.")
        if isinstance(f.default, int) and not isinstance(value, (int, np.integer)):
            raise ValueError(f"{cls}.{f.name} must be a whole number, got {value!r}: {meta['doc']}.")
        low, high = meta["low"], meta["high"]
        finite = isinstance(value, (int, np.integer)) or np.isfinite(value)  # isfinite fails on ints beyond int64
        if not finite or (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(
                f"{cls}.{f.name} = {value!r} is out of range: expected {low} <= {f.name} <= {high} ({meta['doc']})."
            )


def with_updates(config: Any, **changes: Any) -> Any:
    """A copy of ``config`` with some fields changed (and validated).

    Used behind the scenes in notebook 03.
    """
    return dataclasses.replace(config, **changes)


# --- Checkers for the arguments every public function takes (one place, one wording) -------------

MAX_SEED = 2**32 - 1
"""The largest seed bcolearn accepts: NumPy's legacy and torch's generators both take 32-bit seeds."""


def check_seed(seed: object, name: str = "seed") -> int:
    """Check a seed argument and return it as a plain ``int``.

    Used behind the scenes in notebook 02 (every public function that takes a seed uses it).

    Args:
        seed: the value to check: a whole number in ``[0, 2**32 - 1]`` (``int`` or a NumPy integer).
        name: the parameter's name, used in the message.

    Returns:
        ``int(seed)``.

    Raises:
        TypeError: for None, bools, floats, strings and other non-integers.
        ValueError: for a negative seed or one above ``2**32 - 1``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number such as 0 or 42, got {seed!r} ({type(seed).__name__}).")
    if not 0 <= int(seed) <= MAX_SEED:
        raise ValueError(f"{name} must be between 0 and 2**32 - 1, got {seed!r}: pick a small seed such as 0.")
    return int(seed)


def check_count(value: object, name: str, *, low: int = 1, high: int | None = None) -> int:
    """Check a count argument (episodes, steps, demos) and return it as a plain ``int``.

    Used behind the scenes in notebook 02.

    Args:
        value: the value to check: a whole number (``int`` or a NumPy integer), not a bool.
        name: the parameter's name, used in the message.
        low: smallest valid value (inclusive).
        high: largest valid value (inclusive), or None for no limit.

    Returns:
        ``int(value)``.

    Raises:
        TypeError: for None, bools, floats, strings and other non-integers.
        ValueError: for a value outside ``[low, high]``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
    if int(value) < low or (high is not None and int(value) > high):
        limits = f"at least {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {limits}, got {value!r}.")
    return int(value)


def check_config(config: object, expected: type, *, default: Callable[[], Any] | None = None,
                 where: str = "") -> Any:
    """Check that ``config`` is an instance of the config dataclass ``expected`` (or None for a default).

    Used behind the scenes in notebook 03.

    Args:
        config: what the caller passed.
        expected: the config class the function needs (e.g. ``BCConfig``).
        default: called to make a default config when ``config`` is None (``expected()`` if not given).
        where: the function's name, used in the message (``"train_bc"``).

    Returns:
        ``config``, or the default when it was None.

    Raises:
        TypeError: naming the class found, the class expected, and how to build one.
    """
    if config is None:
        return default() if default is not None else expected()
    if not isinstance(config, expected):
        found = type(config).__name__
        hint = f"{expected.__name__}(**your_dict)" if isinstance(config, dict) else f"{expected.__name__}(...)"
        at = f"{where} needs" if where else "Expected"
        raise TypeError(f"{at} a {expected.__name__}, got {found}: {config!r:.80}. Build one with {hint}.")
    return config


# --- Dotted config paths ("idm.epochs"): the hyperparameters of nested config dataclasses --------------
# The panels of bcolearn.widgets key their controls by these paths (notebooks 03-05).

ParamValue = int | float | str
"""The value of one hyperparameter: a number, or one of its ``choices``."""

C = TypeVar("C")


def hyperparameters(config: object) -> tuple[str, ...]:
    """Every hyperparameter of a config dataclass instance, as a dotted path, nested configs included.

    Used behind the scenes in notebook 03.

    Args:
        config: e.g. ``BCOConfig()``.

    Returns:
        E.g. ``("pre_demo_steps", "alpha", …, "idm.epochs", …, "bc.epochs", …)``, in field order.
    """
    paths: list[str] = []
    for f in dataclasses.fields(config):  # type: ignore[arg-type]
        value = getattr(config, f.name)
        if "doc" in f.metadata:
            paths.append(f.name)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            paths.extend(f"{f.name}.{sub}" for sub in hyperparameters(value))
    return tuple(paths)


def _owner(config: object, path: str) -> tuple[object, str]:
    """The (nested) config that holds the last part of ``path``, and that part's name."""
    *outer, name = path.split(".")
    for part in outer:
        inner = getattr(config, part, None)
        if not dataclasses.is_dataclass(inner) or isinstance(inner, type):
            raise ValueError(f"{type(config).__name__} has no hyperparameter {path!r}; it has "
                             f"{', '.join(hyperparameters(config))}.")
        config = inner
    return config, name


def field_at(config: object, path: str) -> dataclasses.Field[ParamValue]:
    """The :func:`param` field at a dotted path (``"idm.epochs"``) of a config dataclass instance.

    Used behind the scenes in notebook 03.

    Raises:
        ValueError: naming the path and listing the hyperparameters ``config`` has.
    """
    if not isinstance(path, str):
        raise TypeError(f"A hyperparameter path is a string such as 'epochs' or 'idm.epochs', got {path!r}.")
    owner, name = _owner(config, path)
    fields = {f.name: f for f in dataclasses.fields(owner)}  # type: ignore[arg-type]
    if name not in fields or "doc" not in fields[name].metadata:
        where = path.rpartition(".")[0]
        known = hyperparameters(owner)
        raise ValueError(f"{type(owner).__name__} has no hyperparameter {name!r}; it has "
                         f"{', '.join(f'{where}.{k}' if where else k for k in known)}.")
    return fields[name]


def get_path(config: object, path: str) -> ParamValue:
    """The value of the hyperparameter at a dotted path, e.g. ``get_path(BCOConfig(), "idm.epochs") == 30``.

    Used behind the scenes in notebook 03.

    Raises:
        ValueError: for a path that ``config`` does not have (listing those it has).
    """
    field_at(config, path)
    owner, name = _owner(config, path)
    return getattr(owner, name)


def bounds_text(f: dataclasses.Field[ParamValue]) -> str:
    """The valid values of a :func:`param` field in words: ``"from 1 to 1000"``, ``"of at least 0"``, ``"one of 'a', 'b'"``.

    Used behind the scenes in notebook 03.
    """
    meta = f.metadata
    if meta["choices"] is not None:
        return "one of " + ", ".join(repr(c) for c in meta["choices"])
    low, high = meta["low"], meta["high"]
    if low is not None and high is not None:
        return f"from {low:g} to {high:g}"
    if low is not None:
        return f"of at least {low:g}"
    return "" if high is None else f"of at most {high:g}"


def replace_path(config: C, path: str, value: ParamValue) -> C:
    """A copy of a config dataclass with the hyperparameter at a dotted path replaced, and validated.

    Nothing is clamped or rounded: a value out of range, of the wrong type or not among the choices is refused.
    Used behind the scenes in notebook 03.

    Args:
        config: e.g. ``BCOConfig()``.
        path: e.g. ``"alpha"`` or ``"idm.epochs"``.
        value: the new value.

    Returns:
        The new config (``config`` itself is unchanged).

    Raises:
        ValueError: for an unknown path, or a value that the field refuses (naming the path, the value and
            the valid range).
    """
    f = field_at(config, path)
    owner, name = _owner(config, path)
    try:
        return _replaced(config, path, value)
    except (TypeError, ValueError) as err:
        if not str(err).startswith(f"{type(owner).__name__}.{name} "):  # another field's check: pass it on
            raise ValueError(f"{path} = {value!r} is not allowed: {err} Nothing was changed.") from None
        kind = "" if f.metadata["choices"] is not None else "a whole number " if isinstance(f.default, int) \
            else "a number "
        raise ValueError(f"{path} = {value!r} is not allowed: {path} takes {kind}{bounds_text(f)} "
                         f"({f.metadata['doc']}). Nothing was changed.") from None


def _replaced(config: C, path: str, value: ParamValue) -> C:
    head, _, rest = path.partition(".")
    if rest:
        return dataclasses.replace(config, **{head: _replaced(getattr(config, head), rest, value)})  # type: ignore[type-var]
    new = dataclasses.replace(config, **{head: value})  # type: ignore[type-var]
    validate(new)
    return new
