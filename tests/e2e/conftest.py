"""Browser tests: a real server on loopback and Debian's Chromium driven by Playwright.

Skipped with the reason when Chromium or Playwright is missing (``.ci/run`` installs
Chromium, so CI runs them).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from crm_core.devserver import QuietRequestHandler
from crm_core.testing import PASSWORD
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import TEST_USERS, base_settings

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The CRM with every plugin on a committed scratch database, served on 127.0.0.1."""
    from sqlalchemy import select

    from crm_core.app import create_app
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import unit_of_work
    from crm_core.migrate import upgrade
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password

    with scratch_database(str(tmp_path_factory.mktemp("e2e"))) as url:
        app = create_app(base_settings(url, CRM_PLUGINS=None, WTF_CSRF_ENABLED=True, CRM_IMPORT_INLINE=False))
        upgrade(app)
        with app.app_context(), unit_of_work() as s:
            groups = ensure_groups(s, app.extensions["crm"].registry)
            pw = hash_password(PASSWORD)
            for username, group, is_admin in TEST_USERS:
                if s.scalar(select(User).where(User.username == username)) is None:
                    s.add(User(username=username, full_name=username.title(), password_hash=pw,
                               is_admin=is_admin, group_id=groups[group].id))
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(5)
            app.extensions["crm_db"].engine.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
