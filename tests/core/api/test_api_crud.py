"""Every API operation on the sample session, paging, filters and the error format (CORE-16, NF-02)."""

from __future__ import annotations

import pytest

from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_create_returns_201_with_location_and_etag(client_for):
    response = client_for("ana").post("/api/v1/samples", json={"name": "Acme", "email": "info@acme.test"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Acme" and body["kind"] == "sale" and body["status"] == "active"
    assert response.headers["Location"] == f"/api/v1/samples/{body['id']}"
    assert response.headers["ETag"] == '"1"'


def test_read_returns_the_element_and_its_version(client_for, make_element):
    element = make_element("ana", company="Acme SL")
    response = client_for("ana").get(f"/api/v1/samples/{element.id}")
    assert response.status_code == 200
    assert response.get_json()["company"] == "Acme SL"
    assert response.headers["ETag"] == f'"{element.version}"'


def test_patch_changes_only_the_fields_sent(client_for, make_element):
    element = make_element("ana", company="Old", email="a@acme.test")
    response = client_for("ana").patch(
        f"/api/v1/samples/{element.id}", json={"company": "New"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["company"] == "New" and body["email"] == "a@acme.test"
    assert response.headers["ETag"] == '"2"'


def test_patch_with_a_stale_version_is_a_409_and_changes_nothing(client_for, make_element, db):
    element = make_element("ana", company="Old")
    client = client_for("ana")
    assert client.patch(f"/api/v1/samples/{element.id}", json={"company": "First"}).status_code == 200
    response = client.patch(f"/api/v1/samples/{element.id}", json={"company": "Second", "version": 1})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert client.get(f"/api/v1/samples/{element.id}").get_json()["company"] == "First"


def test_stale_if_match_header_is_a_409(client_for, make_element):
    element = make_element("ana")
    response = client_for("ana").patch(
        f"/api/v1/samples/{element.id}", json={"company": "X"}, headers={"If-Match": '"7"'}
    )
    assert response.status_code == 409


def test_delete_removes_the_element(client_for, make_element):
    element = make_element("ana")
    client = client_for("ana")
    assert client.delete(f"/api/v1/samples/{element.id}").status_code == 204
    assert client.get(f"/api/v1/samples/{element.id}").status_code == 404


def test_delete_where_the_session_forbids_it_is_405_with_a_message(client_for, make_element):
    element = make_element("ana", session_name="locked_samples")
    response = client_for("ana").delete(f"/api/v1/locked_samples/{element.id}")
    assert response.status_code == 405
    assert "cannot be deleted" in response.get_json()["error"]["message"]
    assert client_for("ana").get(f"/api/v1/locked_samples/{element.id}").status_code == 200


def test_action_runs_and_returns_the_changed_element(client_for, make_element):
    element = make_element("ana")
    response = client_for("ana").post(f"/api/v1/samples/{element.id}/actions/close", json={"reason": "done"})
    assert response.status_code == 200
    assert response.get_json()["item"]["status"] == "closed"


def test_action_refused_by_a_business_rule_is_422_with_the_field(client_for, make_element):
    element = make_element("ana")
    response = client_for("ana").post(f"/api/v1/samples/{element.id}/actions/close", json={"reason": "refuse"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "business_rule" and "reason" in error["fields"]


def test_action_not_available_in_the_current_state_is_422(client_for, make_element):
    element = make_element("ana")
    client = client_for("ana")
    client.post(f"/api/v1/samples/{element.id}/actions/close", json={"reason": "done"})
    assert client.post(f"/api/v1/samples/{element.id}/actions/close", json={"reason": "again"}).status_code == 422


def test_unknown_action_and_unknown_session_are_json_404s(client_for, make_element):
    element = make_element("ana")
    client = client_for("ana")
    for url in (f"/api/v1/samples/{element.id}/actions/explode", "/api/v1/nothing", "/api/v1/a/b/c/d/e"):
        response = client.post(url, json={})
        assert response.status_code == 404, url
        assert response.get_json()["error"]["status"] == 404


def test_list_filters_by_text_status_and_criteria_and_sorts(client_for, make_element):
    for name, company in (("Beta", "Zeta Corp"), ("Alpha", "Zeta Corp"), ("Gamma", "Other")):
        make_element("ana", name=name, company=company, amount="10.00")
    client = client_for("ana")
    names = [i["name"] for i in client.get("/api/v1/samples?q=zeta&sort=name&status=active").get_json()["items"]]
    assert names == ["Alpha", "Beta"]
    body = client.get("/api/v1/samples?filter=company:=:Other&filter=name:startswith:al&match=any&sort=-name")
    assert [i["name"] for i in body.get_json()["items"]] == ["Gamma", "Alpha"]
    assert client.get("/api/v1/samples?status=closed").get_json()["items"] == []
    assert len(client.get("/api/v1/samples?filter=amount:between:5,20").get_json()["items"]) == 3


def test_list_pages_with_a_next_link_and_no_count(client_for, make_element):
    for i in range(3):
        make_element("ana", name=f"N{i}")
    client = client_for("ana")
    first = client.get("/api/v1/samples?per_page=2&sort=name").get_json()
    assert first["has_next"] is True and first["page"] == 1 and first["per_page"] == 2
    assert "count" not in first
    second = client.get(first["next"]).get_json()
    assert [i["name"] for i in second["items"]] == ["N2"] and second["has_next"] is False and second["next"] is None


@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=501", "per_page"),
        ("page=0", "page"),
        ("page=x", "page"),
        ("sort=password", "sort"),
        ("status=bogus", "status"),
        ("filter=nope:=:1", "filter"),
        ("filter=name:like:1", "filter"),
        ("filter=amount:>:abc", "filter"),
        ("match=some", "match"),
    ],
)
def test_bad_list_arguments_are_400_naming_the_argument(client_for, query, field):
    response = client_for("ana").get(f"/api/v1/samples?{query}")
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]


def test_validation_errors_are_400_with_fields_and_create_nothing(client_for):
    client = client_for("ana")
    response = client.post("/api/v1/samples", json={"email": "not-an-email", "colour": "red"})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert {"name", "email", "colour"} <= set(fields)
    assert client.get("/api/v1/samples").get_json()["items"] == []


def test_fixed_where_values_cannot_be_changed(client_for, make_element):
    element = make_element("ana")
    response = client_for("ana").patch(f"/api/v1/samples/{element.id}", json={"kind": "purchase"})
    assert response.status_code == 400


def test_non_json_body_is_415(client_for):
    response = client_for("ana").post("/api/v1/samples", data="name=Acme", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("body", ["[1, 2]", "not json", '"text"'])
def test_a_body_that_is_not_a_json_object_is_400(client_for, body):
    response = client_for("ana").post("/api/v1/samples", data=body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 10})
def test_an_oversized_body_is_413(client_for):
    response = client_for("ana").post("/api/v1/samples", json={"name": "x" * 100_000})
    assert response.status_code == 413
    assert response.get_json()["error"]["status"] == 413


def test_wrong_method_is_a_json_405(client_for):
    response = client_for("ana").put("/api/v1/samples", json={})
    assert response.status_code == 405
    assert response.is_json and response.get_json()["error"]["code"] == "method_not_allowed"


def test_pages_in_descending_order_cover_every_element_once(client_for, make_element):
    for i in range(7):
        make_element("ana", name=f"E{i}")
    client, names, url = client_for("ana"), [], "/api/v1/samples?sort=-name&per_page=3"
    while url:
        body = client.get(url).get_json()
        names += [i["name"] for i in body["items"]]
        url = body["next"]
    assert names == [f"E{i}" for i in reversed(range(7))]


def test_an_unexpected_failure_is_a_json_500_without_details(crm_app, client_for, monkeypatch):
    from crm_core.services import queries

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(queries, "fetch_page", broken)
    crm_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client_for("ana").get("/api/v1/samples")
    assert response.status_code == 500 and response.is_json
    assert "secret internals" not in response.get_data(as_text=True)


def test_a_sort_no_list_index_serves_is_refused_and_an_indexed_one_answers(client_for, make_element):
    """Issue 13 target 4: ``company`` is a field of the list, but no list index serves it."""
    make_element("ana", name="Beta", company="Acme")
    make_element("ana", name="Alpha", company="Zeta")
    client = client_for("ana")
    refused = client.get("/api/v1/samples?sort=-company")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["fields"]["sort"] == ["The list cannot be sorted by “company”."]
    names = [i["name"] for i in client.get("/api/v1/samples?sort=name").get_json()["items"]]
    assert names == ["Alpha", "Beta"]
