"""Helpers for the browser test: start JupyterLab as the README does, and drive it as a learner.

Kept apart from tests/test_browser.py so that the test reads as the learner's acceptance test; nothing here
asserts. See tests/test_browser.py for what is checked.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BCOLEARN_CHROMIUM") or "/usr/bin/chromium"  # Debian's package
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
SETTINGS = {  # JupyterLab user settings for the test only
    # no news prompt, no update check: nothing to dismiss, nothing fetched
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    # never write the notebooks back (the committed ones are opened too)
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell in the page, so that every image can be checked and a screenshot shows the whole notebook
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
RAW_REPR = re.compile(r"VBox\(children=|HBox\(children=|<bcolearn\.|Loading widget|Error displaying widget|"
                      r"Model not found|object at 0x[0-9a-f]+>")
"""Text a learner must never see in place of a figure or a panel."""


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its base URL and token."""

    base: str
    token: str
    log: Path

    def url(self, path: str) -> str:
        """The URL of a file or folder under the served course folder, opened in a fresh workspace."""
        return f"{self.base}/lab/tree/{path}?token={self.token}&reset"

    def get(self, path: str) -> tuple[int, str]:
        """GET a server path (without following redirects): status and Location."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return None

        opener = urllib.request.build_opener(NoRedirect)
        sep = "&" if "?" in path else "?"
        try:
            with opener.open(f"{self.base}{path}{sep}token={self.token}", timeout=10) as r:
                return r.status, r.headers.get("Location", "")
        except urllib.error.HTTPError as err:
            return err.code, err.headers.get("Location", "")
        except OSError:  # not listening yet
            return 0, ""


def install_is_noop(python_prefix: str) -> bool:
    """True when scripts/install.sh would skip pip for this Python (its stamp matches; see install.sh)."""
    stamp = Path(python_prefix) / ".bcolearn-installed"
    want = subprocess.run("cat pyproject.toml scripts/install.sh | cksum", shell=True, cwd=ROOT, text=True,
                          capture_output=True, check=True).stdout.strip()
    return stamp.is_file() and stamp.read_text().strip() == want


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def start_lab(tmp: Path) -> Iterator[Lab]:
    """Run the README's start command, ``bash scripts/start.sh``, with flags for a test server.

    The flags pass through start.sh to JupyterLab: no browser, 127.0.0.1 on a free port, a random token,
    and temporary settings, workspaces, runtime, data (the trust database) and IPython folders, so the
    learner's own JupyterLab setup is neither used nor changed. ``VIRTUAL_ENV`` is this Python's prefix,
    so install.sh uses this Python (and, with its stamp matching, does nothing).
    """
    settings = tmp / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k not in ("MPLBACKEND", "CONDA_PREFIX")}  # inline backend
    env.update(VIRTUAL_ENV=sys.prefix, PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_DATA_DIR=str(tmp / "data"),
               IPYTHONDIR=str(tmp / "ipython"), JUPYTER_PLATFORM_DIRS="1",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = ["bash", str(ROOT / "scripts" / "start.sh"), "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    log_path = tmp / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        lab = Lab(f"http://127.0.0.1:{port}", token, log_path)
        try:
            deadline = time.monotonic() + 90
            while lab.get("/api/status")[0] != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; its log:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
            yield lab
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # start.sh execs JupyterLab: the group is the server
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


# --- in the page -------------------------------------------------------------------------------------------

def wait_kernel_idle(page, timeout_ms: int = 120_000) -> None:  # type: ignore[no-untyped-def]
    """The kernel counts as ready only when the status bar shows its name and "Idle"."""
    page.wait_for_function(
        """() => { const bar = document.querySelector('#jp-main-statusbar');
                   const text = bar ? bar.innerText : '';
                   return text.includes('Python 3') && /\\bIdle\\b/.test(text); }""",
        timeout=timeout_ms,
    )


def open_notebook(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for()
    wait_kernel_idle(page)


def run_all(page, timeout_ms: int) -> float:  # type: ignore[no-untyped-def]
    """Run > Run All Cells, as a learner does; returns the seconds until every cell ran (or one failed)."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    start = time.perf_counter()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => {
            const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].filter(
                c => (c.querySelector('.jp-InputArea-editor')?.innerText || '').trim() !== '');
            const prompts = cells.map(c => c.querySelector('.jp-InputPrompt')?.innerText || '');
            if (prompts.some(p => p.includes('*'))) return false;
            const done = prompts.filter(p => /\\[\\d+\\]/.test(p)).length;
            const failed = document.querySelector('.jp-Notebook .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
            return done === cells.length || (done > 0 && failed !== null);
        }""",
        timeout=timeout_ms, polling=250,
    )
    elapsed = time.perf_counter() - start
    wait_kernel_idle(page)
    return elapsed


def broken_images(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every ``<img>`` in the notebook that has not loaded (waits up to 15 s for them), as 'where: alt / src'."""
    js_images = """() => [...document.querySelectorAll('.jp-Notebook img')]"""
    try:
        page.wait_for_function(js_images + ".every(i => i.getAttribute('src') && i.complete)", timeout=15_000)
    except Exception:  # noqa: BLE001 - the list below says which
        pass
    return page.evaluate(js_images + """.filter(i => !(i.complete && i.naturalWidth > 0)).map(i =>
        (i.closest('.jp-MarkdownOutput') ? 'markdown' : 'output') + ': ' + (i.alt || '(no alt)') + ' / ' +
        (i.getAttribute('src') || '(no src)').slice(0, 80))""")


def image_count(page) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return page.evaluate("""() => ({markdown: document.querySelectorAll('.jp-Notebook .jp-MarkdownOutput img').length,
                                    output: document.querySelectorAll('.jp-Notebook .jp-OutputArea img').length})""")


def output_problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Error outputs (tracebacks), a panel's "Training failed", and raw repr text, each as a short line."""
    found = page.evaluate(
        """() => {
            const out = [];
            for (const el of document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')) {
                const text = el.innerText || '';
                const mime = el.getAttribute('data-mime-type') || '';
                if (mime === 'application/vnd.jupyter.stderr' && /Traceback|^\\w*(Error|Exception)\\b/m.test(text))
                    out.push('error output: ' + text.slice(0, 300));
                else out.push('text: ' + text);
            }
            for (const el of document.querySelectorAll('.jp-Notebook .bcolearn-message'))
                if (/failed|Cannot run/.test(el.innerText)) out.push('panel message: ' + el.innerText);
            return out;
        }""")
    problems = [p for p in found if not p.startswith("text: ")]
    for p in found:
        if p.startswith("text: ") and (m := RAW_REPR.search(p)):
            start = max(0, m.start() - 40)
            problems.append(f"raw repr text: …{p[start:m.end() + 60]}…")
    return problems


def screenshot_notebook(page, path: Path, elements: str = "", max_height: int = 14_000) -> None:  # type: ignore[no-untyped-def]
    """The whole notebook in one image: the window is made as tall as the notebook, then restored. While it is
    tall, each element matching the CSS selector ``elements`` is saved too, as ``<path stem>_<i>.png``."""
    size = page.viewport_size
    height = page.evaluate("""() => { const s = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')
                                         || document.querySelector('.jp-NotebookPanel-notebook');
                                   return s ? s.scrollHeight : 2000; }""")
    page.set_viewport_size({"width": size["width"], "height": min(max_height, int(height) + 160)})
    page.wait_for_timeout(500)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    if elements:
        found = page.locator(elements)
        for i in range(found.count()):
            found.nth(i).screenshot(path=str(path.with_name(f"{path.stem}_{i + 1}.png")))
    page.set_viewport_size(size)


def set_control(page, panel, name: str, value: object) -> str:  # type: ignore[no-untyped-def]
    """Type a value into a control (a slider's readout, or a number box) and press Enter, as a learner can;
    returns what the control shows afterwards."""
    label = page.locator(".widget-label", has_text=re.compile(f"^{re.escape(name)}$"))
    control = panel.locator(".widget-inline-hbox", has=label).first
    readout = control.locator(".widget-readout")
    if readout.count():
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        return readout.inner_text().strip()
    box = control.locator("input").first
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    return box.input_value().strip()


SAMPLER = """([panel, action]) => {
    // Sample the panel's figure every 100 ms from the moment of the click: a frame is a new image.
    const figure = () => { const c = panel.querySelector('.bcolearn-curves') || panel.querySelector('img');
                           return c && c.tagName !== 'IMG' ? c.querySelector('img') : c; };
    const seen = {t0: performance.now(), frames: [], last: figure()?.src};
    window.__bcolearnFrames = seen;
    seen.timer = setInterval(() => {
        const src = figure()?.src;
        if (src && src !== seen.last) { seen.frames.push((performance.now() - seen.t0) / 1000); seen.last = src; }
    }, 100);
    if (action === 'run') panel.querySelector('.bcolearn-run').click();
}"""


def start_sampling(panel, action: str) -> None:  # type: ignore[no-untyped-def]
    """Start sampling the figure of ``panel``; with ``action='run'``, press its Run button at the same instant."""
    panel.evaluate("(panel, action) => (" + SAMPLER + ")([panel, action])", action)


def press_stop(panel) -> bool:  # type: ignore[no-untyped-def]
    """Press the panel's Stop button if it is enabled (training still running), noting when; True if pressed."""
    return panel.evaluate("""panel => { const s = window.__bcolearnFrames, stop = panel.querySelector('.bcolearn-stop');
        if (stop.disabled) return false;
        s.stopAt = (performance.now() - s.t0) / 1000; stop.click(); return true; }""")


def stop_sampling(page) -> tuple[list[float], float | None]:  # type: ignore[no-untyped-def]
    """Seconds after the start at which each new frame was seen, and when Stop was pressed (None: not)."""
    return page.evaluate("""() => { const s = window.__bcolearnFrames; clearInterval(s.timer);
                                    return [s.frames, s.stopAt ?? null]; }""")
