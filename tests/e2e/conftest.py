"""End-to-end tests: real servers on loopback.

``production`` is ``crm serve`` (gunicorn) in a subprocess, driven over HTTP with httpx; it
needs nothing but the test database. ``live_server`` serves the app in a thread for the browser
tests, where Debian's Chromium is driven by Playwright; those skip with the reason when
Chromium or Playwright is missing (``.ci/run`` installs Chromium, so CI runs them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from crm_core.testing import PASSWORD
from crm_core.testing.database import scratch_database
from tests.plugins.erp_gl7.gl7_double import Gl7Double, running_gl7
from tests.plugins.messaging.doubles import Inbox, smtp_server
from tests.support.live import live_app, live_server  # noqa: F401 - fixtures shared with download tests
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env

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


@dataclass
class Production:
    """``crm serve`` on loopback, with the SMTP server and the GL7 double it delivers to."""

    server: ServedCrm
    inbox: Inbox
    gl7: Gl7Double


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    """Every plugin served by ``crm serve`` (2 workers × 2 threads, CRM_ENV=production) on a
    committed scratch database; small upload limit (:data:`UPLOAD_LIMIT`) for the limit tests, and
    bulk actions on more than 5 records run as background jobs of 2-record chunks."""
    tmp = tmp_path_factory.mktemp("served")
    customer = tmp / "customers" / "e2e"
    customer.mkdir(parents=True)
    with scratch_database(str(tmp)) as url, smtp_server() as (inbox, smtp_port), running_gl7() as gl7:
        customer.joinpath("customer.toml").write_text(CUSTOMER_TOML.format(smtp_port=smtp_port, gl7_url=gl7.url))
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="e2e",
                         CRM_UPLOAD_MAX_BYTES=str(UPLOAD_LIMIT), CRM_BULK_JOB_THRESHOLD="5",
                         CRM_BULK_CHUNK_RECORDS="2")
        with served_crm(env, cwd=str(tmp)) as server:
            yield Production(server, inbox, gl7)


@pytest.fixture(autouse=True)
def _served_users_read_english_again(request: pytest.FixtureRequest) -> Iterator[None]:
    """``production`` serves one database for the whole session: a test that switches a user to
    another language would serve every later test of the worker pages in that language (the
    login reads the stored choice). After each test on it, every user reads English again."""
    yield
    if "production" not in request.fixturenames:
        return
    engine = create_engine(request.getfixturevalue("production").server.env["CRM_DATABASE_URL"])
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE crm_user SET language = 'en' WHERE language <> 'en'"))
    finally:
        engine.dispose()


UPLOAD_LIMIT = 64 * 1024
CUSTOMER_TOML = """
[plugins]
enabled = ["sales", "purchasing", "activities", "messaging", "erp_gl7", "cases", "inboxes"]

[settings.messaging]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "crm@example.com"
base_url = "https://crm.example.com"

[settings.erp_gl7]
base_url = "{gl7_url}"
api_token = "secret-token"
timeout_seconds = 5
"""


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
