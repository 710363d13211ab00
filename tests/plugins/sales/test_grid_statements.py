"""A sales grid page runs at most 4 SQL statements whatever its rows (NF-01, issue 13 target 4):
the signed-in user, their group's permissions, the page (ids first, then those rows) and the
menu settings — no statement per row, per cell or per status label; and one per reference
column (the Account column's names, issue 17 item 6), whatever the rows."""

from __future__ import annotations

import pytest
from flask import current_app

from crm_core.testing import sql_statements

pytestmark = pytest.mark.crm(plugins=["sales", "activities"])

ROWS = 30
MAX_STATEMENTS = 4
#: Reference columns of each grid (one statement each for the page's referenced names).
REFERENCE_COLUMNS = {"contacts": 1, "opportunities": 1}


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
    assert len(seen) <= MAX_STATEMENTS + REFERENCE_COLUMNS.get(session_name, 0), "\n".join(seen)
