"""Cases seen from elsewhere (CAS-01, CAS-02): the Cases tab of customers, contacts and
opportunities with a prefilled "new case", the home panels "My open cases" and "Overdue
cases" — only what the viewer may see, everywhere."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from crm_core.admin.services import set_permissions
from crm_core.models.types import utcnow

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing", "cases"])


def panel(html: str, name: str) -> str:
    match = re.search(rf'<section class="[^"]*" id="panel-cases-{name}">(.*?)</section>', html, re.S)
    assert match, f"panel {name} missing"
    return match.group(1)


def count_of(html: str) -> int:
    return int(re.search(r'cases-count">(\d+)<', html).group(1))


@pytest.mark.parametrize("what", ["account", "contact", "opportunity"])
def test_the_cases_tab_lists_the_records_cases_and_prefills_a_new_one(new_case, customer, client_for, what, create):
    linked = new_case(subject="Del registro", contact_id=customer["contact"].id,
                      opportunity_id=customer["opportunity"].id)
    new_case(subject="Solo de la cuenta")
    session_name = {"account": "accounts", "contact": "contacts", "opportunity": "opportunities"}[what]
    html = client_for("ana").get(f"/s/{session_name}/{customer[what].id}?tab=cases").get_data(as_text=True)
    assert "Del registro" in html and linked.number in html
    assert ("Solo de la cuenta" in html) == (what == "account")
    href = re.search(r'id="new-linked-case" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(href).query)
    assert query["account_id"] == [str(customer["account"].id)]
    if what != "account":
        assert query[f"{what}_id"] == [str(customer[what].id)]
    form = client_for("ana").get(href).get_data(as_text=True)
    assert f'value="{customer["account"].id}"' in form and "Hoteles Sol S.A." in form


def test_the_tab_shows_a_leader_only_what_the_leader_may_see_and_ana_only_hers(create, client_for, db, users):
    leaders_account = create("accounts", "leader", code="C0500", name="Compartida")
    create("cases", "leader", account_id=leaders_account.id, subject="Del líder", type="billing")
    leader = client_for("leader").get(f"/s/accounts/{leaders_account.id}?tab=cases").get_data(as_text=True)
    assert "Del líder" in leader
    set_permissions(db, users["ana"].group, ["cases"], {"cases": set()})
    db.commit()
    anas = create("accounts", "ana", code="C0501", name="De Ana")
    refused = client_for("ana").get(f"/s/accounts/{anas.id}?tab=cases").get_data(as_text=True)
    assert "Your group may not see cases." in refused and "new-linked-case" not in refused


def test_suppliers_have_no_cases_tab(create, client_for):
    supplier = create("suppliers", "ana", code="P0100", name="Papelera")
    html = client_for("ana").get(f"/s/suppliers/{supplier.id}").get_data(as_text=True)
    assert "tab=cases" not in html
    customer = create("accounts", "ana", code="C0600", name="Cliente")
    assert "tab=cases" in client_for("ana").get(f"/s/accounts/{customer.id}").get_data(as_text=True)


def test_my_open_cases_counts_those_assigned_to_me_or_mine_unassigned(new_case, action, client_for, users, create):
    new_case(subject="Mío sin asignar")
    new_case(subject="Mío para Bob", assignee_id=users["bob"].id)
    done = new_case(subject="Cancelado")
    action(done, "cancel", "ana", reason="Duplicado")
    resolved = new_case(subject="Resuelto")
    action(resolved, "open", "ana")
    action(resolved, "resolve", "ana", resolution="Hecho")
    bobs_account = create("accounts", "bob", code="C0700", name="De Bob")
    create("cases", "bob", account_id=bobs_account.id, subject="De Bob para Ana", type="billing",
           assignee_id=users["ana"].id)
    ana = panel(client_for("ana").get("/").get_data(as_text=True), "mine")
    assert count_of(ana) == 1 and "Mío sin asignar" in ana
    assert "Mío para Bob" not in ana and "Cancelado" not in ana and "Resuelto" not in ana
    assert "De Bob para Ana" not in ana  # ana may not see bob's records: assigning is not sharing
    bobs_view = panel(client_for("bob").get("/").get_data(as_text=True), "mine")
    assert "Mío para Bob" not in bobs_view  # ana's record, which bob (an executive) may not see
    link = re.search(r'<a href="([^"]+)">C-', ana).group(1)
    assert client_for("ana").get(link).status_code == 200


def test_overdue_cases_are_the_worked_ones_past_their_due_time(new_case, action, client_for, create):
    past, future = utcnow() - timedelta(hours=2), utcnow() + timedelta(days=2)
    late = new_case(subject="Vencido", due_at=past.isoformat())
    new_case(subject="A tiempo", due_at=future.isoformat())
    new_case(subject="Sin plazo")
    closed = new_case(subject="Vencido pero resuelto", due_at=past.isoformat())
    action(closed, "open", "ana")
    action(closed, "resolve", "ana", resolution="Hecho")
    bobs_account = create("accounts", "bob", code="C0800", name="De Bob")
    create("cases", "bob", account_id=bobs_account.id, subject="Vencido de Bob", type="billing",
           due_at=past.isoformat())
    ana = panel(client_for("ana").get("/").get_data(as_text=True), "overdue")
    assert count_of(ana) == 1 and "Vencido" in ana and late.number in ana
    assert "A tiempo" not in ana and "Sin plazo" not in ana and "resuelto" not in ana and "de Bob" not in ana
    leader = panel(client_for("leader").get("/").get_data(as_text=True), "overdue")
    assert count_of(leader) == 2 and "Vencido de Bob" in leader


def test_panels_show_ten_rows_and_the_full_count(new_case, client_for):
    for n in range(12):
        new_case(subject=f"Caso {n}")
    html = panel(client_for("ana").get("/").get_data(as_text=True), "mine")
    assert count_of(html) == 12 and html.count("<tr data-id=") == 10 and "Showing 10 of 12." in html


def test_panel_counts_stop_at_their_cap(new_case, client_for, monkeypatch):
    from plugins.cases import panels

    monkeypatch.setattr(panels, "COUNT_CAP", 11)
    for n in range(12):
        new_case(subject=f"Caso {n}")
    html = panel(client_for("ana").get("/").get_data(as_text=True), "mine")
    assert 'cases-count" title="More than 11">11+<' in html and "Showing 10 of more than 11." in html


def test_no_cases_panels_without_the_view_permission(client_for, db, users):
    set_permissions(db, users["ana"].group, ["cases"], {"cases": set()})
    db.commit()
    html = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="panel-cases-mine"' not in html and 'id="panel-cases-overdue"' not in html
