"""The demo client's branding, favicon and an empty grid's next step in a real browser, at 1280 px
and on a 375 px phone (issue 17 item 11): no console error, no failed request (the favicon
included), the CSP strict, nothing wider than the phone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.e2e.conftest import log_in
from tests.support.live import serving
from tests.support.served import prepare_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def branded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo client (``customer_overrides/demo``: Demo Corp, its logo and colour) served on
    127.0.0.1, with no records yet."""
    from crm_core.app import create_app

    with scratch_database(str(tmp_path_factory.mktemp("branded"))) as url:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_CUSTOMER="demo", WTF_CSRF_ENABLED=True))
        with serving(app) as base:
            yield base


def _problems(page: Any) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


@pytest.mark.parametrize("device", ["page", "phone"])
def test_the_client_brand_and_an_empty_grids_next_step(request, branded, device):
    screen = request.getfixturevalue(device)
    problems = _problems(screen)
    screen.goto(f"{branded}/login")
    expect(screen).to_have_title("Log in · Demo Corp")
    expect(screen.locator("#login-brand")).to_contain_text("Demo Corp")
    expect(screen.locator("#login-brand img")).to_be_visible()
    assert screen.request.get(f"{branded}/favicon.ico").ok  # followed to the hashed icon
    log_in(screen, branded, "ana")
    expect(screen.locator("#brand")).to_contain_text("Demo Corp")
    expect(screen.locator("#brand img.crm-brand-logo")).to_be_visible()
    colour = screen.locator("nav.navbar").evaluate("n => getComputedStyle(n).borderTopColor")
    assert colour == "rgb(11, 110, 79)"  # #0b6e4f, from the generated stylesheet (no inline style)
    screen.goto(f"{branded}/s/campaigns")
    empty = screen.locator("#grid-empty")
    expect(empty).to_contain_text("No campaigns yet")
    expect(empty.locator("#empty-new")).to_be_visible()
    if device == "phone":
        assert screen.evaluate("document.documentElement.scrollWidth") <= 375
    empty.locator("#empty-new").click()
    expect(screen).to_have_url(f"{branded}/s/campaigns/new")
    expect(screen).to_have_title("New Campaign · Campaigns · Demo Corp")
    assert problems == []
