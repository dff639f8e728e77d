"""The package's shape: import-linter's contracts (pyproject.toml) hold, and can break; every "Taught in
notebook N" tag names a notebook that really uses the name."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import nbformat
import pytest

import bcolearn

ROOT = Path(bcolearn.__file__).resolve().parents[1]
LINT = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_architecture_contracts_hold():
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("module, bad_import", [("bc", "bcolearn.plotting"), ("tasks", "bcolearn.training")])
def test_the_contracts_break_when_a_layer_points_up(tmp_path, module, bad_import):
    shutil.copytree(ROOT / "bcolearn", tmp_path / "bcolearn", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / "bcolearn" / f"{module}.py"
    path.write_text(path.read_text() + f"\n\ndef _upward() -> None:\n    import {bad_import}  # noqa: F401\n")
    done = lint(tmp_path)
    assert done.returncode != 0 and "BROKEN" in done.stdout
    assert f"bcolearn.{module} -> {bad_import}" in done.stdout


TAG = re.compile(r"Taught(?: from scratch)? in notebooks? ((?:\d\d(?:\s*\([^)]*\))?(?:,\s*|\s+and\s+|\s*))+)")



@cache
def notebook_text(number: str) -> str:
    """The code a notebook runs and the names its markdown quotes in backticks."""
    (path,) = ROOT.glob(f"notebooks/{number}_*.ipynb")
    cells = nbformat.read(path, 4).cells
    code = [c.source for c in cells if c.cell_type == "code"]
    quoted = [q for c in cells if c.cell_type == "markdown" for q in re.findall(r"`([^`]+)`", c.source)]
    return "\n".join(code + quoted)


def tagged_names():
    for info in pkgutil.walk_packages(bcolearn.__path__, "bcolearn."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if obj.__module__ != module.__name__:
                continue
            match = TAG.search(inspect.getdoc(obj) or "")
            if match:
                for number in re.findall(r"\d\d", match.group(1)):
                    yield info.name.split(".", 1)[1], name, number


def drifted() -> set[tuple[str, str, str]]:
    return {(m, name, n) for m, name, n in tagged_names()
            if not re.search(rf"\b{re.escape(name)}\b", notebook_text(n))}


def test_every_taught_in_tag_names_a_notebook_that_uses_the_name():
    assert len(list(tagged_names())) > 30  # the tags are found at all
    new = drifted()
    assert not new, ("These docstrings say 'Taught in notebook N', but notebook N never uses the name: "
                     f"{sorted(new)}. Name the notebook that does, or say 'Used behind the scenes in notebook N'.")

