"""The learner's acceptance test: the course in a real JupyterLab, driven by headless Chromium.

JupyterLab is started exactly as the README says, ``bash scripts/start.sh`` (extra flags pass through:
a free port, a random token, temporary settings, runtime and trust folders). Then, as a learner:

- every committed notebook ``notebooks/NN_*.ipynb``, opened untrusted and not run: every image loads
  (diagrams, figures, animations' first frames, panels' static copies) and no raw repr text shows;
- every notebook, on a fresh copy of the course (notebooks/ and images/ under artifacts/course/), Run All:
  every image loads, no error output, no "Loading widget", no raw repr text; the Run All time is recorded;
- every panel (PANELS, one line each), in a notebook made from PANELS: change a setting, Run, sample the
  figure every 100 ms: at least 3 new frames during a run of at least 3 s, the first within 0.5 s of the
  click; Stop: the result says how many epochs (or steps) were done, fewer than the budget, as the
  progress bar does.

Figures go to artifacts/browser_timings.json and are printed; screenshots to artifacts/screenshots/
(git-ignored). Needs the Python ``playwright`` package and Debian's ``chromium`` (no browser is
downloaded). Without them the tests skip, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import lab as L  # tests/browser/lab.py

pytestmark = pytest.mark.browser

ROOT = L.ROOT
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
COPY = ARTIFACTS / "course"  # the fresh copy that is run (inside the served folder, git-ignored)
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN_ALL_TIMEOUT_S = 300
RUN_FOR_S = 3.5  # a panel run lasts at least this long before Stop is pressed


@dataclass(frozen=True)
class Panel:
    """One panel to try: the call that shows it, a setting to change (and to make the run long), the unit
    of its progress. ``call`` must not train on display (``autorun=False``)."""

    name: str
    call: str
    setting: str
    value: object
    unit: str = "epochs"
    runs: bool = True  # False: no Run button, it redraws when a control changes


PANELS = (
    Panel("BC", "widgets.bc_panel(autorun=False)", "epochs", 1000),  # 300 ended before 3.5 s once torch was warmed up
    Panel("IDM", "widgets.idm_panel(autorun=False, pre_demo_steps=20_000)", "idm.epochs", 300),
    Panel("BCO", "widgets.bco_panel(autorun=False, alpha=2.0)", "iterations", 10),
    Panel("compare", "widgets.compare_panel(autorun=False)", "bc.epochs", 300),
    Panel("REINFORCE", "widgets.reinforce_panel(autorun=False)", "total_steps", 500_000, "environment steps"),
    Panel("DAgger", "widgets.dagger_panel(autorun=False)", "iterations", 20),
    Panel("GAIfO", "widgets.gaifo_panel(autorun=False)", "total_steps", 200_000, "interactions"),
    Panel("demos", "widgets.demos_panel()", "n_demos", 5, runs=False),
)

RESULTS: dict[str, dict] = {"notebooks": {}, "panels": {}}


def _require_browser() -> None:
    """Skip without Playwright or Chromium, but fail in CI, where both must be installed."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package 'playwright' is not installed (pip install playwright)")
    if not Path(L.CHROMIUM).exists():
        problems.append(f"no Chromium at {L.CHROMIUM} (apt-get install chromium)")
    if problems:
        message = "Browser test cannot run: " + "; ".join(problems) + "."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI must run it: scripts/test.sh (run by .ci/run) installs them.")
        pytest.skip(message)


def _write_panels_notebook(path: Path) -> None:
    import nbformat

    cells = [nbformat.v4.new_code_cell("from bcolearn import widgets")]
    cells += [nbformat.v4.new_code_cell(p.call) for p in PANELS]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                        "language": "python"}})
    nbformat.write(nb, path)


def _digest(paths: list[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[L.Lab]:
    _require_browser()
    if not L.install_is_noop(sys.prefix):  # start_lab runs start.sh with VIRTUAL_ENV = this prefix
        pytest.fail("scripts/install.sh would reinstall into this Python (its stamp does not match "
                    "pyproject.toml): run `bash scripts/install.sh` (or scripts/test.sh) first.")
    shutil.rmtree(COPY, ignore_errors=True)
    shutil.rmtree(SHOTS, ignore_errors=True)  # only this run's screenshots
    for folder in ("notebooks", "images"):
        shutil.copytree(ROOT / folder, COPY / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    _write_panels_notebook(COPY / "notebooks" / "panels.ipynb")
    before = _digest(NOTEBOOKS)
    with L.start_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server
    assert _digest(NOTEBOOKS) == before, "the browser test changed a committed notebook"
    _report(request)


def _report(request: pytest.FixtureRequest) -> None:
    """Write the figures to artifacts/browser_timings.json and print them (past pytest's capture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "browser_timings.json").write_text(json.dumps(RESULTS, indent=1))
    lines = ["", "Browser test figures (also in artifacts/browser_timings.json):"]
    for name, r in RESULTS["notebooks"].items():
        lines.append(f"  {name:<32} Run All {r['run_all_s']:6.1f} s   images {r['images']}")
    for name, r in RESULTS["panels"].items():
        first = f"{r['first_frame_s']:.2f} s" if r.get("first_frame_s") is not None else "none"
        lines.append(f"  panel {name:<10} frames {r['frames']:3d} in {r.get('run_s', 0):.1f} s, first frame "
                     f"{first:>7}, after Stop {r.get('frames_after_stop', '-')}   {r.get('stopped', '')}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    with capture.global_and_fixture_disabled():  # past pytest's capture of fixture teardown
        for line in lines:
            reporter.write_line(line)


@pytest.fixture(scope="module")
def browser(lab: L.Lab) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=L.CHROMIUM, headless=True, args=L.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        context.close()


def test_start_command_serves_the_course_and_opens_the_notebooks(lab: L.Lab) -> None:
    """The diagrams (../images/*.png from notebooks/) are inside what JupyterLab serves."""
    status, where = lab.get("/")
    assert status == 302 and "/lab/tree/notebooks" in where, (status, where)
    for image in sorted((ROOT / "images").glob("*.png")):
        assert lab.get(f"/files/images/{image.name}")[0] == 200, image.name


MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*\bsrc=[\"']([^\"']+)")


def _diagram_links(notebook: Path) -> list[str]:
    """The image links in a notebook's markdown cells."""
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    return [m.group(1) or m.group(2) for c in cells if c.cell_type == "markdown"
            for m in MARKDOWN_IMAGE.finditer(c.source)]


def test_diagrams_are_relative_links_to_images_folder() -> None:
    """What GitHub, nbviewer and an HTML export beside the notebook render: a relative path to images/."""
    links = {notebook.name: _diagram_links(notebook) for notebook in NOTEBOOKS}
    for name, srcs in links.items():
        for src in srcs:
            assert src.startswith("../images/"), f"{name}: image {src!r} is not under ../images/"
            assert (ROOT / "notebooks" / src).resolve().is_file(), f"{name}: {src} does not exist"
    assert sum(map(len, links.values())) >= 5, f"too few diagrams found in the notebooks' markdown: {links}"


def test_saved_notebooks_keep_static_copies_not_widget_views() -> None:
    """scripts/execute_notebooks.py's clean-up: widget state and views go (they cannot render without the
    state: raw repr text), the panel's static copy and every other output stay."""
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "scripts" / "execute_notebooks.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    view = nbformat.v4.new_output("display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                                                   "text/plain": "VBox(children=(HTML(value='<h4>BC</h4>'),))"})
    static = nbformat.v4.new_output("display_data", {"text/html": "<div class='bcolearn-static'>…</div>",
                                                     "text/plain": "Run 1 on CartPole-v1"})
    printed = nbformat.v4.new_output("stream", name="stdout", text="return 500.0\n")
    cell = nbformat.v4.new_code_cell("widgets.bc_panel()", outputs=[view, static, printed])
    cell.metadata["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00"}
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"widgets": {"state": {}}})
    module.clean(nb)
    assert "widgets" not in nb.metadata and "execution" not in cell.metadata
    assert cell.outputs == [static, printed]
    for notebook in NOTEBOOKS:  # and the committed notebooks were saved that way
        for c in nbformat.read(notebook, as_version=4).cells:
            assert not any(module.is_widget_view(o) for o in c.get("outputs", [])), f"{notebook.name}: a widget view"


def test_static_html_export_shows_the_diagrams(lab: L.Lab, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``jupyter nbconvert --to html`` writes the HTML beside the notebook; opened from disk, every image loads."""
    from nbconvert import HTMLExporter

    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        page = context.new_page()
        for notebook in NOTEBOOKS:
            body, _ = HTMLExporter().from_filename(str(COPY / "notebooks" / notebook.name))
            html = COPY / "notebooks" / f"{notebook.stem}.html"
            html.write_text(body)
            page.goto(html.as_uri())
            page.wait_for_load_state("load")
            broken = page.evaluate("""() => [...document.querySelectorAll('img')].filter(
                i => !(i.complete && i.naturalWidth > 0)).map(i => (i.alt || '(no alt)') + ' / ' +
                (i.getAttribute('src') || '(no src)').slice(0, 60))""")
            diagrams = page.evaluate("() => [...document.querySelectorAll('img')].filter(i => "
                                     "(i.getAttribute('src') || '').startsWith('../images/')).length")
            assert not broken, f"{html.name} (nbconvert --to html): images that did not load: {broken}"
            assert diagrams == len(_diagram_links(notebook)), f"{html.name}: {diagrams} diagrams shown"
    finally:
        context.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_reads_well_untrusted(lab: L.Lab, page, notebook: Path) -> None:  # type: ignore[no-untyped-def]
    """Opened as committed (untrusted, widget state dropped) and not run: every image loads, no raw repr."""
    L.open_notebook(page, lab.url(f"notebooks/{notebook.name}"))
    broken, problems = L.broken_images(page), L.output_problems(page)
    L.screenshot_notebook(page, SHOTS / "untrusted" / f"{notebook.stem}.png",
                          elements=".jp-Notebook .bcolearn-static, .jp-Notebook .jp-RenderedHTMLCommon:has(.animation)")
    assert not broken, f"{notebook.name} (committed, untrusted): images that did not load: {broken}"
    assert not problems, f"{notebook.name} (committed, untrusted): {problems}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_run_all(lab: L.Lab, page, notebook: Path) -> None:  # type: ignore[no-untyped-def]
    """A fresh copy, Run All: it ends without error, every image loads, nothing shows raw repr text."""
    L.open_notebook(page, lab.url(f"artifacts/course/notebooks/{notebook.name}"))
    seconds = L.run_all(page, RUN_ALL_TIMEOUT_S * 1000)
    broken, problems = L.broken_images(page), L.output_problems(page)
    RESULTS["notebooks"][notebook.stem] = {"run_all_s": round(seconds, 1), "images": L.image_count(page)}
    L.screenshot_notebook(page, SHOTS / "run_all" / f"{notebook.stem}.png", elements=".jp-Notebook .bcolearn-panel")
    assert not problems, f"{notebook.name} after Run All: {problems}"
    assert not broken, f"{notebook.name} after Run All: images that did not load: {broken}"


@pytest.fixture(scope="module")
def panels_page(lab: L.Lab, browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The notebook made from PANELS, run once (no panel trains on display)."""
    context = browser.new_context(viewport={"width": 1300, "height": 1700})  # the tallest panel fits
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    L.open_notebook(pg, lab.url("artifacts/course/notebooks/panels.ipynb"))
    L.run_all(pg, RUN_ALL_TIMEOUT_S * 1000)
    problems = L.output_problems(pg)
    assert not problems, f"the panels notebook: {problems}"
    try:
        yield pg
    finally:
        context.close()


@pytest.mark.parametrize("spec", PANELS, ids=lambda p: p.name)
def test_panel_live_curves_and_stop(panels_page, spec: Panel) -> None:  # type: ignore[no-untyped-def]
    """Change a setting, Run: the figure moves from the first half second on; Stop: truthful counts."""
    from playwright.sync_api import expect

    page = panels_page
    cell = page.locator(".jp-Notebook .jp-CodeCell").nth(1 + PANELS.index(spec))
    panel = cell.locator(".bcolearn-panel").first
    panel.scroll_into_view_if_needed()
    record: dict = RESULTS["panels"].setdefault(spec.name, {"frames": 0, "first_frame_s": None})

    if not spec.runs:  # a panel that redraws on change: the new figure comes quickly
        L.start_sampling(panel.element_handle(), "none")
        shown = L.set_control(page, panel, spec.setting, spec.value)
        page.wait_for_timeout(int(RUN_FOR_S * 1000))
        frames, _ = L.stop_sampling(page)
        record.update(frames=len(frames), first_frame_s=frames[0] if frames else None, run_s=RUN_FOR_S)
        panel.screenshot(path=str(SHOTS / "panels" / f"{spec.name}.png"))
        assert shown == str(spec.value), f"{spec.setting} shows {shown!r} after typing {spec.value}"
        assert frames, f"{spec.name}: the figure did not change after {spec.setting} = {spec.value}"
        expect(panel).not_to_contain_text("Error")
        return

    result = panel.locator(".bcolearn-result")
    runs_before = len(re.findall(r"Run \d+", result.inner_text()))
    shown = L.set_control(page, panel, spec.setting, spec.value)
    assert shown.replace(",", "") == str(spec.value), f"{spec.setting} shows {shown!r} after typing {spec.value}"

    L.start_sampling(panel.element_handle(), "run")  # presses Run at the instant sampling starts
    page.wait_for_timeout(int(RUN_FOR_S * 1000))
    still_running = L.press_stop(panel.element_handle())
    expect(result).to_contain_text(f"Run {runs_before + 1}", timeout=120_000)
    page.wait_for_timeout(300)  # the final frame
    seen, stop_at = L.stop_sampling(page)
    run_s = stop_at if stop_at is not None else RUN_FOR_S
    frames = [t for t in seen if t <= run_s]  # during training, before Stop
    record.update(frames=len(frames), first_frame_s=round(frames[0], 2) if frames else None, run_s=round(run_s, 1),
                  frame_times_s=[round(t, 2) for t in seen], frames_after_stop=len(seen) - len(frames),
                  first_frame_any_s=round(seen[0], 2) if seen else None)
    text = result.inner_text()
    progress = panel.locator(".bcolearn-progress").inner_text()
    panel.screenshot(path=str(SHOTS / "panels" / f"{spec.name}.png"))
    stopped = re.search(r"stopped early after ([\d,]+) of ([\d,]+) " + re.escape(spec.unit), text)
    record["stopped"] = stopped.group(0) if stopped else text[:160]
    record["progress_label"] = progress.strip()

    assert still_running, (f"{spec.name}: the run ended before {RUN_FOR_S} s; make the PANELS entry's budget larger")
    assert stopped, f"{spec.name}: after Stop the result does not say how many {spec.unit} were done: {text!r}"
    done, total = (int(g.replace(",", "")) for g in stopped.groups())
    assert 1 <= done < total, f"{spec.name}: {stopped.group(0)}"
    label = re.search(r"([\d,]+)\s*/\s*([\d,]+)", progress)
    assert label, f"{spec.name}: the progress label {progress!r} shows no count"
    shown_done, shown_total = (int(g.replace(",", "")) for g in label.groups())
    assert (shown_done, shown_total) == (done, total), (
        f"{spec.name}: the progress label says {progress.strip()!r}, the result {stopped.group(0)!r}")
    assert frames, f"{spec.name}: no new frame of the figure in {run_s:.1f} s of training"
    assert frames[0] <= 0.5, f"{spec.name}: the first new frame came {frames[0]:.2f} s after Run (at most 0.5 s)"
    assert len(frames) >= 3, f"{spec.name}: {len(frames)} new frames in {run_s:.1f} s of training (at least 3)"
