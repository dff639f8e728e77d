"""Building the student edition of the course: solutions out, placeholders in, exercise outputs cleared.

    python -m bcolearn.course student OUT_DIR            # from the course's notebooks/ and images/

The course notebooks carry their reference solutions between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
(nbgrader's convention; in a markdown cell write the markers as HTML comments, ``<!-- BEGIN SOLUTION -->``, so
that they do not show). The student edition replaces each region with a placeholder that keeps the cell valid
Python and makes its check say "Not answered yet", so that Run All never stops on an unanswered exercise:

* inside a function, ``raise NotImplementedError(...)`` (the checks call the learner's function and report a
  placeholder as not answered);
* elsewhere, ``name = ...`` for every name the solution defines (a check given ``...`` says not answered, and
  later cells pass the name on without touching it);
* in a markdown cell, *Your answer here.*

Regions between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are removed. The outputs of the exercise
cells (cells with a region, and cells that call a ``check_…`` function) are cleared; every other cell, with its
outputs (figures, the panels' static copies), stays as it is. ``images/`` is copied beside ``notebooks/`` so that
the notebooks' ``../images/*.png`` links work. The edition is written to a temporary folder first and renamed
into place, so a failed build leaves nothing half-written; the target must be empty, new, or a previous student
edition. See docs/INSTRUCTORS.md (handing out the student edition, nbgrader) and scripts/test.sh (CI runs it).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from bcolearn.checks.result import NOT_ANSWERED

BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
PLACEHOLDER = "# YOUR CODE HERE"
"""How every code placeholder starts (followed by a one-line hint)."""
MARKDOWN_PLACEHOLDER = "*Your answer here.*"
EDITION_MARK = ".bcolearn-student-edition"
"""The file that marks a folder as a student edition (a later build may replace such a folder)."""
CHECK_CALL = re.compile(r"\bcheck_\w+\s*\(")
NBVAL_MARK = re.compile(r"^\s*#\s*NBVAL_CHECK_OUTPUT\s*$")
COURSE_ROOT = Path(__file__).resolve().parents[1]


class CourseError(ValueError):
    """A notebook whose markers are malformed, or an unsafe target folder."""


def regions(lines: Sequence[str], begin: str = BEGIN, end: str = END) -> list[tuple[int, int]]:
    """The ``(begin_line, end_line)`` indices of every marked region in ``lines`` (marker lines included).

    A line is a marker when it contains ``begin`` / ``end`` (nbgrader's rule), e.g. ``### BEGIN SOLUTION``.

    Raises:
        CourseError: for a region that is nested, never closed, or closed without being opened.
    """
    found: list[tuple[int, int]] = []
    start: int | None = None
    for i, line in enumerate(lines):
        if begin in line:
            if start is not None:
                raise CourseError(f"line {i + 1}: {begin!r} inside the region opened on line {start + 1}; "
                                  f"close it with {end!r} first (regions cannot nest).")
            start = i
        elif end in line:
            if start is None:
                raise CourseError(f"line {i + 1}: {end!r} without a {begin!r} before it.")
            found.append((start, i))
            start = None
    if start is not None:
        raise CourseError(f"line {start + 1}: {begin!r} is never closed; add a {end!r} line after the solution.")
    return found


def _bound_names(body: Iterable[ast.stmt]) -> list[str]:
    """Names that the statements bind at their own level (not inside functions or classes they define)."""
    names: list[str] = []

    def targets(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                targets(elt)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(stmt.name)
        elif isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                targets(t)
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
            targets(stmt.target)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            names += [a.asname or a.name.split(".")[0] for a in stmt.names]
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            targets(stmt.target)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        names += _bound_names(getattr(stmt, "body", []))
        for handler in getattr(stmt, "handlers", []):
            names += _bound_names(handler.body)
        for field in ("orelse", "finalbody"):
            names += _bound_names(getattr(stmt, field, []))
    return list(dict.fromkeys(names))


def _enclosing_function(tree: ast.AST | None, first: int, last: int) -> str | None:
    """The name of the innermost function whose body holds lines ``first..last`` (1-based), if any."""
    name, best = None, -1
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and best < node.lineno < first \
                and (node.end_lineno or 0) >= last:
            name, best = node.name, node.lineno
    return name


def _code_placeholder(body: Sequence[str], indent: str, function: str | None) -> list[str]:
    """The lines that replace one solution region of a code cell."""
    if function is not None:
        return [f"{indent}{PLACEHOLDER}: write this part of {function} (see the task above)",
                f'{indent}raise NotImplementedError("{function}: replace this line with your code")']
    try:
        names = _bound_names(ast.parse(textwrap.dedent("\n".join(body))).body)
    except SyntaxError:
        names = []
    if not names:
        return [f"{indent}{PLACEHOLDER} (see the task above)", f"{indent}..."]
    return [f"{indent}{PLACEHOLDER}: set {', '.join(names)} (see the task above)"] + \
           [f"{indent}{name} = ..." for name in names]


def strip_solutions(source: str, *, markdown: bool = False) -> str:
    """``source`` with every solution region replaced by its placeholder and hidden tests removed.

    Lines outside the regions are kept as they are; a placeholder takes the indentation of its BEGIN marker.

    Raises:
        CourseError: for malformed markers, or a code cell that parsed before and does not after.
    """
    lines = source.split("\n")
    try:
        tree: ast.AST | None = None if markdown else ast.parse(source)
    except SyntaxError:
        tree = None  # e.g. IPython magics: keep going, indentation decides
    hidden = regions(lines, BEGIN_HIDDEN, END_HIDDEN)
    solutions = regions(lines, BEGIN, END)
    spans = sorted([(b, e, False) for b, e in hidden] + [(b, e, True) for b, e in solutions])
    for (b1, e1, _), (b2, _, _) in zip(spans, spans[1:]):
        if b2 <= e1:
            raise CourseError(f"line {b2 + 1}: a solution region and a hidden-tests region overlap.")
    out: list[str] = []
    pos = 0
    for b, e, is_solution in spans:
        out += lines[pos:b]
        pos = e + 1
        if not is_solution:
            continue
        indent = lines[b][: len(lines[b]) - len(lines[b].lstrip())]
        if markdown:
            out.append(MARKDOWN_PLACEHOLDER)
            continue
        code = [j + 1 for j in range(b + 1, e) if lines[j].strip() and not lines[j].strip().startswith("#")]
        function = _enclosing_function(tree, b + 1, max(code, default=b + 1))
        if function is None and tree is None and indent:
            function = "this function"
        out += _code_placeholder(lines[b + 1:e], indent, function)
    out += lines[pos:]
    result = "\n".join(out)
    if tree is not None:
        try:
            ast.parse(result)
        except SyntaxError as exc:
            raise CourseError(f"the student version of this cell does not parse ({exc.msg}, line {exc.lineno}); "
                              "put whole statements between the markers.") from exc
    return result


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def is_exercise_cell(cell: dict[str, Any]) -> bool:
    """True for a code cell with a solution region or one that calls a check (its outputs are cleared)."""
    src = _source(cell)
    return cell.get("cell_type") == "code" and (BEGIN in src or BEGIN_HIDDEN in src or bool(CHECK_CALL.search(src)))


def student_notebook(nb: dict[str, Any], name: str = "notebook") -> dict[str, Any]:
    """The student version of one notebook (a parsed .ipynb); ``nb`` itself is left unchanged.

    Raises:
        CourseError: naming the notebook and cell, for malformed markers.
    """
    nb = json.loads(json.dumps(nb))
    for i, cell in enumerate(nb.get("cells", [])):
        src = _source(cell)
        kind = cell.get("cell_type")
        if kind not in ("code", "markdown") or (BEGIN not in src and BEGIN_HIDDEN not in src
                                                and not is_exercise_cell(cell)):
            continue
        try:
            new = strip_solutions(src, markdown=kind == "markdown")
        except CourseError as exc:
            raise CourseError(f"{name}, cell {i}: {exc}") from exc
        if kind == "code":
            new = "\n".join(line for line in new.split("\n") if not NBVAL_MARK.match(line))  # nothing to compare
            cell["outputs"], cell["execution_count"] = [], None
        cell["source"] = new.splitlines(keepends=True)
    return nb


def _refuse_unsafe(out: Path, root: Path, notebooks: Path) -> None:
    """Raise CourseError unless ``out`` may be (re)built: new, empty, or a previous student edition."""
    if out == root or out in root.parents:
        raise CourseError(f"{out} is the course folder or holds it; choose a new folder, e.g. {root.parent / 'student'}.")
    for source in (notebooks, root / "images"):
        if out == source or source in out.parents:
            raise CourseError(f"{out} is inside the course's {source.name}/; choose a folder outside it.")
    if out.exists() and not out.is_dir():
        raise CourseError(f"{out} is a file; choose a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / EDITION_MARK).is_file():
        raise CourseError(f"{out} is not empty and is not a student edition (no {EDITION_MARK} file); "
                          "choose a new or empty folder, so that nothing of yours is overwritten.")


def build_student_edition(out_dir: str | Path, source: str | Path | None = None) -> list[Path]:
    """Write the student edition of the course to ``out_dir``: ``notebooks/`` and ``images/``.

    Args:
        out_dir: the folder to create (or an empty one, or a previous student edition, which is replaced).
        source: the course's notebooks folder (default: ``notebooks/`` beside the package); ``images/`` is
            taken from beside it.

    Returns:
        The paths of the student notebooks written.

    Raises:
        CourseError: for an unsafe target, a source without notebooks, or malformed markers (then nothing
            is written).
    """
    notebooks = Path(source).resolve() if source is not None else COURSE_ROOT / "notebooks"
    root = notebooks.parent
    out = Path(out_dir).expanduser().resolve()
    paths = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise CourseError(f"no course notebooks (NN_name.ipynb) in {notebooks}; pass --source NOTEBOOKS_DIR.")
    _refuse_unsafe(out, root, notebooks)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (tmp / "notebooks").mkdir()
        for path in paths:
            nb = student_notebook(json.loads(path.read_text(encoding="utf-8")), path.name)
            text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            (tmp / "notebooks" / path.name).write_text(text, encoding="utf-8")
        if (root / "images").is_dir():
            shutil.copytree(root / "images", tmp / "images")
        (tmp / EDITION_MARK).write_text("Built by `python -m bcolearn.course student`; a later build replaces "
                                        "this folder.\n", encoding="utf-8")
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            out.rename(old / "edition")
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / "notebooks" / p.name for p in paths]


def unanswered_problems(nb: dict[str, Any], name: str = "notebook") -> list[str]:
    """What is wrong with an *executed* student notebook: errors, and checks that did not say "Not answered yet".

    Every cell that calls a check must show "Not answered yet" and neither ✅ nor ❌ (a placeholder that makes
    a check pass or fail means that a solution leaked, or that the placeholder is wrong).
    """
    problems = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        outs = cell.get("outputs", [])
        for out in outs:
            if out.get("output_type") == "error":
                problems.append(f"{name}, cell {i}: {out.get('ename')}: {out.get('evalue')}")
        if CHECK_CALL.search(_source(cell)):
            text = json.dumps(outs, ensure_ascii=False)
            if NOT_ANSWERED not in text or "\u2705" in text or "\u274c" in text:
                problems.append(f"{name}, cell {i}: the check does not say {NOT_ANSWERED!r}: {text[:300]}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bcolearn.course student OUT_DIR [--source NOTEBOOKS_DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m bcolearn.course", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    student = sub.add_parser("student", help="build the student edition (solutions replaced by placeholders)")
    student.add_argument("out_dir", help="a new or empty folder, or a previous student edition")
    student.add_argument("--source", default=None, help="the course's notebooks folder (default: the package's)")
    verify = sub.add_parser("verify", help="check an executed student edition: no errors, every check unanswered")
    verify.add_argument("edition", help="a student edition whose notebooks have been executed")
    args = parser.parse_args(argv)
    if args.command == "verify":
        paths = sorted(Path(args.edition, "notebooks").glob("*.ipynb"))
        problems = [p for path in paths for p in unanswered_problems(json.loads(path.read_text("utf-8")), path.name)]
        for problem in problems or ["no notebooks found"] * (not paths):
            print(f"error: {problem}", file=sys.stderr)
        if problems or not paths:
            return 1
        print(f"Student edition OK: {len(paths)} notebooks ran with no error; every check says {NOT_ANSWERED!r}.")
        return 0
    try:
        written = build_student_edition(args.out_dir, args.source)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Student edition written to {Path(args.out_dir).resolve()}: {len(written)} notebooks in notebooks/, "
          "with images/. Hand out the whole folder.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
