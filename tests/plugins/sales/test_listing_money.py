"""Opportunity listings show amounts with their currency (issue 17 leftovers item 2, CORE-10):
on screen and in the PDF each amount reads in the user's locale with the record's currency,
right-aligned, and the listing ends with one total per currency (never EUR + USD added up);
CSV keeps the plain number beside its currency column."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

pytestmark = pytest.mark.crm(plugins=["sales"])


@pytest.fixture
def opportunities(create):  # type: ignore[no-untyped-def]
    account = create("accounts", "ana", code="C0100", name="Cuentas Dinero")
    for name, amount, currency in (("Euro uno", "1000.50", "EUR"), ("Euro dos", "200.00", "EUR"),
                                   ("Dólar", "300.00", "USD")):
        create("opportunities", "ana", name=name, account_id=account.id, amount=amount, currency=currency)


def test_the_html_listing_shows_each_amount_with_its_currency_and_totals_per_currency(client_for, opportunities):
    html = client_for("ana").get("/s/opportunities/listing?run=1&format=html").get_data(as_text=True)
    assert re.search(r'<td data-label="Amount" class="text-end">€1,000.50</td>', html)
    assert re.search(r'<td data-label="Amount" class="text-end">\$300.00</td>', html)
    totals = html[html.index('id="listing-totals"'):html.index("</tfoot>")]
    assert re.search(r'<tr data-currency="EUR"><th scope="row">Total EUR</th>.*€1,200.50', totals)
    assert re.search(r'<tr data-currency="USD"><th scope="row">Total USD</th>.*\$300.00', totals)
    assert "1,500.50" not in totals  # never a sum across currencies


def test_the_amounts_read_in_the_users_locale(client_for, opportunities, db, users):
    from crm_core.db import unit_of_work

    with unit_of_work():
        users["ana"].language = "es"
    html = client_for("ana").get("/s/opportunities/listing?run=1&format=html").get_data(as_text=True)
    assert "1000,50\xa0€" in html or "1.000,50\xa0€" in html
    assert "1200,50\xa0€" in html or "1.200,50\xa0€" in html


def test_the_pdf_listing_prints_the_currency_and_a_total_per_currency(client_for, opportunities):
    response = client_for("ana").get("/s/opportunities/listing?run=1&format=pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "€1,000.50" in text and "$300.00" in text
    assert "Total EUR" in text and "€1,200.50" in text and "Total USD" in text


def test_csv_keeps_plain_numbers(client_for, opportunities):
    body = client_for("ana").get("/s/opportunities/listing?run=1&format=csv").get_data(as_text=True)
    assert "1000.50" in body and "€" not in body
