"""The central audit (CORE-15, contract 2.0): every change to an audited model is recorded by the
unit of work — one row per change, in the writing transaction, with the acting user and action —
and the history tab shows labels and visible values."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm_core.api.auth import create_token, revoke_token
from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.events import handles
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Group, User
from crm_core.services import elements, groupings, notes
from crm_core.testing import make_plugin
from tests.core.admin.test_admin_rights import user_form
from tests.support import sample

ROOT = Path(__file__).resolve().parents[3]


@handles(sessions=("samples",))
def _touch_company(sdef, element, changes, user, db) -> None:  # type: ignore[no-untyped-def]
    """A plugin reacting to a change with a change of its own, flushed separately."""
    if "name" in changes:
        element.company = element.company + " (renamed)"
        db.flush()


pytestmark = pytest.mark.crm(
    extra_plugins={"sample": sample, "toucher": make_plugin("toucher", crm_element_changed=_touch_company)}
)


def rows(db, element_type: str, element_id: int | None = None) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    stmt = select(AuditEntry).where(AuditEntry.element_type == element_type)
    if element_id is not None:
        stmt = stmt.where(AuditEntry.element_id == element_id)
    return list(db.scalars(stmt.order_by(AuditEntry.id)))


def form_data(**values):  # type: ignore[no-untyped-def]
    base = {"name": "Acme", "company": "", "email": "", "phone": "", "amount": "", "due": "", "comments": "",
            "parent_id": ""}
    return {**base, **values}


def test_a_form_save_writes_one_row_with_old_and_new(client_for, make_sample, db, users):
    el = make_sample("ana", name="Acme", company="Old Co")
    response = client_for("ana").post(f"/s/samples/{el.id}", data=form_data(company="New Co", version=el.version))
    assert response.status_code == 302
    created, changed = rows(db, "test_sample", el.id)
    assert (created.operation, created.action, created.user_id) == ("create", "create", users["ana"].id)
    assert created.changes["name"] == [None, "Acme"] and "version" not in created.changes
    assert (changed.operation, changed.action, changed.user_id) == ("update", "update", users["ana"].id)
    assert changed.changes == {"company": ["Old Co", "New Co"]}


def test_an_api_patch_writes_one_row(client_for, make_sample, db):
    el = make_sample("ana", name="Acme", amount="10.50")
    response = client_for("ana").patch(f"/api/v1/samples/{el.id}", json={"amount": "12.00", "due": "2027-01-31"})
    assert response.status_code == 200
    changed = rows(db, "test_sample", el.id)[1:]
    assert [(r.operation, r.changes) for r in changed] == [
        ("update", {"amount": ["10.50", "12.00"], "due": [None, "2027-01-31"]})
    ]


def test_a_hook_changing_the_element_again_extends_the_same_row(make_sample, samples, access_for, db):
    el = make_sample("ana", name="Acme", company="Co")
    with unit_of_work():
        elements.update(db, samples, access_for("ana"), el, {"name": "Acme 2"})
    changed = rows(db, "test_sample", el.id)[1:]
    assert [r.changes for r in changed] == [{"name": ["Acme", "Acme 2"], "company": ["Co", "Co (renamed)"]}]


def test_an_action_records_what_it_changed_under_its_name(client_for, make_sample, db, users):
    el = make_sample("ana", name="Acme")
    assert client_for("ana").post(f"/s/samples/{el.id}/action/close", data={"reason": "done"}).status_code == 302
    closed = rows(db, "test_sample", el.id)[1:]
    assert [(r.action, r.operation, r.changes, r.user_id) for r in closed] == [
        ("close", "update", {"status": ["active", "closed"]}, users["ana"].id)
    ]
    html = client_for("ana").get(f"/s/samples/{el.id}?tab=history").get_data(as_text=True)
    line = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "Close" in r)
    assert "Changed by “Close”" in line and ">Status<" in line and ">Active<" in line and ">Closed<" in line


def test_old_rows_without_an_operation_still_read(client_for, make_sample, db):
    el = make_sample("ana", name="Acme")
    with unit_of_work():
        db.add(AuditEntry(element_type="test_sample", element_id=el.id, action="close",
                          changes={"reason": [None, "legacy"]}))
    html = client_for("ana").get(f"/s/samples/{el.id}?tab=history").get_data(as_text=True)
    assert ">Close<" in html and ">legacy<" in html


def test_a_note_added_shows_in_the_elements_history(client_for, make_sample, samples, access_for, db):
    el = make_sample("ana", name="Acme")
    with unit_of_work():
        notes.add_note(db, samples, access_for("ana"), el, "Called, will buy", None, 1000)
    (note,) = [r for r in rows(db, "test_sample", el.id) if r.object_type == "crm_note"]
    assert (note.operation, note.changes["text"]) == ("create", [None, "Called, will buy"])
    html = client_for("ana").get(f"/s/samples/{el.id}?tab=history").get_data(as_text=True)
    assert ">Note added<" in html and ">Called, will buy<" in html


def test_grouping_membership_added_and_removed_is_recorded_once_each(make_sample, samples, access_for, db):
    el = make_sample("ana", name="Acme")
    ana = access_for("ana")
    with unit_of_work():
        grouping = elements.create(db, crm_state().registry.sdef("groupings"), ana, {"name": "VIP", "session_name": "samples"})
    for change in (groupings.add_member, groupings.add_member, groupings.remove_member):
        with unit_of_work():
            change(db, samples, ana, el, grouping.id)
    members = [r for r in rows(db, "crm_grouping", grouping.id) if r.object_type == "crm_grouping_member"]
    assert [(r.operation, r.changes) for r in members] == [
        ("create", {"element_id": [None, el.id]}),
        ("delete", {"element_id": [el.id, None]}),
    ]


def test_a_user_edit_records_password_changed_never_the_hash(client_for, users, db):
    bob = users["bob"]
    old_hash, old_name = bob.password_hash, bob.full_name
    response = client_for("admin").post(
        f"/config/users/{bob.id}", data=user_form(bob, full_name="Robert", password="Tr0ub4dor&3-horse-battery")
    )
    assert response.status_code == 302
    db.expire_all()
    (edit,) = rows(db, "crm_user", bob.id)
    assert edit.user_id == users["admin"].id
    assert edit.changes["full_name"] == [old_name, "Robert"]
    assert edit.changes["password_hash"] == "changed"
    stored = json.dumps(edit.changes)
    assert old_hash not in stored and db.get(User, bob.id).password_hash not in stored


def test_group_permissions_edited_are_recorded_on_the_group(client_for, users, db):
    group = users["ana"].group
    before = len(rows(db, "crm_group", group.id))
    response = client_for("admin").post(f"/config/permissions?group={group.id}", data={"samples:view": "y"})
    assert response.status_code == 302
    changed = rows(db, "crm_group", group.id)[before:]  # every other session's rights were revoked
    assert {(r.object_type, r.operation, r.user_id) for r in changed} == {("crm_permission", "update", users["admin"].id)}
    (on_samples,) = [r for r in changed if r.changes["session_name"] == ["samples", "samples"]]
    assert on_samples.changes == {"session_name": ["samples", "samples"], "can_modify": [True, False]}


def test_a_menu_setting_changed_is_recorded(client_for, users, db):
    admin = client_for("admin")
    admin.post("/config/menu", data={"session:samples:label": "Widgets"})
    admin.post("/config/menu", data={"session:samples:label": "Gadgets"})
    changed = rows(db, "crm_menu_setting")
    assert [(r.operation, r.changes.get("label")) for r in changed] == [
        ("create", [None, "Widgets"]),
        ("update", ["Widgets", "Gadgets"]),
    ]
    assert changed[1].changes["name"] == ["samples", "samples"] and changed[1].user_id == users["admin"].id


def test_api_tokens_created_and_revoked_never_store_the_secret(users, db):
    ana = users["ana"]
    with unit_of_work():
        token, secret = create_token(db, ana, "laptop")
    with unit_of_work():
        revoke_token(db, ana, token.id)
    made = [r for r in rows(db, "crm_user", ana.id) if r.object_type == "crm_api_token"]
    assert [r.operation for r in made] == ["create", "update"]
    assert "revoked_at" in made[1].changes and made[1].changes["name"] == ["laptop", "laptop"]
    stored = json.dumps([r.changes for r in made])
    assert secret not in stored and token.token_hash not in stored


def test_a_failed_flush_or_unit_of_work_leaves_no_audit_row(make_sample, samples, access_for, db):
    el = make_sample("ana", name="Acme")
    with pytest.raises(RuntimeError), unit_of_work():
        elements.update(db, samples, access_for("ana"), el, {"company": "Flushed"})
        assert len(rows(db, "test_sample", el.id)) == 2  # written by the flush, in the transaction
        raise RuntimeError("the flow fails after the flush")
    with pytest.raises(IntegrityError), unit_of_work():
        el.company = "Never"
        db.add(Group(name="Administrators"))  # the same flush fails on a unique name
        db.flush()
    assert [r.operation for r in rows(db, "test_sample", el.id)] == ["create"]


def test_no_service_writes_audit_rows_itself():
    """Only the unit of work writes audit rows; the import's bulk path writes its rows in bulk."""
    allowed = {Path("crm_core/services/audit.py"), Path("crm_core/services/elements.py")}
    offenders = []
    for path in [*ROOT.glob("crm_core/**/*.py"), *ROOT.glob("plugins/**/*.py"), *ROOT.glob("customer_overrides/**/*.py")]:
        relative = path.relative_to(ROOT)
        text = path.read_text(encoding="utf-8")
        if re.search(r"audit\.record\(|(?<!class )AuditEntry\(|\.snapshot\(|audit\.diff\(", text) and relative not in allowed:
            offenders.append(str(relative))
        if relative == Path("crm_core/services/elements.py"):
            assert "AuditEntry(" not in text and "audit.record(" not in text
    assert offenders == []
