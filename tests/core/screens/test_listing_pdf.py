"""A listing's PDF (CORE-10, issue 17 item 11) read back with pypdf: title, criteria, date, row
count, column headings on every page, "Page n of m", right-aligned amounts and their total."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pypdf
import pytest

from crm_core.db import unit_of_work
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def _pdf(client, query: str) -> pypdf.PdfReader:
    answer = client.get(f"/s/samples/listing?run=1&format=pdf&{query}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf", answer.get_data(as_text=True)[:300]
    return pypdf.PdfReader(io.BytesIO(answer.data))


def _cells(page) -> list[tuple[float, str]]:
    """(x where the text starts, text) of every piece of text on ``page``."""
    found: list[tuple[float, str]] = []

    def visit(text, _cm, tm, _font, _size):
        if text.strip():
            found.append((round(tm[4], 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_the_pdf_says_what_when_and_how_many(client_for, make_sample):
    for name, amount in (("Acme", "1250.50"), ("Beta", "99.00"), ("Gamma", "100000.00")):
        make_sample("ana", name=name, amount=Decimal(amount))
    make_sample("ana", name="Other", amount=Decimal("5"))
    reader = _pdf(client_for("ana"), "f=amount&op=%3E&v=50&f=name&op=contains&v=a")
    text = reader.pages[0].extract_text()
    assert text.splitlines()[0].strip() == "Samples"
    assert "Criteria: Amount > 50 and Name contains a" in text
    assert re.search(r"Date: \w+ \d+, \d{4}", text)
    assert "3 rows" in text and "Other" not in text
    assert "Page 1 of 1" in text
    assert "Total" in text and "101,349.5" in text  # 1,250.50 + 99 + 100,000


def test_amounts_are_right_aligned_and_text_left_aligned(client_for, make_sample):
    for name, amount in (("A", "1.00"), ("Bb", "22222.00"), ("Ccc", "333.00")):
        make_sample("ana", name=name, amount=Decimal(amount))
    cells = _cells(_pdf(client_for("ana"), "f=name&op=%21%3D&v=zz").pages[0])
    starts = {text: x for x, text in cells}
    names = [starts[n] for n in ("A", "Bb", "Ccc")]
    assert len(set(names)) == 1  # text starts at the column's left edge
    amounts = [starts[a] for a in ("1", "22,222", "333")]
    assert amounts[1] < amounts[2] < amounts[0]  # the longer the number, the further left it starts


def test_a_long_listing_numbers_its_pages_and_repeats_the_headings(client_for, users, db):
    from tests.support.sample import Sample

    with unit_of_work():
        db.add_all(Sample(name=f"Row {n:03d}", amount=Decimal(n), owner_id=users["ana"].id,
                          creator_id=users["ana"].id) for n in range(90))
    reader = _pdf(client_for("ana"), "f=name&op=startswith&v=Row")
    assert len(reader.pages) >= 3
    last = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"Page {number} of {last}" in text
        assert "Name" in text and "Amount" in text  # the headings on every page
    assert "Total" in reader.pages[-1].extract_text() and "4,005" in reader.pages[-1].extract_text()


def test_without_criteria_the_pdf_says_so(client_for, make_sample):
    make_sample("ana", name="Acme")
    text = _pdf(client_for("ana"), "").pages[0].extract_text()
    assert "Criteria: none (every record you may see)" in text
    assert "Total" not in text  # no amount, no totals row


@pytest.mark.crm(customer="demo")
def test_the_pdf_carries_the_clients_name(client_for):
    client = client_for("ana")
    assert client.post("/api/v1/accounts", json={"code": "PDF-1", "name": "Informes S.A."}).status_code == 201
    answer = client.get("/s/accounts/listing?run=1&format=pdf")
    text = pypdf.PdfReader(io.BytesIO(answer.data)).pages[0].extract_text()
    assert "Demo Corp" in text and "Informes S.A." in text
