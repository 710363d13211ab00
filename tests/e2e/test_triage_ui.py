"""Triage scripts served by ``crm serve`` (a real process, SQLite or PostgreSQL with
``CRM_TEST_DATABASE_URL``): the served API refuses to open a fibre fault before its triage, and
an agent walks the script in Chromium on a desktop and a phone until the case can be opened
(EXT-14)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crm_core.testing.database import scratch_database
from tests.e2e.conftest import log_in
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env

TELCO = Path(__file__).parents[1] / "plugins" / "cases" / "customers" / "telco" / "customer.toml"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCrm, int]]:
    """``crm serve`` for the telecom with its fibre script; ana's customer through the API."""
    tmp = tmp_path_factory.mktemp("triage")
    customer = tmp / "customers" / "telco"
    customer.mkdir(parents=True)
    customer.joinpath("customer.toml").write_text(TELCO.read_text())
    with scratch_database(str(tmp)) as url:
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="telco")
        with served_crm(env, cwd=str(tmp)) as server:
            account = server.login("ana").post("/api/v1/accounts", json={"code": "T0001", "name": "Fibra Cliente"})
            assert account.status_code == 201, account.text
            yield server, account.json()["id"]


def new_fault(server: ServedCrm, account_id: int) -> int:
    created = server.login("ana").post("/api/v1/cases", json={
        "account_id": account_id, "subject": "Sin conexión", "type": "fault", "product": "fiber"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_the_served_api_refuses_to_open_a_fault_before_its_triage(served):
    server, account_id = served
    case_id = new_fault(server, account_id)
    ana = server.login("ana")
    refused = ana.post(f"/api/v1/cases/{case_id}/actions/open", json={})
    assert refused.status_code == 422, refused.text
    tab = ana.get(f"/s/cases/{case_id}", params={"tab": "triage"})
    assert "¿Están encendidas las luces del router?" in tab.text
    assert server.login("bob").get(f"/s/cases/{case_id}", params={"tab": "triage"}).status_code == 404


@pytest.mark.browser
@pytest.mark.parametrize(("device", "width"), [("page", 1280), ("phone", 375)])
def test_an_agent_walks_the_triage_then_opens_the_case(request, served, device, width):
    server, account_id = served
    case_id = new_fault(server, account_id)
    page = request.getfixturevalue(device)
    log_in(page, server.url, "ana")
    page.goto(f"{server.url}/s/cases/{case_id}?tab=triage")
    expect(page.locator('[data-action="open"]')).to_have_count(0)  # not offered before the triage
    assert "luces del router" in page.locator("#triage-question").inner_text()
    page.click(".triage-choice >> text=Sí")
    page.wait_for_url(re.compile(r"tab=triage"))
    assert "luz LOS" in page.locator("#triage-question").inner_text()
    page.click(".triage-choice >> text=No")
    page.wait_for_url(re.compile(r"tab=triage"))
    assert "reiniciar el router" in page.locator("#triage-outcome").inner_text()
    expect(page.locator("#triage-answers li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    page.click('[data-action="open"]')
    page.click("#action-run")
    page.wait_for_url(re.compile(rf"/s/cases/{case_id}$"))
    assert page.locator("#detail-status").inner_text() == "Open"
    page.goto(f"{server.url}/s/cases/{case_id}?tab=history")
    assert "Configuración: reiniciar el router de forma remota" in page.locator("main").inner_text()
