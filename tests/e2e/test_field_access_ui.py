"""Field access by group and smart lists in Chromium at 1280 and 375 px under the strict CSP,
with no console errors (issue 18 items 6 and 7): an executive sees a read-only company as a value
and no hidden source; an administrator restricts a field on Configuration → Fields; a grid's
filter saved as a smart list shows its members with a count."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console
from tests.support.live import serving
from tests.support.served import prepare_database

pytestmark = pytest.mark.browser

CLIENT = """
[plugins]
enabled = ["sales", "activities"]

[field_access.leads."Executives"]
hidden = ["source"]
read_only = ["company"]
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The client served on 127.0.0.1, with a lead of ana's whose company and source the
    administrator filled; yields the base URL and the lead's id."""
    from crm_core.app import create_app
    from crm_core.db import unit_of_work
    from crm_core.extensions import crm_state
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import elements

    tmp = tmp_path_factory.mktemp("field_access_ui")
    folder = tmp / "customers" / "accessco"
    folder.mkdir(parents=True)
    folder.joinpath("customer.toml").write_text(CLIENT, encoding="utf-8")
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_CUSTOMER="accessco", CRM_OVERRIDES_DIR=str(folder.parent),
                                       WTF_CSRF_ENABLED=True))
        with app.test_request_context(), unit_of_work() as db:
            users = {u.username: u for u in db.query(User)}
            admin = load_access(db, users["admin"], crm_state().row_filters)
            sdef = crm_state().registry.sdef("leads")
            lead = elements.create(db, sdef, admin, {"name": "Hotel Zafiro", "company": "Acme",
                                                     "source": "Zq9Fair", "owner_id": users["ana"].id})
            for name in ("Smartco One", "Smartco Two"):
                elements.create(db, sdef, admin, {"name": name, "owner_id": users["ana"].id})
            lead_id = lead.id
        with serving(app) as base:
            yield base, lead_id


def _executive_sees_the_rules(page: Any, base: str, lead_id: int, city: str) -> None:
    page.set_default_timeout(30_000)  # a signed-in home page can take seconds on a loaded 2-core host
    log_in(page, base, "ana")
    page.goto(f"{base}/s/leads/{lead_id}")
    expect(page.locator('#detail-read [data-value="company"]')).to_have_text("Acme")  # read mode first
    expect(page.locator('[data-field="source"]')).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Zq9Fair")
    page.click("#detail-edit")
    expect(page.locator('[data-locked="company"]')).to_have_text("Read-only")
    expect(page.locator("#f-company")).to_have_text("Acme")
    expect(page.locator('input[name="company"]')).to_have_count(0)
    expect(page.locator('[data-field="source"]')).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Zq9Fair")
    page.fill("#f-city", city)
    page.click("#detail-save")
    expect(page.locator(".alert-success")).to_be_visible()  # the rest of the record is saved
    expect(page.locator('#detail-read [data-value="company"]')).to_have_text("Acme")
    expect(page.locator('#detail-read [data-value="city"]')).to_have_text(city)


def _smart_list_from_the_grid(page: Any, base: str, name: str) -> None:
    page.goto(f"{base}/s/leads?q=smartco")
    page.click("#tool-smart-list")
    expect(page.locator("#f-criteria")).to_have_value("q=smartco")
    page.fill("#f-name", name)
    page.click("#detail-save")
    expect(page.locator("h1", has_text=name)).to_be_visible()
    page.click('[data-tab="members"]')
    expect(page.locator("#members-smart")).to_contain_text("2 records match its criteria for you now.")
    expect(page.locator("[data-member]")).to_have_count(2)
    # its members as a list, exported from there
    page.click("#members-grid")
    expect(page.locator("#grid-grouping")).to_contain_text(f"Members of {name}")
    expect(page.locator("#grid tbody tr[data-id]")).to_have_count(2)
    with page.expect_download() as download:
        page.click("#tool-export a:first-child")
    body = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert body.count("Smartco") == 2


def test_field_access_and_a_smart_list_on_a_desktop(page, server):
    base, lead_id = server
    problems = _console(page)
    _executive_sees_the_rules(page, base, lead_id, "Cuenca")
    _smart_list_from_the_grid(page, base, "Smartco desk")
    assert problems == []


def test_field_access_and_a_smart_list_on_a_phone(phone, server):
    base, lead_id = server
    problems = _console(phone)
    _executive_sees_the_rules(phone, base, lead_id, "Loja")
    _smart_list_from_the_grid(phone, base, "Smartco phone")
    assert problems == []


def test_an_administrator_hides_a_field_for_a_group_on_the_configuration_screen(page, server):
    base, lead_id = server
    problems = _console(page)
    page.set_default_timeout(30_000)
    log_in(page, base, "admin")
    page.goto(f"{base}/config/fields")
    page.click("#field-access-link")
    page.select_option("#fa-group", label="Executives")
    page.select_option("#fa-session", "leads")
    page.click("#fa-show")
    expect(page.locator('[data-field="source"]')).to_contain_text("customer.toml")
    page.select_option('select[name="field:country"]', "hidden")
    page.click("#field-access-save")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator('select[name="field:country"]')).to_have_value("hidden")
    assert problems == []
    page.context.clear_cookies()
    log_in(page, base, "ana")
    page.goto(f"{base}/s/leads/{lead_id}")
    expect(page.locator('[data-field="city"]')).to_have_count(1)
    expect(page.locator('[data-field="country"]')).to_have_count(0)
