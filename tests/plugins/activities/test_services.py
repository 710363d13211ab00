"""Activity rules through the generic service (ACT-01, ACT-02, ACT-06): links, complete, cancel."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.services import elements
from plugins.activities.models import Activity
from tests.plugins.activities.support import ACTIVITIES_ONLY, EVENTS, utc

pytestmark = ACTIVITIES_ONLY


def acts():
    return crm_state().registry.sdef("activities")


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Activity))


def test_a_generic_activity_is_created_planned_and_announced(db, access_for):
    with unit_of_work():
        activity = elements.create(
            db, acts(), access_for("ana"), {"type": "meeting", "subject": "Kick-off", "starts_at": "2026-05-04T10:00:00+02:00"}
        )
    assert activity.status == "planned" and activity.duration == 30
    assert activity.starts_at == utc(2026, 5, 4, 8, 0)
    assert activity.session_name is None and activity.link_type is None
    assert list(EVENTS) == [("scheduled", activity)]


def test_a_task_linked_to_an_element_records_its_type(db, access_for, add_sample):
    acme = add_sample("ana")
    with unit_of_work():
        task = elements.create(
            db,
            acts(),
            access_for("ana"),
            {"type": "task", "subject": "Send offer", "starts_at": "2026-05-04T10:00:00Z",
             "session_name": "samples", "element_id": acme.id},
        )
    assert (task.session_name, task.element_id, task.link_type) == ("samples", acme.id, "test_sample")


def test_linking_to_someone_elses_element_is_refused_and_writes_nothing(db, access_for, add_sample):
    bobs = add_sample("bob")
    before = count(db)
    with pytest.raises(BusinessRuleError) as err, unit_of_work():
        elements.create(
            db, acts(), access_for("ana"),
            {"type": "call", "subject": "Peek", "starts_at": "2026-05-04T10:00:00Z", "session_name": "samples",
             "element_id": bobs.id},
        )
    assert err.value.field == "element_id"
    assert count(db) == before and EVENTS == []


def test_linking_to_a_missing_element_or_an_unknown_area_is_refused(db, access_for):
    base = {"type": "call", "subject": "X", "starts_at": "2026-05-04T10:00:00Z"}
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.create(db, acts(), access_for("ana"), {**base, "session_name": "samples", "element_id": 999999})
    with pytest.raises(ValidationError) as err:
        elements.create(db, acts(), access_for("ana"), {**base, "session_name": "nowhere", "element_id": 1})
    assert "session_name" in err.value.messages
    with pytest.raises(ValidationError) as err:
        elements.create(db, acts(), access_for("ana"), {**base, "session_name": "samples"})
    assert "element_id" in err.value.messages


def test_leader_may_link_to_any_visible_element(db, access_for, add_sample):
    bobs = add_sample("bob")
    with unit_of_work():
        task = elements.create(
            db, acts(), access_for("leader"),
            {"type": "task", "subject": "Coach", "starts_at": "2026-05-04T10:00:00Z", "session_name": "samples",
             "element_id": bobs.id},
        )
    assert task.element_id == bobs.id


def test_relinking_obeys_the_same_rule(db, access_for, add_sample, add_activity):
    mine, bobs = add_sample("ana"), add_sample("bob")
    activity = add_activity("ana", utc(2026, 5, 4, 10), session_name="samples", element_id=mine.id)
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.update(db, acts(), access_for("ana"), activity, {"session_name": "samples", "element_id": bobs.id})
    db.refresh(activity)
    assert activity.element_id == mine.id


def test_bad_input_gets_field_messages(db, access_for):
    with pytest.raises(ValidationError) as err:
        elements.create(
            db, acts(), access_for("ana"), {"type": "party", "subject": "", "starts_at": "tomorrow", "duration": -5}
        )
    assert set(err.value.messages) >= {"type", "subject", "starts_at", "duration"}


def test_a_naive_time_outside_a_login_is_read_as_utc(db, access_for):
    with unit_of_work():
        activity = elements.create(
            db, acts(), access_for("ana"), {"type": "call", "subject": "X", "starts_at": "2026-05-04T10:00:00"}
        )
    assert activity.starts_at == utc(2026, 5, 4, 10)


def test_complete_sets_done_and_the_time(db, access_for, add_activity):
    activity = add_activity("ana", utc(2026, 5, 4, 10))
    with unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), activity, "complete", {})
    assert activity.status == "done" and activity.done_at is not None


def test_a_cancelled_activity_cannot_be_completed_nor_cancelled_again(db, access_for, add_activity):
    activity = add_activity("ana", utc(2026, 5, 4, 10))
    with unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), activity, "cancel", {})
    assert activity.status == "cancelled"
    for name in ("complete", "cancel"):
        with pytest.raises(BusinessRuleError), unit_of_work():
            elements.run_action(db, acts(), access_for("ana"), activity, name, {})
    db.refresh(activity)
    assert activity.status == "cancelled" and activity.done_at is None


def test_a_done_activity_cannot_be_cancelled(db, access_for, add_activity):
    activity = add_activity("ana", utc(2026, 5, 4, 10), status="done")
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), activity, "cancel", {})


def test_completing_is_audited_as_a_transition_and_a_done_activity_says_why_it_cannot_be_cancelled(
    db, access_for, add_activity
):
    from crm_core.models.audit import AuditEntry

    activity = add_activity("ana", utc(2026, 5, 4, 10))
    with unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), activity, "complete", {})
    entries = db.scalars(select(AuditEntry).where(AuditEntry.element_id == activity.id,
                                                  AuditEntry.element_type == activity.element_type))
    assert ("complete", ["planned", "done"]) in [(e.action, e.changes.get("status")) for e in entries]
    with pytest.raises(BusinessRuleError, match="“Cancel” is not possible: the Activity is Done."), unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), activity, "cancel", {})


def test_executives_cannot_act_on_someone_elses_activity(db, access_for, add_activity):
    from crm_core.errors import NotFound

    activity = add_activity("bob", utc(2026, 5, 4, 10))
    with pytest.raises(NotFound):
        elements.run_action(db, acts(), access_for("ana"), activity, "complete", {})


def test_reminders_are_offered_the_planned_activities_starting_in_the_window(db, add_activity):
    soon = add_activity("ana", utc(2026, 5, 4, 10, 30))
    add_activity("bob", utc(2026, 5, 4, 10, 45), status="cancelled")
    add_activity("bob", utc(2026, 5, 4, 11, 0))  # the window's end is excluded
    later = crm_state().pm.hook.crm_activities_due(starts_from=utc(2026, 5, 4, 10), starts_until=utc(2026, 5, 4, 11), db=db)
    assert [a for part in later for a in part] == [soon]


def test_deleting_a_record_keeps_its_activities_unlinked(db, access_for, add_sample, add_activity):
    acme, other = add_sample("ana"), add_sample("ana")
    task = add_activity("ana", utc(2026, 5, 4, 10), type="task", session_name="samples", element_id=acme.id)
    leaders = add_activity("leader", utc(2026, 5, 4, 11), session_name="samples", element_id=acme.id)
    untouched = add_activity("ana", utc(2026, 5, 4, 12), session_name="samples", element_id=other.id)
    with unit_of_work():
        elements.delete(db, crm_state().registry.sdef("samples"), access_for("ana"), acme)
    for activity in (task, leaders):
        db.refresh(activity)
        assert (activity.session_name, activity.element_id, activity.link_type) == (None, None, None)
    db.refresh(untouched)
    assert untouched.element_id == other.id
