"""Hyperparameter fields with bounds and help text, shared by the algorithms' config dataclasses.

The bounds and help text are read by :mod:`bcolearn.widgets` to build sliders, and by
:func:`validate` to reject out-of-range values with a clear message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

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

    Taught in notebook 03.

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

    Taught in notebook 03.

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
        if not np.isfinite(value) or (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(
                f"{cls}.{f.name} = {value!r} is out of range: expected {low} <= {f.name} <= {high} ({meta['doc']})."
            )


def with_updates(config: Any, **changes: Any) -> Any:
    """A copy of ``config`` with some fields changed (and validated).

    Taught in notebook 03.
    """
    return dataclasses.replace(config, **changes)
