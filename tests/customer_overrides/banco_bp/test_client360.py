"""Banco BP's client 360 view (CAS-04): CRM sections from every plugin plus the Core system's
client data, products and movements fetched in parallel — a hanging or failing source shows a
placeholder while the rest renders, answers are cached briefly, the API gives the same."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.crm(customer="banco_bp")


@pytest.fixture(autouse=True)
def _no_cache():
    from plugins.sales import client360

    client360.clear_cache()
    yield
    client360.clear_cache()


@pytest.fixture
def client_360(db, access_for, core, crm_app):
    from crm_core.toolkit import create_element, crm_state, unit_of_work

    crm_app.extensions["crm"].settings["client"].update(source_timeout_seconds=0.5, cache_seconds=30.0)
    registry = crm_state().registry
    access = access_for("ana")
    with unit_of_work() as s:
        account = create_element(s, registry.sdef("accounts"), access, {"code": "0912345678", "name": "Carlos Mendoza"})
        create_element(s, registry.sdef("contacts"), access, {"account_id": account.id, "last_name": "Mendoza",
                                                              "first_name": "Lucía"})
        create_element(s, registry.sdef("opportunities"), access, {"account_id": account.id, "name": "Tarjeta oro",
                                                                   "amount": "3000.00"})
        create_element(s, registry.sdef("cases"), access, {"account_id": account.id, "subject": "Cobro duplicado",
                                                           "type": "claim"})
        create_element(s, registry.sdef("activities"), access, {
            "type": "task", "subject": "Llamar por tarjeta", "starts_at": "2026-12-02T10:00:00+00:00",
            "session_name": "accounts", "element_id": account.id})
    return account


def _sections(page: str) -> dict[str, str]:
    import re

    found = re.findall(r'data-section="(\w+)" data-state="(\w+)"', page)
    return dict(found)


def test_every_part_of_the_client_shows(client_360, client_for, core):
    page = client_for("ana").get(f"/s/accounts/{client_360.id}?tab=client360").get_data(as_text=True)
    states = _sections(page)
    assert set(states) >= {"client", "core_client", "opportunities", "products", "core_products", "core_movements",
                           "contacts", "tasks", "cases", "history"}
    assert set(states.values()) == {"ok"}
    for text in ("Tarjeta oro", "Cobro duplicado", "Llamar por tarjeta", "Savings account", "Nómina / payroll",
                 "Preferente", "Lucía Mendoza"):
        assert text in page


def test_a_hanging_source_is_a_placeholder_and_the_rest_renders(client_360, client_for, core):
    core.hang_paths = ("/movements",)
    started = time.monotonic()
    page = client_for("ana").get(f"/s/accounts/{client_360.id}?tab=client360").get_data(as_text=True)
    assert time.monotonic() - started < 2.5
    states = _sections(page)
    assert states["core_movements"] == "slow" and states["core_products"] == "ok" and states["cases"] == "ok"
    assert "did not answer in 0.5 s" in page and "Savings account" in page


def test_a_failing_core_shows_placeholders(client_360, client_for, core):
    core.mode = "fail"
    page = client_for("ana").get(f"/s/accounts/{client_360.id}?tab=client360").get_data(as_text=True)
    states = _sections(page)
    assert {states[n] for n in ("core_client", "core_products", "core_movements")} == {"failed"}
    assert "The Core system failed (HTTP 500)" in page and "Tarjeta oro" in page


def test_answers_are_cached_briefly(client_360, client_for, core):
    client = client_for("ana")
    client.get(f"/s/accounts/{client_360.id}?tab=client360")
    asked = len(core.requests)
    assert asked == 3
    client.get(f"/s/accounts/{client_360.id}?tab=client360")
    assert len(core.requests) == asked


def test_the_api_gives_the_same_view_under_the_same_rules(client_360, client_for, core):
    body = client_for("ana").get(f"/api/v1/client360/{client_360.id}").json
    by_name = {s["name"]: s for s in body["sections"]}
    assert by_name["core_products"]["rows"][0]["product"] == "Savings account"
    assert by_name["opportunities"]["rows"][0]["name"] == "Tarjeta oro"
    assert client_for("bob").get(f"/api/v1/client360/{client_360.id}").status_code == 404
    assert client_for("bob").get(f"/s/accounts/{client_360.id}?tab=client360").status_code == 404
