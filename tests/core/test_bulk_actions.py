"""Bulk actions as a service (issue 17 item 5): each record through the single-edit rules in
its own savepoint — refused ones reported with the reason, the others done and audited."""

from __future__ import annotations

import dataclasses

import pytest
from marshmallow import ValidationError, fields, validate

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.declarations import Action, Transition, Workflow
from crm_core.errors import PermissionDenied
from crm_core.models.audit import AuditEntry
from crm_core.services import bulk_actions, elements
from crm_core.services.queries import ListQuery
from tests.support import sample
from tests.support.sample import Sample, SampleSchema

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.fixture
def samples(crm_app):
    return crm_state(crm_app).registry.sdef("samples")


@pytest.fixture
def make(db, access_for, samples):
    def create(username, **values):
        values.setdefault("name", "Sample")
        with unit_of_work():
            return elements.create(db, samples, access_for(username), values)

    return create


def _close(ctx):  # type: ignore[no-untyped-def]
    ctx.element.status = "closed"


def test_each_record_is_checked_alone_and_a_refused_one_is_reported_not_fatal(db, samples, access_for, make):
    mine, his = make("ana", name="Mine"), make("bob", name="His")
    with unit_of_work():
        outcomes = bulk_actions.run(db, samples, access_for("ana"), "delete", [mine, his], "")
    assert [(o.id, o.done) for o in outcomes] == [(mine.id, True), (his.id, False)]
    assert "no such record" in outcomes[1].reason
    db.expire_all()
    assert db.get(Sample, mine.id) is None and db.get(Sample, his.id) is not None


def test_ids_the_user_may_not_see_are_refused_as_not_found(db, samples, access_for, make):
    mine, his = make("ana", name="Mine"), make("bob", name="His")
    found, unseen = bulk_actions.select_ids(db, samples, access_for("ana"), [mine.id, his.id, 10**12])
    assert [el.id for el in found] == [mine.id] and unseen == [his.id, 10**12]


def test_reassigning_the_owner_is_audited_and_needs_the_change_owner_right(db, samples, access_for, make, users):
    a = make("ana", name="A")
    with unit_of_work():
        outcomes = bulk_actions.run(db, samples, access_for("leader"), "owner", [a], str(users["bob"].id))
    assert outcomes[0].done and db.get(Sample, a.id).owner_id == users["bob"].id
    entry = db.query(AuditEntry).filter_by(element_id=a.id, operation="update").one()
    assert entry.user_id == users["leader"].id and "owner_id" in entry.changes
    ana = access_for("ana")
    assert not ana.can(samples, "change_owner") and "owner" not in dict(bulk_actions.available(samples, ana))
    with pytest.raises(PermissionDenied):
        bulk_actions.check_request(db, samples, ana, "owner", str(users["ana"].id))


def test_an_unknown_value_is_refused_before_any_record_is_touched(db, samples, access_for, make):
    a = make("ana", name="A")
    with pytest.raises(ValidationError) as caught:
        bulk_actions.run(db, samples, access_for("leader"), "owner", [a], "999999")
    assert "value" in caught.value.messages
    with pytest.raises(ValidationError):
        bulk_actions.run(db, samples, access_for("leader"), "explode", [a], "")


def test_status_goes_through_the_workflows_action_and_illegal_moves_are_refused(db, samples, access_for, make):
    flow = dataclasses.replace(
        samples,
        actions=(Action("close", "Close", _close),),
        workflow=Workflow(transitions=(Transition("active", "closed", action="close"),)),
    )
    active, closed, back = make("ana", name="Active"), make("ana", name="Closed"), make("ana", name="Back")
    closed.status = back.status = "closed"
    db.commit()
    ana = access_for("ana")
    assert ("status", "Change status") in bulk_actions.available(flow, ana)
    with unit_of_work():
        to_closed = bulk_actions.run(db, flow, ana, "status", [active, closed], "closed")
        to_active = bulk_actions.run(db, flow, ana, "status", [back], "active")
    assert [o.done for o in to_closed] == [True, True] and to_closed[1].reason == "Already Closed."
    assert db.get(Sample, active.id).status == "closed"
    assert not to_active[0].done and "cannot go from Closed to Active" in to_active[0].reason
    assert db.get(Sample, back.id).status == "closed"
    entry = db.query(AuditEntry).filter_by(element_id=active.id, operation="update").one()
    assert entry.action == "close"


def test_status_without_a_workflow_is_a_plain_update_under_the_schemas_rules(db, samples, access_for, make):
    class LoadableStatus(SampleSchema):
        status = fields.Str(validate=validate.OneOf(["active", "closed"]), metadata={"label": "Status"})

    plain = dataclasses.replace(samples, schema=LoadableStatus)
    a = make("ana", name="A")
    with unit_of_work():
        outcomes = bulk_actions.run(db, plain, access_for("ana"), "status", [a], "closed")
    assert outcomes[0].done and db.get(Sample, a.id).status == "closed"
    assert "status" not in dict(bulk_actions.available(samples, access_for("ana")))  # read-only status: not offered


def test_all_that_match_is_capped_and_refused_beyond(db, samples, access_for, make, monkeypatch):
    for i in range(3):
        make("ana", name=f"Acme {i}")
    ana = access_for("ana")
    assert len(bulk_actions.select_matching(db, samples, ana, ListQuery(text="Acme"))) == 3
    monkeypatch.setattr(bulk_actions, "BULK_CAP", 2)
    with pytest.raises(ValidationError):
        bulk_actions.select_matching(db, samples, ana, ListQuery(text="Acme"))
