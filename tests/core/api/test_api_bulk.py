"""``POST /api/v1/<session>/bulk`` (issue 17 item 5): per-record results, the permission rules on
every record, a wrong request refused whole, and the operation in the OpenAPI document."""

from __future__ import annotations

import pytest

from crm_core.admin.services import set_permissions
from crm_core.db import unit_of_work
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_bulk_delete_by_ids_reports_each_record_and_hides_others_records(client_for, make_element, db):
    mine, his = make_element("ana", name="Mine"), make_element("bob", name="His secret")
    response = client_for("ana").post("/api/v1/samples/bulk", json={"action": "delete", "ids": [mine.id, his.id]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["done"] == 1 and body["refused"] == 1
    results = {r["id"]: r for r in body["results"]}
    assert results[mine.id]["result"] == "done" and results[his.id]["result"] == "refused"
    assert "His secret" not in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, mine.id) is None and db.get(Sample, his.id) is not None


def test_bulk_owner_change_on_every_record_the_filters_match(client_for, make_element, users, db):
    a, b = make_element("ana", name="Acme one"), make_element("bob", name="Acme two")
    other = make_element("ana", name="Other")
    body = {"action": "owner", "filters": {"q": "Acme", "all": True}, "value": users["leader"].id}
    response = client_for("leader").post("/api/v1/samples/bulk", json=body)
    assert response.status_code == 200 and response.get_json()["done"] == 2
    db.expire_all()
    assert {db.get(Sample, a.id).owner_id, db.get(Sample, b.id).owner_id} == {users["leader"].id}
    assert db.get(Sample, other.id).owner_id == users["ana"].id


@pytest.mark.parametrize("body", [
    {"action": "explode", "ids": [1]},
    {"action": "delete"},
    {"action": "delete", "ids": [1], "filters": {}},
    {"action": "delete", "ids": ["1"]},
    {"action": "delete", "ids": []},
    {"action": "delete", "filters": {"sort": "name"}},
    {"action": "delete", "filters": {"status": ["nonsense"]}},
    {"action": "grouping", "ids": [1], "value": 999999},
    {"action": "delete", "ids": [1], "extra": 1},
])
def test_a_wrong_request_is_a_400_and_changes_nothing(client_for, make_element, db, body):
    element = make_element("ana")
    body = {**body, "ids": [element.id]} if body.get("ids") == [1] else body
    response = client_for("ana").post("/api/v1/samples/bulk", json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_error"
    db.expire_all()
    assert db.get(Sample, element.id) is not None


@pytest.mark.parametrize("action, needs", [("delete", "modify"), ("owner", "change_owner"),
                                           ("grouping", "modify")])
def test_each_action_needs_its_right_and_changes_nothing_without(client_for, make_element, db, users, action, needs):
    element = make_element("ana")
    area = "groupings" if action == "grouping" else "samples"
    kept = {"view"} if needs == "modify" else {"view", "modify"}
    with unit_of_work():
        if area == "samples":
            set_permissions(db, users["ana"].group, ["samples"], {"samples": kept})
        else:
            set_permissions(db, users["ana"].group, ["groupings"], {"groupings": {"view"}})
    value = {"owner": users["ana"].id, "grouping": 1}.get(action)
    response = client_for("ana").post("/api/v1/samples/bulk", json={"action": action, "ids": [element.id],
                                                                    "value": value})
    assert response.status_code == 403
    db.expire_all()
    assert db.get(Sample, element.id) is not None


def test_anonymous_callers_get_a_401(crm_app, make_element):
    element = make_element("ana")
    response = crm_app.test_client().post("/api/v1/samples/bulk", json={"action": "delete", "ids": [element.id]})
    assert response.status_code == 401


def test_bulk_operation_is_in_the_openapi_document(client_for):
    doc = client_for("ana").get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/samples/bulk"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["action"]["enum"] == [
        "owner", "status", "grouping", "delete"]
    assert "200" in operation["responses"]
