"""Every download read to its end through ``crm serve`` and parsed (CORE-10, ACT-05): CSV and
XLSX from the grid export and the listing, PDF from the listing, iCalendar from the calendar.

The test client buffers a streamed body inside the request; a real server streams it after the
view returned, which is where a CSV stopping after its header row shows up.
"""

from __future__ import annotations

import csv
import io

import httpx
import icalendar
import openpyxl
import pypdf
import pytest

ANAS_LEADS = 30


@pytest.fixture(scope="module")
def ana(production) -> httpx.Client:
    """Ana, with her own leads and meetings (and bob's leads she must not see)."""
    client = production.server.login("ana")
    for i in range(ANAS_LEADS):
        created = client.post("/api/v1/leads", json={"name": f"Download lead {i:02d}", "company": "Descargas SL"})
        assert created.status_code == 201, created.text
    bob = production.server.login("bob")
    for i in range(3):
        assert bob.post("/api/v1/leads", json={"name": f"Bob's hidden lead {i}"}).status_code == 201
    for i in range(3):
        meeting = {"type": "meeting", "subject": f"Download meeting {i}", "starts_at": f"2026-12-0{i + 1}T09:00:00+00:00"}
        assert client.post("/api/v1/activities", json=meeting).status_code == 201
    return client


def visible(client: httpx.Client, session_name: str, field: str) -> list[str]:
    """``field`` of every record of ``session_name`` the API shows the client, all pages."""
    values: list[str] = []
    url: str | None = f"/api/v1/{session_name}"
    while url:
        page = client.get(url).json()
        values += [item[field] for item in page["items"]]
        url = page["next"]
    return values


def csv_rows(response: httpx.Response) -> list[list[str]]:
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response: httpx.Response) -> list[tuple[object, ...]]:
    assert response.status_code == 200 and "spreadsheetml" in response.headers["Content-Type"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("path", ["/s/leads/export?format=csv", "/s/leads/listing?run=1&format=csv"])
def test_csv_has_a_row_per_record_the_user_sees(ana, path):
    names = visible(ana, "leads", "name")
    header, *rows = csv_rows(ana.get(path))
    assert len(rows) == len(names) >= ANAS_LEADS
    column = header.index("Name")
    assert sorted(row[column] for row in rows) == sorted(names)
    assert not any(name.startswith("Bob's") for name in names)


@pytest.mark.parametrize("path", ["/s/leads/export?format=xlsx", "/s/leads/listing?run=1&format=xlsx"])
def test_xlsx_has_a_row_per_record_the_user_sees(ana, path):
    names = visible(ana, "leads", "name")
    header, *rows = xlsx_rows(ana.get(path))
    column = list(header).index("Name")
    assert sorted(str(row[column]) for row in rows) == sorted(names)


def test_pdf_listing_is_a_complete_document_with_the_records(ana):
    response = ana.get("/s/leads/listing?run=1&format=pdf")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    assert all(f"Download lead {i:02d}" in text for i in range(ANAS_LEADS))
    assert "Bob's hidden lead" not in text


def test_calendar_ics_has_an_event_per_activity_of_the_user(ana):
    subjects = visible(ana, "activities", "subject")
    response = ana.get("/activities/calendar.ics")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted(subjects)
    assert {f"Download meeting {i}" for i in range(3)} <= set(subjects)
