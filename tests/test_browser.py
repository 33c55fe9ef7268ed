"""A lecture in a real browser: JupyterLab + headless Chromium driven by Playwright.

The test starts JupyterLab on a free localhost port with its own empty configuration, opens a
copy of a lecture that has a slider, runs all cells, checks that the slider rendered with its
label in full and that the live widget is shown once (not beside the picture saved with the
lecture for readers who cannot run it), drags the slider's handle with the mouse, and checks
that the explorer's picture changed (the Python observer ran in the kernel and sent a new
image). It saves screenshots to ``tests/artifacts/``.

It needs Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser download does not
work on these machines) and the ``playwright`` package; ``.ci/run`` installs both. Outside CI
the test is skipped when they are missing; in CI (``CI=true``) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LECTURE = ROOT / "lectures" / "06_gradient_descent_and_losses.ipynb"
SLIDER_LABEL = "learning rate"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = pytest.mark.browser


def _require_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install playwright)")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on a free port serving a copy of the lecture; yields (url, name)."""
    _require_browser()
    root = tmp_path / "notebooks"
    root.mkdir()
    shutil.copy(LECTURE, root / LECTURE.name)
    port, token = _free_port(), uuid.uuid4().hex
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    for variable in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        directory = tmp_path / variable.lower()
        directory.mkdir()
        env[variable] = str(directory)
    log = open(tmp_path / "jupyterlab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.token={token}", "--allow-root",
         f"--ServerApp.root_dir={root}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" +
                                (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.5)
        url = f"{base}/lab/workspaces/test/tree/{LECTURE.name}?reset&token={token}"
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _run_all_cells(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _image_sources(page) -> list[str]:
    return page.eval_on_selector_all("img.widget-image", "imgs => imgs.map(i => i.src)")


def test_lecture_slider_in_jupyterlab_redraws_the_figure(jupyterlab):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(jupyterlab)
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000
            )
            slider = page.locator(".widget-slider", has_text=SLIDER_LABEL).first
            # A "run all" sent while the kernel is still connecting is sometimes lost: retry.
            for _attempt in range(3):
                page.locator(".jp-Notebook").first.click()
                _run_all_cells(page)
                try:
                    slider.wait_for(state="visible", timeout=60_000)
                    break
                except Exception:
                    continue
            slider.wait_for(state="visible", timeout=10_000)
            slider.scroll_into_view_if_needed()
            page.wait_for_selector(
                ".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000
            )

            # The label is shown in full, not cut to "learning r...".
            label = slider.locator(".widget-label").first
            assert label.inner_text().strip() == SLIDER_LABEL
            assert label.evaluate("el => el.scrollWidth <= el.clientWidth + 1")

            # The live widget is shown once: its own figure, not the saved picture beside it.
            explorer_cell = page.locator(".jp-CodeCell", has=slider)
            assert explorer_cell.locator("img.widget-image").count() == 1
            assert explorer_cell.locator(".jp-RenderedImage").count() == 0

            before_images = _image_sources(page)
            before_readout = slider.locator(".widget-readout").inner_text()
            assert before_images, "the explorer's figure did not render"
            page.screenshot(path=str(ARTIFACTS / "browser_before_drag.png"))

            handle = slider.locator(".noUi-handle")
            box = handle.bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            page.mouse.down()
            page.mouse.move(x + 90, y, steps=10)
            page.mouse.up()

            deadline = time.monotonic() + 30
            while _image_sources(page) == before_images and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            after_readout = slider.locator(".widget-readout").inner_text()
            page.screenshot(path=str(ARTIFACTS / "browser_after_drag.png"))
            assert after_readout != before_readout, "the slider did not move"
            assert _image_sources(page) != before_images, "the figure did not change"
        finally:
            browser.close()
