"""A sales grid page runs at most 4 SQL statements whatever its rows (NF-01, issue 13 target 4):
the signed-in user, their group's permissions with the menu settings, the saved views, and the
page (ids first, then those rows with the records of its reference columns — the Account
column's names, issue 17 item 6 — and the names of its owners) — no statement per row, per cell
or per status label, and none per owner on a page of several owners' records."""

from __future__ import annotations

import pytest
from flask import current_app

from crm_core.testing import sql_statements

pytestmark = pytest.mark.crm(plugins=["sales", "activities"])

ROWS = 30
#: The test client's unit of work holds the signed-in user: served, reading it is the fourth.
MAX_STATEMENTS = 3


@pytest.fixture
def filled(create) -> None:  # type: ignore[no-untyped-def]
    """ROWS records of ana's in each sales grid, some with a phone (a call link per cell)."""
    account = create("accounts", "ana", code="G0000", name="Cuenta 0", phone="+34 600 000 000")
    for n in range(1, ROWS):
        create("accounts", "ana", code=f"G{n:04d}", name=f"Cuenta {n}")
    for n in range(ROWS):
        create("leads", "ana", name=f"Lead {n}", company="Acme", phone="+34 611 000 000" if n % 2 else "")
        create("contacts", "ana", account_id=account.id, first_name=f"Marta {n}", last_name="Soler")
        create("opportunities", "ana", name=f"Pedido {n}", account_id=account.id, amount=100 + n)


@pytest.mark.parametrize("session_name", ["leads", "contacts", "opportunities", "accounts"])
def test_grid_page_statements_do_not_grow_with_rows(session_name, filled, client_for):
    ana = client_for("ana")
    url = f"/s/{session_name}?per_page=50"
    assert ana.get(url).status_code == 200  # first-request work (caches) out of the count
    with sql_statements(current_app.extensions["crm_db"].engine, markers=False) as seen:
        response = ana.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count("<tr data-id=") == ROWS
    assert len(seen) <= MAX_STATEMENTS, "\n".join(seen)


@pytest.mark.parametrize("session_name", ["contacts", "opportunities"])
def test_all_records_of_several_owners_cost_no_statement_more(session_name, filled, create, client_for, db, users):
    """An administrator's "all records" page holds ana's and bob's records (bob's user no longer
    active): their Owner column reads each owner's name from the page's own statement."""
    account = create("accounts", "bob", code="B0001", name="Cuenta Bob")
    values = {"contacts": {"account_id": account.id, "first_name": "Pedro", "last_name": "Gil"},
              "opportunities": {"account_id": account.id, "name": "Pedido Bob", "amount": 5}}[session_name]
    create(session_name, "bob", **values)
    users["bob"].full_name, users["bob"].active = "Roberto Díaz", False
    users["ana"].full_name = ""  # no full name: the user name shows
    db.commit()
    for owner in ("ana", "bob"):  # as served: no unit of work holds the owners already
        db.expunge(users[owner])
    admin = client_for("admin")
    url = f"/s/{session_name}?per_page=50&all=1"
    assert admin.get(url).status_code == 200
    with sql_statements(current_app.extensions["crm_db"].engine, markers=False) as seen:
        response = admin.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.count("<tr data-id=") == ROWS + 1
    assert len(seen) <= MAX_STATEMENTS, "\n".join(seen)
    assert html.count('<td data-label="Owner"><span>ana</span></td>') == ROWS
    assert html.count('<td data-label="Owner"><span>Roberto Díaz</span></td>') == 1


def test_a_referenced_record_the_reader_may_not_see_stays_an_id(create, client_for, db, users):
    """The page's join applies the account session's own rules: bob's contact at ana's
    account shows the account's id, not its name, and no link; ana's own reads its name."""
    theirs = create("accounts", "ana", code="S0001", name="Secreta SL")
    contact = create("contacts", "ana", account_id=theirs.id, first_name="Luis", last_name="Paz")
    contact.owner_id = users["bob"].id  # given to bob, the account stays ana's
    db.commit()
    html = client_for("bob").get("/s/contacts").get_data(as_text=True)
    assert "Luis" in html and "Secreta" not in html and f"/s/accounts/{theirs.id}" not in html
    assert f'<td data-label="Account"><span>{theirs.id}</span></td>' in html
    create("contacts", "ana", account_id=theirs.id, first_name="Eva", last_name="Ros")
    html = client_for("ana").get("/s/contacts").get_data(as_text=True)
    assert f'<a href="/s/accounts/{theirs.id}">S0001 Secreta SL</a>' in html
