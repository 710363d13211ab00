"""Saved grid views in the API (issue 17 leftovers item 4, CORE-16): the caller's own and shared
views listed, saved under the list's own validation (sharing for administrators only, in the same
transaction), deleted by their owner or an administrator (shared ones), and ``view=<id>`` on the
list applying a view's filters and sort with explicit arguments winning."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.models.auth import Group
from crm_core.models.views import GridView
from crm_core.services import views as grid_views
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def _views(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(GridView))


def _names(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["name"] for item in response.get_json()["items"]]


def test_the_list_has_the_callers_own_views_and_the_shared_ones(client_for, db, users):
    with unit_of_work():
        grid_views.save(db, users["ana"], "samples", "Mine", {"q": "acme"})
        grid_views.save(db, users["bob"], "samples", "Bob's", {"q": "x"})
        shared = grid_views.save(db, users["admin"], "samples", "Everyone's", {"status": ["Active"]})
        shared.shared = "all"
    items = client_for("ana").get("/api/v1/samples/views").get_json()["items"]
    assert [(v["name"], v["own"], v["shared"]) for v in items] == [("Mine", True, None), ("Everyone's", False, "all")]


def test_a_view_is_saved_with_the_lists_validation(client_for, db):
    ana = client_for("ana")
    body = {"name": " Open  acme ", "state": {"q": "acme", "status": ["active"], "sort": "-name", "per_page": 10}}
    response = ana.post("/api/v1/samples/views", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    saved = response.get_json()
    assert saved["name"] == "Open acme" and saved["own"] is True
    assert saved["state"] == {"q": "acme", "status": ["active"], "sort": "-name", "per_page": 10}
    before = _views(db)
    for bad in ({"name": "X", "state": {"status": ["nope"]}}, {"name": "X", "state": {"sort": "password_hash"}},
                {"name": "X", "state": {"cols": ["name", "password_hash"]}},
                {"name": "", "state": {}}, {"state": {}},
                {"name": "X", "state": {"per_page": 100000}}, {"name": "X", "colour": "red"}):
        refused = ana.post("/api/v1/samples/views", json=bad)
        assert refused.status_code in (400, 422), (bad, refused.get_data(as_text=True))
    assert _views(db) == before


def test_a_view_keeps_the_grids_columns_which_the_screen_then_shows(client_for, db):
    ana = client_for("ana")
    body = {"name": "Short", "state": {"cols": ["email", "name"], "q": "acme"}}
    response = ana.post("/api/v1/samples/views", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    view = response.get_json()
    assert view["state"] == {"cols": ["email", "name"], "q": "acme"}
    all_declared = {"name": "All", "state": {"cols": ["name", "company", "email", "status", "amount"]}}
    assert ana.post("/api/v1/samples/views", json=all_declared).get_json()["state"] == {}  # the default columns
    page = ana.get(f"/s/samples/views/{view['id']}", follow_redirects=True).get_data(as_text=True)
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert head.index('data-column="email"') < head.index('data-column="name"') and 'data-column="company"' not in head


def test_only_administrators_share_and_a_refused_share_stores_nothing(client_for, db):
    before = _views(db)
    refused = client_for("ana").post("/api/v1/samples/views", json={"name": "Team", "state": {}, "shared": "all"})
    assert refused.status_code == 403 and _views(db) == before
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    shared = client_for("admin").post("/api/v1/samples/views",
                                      json={"name": "Team", "state": {"q": "a"}, "shared": "group", "group_id": group.id})
    assert shared.status_code == 201 and (shared.get_json()["shared"], shared.get_json()["group_id"]) == ("group", group.id)
    assert "Team" in _names(client_for("bob").get("/api/v1/samples/views"))


def test_a_view_is_deleted_by_its_owner_or_an_administrator_when_shared(client_for, db, users):
    with unit_of_work():
        mine = grid_views.save(db, users["ana"], "samples", "Mine", {})
        bobs = grid_views.save(db, users["bob"], "samples", "Bob's", {})
        shared = grid_views.save(db, users["leader"], "samples", "Shared", {})
        shared.shared = "all"
    ana = client_for("ana")
    assert ana.delete(f"/api/v1/samples/views/{bobs.id}").status_code == 404  # not hers: not even seen
    assert ana.delete(f"/api/v1/samples/views/{shared.id}").status_code == 403  # read-only for her
    assert ana.delete(f"/api/v1/samples/views/{mine.id}").status_code == 204
    assert client_for("admin").delete(f"/api/v1/samples/views/{bobs.id}").status_code == 404  # private
    assert client_for("admin").delete(f"/api/v1/samples/views/{shared.id}").status_code == 204
    assert ana.delete("/api/v1/samples/views/99999999999").status_code == 404
    db.expire_all()
    assert {v.name for v in db.scalars(select(GridView))} == {"Bob's"}


def test_view_on_the_list_applies_the_filters_and_sort_explicit_arguments_win(client_for, make_element, db, users):
    for name in ("Acme b", "Acme a", "Other"):
        make_element("ana", name=name)
    with unit_of_work():
        view = grid_views.save(db, users["ana"], "samples", "Acme", {"q": "acme", "sort": "name", "status": ["Active"]})
        bobs = grid_views.save(db, users["bob"], "samples", "Bob's", {})
    ana = client_for("ana")
    assert _names(ana.get(f"/api/v1/samples?view={view.id}")) == ["Acme a", "Acme b"]
    assert _names(ana.get(f"/api/v1/samples?view={view.id}&sort=-name")) == ["Acme b", "Acme a"]
    assert _names(ana.get(f"/api/v1/samples?view={view.id}&q=other")) == ["Other"]
    assert ana.get(f"/api/v1/samples?view={bobs.id}").status_code == 404
    assert ana.get("/api/v1/samples?view=abc").status_code == 400


def test_the_views_endpoints_are_in_the_openapi_document(client_for):
    doc = client_for("ana").get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(doc["paths"]["/api/v1/samples/views"])
    assert "delete" in doc["paths"]["/api/v1/samples/views/{view_id}"]
    assert "view" in {p["name"] for p in doc["paths"]["/api/v1/samples"]["get"]["parameters"]}
