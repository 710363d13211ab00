"""The toolkit's owner change, group rights and plugin API blueprints, through a throwaway
plugin on the test-only samples session (the inboxes plugin is their first user)."""

from __future__ import annotations

import pytest
from flask import Blueprint, jsonify
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.api.auth import create_token
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Group
from crm_core.testing import make_plugin
from crm_core.toolkit import api_blueprint, api_body, change_owner, current_access, group_can, handles
from tests.support import sample

CHANGES: list[tuple[str, dict]] = []


def _blueprints(app):
    bp = api_blueprint("probe_api", __name__, "probe", {"/echo": {"post": {"summary": "Echo", "responses": {}}}})

    @bp.post("/echo")
    def echo():
        body = api_body()
        if body.get("refuse"):
            raise BusinessRuleError("refused", field="refuse")
        return jsonify({"user": current_access().user.username, "body": body})

    return [bp, Blueprint("unused_probe", __name__)]


@handles(sessions=("samples",))
def _changed(element, changes):
    CHANGES.append((element.name, changes))


probe = make_plugin("probe", crm_register_blueprints=_blueprints, crm_element_changed=_changed)
pytestmark = pytest.mark.crm(plugins=["sample", "probe"], extra_plugins={"sample": sample, "probe": probe})


def _sample(db, owner):
    element = sample.Sample(name="Acme", kind="sale", owner_id=owner.id, creator_id=owner.id)
    db.add(element)
    db.commit()
    return element


def _sdef(crm_app):
    return crm_app.extensions["crm"].registry.sdef("samples")


def test_change_owner_follows_the_edit_forms_rules_and_is_audited_under_the_actor(db, users, access_for, crm_app):
    CHANGES.clear()
    acme = _sample(db, users["ana"])
    with pytest.raises(PermissionDenied), unit_of_work():  # executives may not change owners
        change_owner(db, _sdef(crm_app), access_for("ana"), acme, users["bob"].id)
    with pytest.raises(NotFound), unit_of_work():  # nor touch others' records
        change_owner(db, _sdef(crm_app), access_for("bob"), acme, users["bob"].id)
    users["bob"].active = False
    db.commit()
    with pytest.raises(ValidationError), unit_of_work():
        change_owner(db, _sdef(crm_app), access_for("leader"), acme, users["bob"].id)
    users["bob"].active = True
    db.commit()
    with unit_of_work():
        changes = change_owner(db, _sdef(crm_app), access_for("leader"), acme, users["bob"].id, actor=users["bob"])
    assert acme.owner_id == users["bob"].id and changes["owner_id"] == [users["ana"].id, users["bob"].id]
    assert [("Acme", changes)] == CHANGES
    entry = db.scalars(select(AuditEntry).where(AuditEntry.element_id == acme.id).order_by(AuditEntry.id.desc())).first()
    assert entry.user_id == users["bob"].id and "owner_id" in entry.changes
    with unit_of_work():
        assert change_owner(db, _sdef(crm_app), access_for("leader"), acme, users["bob"].id) == {}


def test_group_can_answers_by_the_groups_rights_alone(db):
    executives = db.scalar(select(Group.id).where(Group.name == "Executives"))
    assert group_can(db, executives, "samples", "view") and group_can(db, executives, "samples", "modify")
    assert not group_can(db, executives, "samples", "change_owner")
    assert not group_can(db, 999_999, "samples")
    with pytest.raises(ValueError):
        group_can(db, executives, "samples", "fly")


def test_a_plugin_api_blueprint_authenticates_answers_json_and_joins_the_openapi_document(db, users, crm_app):
    client = crm_app.test_client()
    anonymous = client.post("/api/v1/probe/echo", json={})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "unauthenticated"
    with unit_of_work():
        _token, secret = create_token(db, users["ana"], "probe")
    bearer = {"Authorization": f"Bearer {secret}"}
    ok = client.post("/api/v1/probe/echo", json={"x": 1}, headers=bearer)
    assert ok.get_json() == {"user": "ana", "body": {"x": 1}}
    refused = client.post("/api/v1/probe/echo", json={"refuse": True}, headers=bearer)
    assert refused.status_code == 422 and refused.get_json()["error"]["fields"] == {"refuse": ["refused"]}
    assert client.post("/api/v1/probe/echo", data="x", headers=bearer).status_code == 415
    assert "/api/v1/probe/echo" in client.get("/api/v1/openapi.json").get_json()["paths"]


def test_record_same_update_writes_one_row_per_element_with_one_statement(db, users):
    from crm_core.testing import sql_statements
    from crm_core.toolkit import audit

    ids = [_sample(db, users["ana"]).id for _ in range(3)]
    with sql_statements(db.get_bind(), markers=False) as seen, audit.audit_context(action="escalate",
                                                                                    user=users["bob"]):
        audit.record_same_update(db, "sample", ids, {"stage": [1, 2], "who": [None, "Leaders"]})
    writes = [s for s in seen if not s.upper().startswith(("SAVEPOINT", "RELEASE"))]  # the test's transaction
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("INSERT INTO CRM_AUDIT")
    rows = db.scalars(select(AuditEntry).where(AuditEntry.action == "escalate").order_by(AuditEntry.element_id)).all()
    assert [(r.element_type, r.element_id, r.operation, r.user_id, r.changes) for r in rows] == [
        ("sample", i, "update", users["bob"].id, {"stage": [1, 2], "who": [None, "Leaders"]}) for i in ids
    ]
    audit.record_same_update(db, "sample", [], {"stage": [2, 3]})  # nothing to record: no statement
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "escalate")) == 3
