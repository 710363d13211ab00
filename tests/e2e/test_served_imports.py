"""The import API through ``crm serve`` (two worker processes): the job runs in a background
thread of one worker, and its progress, report and error file are read over HTTP from
whichever worker answers (CORE-11, CORE-16, NF-02)."""

from __future__ import annotations

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
