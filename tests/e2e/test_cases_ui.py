"""An agent works a customer's case in a real browser, on a desktop and on a phone: a new case
from the customer's Cases tab (prefilled), opened, resolved and closed with the customer's
agreement; the history shows the moves (CAS-01, CAS-02)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("device", "width", "code"), [("page", 1280, "CS-DESK"), ("phone", 375, "CS-PHONE")])
def test_an_agent_opens_resolves_and_closes_a_case(request, live_server, device, width, code):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "ana")
    page.goto(f"{live_server}/s/accounts/new")
    page.fill("#f-code", code)
    page.fill("#f-name", f"Cliente {code}")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/accounts/\d+$"))
    account_id = page.url.rsplit("/", 1)[1]

    page.goto(page.url + "?tab=cases")
    page.click("#new-linked-case")
    page.wait_for_url(re.compile(r"/s/cases/new\?"))
    assert page.locator("input[name=account_id]").input_value() == account_id  # prefilled from the tab
    assert page.locator("#f-account_id").input_value() == f"{code} Cliente {code}"
    page.fill("#f-subject", "El router no conecta")
    page.select_option("#f-type", "defect")
    page.select_option("#f-priority", "high")
    page.click("main button[type=submit] >> nth=0")
    page.wait_for_url(re.compile(r"/s/cases/\d+$"))
    title = page.locator("#detail-title").inner_text()
    assert re.match(r"C-\d{4}-\d{6} El router no conecta", title), title
    assert page.locator("#detail-status").inner_text() == "Gathering information"

    page.click('[data-action="open"]')
    page.click("#action-run")
    page.wait_for_url(re.compile(r"/s/cases/\d+$"))
    assert page.locator("#detail-status").inner_text() == "Open"

    page.click('[data-action="resolve"]')
    page.fill("#f-resolution", "Router reiniciado y configurado de nuevo")
    page.click("#action-run")
    page.wait_for_url(re.compile(r"/s/cases/\d+$"))
    assert page.locator("#detail-status").inner_text() == "Resolved"

    page.click('[data-action="close"]')
    page.click("#action-run")  # without the agreement: refused in place
    expect(page.locator('[data-field="agreed_by"] .invalid-feedback')).to_have_count(1)
    page.fill("#f-agreed_by", "Rosa Ferrer")
    page.select_option("#f-agreed_via", "phone")
    page.click("#action-run")
    page.wait_for_url(re.compile(r"/s/cases/\d+$"))
    assert page.locator("#detail-status").inner_text() == "Closed"
    # a closed case offers no life-cycle action (the inboxes plugin's "send to inbox" stays)
    # a closed case offers nothing but sending it on, and the timeline's composer (add an activity)
    expect(page.locator('[data-action]:not([data-action="send_to_inbox"]):not([data-action="add_activity"])')).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"

    page.goto(page.url + "?tab=history")
    history = page.locator("main").inner_text()
    assert "Rosa Ferrer" in history and "Closed" in history


@pytest.mark.parametrize(("device", "width"), [("page", 1280), ("phone", 375)])
def test_case_reports_show_a_chart_and_its_table_and_switch_reports(request, live_server, device, width):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "leader")
    page.goto(f"{live_server}/cases/reports")
    page.locator('#chart-status[data-ready="true"] svg').first.wait_for()  # drawn by ECharts, like the funnel
    assert page.locator("#case-report-table th").first.inner_text() == "Status"
    page.click('#case-reports [data-report="sla"]')
    page.wait_for_url(re.compile(r"report=sla"))
    page.locator('#chart-sla[data-ready="true"] svg').first.wait_for()
    headers = page.locator("#case-report-table th").all_inner_texts()
    assert headers[:3] == ["Type", "Open past due", "Resolved late"]
    page.fill("#report-from", "2026-05-01")
    page.fill("#report-to", "2026-04-01")
    page.click("#case-report-filters button[type=submit]")
    expect(page.locator(".alert-danger")).to_contain_text("cannot be before its start")
    token = {"X-CSRFToken": page.locator('meta[name="csrf-token"]').get_attribute("content")}
    account = page.request.post(f"{live_server}/api/v1/accounts", headers=token,
                                data={"code": f"CS-REP-{width}", "name": "Informes en el navegador"})
    assert account.ok, account.text()
    made = page.request.post(f"{live_server}/api/v1/cases", headers=token,
                             data={"account_id": account.json()["id"], "subject": "Para el informe", "type": "sales"})
    assert made.ok, made.text()
    page.goto(f"{live_server}/cases/reports?report=type")
    expect(page.locator('#case-report-table [data-category="Sales"]')).to_have_count(1)
    href = page.locator('[data-format="csv"]').get_attribute("href")
    download = page.request.get(live_server + href)  # the page's own cookies, read to the end
    assert download.ok and download.headers["content-disposition"].endswith('filename="cases-type.csv"')
    assert download.text().lstrip("\ufeff").startswith("Type,Cases")
