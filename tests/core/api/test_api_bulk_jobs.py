"""``POST /api/v1/<session>/bulk`` past ``CRM_BULK_JOB_THRESHOLD`` answers 202 with the job
(issue 17 leftovers); ``GET …/bulk/jobs/<id>`` gives its progress and refused records to the user
who started it or an administrator, and the OpenAPI document describes it."""

from __future__ import annotations

import pytest

from crm_core.models.bulk_jobs import BulkJob
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample},
                             settings={"CRM_BULK_JOB_THRESHOLD": 3, "CRM_BULK_CHUNK_RECORDS": 2})


def test_a_large_bulk_answers_202_with_the_job_and_its_report(client_for, make_element, db):
    mine = [make_element("ana", name=f"Acme {i}").id for i in range(4)]
    his = make_element("bob", name="His secret").id
    client = client_for("ana")
    response = client.post("/api/v1/samples/bulk", json={"action": "delete", "ids": [*mine, his]})
    assert response.status_code == 202
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/samples/bulk/jobs/{body['id']}")
    job = client.get(f"/api/v1/samples/bulk/jobs/{body['id']}").get_json()
    assert (job["state"], job["total"], job["processed"], job["done"], job["refused"]) == ("done", 5, 5, 4, 1)
    assert job["results"] == [{"id": his, "name": f"#{his}", "result": "refused", "reason": job["results"][0]["reason"]}]
    assert "His secret" not in str(job)
    db.expire_all()
    assert all(db.get(Sample, i) is None for i in mine) and db.get(Sample, his) is not None


def test_a_small_bulk_still_answers_in_the_request(client_for, make_element):
    ids = [make_element("ana", name=f"Acme {i}").id for i in range(3)]
    response = client_for("ana").post("/api/v1/samples/bulk", json={"action": "delete", "ids": ids})
    assert response.status_code == 200 and response.get_json()["done"] == 3


def test_the_job_is_the_starters_or_an_admins(client_for, make_element):
    ids = [make_element("ana", name=f"Acme {i}").id for i in range(4)]
    job_id = client_for("ana").post("/api/v1/samples/bulk", json={"action": "delete", "ids": ids}).get_json()["id"]
    assert client_for("bob").get(f"/api/v1/samples/bulk/jobs/{job_id}").status_code == 404
    assert client_for("admin").get(f"/api/v1/samples/bulk/jobs/{job_id}").status_code == 200
    assert client_for("ana").get("/api/v1/samples/bulk/jobs/9223372036854775807").status_code == 404


def test_a_wrong_value_queues_nothing(client_for, make_element, db):
    ids = [make_element("ana", name=f"Acme {i}").id for i in range(4)]
    before = db.query(BulkJob).count()
    response = client_for("leader").post("/api/v1/samples/bulk", json={"action": "owner", "ids": ids, "value": 999999})
    assert response.status_code == 400 and db.query(BulkJob).count() == before


def test_the_job_endpoint_is_in_the_openapi_document(client_for):
    doc = client_for("ana").get("/api/v1/openapi.json").get_json()
    assert "get" in doc["paths"]["/api/v1/samples/bulk/jobs/{job_id}"]
    assert "202" in doc["paths"]["/api/v1/samples/bulk"]["post"]["responses"]
