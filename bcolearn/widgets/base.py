"""The panel every panel shares: a title, controls from config fields, a message line, ``set``, a static copy.

:class:`Panel` holds what the demos explorer (notebook 02) and every training panel
(:class:`bcolearn.widgets.TrainingPanel`, notebooks 01, 03–06) have in common. Its controls refuse values
that their config field refuses, aloud: :meth:`Panel.set` raises and says so in the panel, a value typed in
a text box is refused with a message, and a slider (whose range is the field's bounds) names the end it
reached. Its plain-text form is one readable line, so a notebook opened without widgets shows no widget repr.
A subclass builds its controls, calls ``_build(...)`` with its own parts, and implements ``check_value``
and ``static_copy`` (see :mod:`bcolearn.widgets.demos` for a short example).
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Mapping
from typing import ClassVar, Generic

import ipywidgets as w

from bcolearn.config import ParamValue
from bcolearn.widgets.controls import Control, control_grid, is_text_box
from bcolearn.widgets.specs import ConfigT
from bcolearn.widgets.static import PanelBox, StaticCopy, hide_static_copy

__all__ = ["Panel"]

_ids = itertools.count()


class Panel(Generic[ConfigT]):
    """What every panel has: a title, controls in a grid, a message line, :meth:`set` and a static copy.

    Subclasses build ``self.controls`` and call :meth:`_build`, and implement :meth:`check_value` (refuse a
    value) and :meth:`static_copy`. Used behind the scenes in notebook 02 (the demos panel).

    Attributes:
        widget: the whole panel (a VBox whose plain-text form is one readable line).
        controls: every control by name.
        message: the message line (errors in red).
    """

    title: ClassVar[str] = "Panel"
    intro: ClassVar[str] = ""

    def __init__(self, controls: Mapping[str, Control]) -> None:
        self.controls: dict[str, Control] = dict(controls)
        self.message = w.HTML("")
        self.uid = f"{type(self).__name__.lower()}{id(self):x}{next(_ids)}"
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._on_typed(name, change), names="value")
        self._reverting = False
        self._shown = False

    def _build(self, *parts: w.Widget) -> None:
        """The panel's box: title and intro, the controls, then ``parts``, then the style that hides the copy."""
        head = w.HTML(f"<h4 style='margin:4px 0'>{html.escape(self.title)}</h4>"
                      + (f"<div>{self.intro}</div>" if self.intro else ""))
        children = [head, control_grid(self.controls), self.message, *parts, hide_static_copy(self.uid)]
        for part, cls in zip(children[:3], ("title", "controls", "message")):
            part.add_class(f"bcolearn-{cls}")
        self.widget = PanelBox(children, self.text_repr, layout={"border": "1px solid #ddd", "padding": "6px"})
        self.widget.add_class("bcolearn-panel")

    def text_repr(self) -> str:
        """One line for viewers without widgets, e.g. "Behavioural Cloning panel (CartPole-v1): run the cell…"."""
        env = self.controls.get("env_id")
        where = f" ({env.value})" if env is not None else ""
        return f"{self.title} panel{where}: run the cell to use it."

    def __repr__(self) -> str:
        return self.text_repr()

    def check_value(self, name: str, value: ParamValue) -> None:
        """Raise ValueError if control ``name`` may not take ``value`` (naming it, the value and the valid range)."""
        raise NotImplementedError

    def values(self) -> dict[str, ParamValue]:
        """The value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values: ParamValue) -> None:
        """Set controls by name, as a learner would (e.g. ``panel.set(epochs=10, lr=1e-3)``).

        Nothing is clamped or rounded: if any value is refused, none is set, the panel says why and so does
        the ValueError.

        Raises:
            ValueError: for a name that is not a control of this panel (listing those it has), or a value
                out of range, of the wrong type or not among the choices.
        """
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"{type(self).__name__} has no setting {name!r}; its settings are "
                                 f"{', '.join(self.controls)}.")
            try:
                self.check_value(name, value)
            except (TypeError, ValueError) as err:
                self.say(str(err), error=True)
                raise ValueError(str(err)) from None
        for name, value in values.items():
            self.controls[name].value = value

    def _on_typed(self, name: str, change: Mapping[str, ParamValue]) -> None:
        """A value typed in the page: a text box's bad value is refused aloud; a slider's bound is named."""
        if self._reverting:
            return
        try:
            self.check_value(name, change["new"])
        except (TypeError, ValueError) as err:
            if is_text_box(self.controls[name]):
                self._reverting = True
                self.controls[name].value = change["old"]
                self._reverting = False
            self.say(str(err), error=True)
            return
        control = self.controls[name]
        ends = [getattr(control, k) for k in ("min", "max") if hasattr(control, k)]
        if ends and change["new"] in (ends[0], ends[-1]) and not isinstance(control, w.FloatLogSlider):
            self.say(f"{name} = {change['new']} is the end of its range (valid: {control.min} to {control.max}); "
                     "a value typed beyond it is set to this end.")

    def say(self, text: str, error: bool = False) -> None:
        """Show a message in the panel (red for an error); an empty text clears it."""
        colour = "#cf222e" if error else "#555"
        self.message.value = f"<span style='color:{colour}'>{html.escape(text)}</span>" if text else ""

    def static_copy(self) -> StaticCopy | None:
        """The panel's current figure and text as a plain output, for static viewers (None: nothing to show)."""
        raise NotImplementedError

    def _ipython_display_(self) -> None:
        self.show()

    def show(self) -> None:
        """Display the panel (what a cell ending in the panel does); the first time, also its static copy.

        A training panel first trains once with its defaults, so the copy shows real curves.
        """
        from IPython.display import display

        display(self.widget)
        if not self._shown:
            self._shown = True
            self._first_shown()
            copy = self.static_copy()
            if copy is not None:
                display(copy)

    def _first_shown(self) -> None:
        """Called once, when the panel is first displayed (training panels train with their defaults here)."""
