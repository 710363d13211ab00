"""Exported phone numbers stay as typed; formulas stay neutralised (CORE-10, NF-03).

Phone fields are declared with ``metadata={"widget": "phone"}``; only their values that are
phone numbers skip the formula guard.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from crm_core.db import unit_of_work

PHONE = "+34 600 111 222"
NOT_A_PHONE = "+1+cmd|' /C calc'!A0"
FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def leads(db, create, sdef) -> None:
    create("leads", "ana", name="a phone", phone=PHONE, company=PHONE)
    create("leads", "ana", name="b formula", company=FORMULA, phone="(91) 555.12.34")
    odd = create("leads", "ana", name="c not a phone")
    with unit_of_work():  # as legacy data would be, whatever input validation says today
        db.execute(update(sdef("leads").model).where(sdef("leads").model.id == odd.id).values(phone=NOT_A_PHONE))
    db.expire_all()


def cells(response, fmt: str) -> dict[str, dict[str, str]]:
    """Rows of a CSV or XLSX download keyed by name, each a header → cell mapping."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    else:
        rows = [list(r) for r in load_workbook(io.BytesIO(response.data)).active.values]
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("path", "extra"), [("/s/leads/export", {}), ("/s/leads/listing", {"run": "1"})])
def test_phone_numbers_export_as_typed_and_formulas_stay_neutralised(leads, client_for, fmt, path, extra):
    got = cells(client_for("ana").get(path, query_string={"format": fmt, "sort": "name", **extra}), fmt)
    assert got["a phone"]["Phone"] == PHONE
    assert got["b formula"]["Phone"] == "(91) 555.12.34"
    assert got["a phone"]["Company"] == "'" + PHONE  # the same text in a free-text field is guarded
    assert got["b formula"]["Company"] == "'" + FORMULA
    assert got["c not a phone"]["Phone"] == "'" + NOT_A_PHONE

