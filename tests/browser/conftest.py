"""Browser tests: Playwright driving Debian's Chromium against `python wsgi.py` with the demo.

Skipped with a reason when Chromium or Playwright is missing; never under CI=true (`make test`
installs Debian's chromium when it runs as root). The test tools never download a browser.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.live.conftest import (
    ROOT,
    free_port,
    make_users,
    server_env,
    start_server,
    stop,
    wait_ready,
)

CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "working-groups-demo"


def _require_browser():
    missing = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[test]')"
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true requires the browser tests: {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The demo forum served by `python wsgi.py`; yields its base URL."""
    _require_browser()
    tmp = tmp_path_factory.mktemp("browser")
    env = server_env(tmp)
    port = free_port()
    process = start_server(env, port)
    try:
        wait_ready(process, port)
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "seed", "demo"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        make_users(env, {"visitor": False})
        yield {"base": f"http://127.0.0.1:{port}", "env": env}
    finally:
        stop(process)


@pytest.fixture(scope="session")
def browser():
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(javascript: bool = True, width: int = 1024):
        context = browser.new_context(java_script_enabled=javascript,
                                      viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
