"""Browser tests: Playwright's sync API driving Debian's Chromium against ``live_server``.

Playwright's own browser downloads are not used (and cannot be fetched here): the
browser is the system Chromium, ``$CHROMIUM`` or the first of chromium /
chromium-browser on PATH. Without it (or without the playwright package) the tests
are skipped with one line, and fail under CI=true, where a skip would hide them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API runs an asyncio event loop in this (the main) thread, and that
# loop counts as running from the moment Playwright starts until the session ends, even
# between Playwright calls. Django's async-safety guard sees it and refuses every ORM
# call from this thread with SynchronousOnlyOperation: in the browser tests' own setup
# (creating users, projects) and in every later test of the session, since the browser
# is shared. No code of ours runs inside that loop, so the guard protects nothing here;
# the live server answers the browser from its own thread, where there is no loop.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

HERE = Path(__file__).resolve().parent


def _serve_one_request_at_a_time() -> None:
    """The live server answers one request at a time, on its own thread.

    Its threads shared the in-memory SQLite connection and deadlocked (1 run in 3):
    one inside a Python function SQLite called (TruncMonth on the project page)
    waiting for the interpreter, another holding the interpreter and waiting for
    SQLite (the project list, fired by the search box's change event as the test
    clicked a link). One request at a time cannot deadlock that way; Django's server
    then closes each connection, so the browser simply queues its requests.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.test.testcases import LiveServerThread

    class OneAtATimeServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            # LiveServerThread.run() already put the shared connections on this thread.
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = OneAtATimeServer


_serve_one_request_at_a_time()
SCREENSHOTS = HERE / "screenshots"
CHROMIUM_MISSING = (
    "Chromium not found: install Debian's chromium package (apt-get install chromium) "
    "to run browser tests"
)
PLAYWRIGHT_MISSING = (
    "Playwright not installed: run `make venv` (pip install -e '.[dev]') to run browser tests"
)
AXE_MISSING = (
    "axe-playwright-python not installed: run `make venv` (pip install -e '.[dev]') to run "
    "the accessibility checks"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home, and this network refuses it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1400, "height": 900}
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test here ``browser``.

    What a browser test checks (templates, CSS, JavaScript, htmx, axe-core) does not
    depend on the database, and the views behind it are tested on both; so `make test`
    runs the browser tests on SQLite, and in its PostgreSQL stage only those marked
    ``postgres_too``: the journeys whose work goes through the task worker and the
    import's PostgreSQL path (``-m "not browser or postgres_too"``).
    """
    # A conftest's hook sees every item of the session, not just this folder's.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def find_chromium() -> str | None:
    configured = os.environ.get("CHROMIUM")
    if configured:
        return shutil.which(configured)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(PLAYWRIGHT_MISSING)
    executable = find_chromium()
    if executable is None:
        _unavailable(CHROMIUM_MISSING)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe() -> Any:
    """axe-core (bundled by axe-playwright-python): ``axe.run(page, options=...)``."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        _unavailable(AXE_MISSING)
    return Axe()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # Reduced motion, as some people ask: no fade is caught half-way by a check (axe read
    # the "Updating…" indicator's fade-out as pale text on a busy machine).
    context = browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    """``screenshot(page, "dashboard")`` saves tests/browser/screenshots/dashboard.png."""

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login() -> Callable[[Page, Any, str, str], None]:
    """``login(page, live_server, "alice@example.com", password)`` signs the page in.

    The password is checked, then the page's context is given a session cookie, as the
    sign-in form would (Django's ``force_login``): the form itself, a page load and a post
    with a redirect, was a quarter of the browser tests' time, and has its own journey
    (tests/browser/test_sign_in_journey.py). The page stays where it was; ``live_server``
    may also be a base URL.
    """
    from django.conf import settings
    from django.test import Client

    from portfolio.models import User

    def sign_in(page: Page, live_server: Any, user_email: str, password: str) -> None:
        base_url = str(getattr(live_server, "url", live_server)).rstrip("/")
        user = User.objects.filter(email__iexact=user_email).first()
        if user is None or not user.is_active or not user.check_password(password):
            pytest.fail(
                f"signing in as {user_email} failed: no such active user, or a wrong password",
                pytrace=False,
            )
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
        )

    return sign_in
