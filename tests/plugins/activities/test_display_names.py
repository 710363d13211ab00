"""Owners read as people's names, not user ids, on the activities grid and in every listing
format (CORE-08, CORE-10)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.plugins.activities.support import ACTIVITIES_ONLY, utc

pytestmark = ACTIVITIES_ONLY


def test_the_activities_grid_shows_the_owners_name(client_for, users, add_activity):
    add_activity("ana", utc(2026, 3, 29, 10), "Kick-off Acme")
    html = client_for("ana").get("/s/activities").get_data(as_text=True)
    assert f"<span>{users['ana'].display_name()}</span>" in html
    assert f"<span>{users['ana'].id}</span>" not in html


def _listing(client, fmt):
    query = {"run": "1", "format": fmt, "all": "1"}
    return client.get("/s/activities/listing", query_string=query)


def test_listings_show_the_owners_name_in_every_format(client_for, users, add_activity, monkeypatch):
    add_activity("ana", utc(2026, 3, 29, 10), "Kick-off Acme")
    client, name = client_for("ana"), users["ana"].display_name()
    assert f">{name}</td>" in _listing(client, "html").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(_listing(client, "csv").get_data(as_text=True).lstrip("\ufeff"))))
    owner = rows[0].index("Owner")
    assert rows[1][owner] == name
    sheet = load_workbook(io.BytesIO(_listing(client, "xlsx").data)).active
    assert [c.value for c in sheet[2]][owner] == name

    printed = {}

    def capture(title, header, rows, note="", **_layout):  # the PDF writer gets what is printed
        printed["rows"] = list(rows)
        return b"%PDF-"

    monkeypatch.setattr("crm_core.screens.listing.pdf_bytes", capture)
    assert _listing(client, "pdf").status_code == 200
    assert printed["rows"][0][owner] == name
