"""The API reference page at /api/v1/docs (issue 17 item 11): Swagger UI from npm renders the
app's own OpenAPI document in Chromium at 1280 and 375 px under the strict CSP, with no console
errors and nothing wider than a phone's screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console

pytestmark = pytest.mark.browser


def test_the_reference_lists_the_sessions_operations(page, live_server):
    problems = _console(page)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/api/v1/docs")
    page.locator("#swagger-ui .opblock-tag", has_text="leads").first.wait_for()
    page.locator("#swagger-ui .opblock-tag", has_text="leads").first.click()
    page.locator("#swagger-ui .opblock-summary-path", has_text="/api/v1/leads").first.wait_for()
    expect(page.locator("#swagger-ui .info .title")).to_have_count(1)
    assert problems == []


def test_the_reference_is_public_and_fits_a_phone(phone, live_server):
    problems = _console(phone)
    phone.goto(f"{live_server}/api/v1/docs")
    phone.locator("#swagger-ui .opblock-tag").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []
