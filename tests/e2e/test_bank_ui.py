"""Banco BP in a real browser, on a desktop and on a phone: the bank's menu and status names in
the user's language; an executive opens a client's 360
view — CRM and Core-system sections side by side, a hanging Core source a placeholder while the
rest renders (CAS-04) — and executes a transaction on a case through the Core system, confirmed,
recorded on the case's "Core system" tab (CAS-03)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings
from tests.customer_overrides.banco_bp.core_double import CoreDouble, running
from tests.e2e.conftest import log_in
from tests.support.live import serving
from tests.support.served import prepare_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def bank_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, CoreDouble, dict[str, int]]]:
    from crm_core.app import create_app
    from crm_core.db import unit_of_work
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services.elements import create

    with scratch_database(str(tmp_path_factory.mktemp("bank_ui"))) as url, running() as core:
        prepare_database(url)
        app = create_app(base_settings(url, CRM_CUSTOMER="banco_bp", WTF_CSRF_ENABLED=True))
        state = app.extensions["crm"]
        state.settings["client"].update(core_url=core.url, source_timeout_seconds=0.8, cache_seconds=0.0)
        ids: dict[str, int] = {}
        with app.app_context(), unit_of_work() as db:
            ana = db.query(User).filter_by(username="ana").one()
            access = load_access(db, ana, state.row_filters)
            for code, label in (("0912345678", "desk"), ("1712345678", "phone")):
                account = create(db, state.registry.sdef("accounts"), access, {"code": code, "name": f"Cliente {label}"})
                create(db, state.registry.sdef("opportunities"), access,
                       {"account_id": account.id, "name": f"Tarjeta oro {label}", "amount": "3000.00"})
                case = create(db, state.registry.sdef("cases"), access,
                              {"account_id": account.id, "subject": f"Cobro duplicado {label}", "type": "claim"})
                ids[f"account-{label}"], ids[f"case-{label}"] = account.id, case.id
            # bob reads Spanish and has a client of his own (the labels test)
            bob = db.query(User).filter_by(username="bob").one()
            bob.language = "es"
            create(db, state.registry.sdef("accounts"), load_access(db, bob, state.row_filters),
                   {"code": "0987654321", "name": "Rosa Vera"})
        with serving(app) as base:
            yield base, core, ids


@pytest.mark.parametrize(("device", "label"), [("page", "desk"), ("phone", "phone")])
def test_an_executive_sees_the_client_360_and_runs_a_core_transaction(request, bank_server, device, label):
    base, core, ids = bank_server
    page: Any = request.getfixturevalue(device)
    log_in(page, base, "ana")

    page.goto(f"{base}/s/accounts/{ids['account-' + label]}?tab=client360")
    view = page.locator("#client360")
    assert view.locator('[data-section="opportunities"]').inner_text().count(f"Tarjeta oro {label}") == 1
    assert "Savings account" in view.locator('[data-section="core_products"]').inner_text()
    assert "Nómina / payroll" in view.locator('[data-section="core_movements"]').inner_text()
    assert f"Cobro duplicado {label}" in view.locator('[data-section="cases"]').inner_text()

    core.hang_paths = ("/movements",)
    try:
        page.reload()
        slow = page.locator('[data-section="core_movements"] .client360-placeholder')
        assert "did not answer" in slow.inner_text()
        assert "Savings account" in page.locator('[data-section="core_products"]').inner_text()
    finally:
        core.hang_paths = ()

    page.goto(f"{base}/s/cases/{ids['case-' + label]}?tab=core")
    page.click('.core-action[data-action="execute_transaction"]')
    page.wait_for_url(re.compile(r"/cases/core/\d+/execute_transaction$"))
    page.fill("#f-product", "1002003001")
    page.select_option("#f-kind", "credit")
    page.fill("#f-amount", "25.00")
    page.fill("#f-concept", "Devolución comisión")
    page.click("#core-action-run")  # not confirmed: refused in place, nothing sent
    expect(page.locator("#f-confirm.is-invalid")).to_have_count(1)
    executed = core.money_executions()
    page.check("#f-confirm")
    page.click("#core-action-run")
    page.wait_for_url(re.compile(r"/s/cases/\d+\?tab=core$"))
    assert core.money_executions() == executed + 1
    row = page.locator("#core-calls .core-call").first
    assert row.get_attribute("data-outcome") == "done" and "executed: TX" in row.inner_text()


@pytest.mark.parametrize(
    ("user", "menu", "status", "filter_name"),
    [("ana", "Clients", "Client", "Inactive"), ("bob", "Clientes", "Cliente", "Inactivo")],
)
def test_the_banks_menu_and_statuses_speak_the_users_language(page, bank_server, user, menu, status, filter_name):
    base, _core, _ids = bank_server
    log_in(page, base, user)
    assert page.locator("nav a", has_text=re.compile(f"^\\s*{menu}\\s*$")).count() >= 1  # in the (collapsed) menu
    page.goto(f"{base}/s/accounts")
    assert page.locator("table td", has_text=re.compile(f"^{status}$")).count() >= 1
    expect(page.locator("#grid-status label", has_text=re.compile(f"^{filter_name}$"))).to_have_count(1)
    page.locator("#grid-status label", has_text=re.compile(f"^{filter_name}$")).click()
    assert page.locator("#grid-status input:checked").get_attribute("value") == filter_name
    page.goto(f"{base}/s/accounts?status={filter_name}")
    assert page.locator("#grid-status input:checked").get_attribute("value") == filter_name
    expect(page.locator("table td", has_text=re.compile(f"^{status}$"))).to_have_count(0)
