"""Listings with amounts in their currency through ``crm serve`` (issue 17 leftovers item 2): the
opportunities' on-screen listing and PDF show each amount with its currency and a total per
currency."""

from __future__ import annotations

import io

import pypdf


def test_opportunity_listing_totals_each_currency_apart(production):
    ana = production.server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "MON-1", "name": "Monedas SA"})
    assert account.status_code == 201, account.text
    for name, amount, currency in (("Moneda A", "1000.50", "EUR"), ("Moneda B", "99.50", "EUR"),
                                   ("Moneda C", "250.00", "USD")):
        created = ana.post("/api/v1/opportunities", json={"name": name, "account_id": account.json()["id"],
                                                          "amount": amount, "currency": currency})
        assert created.status_code == 201, created.text
    query = "run=1&f=name&op=startswith&v=Moneda"
    html = ana.get(f"/s/opportunities/listing?{query}&format=html")
    assert html.status_code == 200
    totals = html.text[html.text.index('id="listing-totals"'):]
    assert 'data-currency="EUR"' in totals and "€1,100.00" in totals and "$250.00" in totals
    pdf = ana.get(f"/s/opportunities/listing?{query}&format=pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Total EUR" in text and "€1,100.00" in text and "Total USD" in text and "$250.00" in text
