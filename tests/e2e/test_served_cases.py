"""Cases through ``crm serve`` over real HTTP (CAS-01, CAS-02): a case created with the API on a
customer, numbered, taken through its life cycle, shown on the customer's Cases tab and in the
export; another executive never reaches it."""

from __future__ import annotations

import re


def test_a_case_is_created_and_closed_over_http_and_stays_private(production):
    ana = production.server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "CS-7001", "name": "Hoteles Sol S.A."})
    assert account.status_code == 201, account.text
    contact = ana.post("/api/v1/contacts", json={"account_id": account.json()["id"], "last_name": "Ferrer"})
    assert contact.status_code == 201, contact.text
    created = ana.post("/api/v1/cases", json={
        "account_id": account.json()["id"], "contact_id": contact.json()["id"], "subject": "Factura duplicada",
        "type": "billing", "priority": "high", "origin": "email", "due_at": "2030-01-31T17:00:00+01:00",
    })
    assert created.status_code == 201, created.text
    case = created.json()
    assert re.fullmatch(r"C-\d{4}-\d{6}", case["number"]) and case["status"] == "gathering"
    url = f"/api/v1/cases/{case['id']}"

    refused = ana.post(f"{url}/actions/close", json={"agreed_by": "Rosa", "agreed_via": "phone"})
    assert refused.status_code == 422 and "Gathering information" in refused.json()["error"]["message"]
    for name, data in (("open", {}), ("resolve", {"resolution": "Abono emitido"}),
                       ("close", {"agreed_by": "Rosa Ferrer", "agreed_via": "email"})):
        done = ana.post(f"{url}/actions/{name}", json=data)
        assert done.status_code == 200, (name, done.text)
    closed = ana.get(url).json()
    assert (closed["status"], closed["agreed_by"], closed["agreed_via"]) == ("closed", "Rosa Ferrer", "email")

    tab = ana.get(f"/s/accounts/{account.json()['id']}?tab=cases")
    assert tab.status_code == 200 and case["number"] in tab.text
    history = ana.get(f"/s/cases/{case['id']}?tab=history")
    assert "Rosa Ferrer" in history.text and "Closed" in history.text
    export = ana.get("/s/cases/export", params={"format": "csv"})
    assert export.status_code == 200 and case["number"] in export.text

    bob = production.server.login("bob")
    assert bob.get(url).status_code == 404
    assert case["number"] not in bob.get("/s/cases/export", params={"format": "csv"}).text


def _report(client, report: str, fmt: str) -> bytes:
    """A case report downloaded through the real server, read to its last byte."""
    with client.stream("GET", "/cases/reports", params={"report": report, "format": fmt}) as response:
        assert response.status_code == 200, response.read()[:300]
        body = b"".join(response.iter_bytes())
    assert f'filename="cases-{report}.{fmt}"' in response.headers["Content-Disposition"]
    return body


def _type_counts(client) -> dict[str, int]:
    import csv
    import io

    empty = client.get("/cases/reports", params={"report": "type", "format": "csv"})
    if empty.headers["content-type"].startswith("text/html"):  # none of the user's cases yet: said, no file
        assert "No data." in empty.text
        return {}
    rows = list(csv.reader(io.StringIO(_report(client, "type", "csv").decode("utf-8-sig"))))
    assert rows[0] == ["Type", "Cases"]
    return {label: int(n) for label, n in rows[1:]}


def test_case_reports_download_over_http_counting_only_the_users_cases(production):
    import io

    import openpyxl
    import pypdf

    ana, bob = production.server.login("ana"), production.server.login("bob")
    account = ana.post("/api/v1/accounts", json={"code": "CS-7101", "name": "Informes S.A."}).json()
    bobs = bob.post("/api/v1/accounts", json={"code": "CS-7102", "name": "De Bob S.A."}).json()
    before = _type_counts(ana)
    for subject, kind in (("Cobro doble", "billing"), ("Cobro triple", "billing"), ("Queja", "complaint")):
        created = ana.post("/api/v1/cases", json={"account_id": account["id"], "subject": subject, "type": kind})
        assert created.status_code == 201, created.text
    assert bob.post("/api/v1/cases", json={"account_id": bobs["id"], "subject": "Ajeno", "type": "defect"}).status_code == 201
    after = _type_counts(ana)
    assert after.get("Billing", 0) - before.get("Billing", 0) == 2
    assert after.get("Complaint", 0) - before.get("Complaint", 0) == 1
    assert after.get("Defect", 0) == before.get("Defect", 0)  # bob's case is not ana's figure

    sheet = openpyxl.load_workbook(io.BytesIO(_report(ana, "status", "xlsx")), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Status", "Cases") and dict(rows[1:])["Gathering information"] >= 3
    pdf = pypdf.PdfReader(io.BytesIO(_report(ana, "sla", "pdf")))
    assert "SLA breaches by type" in "".join(p.extract_text() for p in pdf.pages)
    page = ana.get("/cases/reports", params={"report": "age"})
    assert page.status_code == 200 and 'data-chart-key="age"' in page.text
