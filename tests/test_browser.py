"""The panels and animations in a real JupyterLab, driven by headless Chromium.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, temporary settings, workspace and
working folder), opens tests/browser/demo_panel.ipynb, runs all cells, then acts as a learner: reads
the BC panel's result, changes the ``epochs`` slider, presses Run, checks that the result text and
the curves image changed, starts a long run and presses Stop. Screenshots go to
artifacts/screenshots/ (git-ignored).

Needs the Python ``playwright`` package and Debian's ``chromium`` (no browser is downloaded). Without
them the test is skipped, except in CI (``CI=true``), where it fails so that a missing browser is noticed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = Path(__file__).resolve().parent / "browser" / "demo_panel.ipynb"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("BCOLEARN_CHROMIUM") or "/usr/bin/chromium"  # Debian's package
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SETTINGS = {  # JupyterLab user settings: no news prompt, no update check, no autosave
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def _require_browser() -> None:
    """Skip without Playwright or Chromium, but fail in CI, where both must be installed."""
    problems = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problems.append("the Python package 'playwright' is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        problems.append(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    if problems:
        message = "Browser test cannot run: " + "; ".join(problems) + "."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI must run it: scripts/test.sh (run by .ci/run) installs them.")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab server serving a copy of the demo notebook; yields the notebook's URL with its token."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("lab")
    work, settings = tmp / "work", tmp / "settings"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    _write_executed_copy(work / "executed.ipynb")
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel uses the inline backend
    env = {**env, "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "IPYTHONDIR": str(tmp / "ipython"),
           "JUPYTER_PLATFORM_DIRS": "1", "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={work}", f"--LabApp.user_settings_dir={settings}",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    log = open(tmp / "jupyterlab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(cmd, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start; its log:\n{(tmp / 'jupyterlab.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"{base}/lab/tree/{NOTEBOOK.name}?token={token}&reset"
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _write_executed_copy(path: Path) -> None:
    """The demo notebook executed top to bottom (as nbconvert does) and saved without widget state, as
    notebooks are committed: what a learner opening a committed notebook, or a static viewer, gets."""
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


def _wait_kernel_idle(page, timeout_ms: int = 60_000) -> None:  # type: ignore[no-untyped-def]
    """The kernel counts as ready only when the status bar shows its name and "Idle"."""
    page.wait_for_function(
        """() => { const bar = document.querySelector('#jp-main-statusbar');
                   const text = bar ? bar.innerText : '';
                   return text.includes('Python 3') && /\\bIdle\\b/.test(text); }""",
        timeout=timeout_ms,
    )


def _set_slider(page, panel, name: str, value: int) -> None:  # type: ignore[no-untyped-def]
    """Type a value into a slider's readout and press Enter, as a learner can."""
    slider = panel.locator(".widget-slider", has=page.locator(".widget-label", has_text=re.compile(f"^{name}$")))
    readout = slider.locator(".widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(str(value))
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    assert readout.inner_text().strip() == str(value), f"the {name} slider shows {readout.inner_text()!r}"


def test_panel_and_animation_in_jupyterlab(lab: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1300, "height": 1700})
            page.set_default_timeout(60_000)
            page.goto(lab)
            page.locator(".jp-Notebook").wait_for()
            _wait_kernel_idle(page)

            # Run all cells: the panel trains once with its defaults, the animation is made.
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            panel = page.locator(".bcolearn-panel")
            result = panel.locator(".bcolearn-result")
            expect(result).to_contain_text("Run 1", timeout=90_000)
            page.locator(".jp-OutputArea-output .animation img").first.wait_for()
            _wait_kernel_idle(page)
            expect(result).to_contain_text("normalised score")
            # The static copy for viewers without widgets is in the page but hidden by the live panel.
            assert page.locator(".bcolearn-static").count() == 1
            assert page.locator(".bcolearn-static").is_hidden()
            page.screenshot(path=str(SHOTS / "01_run_all.png"), full_page=True)
            panel.screenshot(path=str(SHOTS / "02_panel_default_run.png"))
            curves = panel.locator(".bcolearn-curves")
            before_text, before_image = result.inner_text(), curves.screenshot()

            # A learner changes a slider and presses Run: the result and the curves change.
            _set_slider(page, panel, "epochs", 12)
            panel.locator(".bcolearn-run").click()
            expect(result).to_contain_text("Run 2", timeout=60_000)
            after_text = result.inner_text()
            assert "epochs=12" in after_text and after_text != before_text
            assert curves.screenshot() != before_image, "the curves image did not change after Run"
            panel.screenshot(path=str(SHOTS / "03_panel_after_slider_and_run.png"))

            # A long run, stopped early: training ends, what was learnt is evaluated and reported.
            _set_slider(page, panel, "epochs", 300)
            panel.locator(".bcolearn-run").click()
            progress = panel.locator(".bcolearn-progress .widget-label")
            page.wait_for_function(
                "el => { const m = el.innerText.match(/^(\\d+)\\/300$/); return m && +m[1] >= 3; }",
                arg=progress.element_handle(), timeout=60_000)
            panel.locator(".bcolearn-stop").click()
            expect(result).to_contain_text("Run 3", timeout=60_000)
            stopped = re.search(r"stopped early after (\d+) of 300 epochs", result.inner_text())
            assert stopped and 3 <= int(stopped.group(1)) < 300, result.inner_text()
            expect(result).to_contain_text("normalised score")
            panel.screenshot(path=str(SHOTS / "04_panel_after_stop.png"))

            # The animation plays in JupyterLab: its player shows JPEG frames and steps forward.
            animation = page.locator(".jp-OutputArea-output .animation").first
            animation.scroll_into_view_if_needed()
            frame = animation.locator("img").first
            first_src = frame.get_attribute("src") or ""
            assert first_src.startswith("data:image/jpeg;base64,")
            animation.locator("button[title='Next frame'], button[onclick*='next_frame']").first.click()
            assert frame.get_attribute("src") != first_src, "the animation did not step to the next frame"
            page.locator(".jp-Cell").nth(3).screenshot(path=str(SHOTS / "05_animation.png"))

            # A committed (executed, widget state stripped, untrusted) notebook, opened without running it:
            # the panel's static copy shows the curves and the result instead of the missing widget.
            page.goto(lab.replace(NOTEBOOK.name, "executed.ipynb"))
            static = page.locator(".bcolearn-static").first
            static.wait_for()
            expect(static).to_be_visible()
            expect(static).to_contain_text("normalised score")
            loaded = static.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
            assert loaded, "the static copy's image did not load"
            static.screenshot(path=str(SHOTS / "06_committed_notebook_static_copy.png"))
        finally:
            browser.close()
