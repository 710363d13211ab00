"""The home dashboard (EXT-07, issue 17 item 7) in Chromium at 1280 and 375 px under the strict
CSP with no console errors: key figure cards, goal bars, and charts (Apache ECharts, from npm)
drawn from the tables beside them; a leader also sees the team."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in
from tests.e2e.test_board_and_search_ui import _console, _create

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pipeline(live_app) -> None:
    app = live_app.app
    account = _create(app, "ana", "accounts", code="DSH01", name="Panel Norte")
    for name, amount in (("Horno panel", "1500.00"), ("Vitrina panel", "2500.00")):
        _create(app, "ana", "opportunities", name=name, account_id=account, amount=amount, probability=50)


def _charts_drawn(page) -> None:
    figures = page.locator("#dashboard .crm-chart-figure")
    assert figures.count() >= 1
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.locator('.crm-chart[data-ready="true"] svg').first.wait_for()
        assert figure.locator("table tbody tr").count() >= 1


def test_an_executive_sees_figures_and_charts_with_tables(page, live_server, pipeline):
    problems = _console(page)
    log_in(page, live_server, "ana")
    card = page.locator("#kpi-mine-pipeline")
    assert "4,000.00" in card.inner_text()
    _charts_drawn(page)
    stages = page.locator("#chart-mine-pipeline_stages table")
    assert "1,500.00" in stages.inner_text() or "4,000.00" in stages.inner_text()
    expect(page.locator("#kpi-team-pipeline")).to_have_count(0)
    card.get_by_role("link").click()
    page.wait_for_url("**/s/opportunities**")
    assert problems == []


def test_a_leader_sees_the_team_on_a_phone_without_overflow(phone, live_server, pipeline):
    problems = _console(phone)
    log_in(phone, live_server, "leader")
    expect(phone.locator("#kpi-team-pipeline")).to_have_count(1)
    _charts_drawn(phone)
    assert "Ana" in phone.locator("#chart-team-won_people table").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert problems == []


def test_the_funnel_uses_the_same_charts_drawn_from_its_table(page, phone, live_server, pipeline):
    for browser_page in (page, phone):
        problems = _console(browser_page)
        log_in(browser_page, live_server, "leader")
        browser_page.goto(f"{live_server}/sales/funnel")
        browser_page.locator('#funnel-chart[data-ready="true"] svg').first.wait_for()
        expect(browser_page.locator("#funnel-table tbody tr")).to_have_count(4)
        assert browser_page.evaluate("document.documentElement.scrollWidth") <= browser_page.viewport_size["width"]
        # each step drills down to its records, and back
        browser_page.locator('#funnel-table tr[data-step="opportunities"] a').click()
        expect(browser_page.locator("h1")).to_have_text("Opportunities")
        expect(browser_page.locator("#funnel-records tbody tr[data-id]").first).to_be_visible()
        assert browser_page.evaluate("document.documentElement.scrollWidth") <= browser_page.viewport_size["width"]
        browser_page.click("#funnel-back")
        expect(browser_page.locator("#funnel-table")).to_be_visible()
        assert problems == []


def test_the_call_figures_use_the_same_charts_drawn_from_their_table(page, live_server):
    problems = _console(page)
    log_in(page, live_server, "leader")
    page.goto(f"{live_server}/telephony/figures?from=2026-11-01&to=2026-11-07")
    page.locator('#figures-chart[data-ready="true"] svg').first.wait_for()
    periods = page.locator('#figures-figure table[data-table="periods"]')
    expect(periods.locator("thead th[data-series]")).to_have_count(2)
    assert periods.locator("tbody tr[data-period]").count() == periods.locator("tbody tr").count() - 1
    assert problems == []


def test_a_leader_sets_a_goal_that_ana_sees_on_her_dashboard(page, phone, live_server, live_app, pipeline):
    """Issue 17 item 7: Sales → Goals at 1280 px (the leader) and the goal bar at 375 px (ana)."""
    problems = _console(page)
    log_in(page, live_server, "leader")
    page.goto(f"{live_server}/sales/goals")
    ana = page.locator('#goals-table tr[data-holder^="user:"]', has_text="Ana").locator("input")
    ana.fill("8000")
    page.click("#goals-save")
    expect(page.locator(".alert-success")).to_contain_text("saved for")
    expect(ana).to_have_value("8000.00")
    assert problems == []
    phone_problems = _console(phone)
    log_in(phone, live_server, "ana")
    expect(phone.locator("#kpi-mine-won_month .crm-kpi-goal")).to_contain_text("of the goal of 8,000.00")
    phone.goto(f"{live_server}/sales/goals")
    expect(phone.locator("#goals-save")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone_problems == []
