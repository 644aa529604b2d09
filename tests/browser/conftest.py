"""Browser-test fixtures: one real server with the demo county, one headless Chromium, one login per persona.

The browser tests drive Debian's chromium through Playwright against `manage.py runserver`, never against
pytest-django's live_server: that one shares the test database, whose transactional flush would wipe the
demo county. Instead the session gets its own SpatiaLite file (var/browser-test.sqlite3, recreated each
session), migrated and loaded with `manage.py load_demo` in subprocesses, and served by a runserver on a
free port. Nothing here touches pytest-django's test database: `django_db_setup` is a no-op for this folder,
so the session demo load in tests/conftest.py does not run for browser tests either.

Everything expensive lives in session fixtures, which pytest only sets up when a selected test asks for
them: a `-m "not browser"` run deselects these tests and pays nothing (no import of Playwright even).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser_helpers import Tab, login_through_form

from landguard.demo.personas import COUNTY_ADMIN, OTHER_COUNTY_USER, TOWNSHIP_OFFICER

REPO = Path(__file__).resolve().parents[2]
VAR = REPO / "var"
DB_PATH = VAR / "browser-test.sqlite3"
# The server's clock (landguard.core.clock): absent = real time; a test writes a date into it (fixture pin_clock).
CLOCK_FILE = VAR / "browser-test-clock.txt"
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("LANDGUARD_CHROMIUM", "/usr/bin/chromium")
PERSONAS = (COUNTY_ADMIN, TOWNSHIP_OFFICER, OTHER_COUNTY_USER)
SERVER_START_TIMEOUT = 60  # seconds


# --- keep pytest-django's test database out of it ------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup():
    """Browser tests talk to their own server and database: no test database, no second demo load."""


# --- the server ----------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = f"spatialite://{DB_PATH}"  # spatialite:///abs/path (env.database_config)
    env["LANDGUARD_DEBUG"] = "false"  # as deployed; whitenoise (with finders) serves the static files
    env["LANDGUARD_TASKS_IMMEDIATE"] = "true"  # no db_worker beside this server
    env["PYTHONUNBUFFERED"] = "1"
    env["LANDGUARD_CLOCK_FILE"] = str(CLOCK_FILE)
    env["LANDGUARD_HTTPS"] = "false"  # plain HTTP on loopback, whatever the shell says
    # The default the offline-map test relies on: no base map configured at all.
    for name in ("LANDGUARD_TIANDITU_KEY", "LANDGUARD_BASEMAP_TILE_URL", "LANDGUARD_BASEMAP_ATTRIBUTION",
                 "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
                    pytrace=False)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}",
                        pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"runserver did not answer {url} within {SERVER_START_TIMEOUT}s:\n"
                f"{log.read_text(errors='replace')[-4000:]}", pytrace=False)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server_url(artifacts: Path) -> str:
    """Base URL of a runserver with a freshly migrated SpatiaLite database holding the demo county."""
    VAR.mkdir(exist_ok=True)
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    CLOCK_FILE.unlink(missing_ok=True)
    env = _server_env()
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "load_demo")

    port = _free_port()
    log = artifacts / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
            cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/login/", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def pin_clock(server_url: str):
    """pin_clock(date or datetime) sets the server's "now"; the real clock is back after the test."""

    def pin(when) -> None:
        CLOCK_FILE.write_text(when.isoformat(), encoding="utf-8")

    yield pin
    CLOCK_FILE.unlink(missing_ok=True)


@pytest.fixture
def server_shell(server_url: str):
    """server_shell(code) runs Python through `manage.py shell -c` on the server's database (to set up data no
    page creates, such as messages in an inbox)."""

    def run(code: str) -> None:
        _manage(_server_env(), "shell", "-c", code)

    return run


@pytest.fixture
def server_script(server_url: str):
    """server_script(path) runs a Python file on the server's database (tests/ and tests/browser on its path) and
    returns what it printed."""

    def run(path: Path) -> str:
        env = _server_env()
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "tests"), str(REPO / "tests" / "browser"), str(REPO)])
        result = subprocess.run([sys.executable, str(path)], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            pytest.fail(f"{path.name} failed ({result.returncode}):\n{result.stderr[-4000:]}", pytrace=False)
        return result.stdout

    return run


# --- the browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # Software WebGL (SwiftShader) for MapLibre on machines with no GPU.
            args=["--no-sandbox", "--enable-unsafe-swiftshader"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def storage_states(browser, server_url: str, artifacts: Path) -> dict[str, str]:
    """A logged-in storage state per persona (one real form login each, once per session)."""
    states: dict[str, str] = {}
    for username in PERSONAS:
        context = browser.new_context(locale="zh-CN", base_url=server_url)
        try:
            page = context.new_page()
            login_through_form(page, server_url, username)
            path = artifacts / f"state-{username}.json"
            context.storage_state(path=str(path))
            states[username] = str(path)
        finally:
            context.close()
    return states


# --- pages with their JS errors and requests recorded ---------------------------------------------------

# The one violation allowed, by exact address: Redoc's bundle hard-codes its sidebar logo from its CDN (no option
# turns it off). The policy blocking it is right — an intranet page must not call out — and the docs work without.
KNOWN_VIOLATIONS = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)

CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__landguardCspViolation(
    `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def open_tab(request, browser, server_url: str):
    """open_tab(persona or None, **context options) → Tab in a fresh context (logged in via the stored state)."""
    contexts = []
    tabs: list[Tab] = []

    def make(username: str | None = None, **options) -> Tab:
        options.setdefault("locale", "zh-CN")
        options.setdefault("viewport", {"width": 1366, "height": 860})
        if username is not None:
            options["storage_state"] = request.getfixturevalue("storage_states")[username]
        context = browser.new_context(base_url=server_url, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        tab = Tab(page=None, context=context)
        tabs.append(tab)
        # Every Content-Security-Policy violation fails the test, whether or not it asserts on JS errors:
        # the page's securitypolicyviolation events, and Chromium's console report (which also covers workers).
        context.expose_binding("__landguardCspViolation", lambda source, text: tab.csp_violations.append(text))
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        tab.page = page
        page.on("pageerror", lambda error: tab.js_errors.append(f"pageerror: {error}"))
        page.on("console", lambda msg: tab.js_errors.append(f"console.{msg.type}: {msg.text} ({msg.location})")
                if msg.type == "error" else None)
        page.on("console", lambda msg: tab.csp_violations.append(f"console: {msg.text} ({msg.location})")
                if "Content Security Policy" in msg.text else None)
        context.on("request", lambda req: tab.requests.append(req.url))
        # ERR_ABORTED is a request cut short by leaving the page, not a failure of the app.
        context.on("requestfailed", lambda req: tab.failed.append(f"{req.url}: {req.failure}")
                   if "ERR_ABORTED" not in (req.failure or "") else None)
        context.on("response", lambda response: tab.failed.append(f"{response.url}: HTTP {response.status}")
                   if response.status >= 400 else None)
        return tab

    yield make
    for context in contexts:
        context.close()
    violations = [v for tab in tabs for v in tab.csp_violations if not any(known in v for known in KNOWN_VIOLATIONS)]
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)
