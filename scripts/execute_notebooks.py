"""Execute course notebooks top to bottom on a fresh kernel and save them clean, with outputs.

    python scripts/execute_notebooks.py                       # all notebooks/*.ipynb
    python scripts/execute_notebooks.py notebooks/03_*.ipynb  # some

Each notebook runs in its own folder (notebooks/), as a learner's would. Afterwards the widget
state blob and execution timing metadata are removed (they are noise in git), and so are the widget
views: without the state they cannot render, and a viewer would show their raw text repr
(``VBox(children=(HTML(value=...``) or "Loading widget..." instead. Each panel follows its widget
with a plain static copy (an image and text), which stays. The wall-clock run time is printed, for
the figures quoted in docs/INSTRUCTORS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def is_widget_view(output: nbformat.NotebookNode) -> bool:
    """True for an output that is a widget view: it needs the (dropped) widget state to render."""
    return WIDGET_VIEW in output.get("data", {})


def clean(nb: nbformat.NotebookNode) -> None:
    """Drop widget state, widget views and per-cell execution metadata; keep every other output."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.get("outputs", []) if not is_widget_view(out)]
            for out in cell.outputs:
                out.get("metadata", {}).pop("execution", None)


def execute(path: Path, timeout: int = 600) -> float:
    """Run one notebook in place; return its wall-clock run time in seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    clean(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        print(f"{path.name}: {execute(path.resolve()):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
