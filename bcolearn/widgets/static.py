"""Static copies: a panel's last figure and result as a plain output, for viewers without widgets.

Committed notebooks keep no widget state, so a static viewer (GitHub, nbviewer, an untrusted notebook in
JupyterLab) would show nothing of a panel. After a panel's first run its cell also shows a
:func:`static_copy`: HTML with the figure as an embedded PNG and the result text, plus ``text/plain``.
While the live panel is shown, an invisible style rule in it (:func:`hide_static_copy`) hides the copy.
Used by every panel (notebooks 01–06).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as w

from bcolearn.plotting import png_data_uri

__all__ = ["StaticCopy", "static_copy", "hide_static_copy", "plain_text", "PanelBox"]


@dataclass(frozen=True)
class StaticCopy:
    """A plain (non-widget) output: HTML with a figure and text, and the text alone as ``text/plain``."""

    html: str
    """The copy as HTML (title, image, result)."""
    text: str
    """The result as plain text."""

    def _repr_mimebundle_(self, include: Sequence[str] | None = None,
                          exclude: Sequence[str] | None = None) -> dict[str, str]:
        return {"text/html": self.html, "text/plain": self.text}


def static_copy(uid: str, title: str, png: bytes, body_html: str) -> StaticCopy:
    """A static copy of a panel, shown after it (see the module docstring).

    Used by every panel (notebooks 01–06).

    Args:
        uid: the panel's unique id (the same as given to :func:`hide_static_copy`).
        title: a bold first line.
        png: the figure.
        body_html: the result text, as HTML.

    Returns:
        The output, to ``display``.
    """
    return StaticCopy(f"<div class='bcolearn-static bcolearn-static-{uid}'><b>{html.escape(title)}</b><br>"
                      f"<img src='{png_data_uri(png)}' style='max-width:100%' alt='{html.escape(title)}'/>"
                      f"<div>{body_html}</div></div>", plain_text(body_html))


def plain_text(text_html: str) -> str:
    """HTML as plain text (tags dropped, line breaks kept)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text_html.replace("<br>", "\n")))


def hide_static_copy(uid: str) -> w.HTML:
    """An invisible widget whose style rule hides the panel's :func:`static_copy` while the live panel is shown."""
    return w.HTML(f"<style>.bcolearn-static-{uid} {{display: none;}}</style>", layout={"display": "none"})


class PanelBox(w.VBox):
    """A panel's outer box, whose plain-text form is one readable line, not the widget tree.

    Where widgets cannot be shown (a committed notebook opened untrusted, a terminal), the viewer falls back to
    ``text/plain``: e.g. "Behavioural Cloning panel (CartPole-v1): run the cell to use it."
    """

    def __init__(self, children: Sequence[w.Widget], describe: Callable[[], str], **kwargs: object) -> None:
        super().__init__(list(children), **kwargs)
        self.describe = describe

    def __repr__(self) -> str:
        return self.describe()
