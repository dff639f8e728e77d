"""The student edition: solution regions become placeholders, exercise outputs are cleared, the build is safe."""

from __future__ import annotations

import ast
import json
import keyword
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bcolearn
from bcolearn import checks, course
from bcolearn.course import CourseError, build_student_edition, regions, strip_solutions, student_notebook

ROOT = Path(bcolearn.__file__).resolve().parents[1]
B, E = "### BEGIN SOLUTION", "### END SOLUTION"


# --- regions and placeholders -------------------------------------------------------------------------


def test_regions_are_found_and_malformed_markers_are_named():
    assert regions(["a", B, "x", E, "b", "  " + B, E]) == [(1, 3), (5, 6)]
    with pytest.raises(CourseError, match="line 3: .*cannot nest"):
        regions([B, "x", B, E])
    with pytest.raises(CourseError, match="line 1: .*never closed"):
        regions([B, "x"])
    with pytest.raises(CourseError, match="line 2: .*without"):
        regions(["x", E])


def test_a_function_body_becomes_raise_not_implemented_and_the_check_says_not_answered():
    src = f"def discounted_return(rewards, gamma):\n    {B}\n    return sum(rewards)\n    {E}\n"
    out = strip_solutions(src)
    assert "sum(rewards)" not in out and "BEGIN" not in out
    assert "    # YOUR CODE HERE: write this part of discounted_return" in out
    scope: dict = {}
    exec(out, scope)
    result = checks.check_discounted_return(scope["discounted_return"])
    assert not result and not result.answered


def test_a_top_level_answer_becomes_ellipsis_and_the_cells_after_it_still_run():
    src = f"ref = 3\n\n{B}\nscore = (-100 - 1) / 2\npolicy, extra = None, 1\n{E}\nprint('kept')"
    out = strip_solutions(src)
    assert "# YOUR CODE HERE: set score, policy, extra (see the task above)" in out
    scope: dict = {}
    exec(out, scope)
    assert scope["score"] is ... and scope["policy"] is ... and scope["ref"] == 3
    assert not checks.check_normalised_score(scope["score"], -100, "Acrobot-v1").answered


def test_a_placeholder_policy_is_not_answered_rather_than_an_error():
    src = f"def my_policy(obs):\n    x, v = obs\n    {B}\n    return int(v > 0)\n    {E}\n"
    scope: dict = {}
    exec(strip_solutions(src), scope)
    result = checks.check_policy(scope["my_policy"], "MountainCar-v0", n_episodes=1)
    assert not result and not result.answered and "NotImplementedError" in result.message


def test_markdown_answers_and_hidden_tests():
    md = "Question?\n<!-- BEGIN SOLUTION -->\n*Answer:* 42.\n<!-- END SOLUTION -->\nMore."
    assert strip_solutions(md, markdown=True) == f"Question?\n{course.MARKDOWN_PLACEHOLDER}\nMore."
    code = "x = 1\n### BEGIN HIDDEN TESTS\nassert x == 1\n### END HIDDEN TESTS\ny = 2"
    assert strip_solutions(code) == "x = 1\ny = 2"
    with pytest.raises(CourseError, match="overlap"):
        strip_solutions(f"{B}\n### BEGIN HIDDEN TESTS\n{E}\n### END HIDDEN TESTS")


def test_a_region_that_splits_a_statement_is_refused():
    with pytest.raises(CourseError, match="does not parse"):
        strip_solutions(f"try:\n    x = 1\n{B}\nexcept ValueError:\n    x = 2\n{E}\n")


IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,5}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s))


@st.composite
def cells(draw):
    """A cell of plain lines, top-level solution regions and functions with a solution region in their body."""
    lines: list[str] = []
    counter = iter(range(10_000))

    def keep(indent=""):
        return f'{indent}{draw(IDENT)} = "keep {next(counter)}"'

    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["plain", "top", "function"]))
        if kind == "plain":
            lines += [keep() for _ in range(draw(st.integers(1, 3)))]
        elif kind == "top":
            body = [f'{draw(IDENT)} = "sol {next(counter)}"' for _ in range(draw(st.integers(1, 3)))]
            lines += [B, *body, E]
        else:
            ind = " " * draw(st.sampled_from([2, 4, 8]))
            lines.append(f"def {draw(IDENT)}(a, b):")
            lines += [keep(ind) for _ in range(draw(st.integers(0, 2)))]
            lines += [ind + B] + [f'{ind}{draw(IDENT)} = "sol {next(counter)}"' for _ in range(draw(st.integers(1, 3)))]
            lines += [ind + f"return a  # sol {next(counter)}", ind + E]
            lines += [keep(ind) for _ in range(draw(st.integers(0, 2)))]
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(cells())
def test_stripping_keeps_every_other_line_and_the_indentation_and_the_result_parses(src):
    out = strip_solutions(src)
    ast.parse(out)
    assert "BEGIN SOLUTION" not in out and "END SOLUTION" not in out and '"sol ' not in out
    kept_in = [line for line in src.split("\n") if '"keep ' in line or line.startswith("def ")]
    kept_out = [line for line in out.split("\n") if '"keep ' in line or line.startswith("def ")]
    assert kept_in == kept_out  # same lines, same order, same indentation
    src_lines = src.split("\n")
    for (b, _), placeholder in zip(regions(src_lines), [i for i, l in enumerate(out.split("\n")) if "YOUR CODE" in l]):
        indent = src_lines[b][: len(src_lines[b]) - len(src_lines[b].lstrip())]
        assert out.split("\n")[placeholder].startswith(indent + "# YOUR CODE HERE")
    scope: dict = {}
    exec(out, scope)  # top-level placeholders run; the functions raise only when called


# --- notebooks ------------------------------------------------------------------------------------------


def notebook(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def code_cell(src, outputs=("x",)):
    return {"cell_type": "code", "source": src, "metadata": {}, "execution_count": 3,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": o} for o in outputs]}


def test_exercise_outputs_are_cleared_and_teaching_outputs_stay():
    nb = notebook(code_cell("plot_something()", ["a figure"]),
                  code_cell(f"def f(x):\n    {B}\n    return x\n    {E}", ["old"]),
                  code_cell("# NBVAL_CHECK_OUTPUT\nchecks.check_x(f)", ["✅ right"]),
                  {"cell_type": "markdown", "source": ["Why?\n", "<!-- BEGIN SOLUTION -->\n", "Because.\n",
                                                       "<!-- END SOLUTION -->"], "metadata": {}})
    before = json.dumps(nb)
    out = student_notebook(nb, "nb")
    assert json.dumps(nb) == before  # the course notebook is not changed
    teaching, exercise, check, answer = out["cells"]
    assert teaching == nb["cells"][0]
    assert exercise["outputs"] == [] and exercise["execution_count"] is None
    assert check["outputs"] == [] and "".join(check["source"]) == "checks.check_x(f)"
    assert "Because" not in "".join(answer["source"])


def test_malformed_markers_name_the_notebook_and_cell():
    with pytest.raises(CourseError, match=r"03_x.ipynb, cell 1: line 1: .*never closed"):
        student_notebook(notebook(code_cell("a = 1"), code_cell(f"{B}\nx = 1")), "03_x.ipynb")


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "student"
    written = build_student_edition(out)
    return out, written


def _solution_lines(nb) -> tuple[set[str], set[str]]:
    """(stripped lines inside solution regions, stripped lines elsewhere) over a notebook's cells."""
    inside, outside = set(), set()
    for cell in nb["cells"]:
        lines = "".join(cell["source"]).split("\n")
        spans = regions(lines)
        for i, line in enumerate(lines):
            within = any(b < i < e for b, e in spans)
            (inside if within else outside).add(line.strip())
    return {line for line in inside if line and not line.startswith("#")}, outside


def test_the_edition_contains_no_solution_line_of_any_notebook(edition):
    out, written = edition
    sources = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in written] == [p.name for p in sources]
    total = 0
    for path in sources:
        inside, outside = _solution_lines(json.loads(path.read_text("utf-8")))
        assert inside, f"{path.name} has no solution region"
        secret = inside - outside  # a line that the notebook also shows outside a region is no secret
        total += len(secret)
        student = json.loads((out / "notebooks" / path.name).read_text("utf-8"))
        text = {line.strip() for cell in student["cells"] for line in "".join(cell["source"]).split("\n")}
        assert not secret & text, f"{path.name} leaks {sorted(secret & text)[:3]}"
        outputs = json.dumps([c.get("outputs", []) for c in student["cells"]], ensure_ascii=False)
        assert "✅" not in outputs, f"{path.name} still shows a passed check"
        for cell in student["cells"]:
            assert "BEGIN SOLUTION" not in "".join(cell["source"])
            if cell["cell_type"] == "code" and "YOUR CODE HERE" in "".join(cell["source"]):
                ast.parse("".join(cell["source"]))
    assert total > 50


def test_the_edition_keeps_teaching_cells_and_its_image_links_work(edition):
    out, _ = edition
    assert (out / course.EDITION_MARK).is_file()
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = json.loads(path.read_text("utf-8"))
        student = json.loads((out / "notebooks" / path.name).read_text("utf-8"))
        assert len(student["cells"]) == len(nb["cells"])
        for cell, new in zip(nb["cells"], student["cells"]):
            if not course.is_exercise_cell(cell) and "BEGIN SOLUTION" not in "".join(cell["source"]):
                assert new == cell
            if cell["cell_type"] == "markdown":
                for link in re.findall(r"\]\((\.\./images/[^)]+)\)", "".join(cell["source"])):
                    assert (out / "notebooks" / link).resolve().is_file(), link


# --- a safe build -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [lambda: ROOT, lambda: ROOT / "notebooks", lambda: ROOT / "notebooks" / "x",
                                    lambda: ROOT.parent])
def test_the_course_itself_is_refused(target):
    with pytest.raises(CourseError, match="course"):
        build_student_edition(target())


def test_a_foreign_folder_or_a_file_is_refused_and_left_alone(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(CourseError, match="not empty and is not a student edition"):
        build_student_edition(tmp_path / "mine")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    (tmp_path / "f").write_text("x")
    with pytest.raises(CourseError, match="is a file"):
        build_student_edition(tmp_path / "f")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "mine"]  # no temporary folder left behind


def test_a_previous_edition_is_replaced_and_a_failed_build_writes_nothing(tmp_path):
    src = tmp_path / "course" / "notebooks"
    src.mkdir(parents=True)
    good = notebook(code_cell(f"{B}\nx = 1\n{E}"))
    (src / "01_a.ipynb").write_text(json.dumps(good))
    out = tmp_path / "student"
    build_student_edition(out, src)
    (out / "notebooks" / "stale.ipynb").write_text("{}")
    build_student_edition(out, src)
    assert sorted(p.name for p in (out / "notebooks").iterdir()) == ["01_a.ipynb"]
    before = (out / "notebooks" / "01_a.ipynb").read_text()
    (src / "02_b.ipynb").write_text(json.dumps(notebook(code_cell(f"{B}\nx = 1"))))
    with pytest.raises(CourseError, match="02_b.ipynb, cell 0"):
        build_student_edition(out, src)
    assert (out / "notebooks" / "01_a.ipynb").read_text() == before  # the previous edition is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["course", "student"]
    with pytest.raises(CourseError, match="no course notebooks"):
        build_student_edition(tmp_path / "other", tmp_path)


def test_the_command_line(tmp_path, capsys):
    assert course.main(["student", str(ROOT / "notebooks")]) == 2
    assert "inside the course's notebooks/" in capsys.readouterr().err
    src = tmp_path / "course" / "notebooks"
    src.mkdir(parents=True)
    (src / "01_a.ipynb").write_text(json.dumps(notebook(code_cell(f"{B}\nx = 1\n{E}"), code_cell("check_x(x)"))))
    assert course.main(["student", str(tmp_path / "s"), "--source", str(src)]) == 0
    assert "1 notebooks" in capsys.readouterr().out
    assert course.main(["verify", str(tmp_path / "s")]) == 1  # not executed: the check shows nothing yet
    assert "does not say 'Not answered yet'" in capsys.readouterr().err


def test_verify_finds_errors_and_answered_checks():
    unanswered = code_cell("checks.check_x(f)", [f"✏️ {checks.NOT_ANSWERED}: replace the placeholder"])
    assert course.unanswered_problems(notebook(code_cell("plot()", ["fig"]), unanswered)) == []
    answered = code_cell("checks.check_x(f)", [f"❌ {checks.NOT_ANSWERED} ... no: wrong"])
    error = code_cell("f()")
    error["outputs"] = [{"output_type": "error", "ename": "NameError", "evalue": "name 'f'", "traceback": []}]
    problems = course.unanswered_problems(notebook(answered, error), "05.ipynb")
    assert problems == ["05.ipynb, cell 0: the check does not say 'Not answered yet': " + json.dumps(
        answered["outputs"], ensure_ascii=False)[:300], "05.ipynb, cell 1: NameError: name 'f'"]


def test_every_kind_of_binding_gets_a_placeholder():
    src = (f"{B}\nimport numpy as np\nfrom math import pi as PI\nclass Net: pass\nfor i, (j, *k) in []: pass\n"
           f"with open(__file__) as fh: pass\ntry:\n    t = 1\nexcept ValueError:\n    u = 2\nelse:\n    v = 3\n"
           f"finally:\n    w = 4\nif True:\n    z: int = 5\n    z += 1\n{E}")
    out = strip_solutions(src)
    assert "# YOUR CODE HERE: set np, PI, Net, i, j, k, fh, t, u, v, w, z (see the task above)" in out


def test_verify_accepts_an_executed_edition(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    cell = code_cell("checks.check_x(f)", [f"✏️ {checks.NOT_ANSWERED}: replace the placeholder"])
    (tmp_path / "notebooks" / "01_a.ipynb").write_text(json.dumps(notebook(cell)))
    assert course.main(["verify", str(tmp_path)]) == 0
    assert "every check says 'Not answered yet'" in capsys.readouterr().out
    assert course.main(["verify", str(tmp_path / "nothing")]) == 1
