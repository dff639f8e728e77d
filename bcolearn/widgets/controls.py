"""Controls built from config fields: one widget per hyperparameter, its range exactly the field's bounds.

A control's description is its (dotted) path, its tooltip the field's help text, its range the bounds of
:func:`bcolearn.config.param`: a dropdown for ``choices``, a log slider for ``log=True``, a slider for a
bounded number, a text box where the range is too wide for a slider. Every control has
``continuous_update=False``. Nothing here clamps: the panels refuse out-of-range values with a message
(:meth:`bcolearn.widgets.Panel.set`). Shown in notebook 03.
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping, Sequence

import ipywidgets as w
import traitlets

from bcolearn.config import ParamValue, field_at, get_path

__all__ = ["Control", "field_control", "config_controls", "control_grid", "is_text_box", "MAX_SLIDER_STEPS",
           "IntLogSlider"]

Control = w.ValueWidget
"""Any control of a panel (a slider, a text box or a dropdown): it has a ``value``."""

MAX_SLIDER_STEPS = 2000
"""A whole-number field with a wider range than this gets a text box instead of a slider."""


class IntLogSlider(w.FloatLogSlider):
    """A log slider of whole numbers (an interaction budget, ``log=True`` on an int field): its value is an int."""

    value = traitlets.CInt(1, help="The value, a whole number").tag(sync=True)

    @traitlets.validate("value")
    def _valid_value(self, proposal: dict) -> int:  # type: ignore[type-arg]
        return int(round(min(max(proposal["value"], self.base ** self.min), self.base ** self.max)))


def field_control(f: dataclasses.Field[ParamValue], value: ParamValue, *, name: str | None = None) -> Control:
    """One widget for one config field, built from its :func:`~bcolearn.config.param` metadata.

    The slider's range is the field's bounds, no narrower: every value the config allows can be set.
    Shown in notebook 03.

    Args:
        f: a dataclass field made with :func:`~bcolearn.config.param`.
        value: the initial value.
        name: the description (default: the field's name).

    Returns:
        A Dropdown, FloatLogSlider, IntLogSlider, IntSlider, FloatSlider, IntText or FloatText.
    """
    meta = f.metadata
    common = {"description": name or f.name, "tooltip": meta["doc"], "style": {"description_width": "130px"},
              "layout": {"width": "340px"}}
    if meta["choices"] is not None:
        return w.Dropdown(options=list(meta["choices"]), value=value, **common)
    low, high = meta["low"], meta["high"]
    whole = isinstance(f.default, int)
    if meta["log"] and whole and low is not None and high is not None and low > 0:
        return IntLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.1,
                            readout_format=",d", continuous_update=False, **common)
    if low is None or high is None or (whole and high - low > MAX_SLIDER_STEPS):
        text = w.IntText if whole else w.FloatText  # unbounded: the panel checks the typed value and says why
        return text(value=value, continuous_update=False, **common)
    if meta["log"]:
        return w.FloatLogSlider(value=value, base=10, min=math.log10(low), max=math.log10(high), step=0.25,
                                readout_format=".1e", continuous_update=False, **common)
    if whole:
        return w.IntSlider(value=value, min=low, max=high, step=1, continuous_update=False, **common)
    step = 10 ** math.floor(math.log10((high - low) / 100))
    return w.FloatSlider(value=value, min=low, max=high, step=step, continuous_update=False, **common)


def config_controls(config: object, paths: Sequence[str]) -> dict[str, Control]:
    """Widgets for some fields of a config dataclass instance, keyed by their (dotted) path.

    Shown in notebook 03: the panels are built this way, so every slider's bounds and help text
    are those of the config field it sets.

    Args:
        config: e.g. ``BCConfig()``; nested configs are reached by dotted paths (``"idm.epochs"``).
        paths: the fields to make controls for.

    Returns:
        ``{path: widget}`` in the order of ``paths``.

    Raises:
        ValueError: for a path that ``config`` does not have (listing those it has).
    """
    return {path: field_control(field_at(config, path), get_path(config, path), name=path) for path in paths}


def is_text_box(control: Control) -> bool:
    """True for a text box (its typed value reaches the kernel unclamped, so the panel can refuse it)."""
    return isinstance(control, (w.IntText, w.FloatText))


def control_grid(controls: Mapping[str, Control]) -> w.GridBox:
    """The controls in a grid, each with its help text beside it."""
    rows = [w.HBox([c, w.HTML(f"<div style='color:#666;font-size:12px;line-height:1.25'>{html.escape(c.tooltip)}"
                              "</div>", layout={"width": "190px", "margin": "0 0 0 8px"})],
                   layout={"align_items": "center"}) for c in controls.values()]
    return w.GridBox(rows, layout={"grid_template_columns": "repeat(auto-fill, minmax(540px, 1fr))",
                                   "grid_gap": "0 16px"})
