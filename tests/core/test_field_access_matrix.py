"""The permission matrix for field-level access, generated from the registry of every installed
plugin (EXT-16, CORE-04, NF-03): for every session, a text field hidden from a group never shows
its value on any path a member of that group reaches — detail form, grid, grid text search,
API read and list, API filter and sort, CSV export, listing, global search, history — and is
never written; a read-only one shows and is never written (form, API, import)."""

from __future__ import annotations

import io
import json

import pytest
from marshmallow import fields
from sqlalchemy import select

from crm_core.admin.services import set_permissions
from crm_core.db import unit_of_work
from crm_core.declarations import schema_fields
from crm_core.demo import make_demo_data
from crm_core.models.auth import ACTIONS, FieldAccess
from crm_core.services import elements
from tests.core.test_permission_matrix import GRID_SESSIONS
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})

MARKER = "Qzx7Secret"


def _text_fields(sdef) -> list[str]:
    """Plain text fields a group may be kept from: not required, no choices, no lookup, stored
    in a column the grid, export and search read."""
    out = []
    for name, field in schema_fields(sdef.schema).items():
        if type(field) is not fields.String or field.required or field.dump_only or name in sdef.where:
            continue
        if field.metadata.get("lookup") or field.metadata.get("choices") or field.validators and any(
            hasattr(v, "choices") for v in field.validators
        ):
            continue
        if field.metadata.get("widget") == "phone" or name.endswith(("_id", "email", "phone", "url", "code", "uid")):
            continue
        out.append(name)
    return out


def _marked(db, sdef, admin, ana):
    """An element of ana's holding MARKER in one text field that is not part of its name, and
    that field; ``None`` when the demo data has no fitting element."""
    cond = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
    element = db.scalar(select(sdef.model).where(sdef.model.owner_id == ana.id, *cond).limit(1))
    if element is None:  # the demo gave ana none: one of someone else's becomes hers
        element = db.scalar(select(sdef.model).where(*cond).limit(1))
        if element is None:
            return None
        element.owner_id = ana.id
        db.commit()
    for name in _text_fields(sdef):
        setattr(element, name, MARKER)  # part of the record's name? (tried in memory only)
        in_name = MARKER in (element.display_name() or "")
        db.expire(element)
        if in_name:
            continue
        try:
            with unit_of_work():
                elements.update(db, sdef, admin, element, {name: MARKER})
        except Exception:  # noqa: BLE001 - a field whose rules refuse the marker: try the next
            db.rollback()
            continue
        return element, name
    return None


def _restrict(db, group_id: int, session_name: str, name: str, mode: str) -> None:
    db.add(FieldAccess(group_id=group_id, session_name=session_name, field_name=name, mode=mode))
    db.commit()


@pytest.fixture
def demo_data(crm_app, db, users):
    make_demo_data(db, users)
    db.commit()


@pytest.fixture
def prepared(crm_app, db, users, access_for, demo_data):
    def make(name: str, mode: str):
        sdef = crm_app.extensions["crm"].registry.sdef(name)
        set_permissions(db, users["ana"].group, [name], {name: set(ACTIONS)})
        db.commit()
        found = _marked(db, sdef, access_for("admin"), users["ana"])
        if found is None:
            pytest.skip(f"no {name} in the demo data, or none with a free text field")
        element, field = found
        _restrict(db, users["ana"].group_id, name, field, mode)
        return sdef, element, field

    return make


def _reads(name: str, eid: int, field: str) -> list[str]:
    return [
        f"/s/{name}/{eid}",
        f"/s/{name}/{eid}?edit=1",  # the form as well as read mode
        f"/s/{name}/{eid}?tab=history",
        f"/api/v1/{name}/{eid}",
        f"/api/v1/{name}?per_page=500",
        f"/s/{name}?all=1",
        f"/s/{name}/export?format=csv",
        f"/s/{name}/listing",
    ]


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_a_hidden_field_leaks_on_no_path(crm_app, client_for, db, users, prepared, name):
    sdef, element, field = prepared(name, "hidden")
    eid, version = element.id, element.version
    client = client_for("ana")
    for url in _reads(name, eid, field):
        response = client.get(url)
        assert response.status_code == 200, f"{url} gave {response.status_code}"
        text = response.get_data(as_text=True)
        where = text.find(MARKER)
        assert where < 0, f"{url} shows the hidden field {field}: …{text[max(0, where - 1200):where + 80]}…"
    assert field not in client.get(f"/api/v1/{name}/{eid}").get_json()
    # searching, filtering or sorting by the hidden field tells nothing about its value
    # (the grid shows the text typed in its search box: that is the user's own input)
    assert f'<tr data-id="{eid}">'.encode() not in client.get(f"/s/{name}?all=1&q={MARKER}").data
    assert eid not in {i["id"] for i in client.get(f"/api/v1/{name}?q={MARKER}&per_page=500").get_json()["items"]}
    found = client.get(f"/search?q={MARKER}").get_json()["groups"]
    assert all(r["id"] != eid for g in found if g["session"] == name for r in g["results"])
    assert client.get(f"/api/v1/{name}?filter={field}:=:{MARKER}").status_code == 400
    assert client.get(f"/api/v1/{name}?sort={field}").status_code == 400
    # and it is never written
    response = client.patch(f"/api/v1/{name}/{eid}", json={field: "changed"})
    assert response.status_code == 400 and "may not change" in response.get_json()["error"]["fields"][field][0]
    db.expire_all()
    assert db.get(sdef.model, eid).version == version
    assert getattr(db.get(sdef.model, eid), field) == MARKER


@pytest.mark.parametrize("name", GRID_SESSIONS)
def test_a_read_only_field_shows_and_is_never_written(crm_app, client_for, db, users, prepared, name):
    sdef, element, field = prepared(name, "read_only")
    eid, version = element.id, element.version
    client = client_for("ana")
    assert MARKER.encode() in client.get(f"/s/{name}/{eid}").data  # read mode shows it
    page = client.get(f"/s/{name}/{eid}?edit=1")
    assert MARKER.encode() in page.data and f'data-locked="{field}"'.encode() in page.data
    assert f'name="{field}"'.encode() not in page.data  # its value, not an input
    assert client.get(f"/api/v1/{name}/{eid}").get_json()[field] == MARKER
    response = client.patch(f"/api/v1/{name}/{eid}", json={field: "changed"})
    assert response.status_code == 400 and "may not change" in response.get_json()["error"]["fields"][field][0]
    # sent back unchanged (a whole record read and written again) is not a change
    assert client.patch(f"/api/v1/{name}/{eid}", json={field: MARKER}).status_code == 200
    form = client.post(f"/s/{name}/{eid}", data={field: "changed", "version": version})
    assert form.status_code == 400
    db.expire_all()
    assert getattr(db.get(sdef.model, eid), field) == MARKER
    if sdef.importable:
        upload = client.post(
            f"/api/v1/{name}/imports",
            data={"file": (io.BytesIO(f"{field}\nx\n".encode()), "x.csv"), "columns": json.dumps([field])},
            content_type="multipart/form-data",
        )
        assert upload.status_code == 400, upload.get_data(as_text=True)
        assert "may not change" in json.dumps(upload.get_json()["error"])
