"""Checks shared by the figure tests (tests/test_plotting_*.py): labelled axes, texts inside the figure;
and what a notebook shows of an object (the checks' tests)."""

from __future__ import annotations

from IPython.core.formatters import format_display_data


def html_of(obj: object) -> str:
    """What a notebook shows of ``obj``: its HTML form, as IPython formats it."""
    return format_display_data(obj)[0]["text/html"]


def assert_labelled(fig) -> None:  # type: ignore[no-untyped-def]
    """Every axes has a title and labelled axes; any with more than one labelled line has a legend."""
    assert fig.axes, "the figure has no axes"
    for ax in fig.axes:
        assert ax.get_title(), "an axes has no title"
        assert ax.get_xlabel() and ax.get_ylabel(), f"axes {ax.get_title()!r} lacks an axis label"
        labelled = [h for h in ax.get_lines() + ax.collections if not h.get_label().startswith("_")]
        if len(labelled) > 1:
            assert ax.get_legend() is not None, f"axes {ax.get_title()!r} has {len(labelled)} lines but no legend"


def inside_figure(fig, text) -> bool:  # type: ignore[no-untyped-def]
    """Whether a drawn text lies wholly inside the figure (1 px of slack for antialiasing)."""
    fig.canvas.draw()
    box, page = text.get_window_extent(), fig.bbox
    return box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1
