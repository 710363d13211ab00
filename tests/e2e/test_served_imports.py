"""The import API through ``crm serve`` (two worker processes): the job runs in a background
thread of one worker, and its progress, report and error file are read over HTTP from
whichever worker answers (CORE-11, CORE-16, NF-02)."""

from __future__ import annotations

import csv
import io
import json
import time

from tests.e2e.conftest import UPLOAD_LIMIT

POLL_SECONDS = 30.0


def _wait(client, location: str) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + POLL_SECONDS
    while True:
        response = client.get(location)
        assert response.status_code == 200, response.text
        body = response.json()
        if body["finished"]:
            return body
        assert time.monotonic() < deadline, f"the import did not finish: {body}"
        time.sleep(0.1)


def test_a_leads_file_posted_to_the_api_is_imported_and_its_report_downloaded(production):
    ana = production.server.login("ana")
    lines = ["Name;Email;City"] + [f"Served lead {i};served{i}@lead.example;Valencia" for i in range(1, 301)]
    lines.append("Bad lead;not-an-email;Madrid")
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    response = ana.post("/api/v1/leads/imports", files={"file": ("leads.csv", content, "text/csv")},
                        data={"columns": json.dumps(["name", "email", "city"]), "mode": "valid"})
    assert response.status_code == 201, response.text
    location = response.headers["Location"]
    assert location == f"/api/v1/leads/imports/{response.json()['id']}"
    body = _wait(ana, location)
    assert (body["state"], body["created"], body["failed"], body["written"]) == ("done", 300, 1, [[2, 301]])
    for _ in range(4):  # two workers: each answers with the stored job
        assert ana.get(location).json()["created"] == 300
    report = ana.get(body["errors_url"])
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
    assert "302,email," in report.text
    assert production.server.login("bob").get(location).status_code == 404
    found = ana.get("/api/v1/leads", params={"q": "Served lead 300"}).json()["items"]
    assert [lead["email"] for lead in found] == ["served300@lead.example"]


def test_the_served_api_refuses_a_file_over_the_limit_and_a_bad_mapping(production):
    ana = production.server.login("ana")
    too_big = ana.post("/api/v1/leads/imports", files={"file": ("big.csv", b"Name\n" + b"x" * UPLOAD_LIMIT)},
                       data={"columns": '["name"]'})
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    bad = ana.post("/api/v1/leads/imports", files={"file": ("l.csv", b"Name;Email\nx;y@z.example\n")},
                   data={"columns": '["email", "email"]'})
    assert bad.status_code == 400 and "mapped twice" in bad.json()["error"]["fields"]["columns"][0]


def test_a_report_longer_than_the_screen_is_downloaded_to_its_last_line(production):
    """The report is stored one row per line: the screen shows its first 500 lines and says how
    many more there are; both CSV downloads stream every line, in order, to the last."""
    ana = production.server.login("ana")
    bad = 1_234
    lines = ["Name;Email;City"] + [f"Long report {i};not-an-email-{i};Sevilla" for i in range(bad)]
    content = ("\r\n".join(lines) + "\r\n").encode("cp1252")
    response = ana.post("/api/v1/leads/imports", files={"file": ("report.csv", content, "text/csv")},
                        data={"columns": json.dumps(["name", "email", "city"]), "mode": "valid"})
    assert response.status_code == 201, response.text
    body = _wait(ana, response.headers["Location"])
    assert (body["state"], body["created"], body["failed"], body["report_lines"]) == ("done", 0, bad, bad)
    assert [r["line"] for r in body["report"][:2]] == [2, 3] and len(body["report"]) == 1_000
    page = ana.get(f"/s/leads/import/{body['id']}/job").text
    assert page.count('data-label="Line">') == 500 and "734 more report lines are not shown here" in page
    for url, header in ((body["errors_url"], "line"), (f"/s/leads/import/{body['id']}/errors.csv", "Line")):
        with ana.stream("GET", url) as download:
            assert download.status_code == 200
            rows = list(csv.reader(io.StringIO("".join(download.iter_text()).lstrip("\ufeff"))))
        assert rows[0][0] == header and [int(r[0]) for r in rows[1:]] == list(range(2, bad + 2))
        assert {r[1] for r in rows[1:]} <= {"email", "Email"}
