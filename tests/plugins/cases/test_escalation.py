"""SLA escalation (CAS-02): the ladder of the client's rule, taken in business time, each step
recorded once (unique case + step), audited on the case's history, continued after a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from crm_core.app import crm_state
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Group, User
from plugins.cases import escalation, sla
from plugins.cases.models import Case, CaseEscalation, CaseEscalationState

CUSTOMERS = Path(__file__).parent / "customers"
pytestmark = pytest.mark.crm(plugins=["sales", "cases"], customer="telco_sla", settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})

#: Tuesday 2026-03-24 11:00 Madrid (CET): seven business days later crosses the spring DST
#: change (Sunday 03-29) and Madrid's Easter holidays (Thursday 04-02, Friday 04-03).
OPENED = datetime(2026, 3, 24, 10, tzinfo=UTC)


def backdate(db, case, when: datetime) -> None:
    db.execute(update(Case).where(Case.id == case.id).values(created_at=when))
    db.expire(case)


def steps(db, case) -> list[int]:
    return list(db.scalars(select(CaseEscalation.step).where(CaseEscalation.case_id == case.id).order_by("step")))


def state(db, case) -> tuple[int, int | None, int | None] | None:
    """The case's step and the inbox (group, user) it was escalated to, or None."""
    row = db.execute(select(CaseEscalationState.step, CaseEscalationState.group_id, CaseEscalationState.user_id)
                     .where(CaseEscalationState.case_id == case.id)).first()
    return tuple(row) if row else None


def test_a_billing_claim_climbs_the_ladder_in_business_time_across_dst(new_case, db, users):
    case = new_case()
    backdate(db, case, OPENED)
    leaders = db.scalar(select(Group.id).where(Group.name == "Leaders"))
    # Seven business days run out on Monday 04-06 11:00 CEST (09:00 UTC), not a minute before.
    assert escalation.run(now=datetime(2026, 4, 6, 8, 59, tzinfo=UTC)) == 0
    assert escalation.run(now=datetime(2026, 4, 6, 9, 0, tzinfo=UTC)) == 1
    assert state(db, case) == (1, leaders, None) and case.escalation_step == 1
    assert steps(db, case) == [1]
    # Fourteen days: to the manager (a user), the group stays.
    calendar = sla.current_policy().calendar
    fourteen = calendar.add(OPENED, 14 * 9 * 60)
    assert escalation.run(now=fourteen) == 1
    assert state(db, case) == (2, None, users["leader"].id)
    assert steps(db, case) == [1, 2]


def test_a_case_late_for_several_steps_jumps_to_the_last_one_once(new_case, db, users):
    case = new_case()
    backdate(db, case, OPENED - timedelta(days=60))
    assert escalation.run(now=OPENED) == 1
    assert state(db, case) == (3, None, users["admin"].id)
    assert steps(db, case) == [3]
    assert escalation.run(now=OPENED) == 0
    assert escalation.run(now=OPENED + timedelta(days=90)) == 0


def test_each_step_is_audited_on_the_case_history_and_leaves_the_case_row_alone(new_case, db, users):
    case = new_case(assignee_id=users["ana"].id)
    backdate(db, case, OPENED)
    escalation.run(now=datetime(2026, 4, 6, 9, 0, tzinfo=UTC))
    escalation.run(now=OPENED + timedelta(days=60))
    rows = db.scalars(select(AuditEntry).where(AuditEntry.element_type == "case", AuditEntry.element_id == case.id,
                                               AuditEntry.action == "escalate").order_by(AuditEntry.id)).all()
    assert [r.operation for r in rows] == ["update", "update"]
    assert [r.changes for r in rows] == [{"escalation_step": [0, 1], "escalated_to": [None, "Leaders"]},
                                         {"escalation_step": [1, 3], "escalated_to": ["Leaders", "admin"]}]
    # The step lives in the narrow state row: the wide case row is not rewritten (no new
    # version in its indexes), so its assignee and version are what the users left.
    db.refresh(case)
    assert (case.assignee_id, case.version) == (users["ana"].id, 1)


def test_only_working_cases_of_the_rule_escalate(new_case, action, db):
    done = new_case()
    action(done, "cancel", "ana", reason="Duplicate")
    no_rule = new_case(type="sales")
    outage = new_case(type="defect", product="fiber", symptom="no signal")
    slow = new_case(type="defect", product="fiber", symptom="slow")
    for case in (done, no_rule, outage, slow):
        backdate(db, case, OPENED)
    # Four business hours later only the outage (the specific rule: 4 h) escalates; the general
    # defect rule (3 days) does not take it a second time later.
    assert escalation.run(now=OPENED + timedelta(hours=4)) == 1
    assert steps(db, outage) == [1]
    assert escalation.run(now=OPENED + timedelta(days=30)) == 1
    assert steps(db, slow) == [1]
    assert steps(db, outage) == [1] and steps(db, done) == [] and steps(db, no_rule) == []


def test_a_crash_in_the_middle_leaves_done_batches_done_and_a_rerun_continues(new_case, db, monkeypatch):
    cases = [new_case(subject=f"Claim {n}") for n in range(5)]
    for case in cases:
        backdate(db, case, OPENED)
    now = OPENED + timedelta(days=30)  # past step 1 and 2, not 3 (21 business days = 29+ days)
    calls = {"n": 0}
    real = escalation.audit.record_same_update

    def crash_on_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(escalation.audit, "record_same_update", crash_on_second_batch)
    with pytest.raises(RuntimeError, match="worker killed"):
        escalation.run(now=now, batch=2)
    assert db.scalar(select(func.count()).select_from(CaseEscalation)) == 2
    monkeypatch.setattr(escalation.audit, "record_same_update", real)
    assert escalation.run(now=now, batch=2) == 3
    assert escalation.run(now=now, batch=2) == 0
    rows = db.execute(select(CaseEscalation.case_id, func.count()).group_by(CaseEscalation.case_id)).all()
    assert sorted(cid for cid, n in rows if n == 1) == sorted(c.id for c in cases)


def test_an_unknown_group_stops_the_job_and_changes_nothing(new_case, db, monkeypatch):
    case = new_case()
    backdate(db, case, OPENED)
    db.execute(update(Group).where(Group.name == "Leaders").values(name="Coordinación"))
    with pytest.raises(Exception, match="no group “Leaders”"):
        escalation.run(now=OPENED + timedelta(days=30))
    db.refresh(case)
    assert case.escalation_step == 0 and steps(db, case) == []


def test_the_worker_runs_escalation_periodically(db):
    jobs = {job.name: job for part in crm_state().pm.hook.crm_register_periodic_jobs() for job in part}
    assert jobs["cases.escalation"].run is escalation.run
    assert jobs["cases.escalation"].every_seconds == 300


@pytest.mark.crm(plugins=["sales", "messaging", "cases"], customer="telco_sla",
                 settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_with_messaging_the_new_owners_are_told_through_the_outbox(new_case, db, users):
    from crm_core.models.outbox import OutboxMessage

    db.execute(update(User).where(User.username == "leader").values(language="es"))
    cases = [new_case(subject=f"Claim {n}") for n in range(3)]
    for case in cases:
        backdate(db, case, OPENED)
    escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC))
    mails = db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "messaging.email")).all()
    leaders = {u.email for u in users.values() if u.group.name == "Leaders"}
    assert {m.payload["to"] for m in mails} == leaders
    mail = next(m for m in mails if m.payload["to"] == users["leader"].email)
    assert "3" in mail.payload["subject"] and mail.payload["language"] == "es"
    assert all(c.number in mail.payload["body"] for c in cases)
    escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC))
    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == len(mails)


def test_the_sla_tab_lists_the_steps_taken(new_case, db, client_for):
    case = new_case()
    backdate(db, case, OPENED - timedelta(days=60))
    escalation.run(now=OPENED)
    page = client_for("ana").get(f"/s/cases/{case.id}?tab=sla").get_data(as_text=True)
    assert 'id="case-escalations"' in page and "<td>3</td>" in page and "Admin" in page


@pytest.mark.crm(plugins=["sales", "inboxes", "cases"], customer="telco_sla",
                 settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_with_inboxes_each_step_lands_in_the_next_inbox_with_one_insert_per_batch(new_case, db, users):
    from crm_core.testing import sql_statements
    from plugins.inboxes.models import InboxItem

    cases = [new_case(subject=f"Claim {n}") for n in range(5)]
    for case in cases:
        backdate(db, case, OPENED)
    leaders = db.scalar(select(Group.id).where(Group.name == "Leaders"))
    with sql_statements(db.get_bind(), markers=False) as seen:
        assert escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC), batch=2) == 5
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT INTO INBOX_ITEM")]
    assert len(inserts) == 3  # batches of 2, 2 and 1: one statement each, never one per case
    items = db.scalars(select(InboxItem).order_by(InboxItem.element_id)).all()
    assert [(i.element_type, i.element_id, i.group_id, i.user_id, i.state) for i in items] == [
        ("case", c.id, leaders, None, "open") for c in cases
    ]
    assert {i.sender_id for i in items} == {cases[0].owner_id}
    assert all(i.requested_action == "resolve" and "step 1" in i.action_text for i in items)
    # A rerun adds nothing; the next step puts the cases in the manager's own inbox.
    assert escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC)) == 0
    assert escalation.run(now=sla.current_policy().calendar.add(OPENED, 14 * 9 * 60)) == 5
    mine = db.scalars(select(InboxItem).where(InboxItem.user_id == users["leader"].id)).all()
    assert sorted(i.element_id for i in mine) == sorted(c.id for c in cases)
    assert db.scalar(select(func.count()).select_from(InboxItem)) == 10


@pytest.mark.crm(plugins=["sales", "inboxes", "cases"], customer="telco_sla",
                 settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_the_next_step_closes_the_previous_steps_items_with_one_update_per_batch(new_case, db, users, action):
    from crm_core.testing import sql_statements
    from plugins.inboxes.models import InboxItem

    cases = [new_case(subject=f"Claim {n}") for n in range(5)]
    for case in cases:
        backdate(db, case, OPENED)
    with sql_statements(db.get_bind(), markers=False) as seen:
        escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC), batch=2)
    # The first step leaves no inbox: nothing to close, no statement.
    assert not [s for s in seen if s.lstrip().upper().startswith("UPDATE INBOX_ITEM")]
    # A user's own request about a case is not escalation's: it stays open.
    action(cases[0], "send_to_inbox", "ana", recipient=f"user:{users['admin'].id}", requested_action="review")
    with sql_statements(db.get_bind(), markers=False) as seen:
        assert escalation.run(now=sla.current_policy().calendar.add(OPENED, 14 * 9 * 60), batch=2) == 5
    assert len([s for s in seen if s.lstrip().upper().startswith("UPDATE INBOX_ITEM")]) == 3  # per batch
    leaders = db.scalar(select(Group.id).where(Group.name == "Leaders"))
    items = db.scalars(select(InboxItem).order_by(InboxItem.id).execution_options(populate_existing=True)).all()
    first = [i for i in items if i.group_id == leaders]
    assert sorted(i.element_id for i in first) == sorted(c.id for c in cases)
    assert {(i.state, i.closed_by_id, i.close_note) for i in first} == {("done", None, "Escalated to step 2")}
    assert all(i.closed_at is not None for i in first)
    second = [i for i in items if i.user_id == users["leader"].id]
    assert sorted(i.element_id for i in second) == sorted(c.id for c in cases)
    assert {(i.state, i.source) for i in second} == {("open", escalation.INBOX_SOURCE)}
    assert [(i.user_id, i.state, i.source) for i in items if i.user_id == users["admin"].id] == [
        (users["admin"].id, "open", "")]


@pytest.mark.crm(plugins=["sales", "inboxes", "cases"], customer="telco_sla",
                 settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_a_case_resolved_closed_or_cancelled_closes_its_open_escalation_items(new_case, db, users, action):
    from plugins.inboxes.models import InboxItem

    resolved, cancelled, working_on = (new_case(subject=f"Claim {n}") for n in range(3))
    for case in (resolved, cancelled, working_on):
        backdate(db, case, OPENED)
    assert escalation.run(now=datetime(2026, 4, 6, 9, tzinfo=UTC)) == 3
    action(resolved, "open", "ana")
    action(resolved, "resolve", "ana", resolution="Credit note issued")
    action(cancelled, "cancel", "ana", reason="Duplicate")
    rows = {i.element_id: (i.state, i.closed_by_id, i.close_note) for i in db.scalars(
        select(InboxItem).execution_options(populate_existing=True))}
    assert rows == {resolved.id: ("done", users["ana"].id, "Case resolved"),
                    cancelled.id: ("done", users["ana"].id, "Case cancelled"),
                    working_on.id: ("open", None, "")}
    # Closing the resolved case later finds nothing open: the item keeps its first close.
    action(resolved, "close", "ana", agreed_by="Rosa Ferrer", agreed_via="phone")
    item = db.scalar(select(InboxItem).where(InboxItem.element_id == resolved.id)
                     .execution_options(populate_existing=True))
    assert (item.state, item.close_note, item.version) == ("done", "Case resolved", 2)
