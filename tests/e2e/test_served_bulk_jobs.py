"""Large bulk actions through ``crm serve`` over real HTTP (issue 17 leftovers, CORE-08): past the
threshold (5 in the served set-up) the confirmed grid form and the API queue a job that a thread
of one worker runs while any worker answers its progress; the refused records are reported at the
end; another user (even a leader who sees all records, not being an administrator) cannot read the job."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest


def _leads(client: Any, prefix: str, n: int) -> list[int]:
    ids = []
    for i in range(n):
        response = client.post("/api/v1/leads", json={"name": f"{prefix} {i}", "company": "Trozos SL"})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def _finished(client: Any, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = client.get(url)
        assert response.status_code == 200, response.text
        if response.json()["finished"]:
            return response.json()
        time.sleep(0.2)
    pytest.fail(f"the bulk job at {url} did not finish in 60 s")


def test_grid_bulk_delete_of_all_that_match_runs_as_a_job_with_progress(production):
    ana = production.server.login("ana")
    ids = _leads(ana, "Trozo", 7)
    form = {"action": "delete", "scope": "all", "q": "trozo"}
    confirm = ana.post("/s/leads/bulk", data=form)
    assert confirm.status_code == 200 and 'id="bulk-background"' in confirm.text
    queued = ana.post("/s/leads/bulk", data={**form, "confirm": "1"})
    assert queued.status_code == 302, queued.text
    job_url = queued.headers["Location"]
    assert re.search(r"/s/leads/bulk/jobs/\d+$", job_url)
    status = _finished(ana, f"{job_url}/status")
    assert (status["state"], status["total"], status["done"], status["refused"]) == ("done", 7, 7, 0)
    page = ana.get(job_url)
    assert page.status_code == 200 and "7 done, 0 refused." in page.text
    assert all(ana.get(f"/api/v1/leads/{i}").status_code == 404 for i in ids)
    assert production.server.login("bob").get(job_url).status_code == 404


def test_api_bulk_past_the_threshold_answers_202_and_reports_the_refused(production):
    ana, bob = production.server.login("ana"), production.server.login("bob")
    mine, his = _leads(ana, "Pieza", 6), _leads(bob, "Pieza ajena", 1)[0]
    leader = production.server.login("leader")
    response = ana.post("/api/v1/leads/bulk", json={"action": "delete", "ids": [*mine, his]})
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert location.endswith(f"/api/v1/leads/bulk/jobs/{response.json()['id']}")
    job = _finished(ana, location)
    assert (job["state"], job["done"], job["refused"]) == ("done", 6, 1)
    assert [r["id"] for r in job["results"]] == [his] and "ajena" not in str(job["results"])
    assert bob.get(f"/api/v1/leads/{his}").status_code == 200
    assert bob.get(location).status_code == 404 and leader.get(location).status_code == 404


def test_a_bulk_reassign_job_tells_the_new_owner_once_per_chunk(production):
    from tests.support.served import csrf_token

    leader, bob = production.server.login("leader"), production.server.login("bob")
    bob.post("/notifications/read", data={"csrf_token": csrf_token(bob, "/notifications")})
    ids = _leads(leader, "Regalo", 7)
    form = leader.get(f"/s/leads/{ids[0]}?edit=1").text
    bob_id = int(re.search(r'<option value="(\d+)"[^>]*>Bob</option>', form).group(1))
    response = leader.post("/api/v1/leads/bulk", json={"action": "owner", "value": str(bob_id), "ids": ids})
    assert response.status_code == 202, response.text
    job = _finished(leader, response.headers["Location"])
    assert (job["state"], job["done"], job["refused"]) == ("done", 7, 0)
    # one notification per chunk (2 records here, 200 by default), not one per record
    assert bob.get("/notifications/count").json()["unread"] == 4
    unread = re.findall(r'crm-unread"[^>]*>.*?<a [^>]*>([^<]*)</a>', bob.get("/notifications").text, re.S)
    assert len(unread) == 4 and sum("gave you 2 leads." in t for t in unread) == 3
    assert sum("gave you the lead" in t for t in unread) == 1
    assert all(bob.get(f"/api/v1/leads/{i}").status_code == 200 for i in ids)
