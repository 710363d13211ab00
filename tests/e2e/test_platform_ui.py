"""A person logs in, sees a menu filtered by permissions, and manages users, groups and
permissions, in a real browser (issue: platform core — done when)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_wrong_password_shows_a_message(page, live_server):
    page.goto(f"{live_server}/login")
    page.fill("#username", "ana")
    page.fill("#password", "nope")
    page.click("main button[type=submit]")
    expect(page.locator(".alert-danger")).to_have_text("Wrong user name or password.")


def test_menu_is_filtered_by_the_groups_permissions(page, live_server):
    log_in(page, live_server, "ana")
    expect(page.locator('[data-session="leads"]')).to_have_count(1)
    expect(page.locator('[data-module="configuration"]')).to_have_count(0)
    page.click("#crm-menu >> text=Sales")
    page.click('[data-session="leads"]')
    assert page.url.endswith("/s/leads")


def test_admin_creates_group_user_and_grants_a_session(browser, page, live_server):
    log_in(page, live_server, "admin")
    page.click('[data-module="configuration"] >> .dropdown-toggle')
    page.click('[data-session="groups"]')
    page.click("text=New group")
    page.fill("#name", "Call center")
    page.click("main button[type=submit]")
    expect(page.get_by_role("link", name="Call center", exact=True)).to_have_count(1)

    page.goto(f"{live_server}/config/users/new")
    page.fill("#username", "carla")
    page.fill("#full_name", "Carla Díaz")
    page.select_option("#group_id", label="Call center")
    page.fill("#password", "carla-password")
    page.click("main button[type=submit]")
    expect(page.get_by_role("link", name="carla", exact=True)).to_have_count(1)

    page.goto(f"{live_server}/config/permissions")
    page.select_option("select[name=group]", label="Call center")
    page.click("text=Show")
    page.check('input[name="contacts:view"]')
    page.click("main button[type=submit] >> text=Save")
    expect(page.locator(".alert-success")).to_have_count(1)

    other = browser.new_context().new_page()
    log_in(other, live_server, "carla", "carla-password")
    expect(other.locator('[data-session="contacts"]')).to_have_count(1)
    expect(other.locator('[data-session="leads"]')).to_have_count(0)
    other.context.close()


def test_phone_menu_collapses_behind_the_toggler(phone, live_server, tmp_path):
    log_in(phone, live_server, "ana")
    toggler = phone.locator(".navbar-toggler")
    assert toggler.is_visible()
    assert not phone.locator("#crm-menu").is_visible()
    toggler.click()
    phone.locator("#crm-menu").wait_for(state="visible")
    phone.screenshot(path=str(tmp_path / "phone-menu.png"))
