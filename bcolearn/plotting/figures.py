"""Figure helpers shared by every figure: a pyplot-free figure, one axes finish, reference lines, images.

Figures are made with :class:`matplotlib.figure.Figure` directly (not ``pyplot``): they are thread-safe,
leave no global state behind, and a notebook shows a returned figure exactly once. Every figure has a
title, labelled axes with units, and a legend when it shows more than one line: :func:`finish_axes`
gives an axes all of these in one call. Used by every figure of notebooks 01–06.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bcolearn.plotting.style import EXPERT_COLOR, GROUPS, RANDOM_COLOR, X_LABELS, reference_returns, y_label


def new_figure(figsize: tuple[float, float], *, layout: str | None = "constrained", dpi: float = 100) -> Figure:
    """A pyplot-free figure with an Agg canvas, displayable in a notebook."""
    fig = Figure(figsize=figsize, dpi=dpi, layout=layout)
    FigureCanvasAgg(fig)
    _enable_notebook_display()
    return fig


def _enable_notebook_display() -> None:
    """Let IPython show a pyplot-free Figure as a PNG (matplotlib-inline does this only once pyplot is used)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, figure_png)


def figure_png(fig: Figure, dpi: float | None = None) -> bytes:
    """The figure as PNG bytes, for image widgets and static notebook outputs (the panels of notebooks 01–06).

    Args:
        fig: a matplotlib figure.
        dpi: resolution; the figure's own if None.

    Returns:
        The PNG file's bytes.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi or fig.dpi)
    return buf.getvalue()


def canvas_image(fig: Figure, fmt: str) -> bytes:
    """What the canvas holds now (no redraw), as ``"JPEG"`` (quality 90) or ``"PNG"`` (light compression) bytes."""
    from PIL import Image

    canvas = fig.canvas
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format=fmt, **({"quality": 90} if fmt == "JPEG" else {"compress_level": 1}))
    return buf.getvalue()


def png_data_uri(png: bytes) -> str:
    """A ``data:`` URI for PNG bytes, for embedding an image in HTML output (static copies, animations)."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def reference_lines(ax: Axes, env_id: str | None) -> list[Line2D]:
    """Dashed expert and dotted random-policy returns of ``env_id`` (nothing for other tasks)."""
    ref = reference_returns(env_id)
    if ref is None:
        return []
    return [
        ax.axhline(ref.expert, color=EXPERT_COLOR, ls="--", lw=1.2, label=f"expert ({round(ref.expert, 1):g})"),
        ax.axhline(ref.random, color=RANDOM_COLOR, ls=":", lw=1.2, label=f"random policy ({round(ref.random, 1):g})"),
    ]


def finish_axes(ax: Axes, title: str, xlabel: str, ylabel: str, *, grid: str = "both",
                legend: Mapping[str, Any] | None = None, wrap: bool = True, title_size: str | None = None) -> None:
    """Give an axes what every figure's axes has: a title, axis labels with units, a light grid, a legend.

    Args:
        ax: the axes.
        title: its title; with ``wrap`` it wraps onto more lines when wider than the figure allows.
        xlabel: the x-axis label, with units.
        ylabel: the y-axis label, with units.
        grid: which grid lines to draw (``"both"``, ``"x"`` or ``"y"``).
        legend: keyword arguments of a small legend (``{}``: the default one); None: no legend here.
        wrap: let the title wrap rather than clip.
        title_size: the title's font size (None: matplotlib's default).
    """
    ax.set_title(title, wrap=wrap, **({"fontsize": title_size} if title_size else {}))
    ax.set(xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3, axis=grid)
    if legend is not None:
        ax.legend(fontsize="small", **legend)


def decorate_curve_axes(ax: Axes, group: str, xkey: str, env_id: str | None, *, title: str | None = None,
                        xlabel: str | None = None, ylabel: str | None = None) -> list[Line2D]:
    """Title, axis labels with units, grid and ticks of one group's curve axes; reference lines for returns.

    Args:
        ax: the axes.
        group: the metrics' kind (``"loss"``, ``"return"``…, see :func:`metric_group`).
        xkey: the x key (names the x axis, unless ``xlabel`` is given).
        env_id: the task, for the action unit and the reference returns.
        title: the title (default: the group's).
        xlabel: the x-axis label (default: from :data:`X_LABELS`).
        ylabel: the y-axis label (default: the group's, with units).

    Returns:
        The reference lines drawn (for the legend).
    """
    finish_axes(ax, title or GROUPS[group][0], xlabel or X_LABELS.get(xkey, xkey), ylabel or y_label(group, env_id),
                wrap=False, title_size="medium")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=xkey in ("epoch", "iteration", "bco/iteration")))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    return reference_lines(ax, env_id) if group == "return" else []


def log_x_at_data(ax: Axes, xs: np.ndarray) -> None:
    """A logarithmic x axis whose ticks are the data's own x values (1, 2, 5, 10), not powers of ten.

    Raises:
        ValueError: if an x value is not positive (a log axis cannot show it).
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

    xs = np.unique(np.asarray(xs, dtype=float))
    if len(xs) and xs[0] <= 0:
        raise ValueError(f"log_x=True needs positive x values, got {xs[0]:g}; use log_x=False for this curve.")
    ax.set_xscale("log")
    # Up to a dozen distinct x values: a tick at each; more: 1, 2, 5 per decade.
    ax.xaxis.set_major_locator(FixedLocator(xs) if len(xs) <= 12 else LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
