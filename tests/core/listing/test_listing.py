"""Listings: criteria operators, AND/OR, formats, "no data", ownership and permission (CORE-10, CORE-05, NF-02)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from crm_core.models.auth import Group, Permission
from tests.core.listing.conftest import parse_csv
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.mark.parametrize(
    ("field", "op", "value", "value_to", "expected"),
    [
        ("name", "=", "Beta", "", ["Beta"]),
        ("name", "!=", "Beta", "", ["Alpha", "Gamma"]),
        ("amount", "<", "20", "", ["Alpha"]),
        ("amount", "<=", "20", "", ["Alpha", "Beta"]),
        ("amount", ">", "20", "", ["Gamma"]),
        ("amount", ">=", "20,00", "", ["Beta", "Gamma"]),
        ("amount", "between", "15", "30", ["Beta", "Gamma"]),
        ("due", "between", "2026-01-01", "2026-01-31", ["Alpha"]),
        ("company", "contains", "ACME", "", ["Alpha", "Gamma"]),
        ("company", "startswith", "zeta", "", ["Beta"]),
        ("due", "empty", "", "", ["Gamma"]),
    ],
)
def test_each_criteria_operator_selects_the_matching_rows(samples, listing_names, field, op, value, value_to, expected):
    assert listing_names(f=field, op=op, v=value, v2=value_to) == expected


def test_all_conditions_and_any_condition_combine_criteria(samples, listing_names):
    args = {"f": ["company", "amount"], "op": ["contains", ">"], "v": ["acme", "15"], "v2": ["", ""]}
    assert listing_names(match="all", **args) == ["Gamma"]
    assert listing_names(match="any", **args) == ["Alpha", "Beta", "Gamma"]


def test_status_filter_applies_to_the_listing(samples, listing_names, db):
    samples["Beta"].status = "closed"
    db.flush()
    assert listing_names(status="closed") == ["Beta"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"f": "amount", "op": ">", "v": "abc"}, "is not a number"),
        ({"f": "due", "op": "=", "v": "31/02/2026"}, "is not a date"),
        ({"f": "amount", "op": "between", "v": "1"}, "Enter a value"),
        ({"f": "password", "op": "=", "v": "x"}, "Unknown field"),
        ({"f": "name", "op": "like", "v": "x"}, "Unknown operator"),
    ],
)
def test_bad_criteria_get_a_clear_message_and_no_report(samples, client_for, args, message):
    response = client_for("ana").get("/s/samples/listing", query_string={"run": "1", "format": "csv", **args})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


def test_on_screen_listing_is_a_printable_table(samples, client_for):
    response = client_for("ana").get("/s/samples/listing", query_string={"run": "1", "format": "html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="listing-table"' in html and "@media print" in html
    assert "Alpha" in html and "Bobs deal" not in html
    assert 'data-label="Name"' in html


def test_criteria_form_is_shown_before_running(samples, client_for):
    html = client_for("ana").get("/s/samples/listing").get_data(as_text=True)
    assert 'id="listing-form"' in html and 'id="listing-table"' not in html


def test_csv_listing_has_the_grid_columns_and_visible_status(samples, client_for):
    response = client_for("ana").get("/s/samples/listing", query_string={"run": "1", "format": "csv", "sort": "name"})
    rows = parse_csv(response)
    assert rows[0] == ["Name", "Company", "Email", "Status", "Amount"]
    assert rows[1] == ["Alpha", "Acme", "", "Active", "10.00"]
    assert "attachment" in response.headers["Content-Disposition"]


def test_xlsx_listing_opens_in_openpyxl(samples, client_for):
    response = client_for("ana").get("/s/samples/listing", query_string={"run": "1", "format": "xlsx", "sort": "name"})
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.values)
    assert values[0] == ("Name", "Company", "Email", "Status", "Amount")
    assert [v[0] for v in values[1:]] == ["Alpha", "Beta", "Gamma"]
    assert float(values[1][4]) == 10.0


def test_pdf_listing_is_a_pdf(samples, client_for):
    response = client_for("ana").get("/s/samples/listing", query_string={"run": "1", "format": "pdf"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("fmt", ["html", "pdf", "csv", "xlsx"])
def test_no_data_is_reported_on_the_page_never_as_an_empty_file(samples, client_for, fmt):
    query = {"run": "1", "format": fmt, "f": "name", "op": "=", "v": "nobody"}
    response = client_for("ana").get("/s/samples/listing", query_string=query)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'id="listing-no-data"' in response.get_data(as_text=True)


def test_executive_listing_never_contains_anothers_rows_even_asking_for_all(samples, listing_names):
    assert listing_names("ana", all="1") == ["Alpha", "Beta", "Gamma"]
    assert listing_names("bob", all="1") == ["Bobs deal"]


def test_leader_sees_everyones_rows_with_all_records(samples, listing_names, client_for):
    own = client_for("leader").get("/s/samples/listing", query_string={"run": "1", "format": "csv"})
    assert 'id="listing-no-data"' in own.get_data(as_text=True)  # the leader owns none of them
    assert listing_names("leader", all="1") == ["Alpha", "Beta", "Bobs deal", "Gamma"]


def test_user_without_view_permission_gets_403(samples, client_for, db):
    executives = db.query(Group).filter_by(name="Executives").one()
    db.execute(
        update(Permission)
        .where(Permission.group_id == executives.id, Permission.session_name == "samples")
        .values(can_view=False)
    )
    db.flush()
    client = client_for("ana")
    assert client.get("/s/samples/listing").status_code == 403
    assert client.get("/s/samples/listing", query_string={"run": "1", "format": "csv"}).status_code == 403
    assert client.get("/s/samples/export", query_string={"format": "csv"}).status_code == 403


def test_unknown_session_is_not_found(samples, client_for):
    assert client_for("ana").get("/s/nothing/listing").status_code == 404
