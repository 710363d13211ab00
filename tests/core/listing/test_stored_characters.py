"""Whatever characters are stored, every export format succeeds for everyone (NF-02, CORE-10).

The odd values are written with plain SQL, bypassing the schemas, as legacy data or a direct
database edit would be. What a format cannot hold shows as U+FFFD.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from crm_core.db import unit_of_work
from crm_core.reports.formats import XLSX_CELL_MAX, csv_stream, printable
from crm_core.services import elements
from tests.core.listing.conftest import parse_csv
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
#: Storable on both back ends (PostgreSQL refuses NUL in text and enforces varchar lengths).
ODD = ["x\u001bx", "bell\u0007", "form\u000cfeed", "a\u0001b\u001fc", "emoji 😀 ok", "line\nbreak\ttab"]
SQLITE_ONLY = ["nul\u0000byte", "z" * (XLSX_CELL_MAX + 10)]


@pytest.fixture
def odd_rows(crm_app, db, access_for) -> list[str]:
    """One of ana's samples per odd company value, and one of bob's; returns the values by name order."""
    from crm_core.app import crm_state

    values = ODD + (SQLITE_ONLY if db.get_bind().dialect.name == "sqlite" else [])
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        made = [elements.create(db, sdef, access_for("ana"), {"name": f"n{i:02d}"}) for i in range(len(values))]
        elements.create(db, sdef, access_for("bob"), {"name": "zz bob", "company": "plain"})
    with unit_of_work():
        for element, value in zip(made, values, strict=True):
            db.execute(update(sample.Sample).where(sample.Sample.id == element.id).values(company=value))
    db.expire_all()
    return values


@pytest.mark.parametrize("user", ["ana", "leader"])
def test_csv_export_and_listing_hold_every_stored_value(odd_rows, client_for, user):
    for path, args in (("/s/samples/export", {}), ("/s/samples/listing", {"run": "1"})):
        response = client_for(user).get(path, query_string={"format": "csv", "all": "1", "sort": "name", **args})
        assert response.status_code == 200
        companies = [r[1] for r in parse_csv(response)[1:] if r[0] != "zz bob"]
        assert companies == [printable(v) for v in odd_rows]


@pytest.mark.parametrize("user", ["ana", "leader"])
def test_xlsx_export_opens_whatever_is_stored(odd_rows, client_for, user):
    response = client_for(user).get("/s/samples/export", query_string={"format": "xlsx", "all": "1", "sort": "name"})
    assert response.status_code == 200
    cells = [row[1] for row in list(load_workbook(io.BytesIO(response.data)).active.values)[1:] if row[0] != "zz bob"]
    assert cells[0] == "x\ufffdx" and cells[3] == "a\ufffdb\ufffdc" and cells[4] == "emoji 😀 ok"
    assert all(len(c) <= XLSX_CELL_MAX and "\u001b" not in c for c in cells)


@pytest.mark.parametrize("fmt", ["pdf", "html", "xlsx"])
@pytest.mark.parametrize("user", ["ana", "leader"])
def test_every_listing_format_succeeds_whatever_is_stored(odd_rows, client_for, user, fmt):
    response = client_for(user).get("/s/samples/listing", query_string={"run": "1", "format": fmt, "all": "1"})
    assert response.status_code == 200
    if fmt == "pdf":
        assert response.data.startswith(b"%PDF")
    if fmt == "html":
        assert "x\ufffdx" in response.get_data(as_text=True)


def test_lone_surrogates_and_xml_non_characters_become_a_visible_mark():
    """Neither driver stores a lone surrogate, but a value built in Python may hold one."""
    assert printable("a\ud800b\udfffc\ufffe\uffff") == "a\ufffdb\ufffdc\ufffd\ufffd"
    body = "".join(csv_stream(["h"], [[printable("x\ud800")]])).encode("utf-8")
    assert body.endswith("x\ufffd\r\n".encode())
