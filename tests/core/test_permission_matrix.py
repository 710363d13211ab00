"""The permission matrix, generated from the registry of every installed plugin (CORE-04,
CORE-05, CORE-16, NF-03): for every session and action, a group without the permission is
refused and a group with it gets through; a non-admin never reads or changes an element
owned by someone else by any route."""

from __future__ import annotations

import pytest
from sqlalchemy import and_, not_, select

from crm_core.admin.services import set_permissions
from crm_core.app import create_app
from crm_core.demo import make_demo_data
from crm_core.models.auth import ACTIONS
from crm_core.testing.plugin import base_settings
from tests.support import sample

_REGISTRY = create_app(base_settings("sqlite://", CRM_PLUGINS=None), extra_plugins={"sample": sample}).extensions[
    "crm"
].registry
ALL_SESSIONS = sorted(_REGISTRY.sessions)
GRID_SESSIONS = sorted(s.name for s in _REGISTRY.grid_sessions())

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def grant(db, user, session_name: str, actions: set[str]) -> None:
    set_permissions(db, user.group, [session_name], {session_name: actions})
    db.commit()


def entry_url(crm_app, name: str) -> str:
    sdef = crm_app.extensions["crm"].registry.sdef(name)
    with crm_app.test_request_context():
        from crm_core.web import session_url

        return session_url(sdef)


@pytest.mark.parametrize("name", ALL_SESSIONS)
def test_view_permission_gates_the_session_page_and_its_menu_entry(crm_app, client_for, db, users, name):
    url = entry_url(crm_app, name)
    grant(db, users["ana"], name, set())
    client = client_for("ana")
    assert client.get(url).status_code == 403
    assert f'data-session="{name}"'.encode() not in client.get("/").data
    grant(db, users["ana"], name, {"view"})
    assert client.get(url).status_code == 200
    assert f'data-session="{name}"'.encode() in client.get("/").data


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_modify_permission_gates_new_records_on_screen_and_api(crm_app, client_for, db, users, name):
    client = client_for("ana")
    grant(db, users["ana"], name, {"view"})
    assert client.get(f"/s/{name}/new").status_code == 403
    assert client.post(f"/api/v1/{name}", json={}).status_code == 403
    grant(db, users["ana"], name, {"view", "modify"})
    assert client.get(f"/s/{name}/new").status_code == 200
    assert client.post(f"/api/v1/{name}", json={}).status_code in (400, 422)


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_view_permission_gates_api_list_listing_and_export(crm_app, client_for, db, users, name):
    client = client_for("ana")
    grant(db, users["ana"], name, set())
    for url in (f"/api/v1/{name}", f"/s/{name}/listing", f"/s/{name}/export?format=csv"):
        assert client.get(url).status_code == 403, url
    grant(db, users["ana"], name, {"view"})
    assert client.get(f"/api/v1/{name}").status_code == 200


def test_change_owner_needs_its_permission(crm_app, client_for, db, users, access_for):
    from crm_core.db import unit_of_work
    from crm_core.services import elements

    sdef = crm_app.extensions["crm"].registry.sdef("samples")
    with unit_of_work():
        mine = elements.create(db, sdef, access_for("ana"), {"name": "Mine"})
    client = client_for("ana")
    grant(db, users["ana"], "samples", {"view", "modify"})
    response = client.patch(f"/api/v1/samples/{mine.id}", json={"owner_id": users["bob"].id})
    assert response.status_code == 403
    grant(db, users["ana"], "samples", set(ACTIONS))
    response = client.patch(f"/api/v1/samples/{mine.id}", json={"owner_id": users["bob"].id})
    assert response.status_code == 200
    db.expire_all()
    assert db.get(sdef.model, mine.id).owner_id == users["bob"].id


@pytest.fixture
def demo_data(crm_app, db, users):
    make_demo_data(db, users)
    db.commit()


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_a_non_admin_never_reaches_another_owners_element(crm_app, client_for, db, users, demo_data, name):
    sdef = crm_app.extensions["crm"].registry.sdef(name)
    cond = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
    if sdef.shared:  # records the session shares with everyone are the next test's
        cond.append(not_(and_(*[getattr(sdef.model, k) == v for k, v in sdef.shared.items()])))
    foreign = db.scalar(select(sdef.model).where(sdef.model.owner_id != users["ana"].id, *cond).limit(1))
    if foreign is None:
        pytest.skip(f"the demo data has no {name} owned by someone other than ana")
    client = client_for("ana")
    eid = foreign.id
    version = foreign.version
    for method, url in [("get", f"/s/{name}/{eid}"), ("get", f"/api/v1/{name}/{eid}"), *write_routes(sdef, eid)]:
        kwargs = {"json": {}} if "/api/" in url and method != "get" else {}
        status = getattr(client, method)(url, **kwargs).status_code
        assert status == 404, f"{method.upper()} {url} gave {status}"
    listed = client.get(f"/api/v1/{name}?per_page=500").get_json()["items"]
    assert eid not in {item["id"] for item in listed}
    exported = client.get(f"/s/{name}/export?format=csv").get_data(as_text=True)
    assert foreign.uid not in exported
    db.expire_all()
    assert db.get(sdef.model, eid).version == version


def write_routes(sdef, eid: int) -> list[tuple[str, str]]:
    name = sdef.name
    return [
        ("post", f"/s/{name}/{eid}"),
        ("get", f"/s/{name}/{eid}/delete"),
        ("post", f"/s/{name}/{eid}/delete"),
        ("patch", f"/api/v1/{name}/{eid}"),
        ("delete", f"/api/v1/{name}/{eid}"),
        *[("post", f"/s/{name}/{eid}/action/{a.name}") for a in sdef.actions if a.permission != "view"],
        *[("post", f"/api/v1/{name}/{eid}/actions/{a.name}") for a in sdef.actions if a.permission != "view"],
    ]


SHARING_SESSIONS = sorted(s.name for s in _REGISTRY.grid_sessions() if s.shared)


@pytest.mark.parametrize("name", SHARING_SESSIONS)
def test_a_shared_record_of_another_owner_is_readable_and_never_writable(crm_app, client_for, db, users, demo_data,
                                                                         name):
    sdef = crm_app.extensions["crm"].registry.sdef(name)
    cond = [getattr(sdef.model, k) == v for k, v in {**sdef.where, **sdef.shared}.items()]
    foreign = db.scalar(select(sdef.model).where(sdef.model.owner_id != users["ana"].id, *cond).limit(1))
    if foreign is None:
        pytest.skip(f"the demo data has no shared {name} owned by someone other than ana")
    client = client_for("ana")
    eid, version = foreign.id, foreign.version
    assert client.get(f"/s/{name}/{eid}").status_code == 200
    assert client.get(f"/api/v1/{name}/{eid}").status_code == 200
    assert eid in {item["id"] for item in client.get(f"/api/v1/{name}?per_page=500").get_json()["items"]}
    for method, url in write_routes(sdef, eid):
        kwargs = {"json": {}} if "/api/" in url and method != "get" else {}
        status = getattr(client, method)(url, **kwargs).status_code
        assert status == 404, f"{method.upper()} {url} gave {status}"
    db.expire_all()
    assert db.get(sdef.model, eid).version == version


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_leader_switches_to_all_records_and_executive_cannot(crm_app, client_for, users, demo_data, name):
    sdef = crm_app.extensions["crm"].registry.sdef(name)
    leader = client_for("leader").get(f"/api/v1/{name}?all=true&per_page=500").get_json()["items"]
    ana = client_for("ana").get(f"/api/v1/{name}?all=true&per_page=500").get_json()["items"]
    shared = sdef.shared.items()
    assert all(
        item.get("owner_id", users["ana"].id) == users["ana"].id or all(item.get(k) == v for k, v in shared)
        for item in ana
    ), sdef.name
    assert len(leader) >= len(ana)


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_saved_views_of_a_session_need_its_view_permission_and_stay_their_owners(crm_app, client_for, db, users,
                                                                                 name):
    """Issue 17 item 4: the views pages of every grid follow ``view`` on the session, and
    another user's private view reads as not found on every view route."""
    from crm_core.models.views import GridView

    bob_view = GridView(user_id=users["bob"].id, session_name=name, name="Bob's", state={}, is_default=False)
    db.add(bob_view)
    db.commit()
    client = client_for("ana")
    grant(db, users["ana"], name, set())
    assert client.get(f"/s/{name}/views").status_code == 403
    assert client.post(f"/s/{name}/views", data={"name": "Mine"}).status_code == 403
    assert client.get(f"/s/{name}/views/{bob_view.id}").status_code == 403
    grant(db, users["ana"], name, {"view"})
    assert client.get(f"/s/{name}/views").status_code == 200
    assert client.post(f"/s/{name}/views", data={"name": "Mine"}).status_code == 302
    assert client.get(f"/s/{name}/views/{bob_view.id}").status_code == 404
    for route in ("rename", "default", "share", "delete"):
        assert client.post(f"/s/{name}/views/{bob_view.id}/{route}", data={"name": "x", "confirm": "1"}).status_code \
            == 404, route
    db.expire_all()
    assert db.get(GridView, bob_view.id).name == "Bob's"
    assert db.scalar(select(GridView.name).where(GridView.user_id == users["ana"].id)) == "Mine"
