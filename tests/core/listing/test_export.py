"""Export of the grid selection: same query arguments, ownership, formula neutralising (CORE-08, CORE-10, NF-03)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from crm_core.db import unit_of_work
from crm_core.services import elements
from tests.core.listing.conftest import parse_csv
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
DANGEROUS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def export(client, **args):  # type: ignore[no-untyped-def]
    return client.get("/s/samples/export", query_string=args)


def test_export_takes_the_grid_selection_text_and_sort(samples, client_for):
    rows = parse_csv(export(client_for("ana"), format="csv", q="acme", sort="-name"))
    assert [r[0] for r in rows[1:]] == ["Gamma", "Alpha"]


def test_executive_export_never_contains_anothers_rows(samples, client_for):
    names = [r[0] for r in parse_csv(export(client_for("ana"), format="csv", all="1"))[1:]]
    assert "Bobs deal" not in names and len(names) == 3


def test_leader_export_of_all_records_contains_everyones_rows(samples, client_for):
    names = [r[0] for r in parse_csv(export(client_for("leader"), format="csv", all="1"))[1:]]
    assert sorted(names) == ["Alpha", "Beta", "Bobs deal", "Gamma"]


def test_formula_like_cells_are_neutralised_in_csv_and_xlsx(crm_app, db, access_for, client_for):
    from crm_core.app import crm_state

    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        for i, text in enumerate(DANGEROUS):
            elements.create(db, sdef, access_for("ana"), {"name": f"n{i}", "company": text, "amount": "-5"})
    csv_rows = parse_csv(export(client_for("ana"), format="csv", sort="name"))
    assert [r[1] for r in csv_rows[1:]] == ["'" + t for t in DANGEROUS]
    assert csv_rows[1][4] == "-5.00"  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(export(client_for("ana"), format="xlsx", sort="name").data)).active
    cells = [row[1] for row in list(sheet.values)[1:]]
    assert cells[:5] == ["'" + t for t in DANGEROUS[:5]]
    assert cells[5].startswith("'")  # XML stores the carriage return as a line feed


def test_export_without_data_shows_a_message(crm_app, users, client_for):
    response = export(client_for("ana"), format="xlsx")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "No data to export." in response.get_data(as_text=True)


def test_export_rejects_unknown_format_and_sort_field(samples, client_for):
    assert export(client_for("ana"), format="exe").status_code == 400
    assert export(client_for("ana"), format="csv", sort="password_hash").status_code == 400
