"""A bulk action on more records than ``CRM_BULK_JOB_THRESHOLD`` runs as a job with a progress
page (issue 17 leftovers, CORE-08): the chunks commit with the counters, the refused records are
reported at the end, and only the user who started it (or an administrator) sees the job."""

from __future__ import annotations

import re

import pytest

from crm_core.models.bulk_jobs import BulkJob
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample},
                             settings={"CRM_BULK_JOB_THRESHOLD": 3, "CRM_BULK_CHUNK_RECORDS": 2})


def _job_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = response.headers["Location"]
    assert re.search(r"/s/samples/bulk/jobs/\d+$", location)
    return location


def test_a_selection_past_the_threshold_says_it_runs_in_the_background(client_for, make_sample):
    ids = [make_sample("ana", name=f"Acme {i}").id for i in range(4)]
    html = client_for("ana").post("/s/samples/bulk", data={"action": "delete", "ids": ids}).get_data(as_text=True)
    assert 'id="bulk-background"' in html and "Delete these 4 records?" in html
    small = client_for("ana").post("/s/samples/bulk", data={"action": "delete", "ids": ids[:3]})
    assert 'id="bulk-background"' not in small.get_data(as_text=True)


def test_a_large_bulk_delete_runs_as_a_job_in_chunks_and_reports_the_refused(client_for, make_sample, db):
    mine = [make_sample("ana", name=f"Acme {i}").id for i in range(4)]
    his = make_sample("bob", name="His secret").id
    client = client_for("ana")
    response = client.post("/s/samples/bulk", data={"action": "delete", "ids": [*mine, his], "confirm": "1"})
    url = _job_url(response)
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "4 done, 1 refused." in html
    assert f'data-id="{his}" data-result="refused"' in html and "His secret" not in html
    assert 'data-job-progress' in html and 'aria-valuenow="100"' in html
    status = client.get(url + "/status").get_json()
    assert status == {"state": "done", "total": 5, "processed": 5, "done": 4, "refused": 1,
                      "message": "4 done, 1 refused.", "finished": True}
    db.expire_all()
    assert all(db.get(Sample, i) is None for i in mine) and db.get(Sample, his) is not None
    job = db.get(BulkJob, int(url.rsplit("/", 1)[1]))
    assert job.ids == [] and [r[0] for r in job.refusals] == [his]  # the selection is not kept


def test_all_that_match_past_the_threshold_is_a_job_too(client_for, make_sample, users, db):
    acme = [make_sample("ana", name=f"Acme {i}").id for i in range(5)]
    other = make_sample("ana", name="Other").id
    leader = client_for("leader")
    form = {"action": "owner", "scope": "all", "q": "Acme", "all": "1", "value": users["bob"].id, "confirm": "1"}
    url = _job_url(leader.post("/s/samples/bulk", data=form))
    assert "5 done, 0 refused." in leader.get(url).get_data(as_text=True)
    db.expire_all()
    assert {db.get(Sample, i).owner_id for i in acme} == {users["bob"].id}
    assert db.get(Sample, other).owner_id == users["ana"].id


def test_only_the_starter_or_an_admin_sees_the_job(client_for, make_sample):
    ids = [make_sample("ana", name=f"Acme {i}").id for i in range(4)]
    url = _job_url(client_for("ana").post("/s/samples/bulk", data={"action": "delete", "ids": ids, "confirm": "1"}))
    assert client_for("bob").get(url).status_code == 404
    assert client_for("bob").get(url + "/status").status_code == 404
    assert client_for("admin").get(url).status_code == 200
    assert client_for("ana").get("/s/samples/bulk/jobs/99999999999").status_code == 404


def test_a_wrong_value_queues_nothing(client_for, make_sample, db):
    ids = [make_sample("ana", name=f"Acme {i}").id for i in range(4)]
    before = db.query(BulkJob).count()
    response = client_for("leader").post("/s/samples/bulk", data={"action": "owner", "ids": ids, "value": "999999",
                                                                  "confirm": "1"})
    assert response.status_code == 200 and "Choose one of the listed values." in response.get_data(as_text=True)
    assert db.query(BulkJob).count() == before
    db.expire_all()
    assert all(db.get(Sample, i) is not None for i in ids)
