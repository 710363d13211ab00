"""Exercises of the event hooks: called once per event (per batch for ``crm_elements_created``),
inside the unit of work (the database already shows the change), with the acting user's resolved
access; what an implementation writes is kept. The element events' probes declare a scope."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.events import handles
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Group
from crm_core.models.notes import Grouping, GroupingMember
from crm_core.services import elements
from crm_core.testing import sql_statements
from crm_core.toolkit import hookimpl
from plugins.activities.models import Activity
from plugins.inboxes import services as inbox_services
from plugins.inboxes.models import InboxItem
from plugins.sales.models import Account, Contact, Lead, Opportunity
from plugins.telephony.models import Call
from plugins.telephony.services import record_call
from tests.core.hook_exercises import Kit, exercise, record
from tests.support.sample import Sample


def _audited(db: Any, element: Any) -> int:
    query = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.element_type == element.element_type, AuditEntry.element_id == element.id
    )
    return db.scalar(query)


@handles(sessions=("samples",))
def _created(sdef: Any, element: Any, access: Any, db: Any) -> None:
    record("crm_element_created")((sdef.name, element.name, access.user.username, _audited(db, element)))
    element.comments = "seen by the probe"


@exercise("crm_element_created", _created, plugins=("sample",))
def element_created_fires_once_per_element_after_its_audit_row(kit: Kit) -> None:
    made = kit.create("samples", "ana", name="One")
    assert kit.calls("crm_element_created") == [("samples", "One", "ana", 1)]
    with unit_of_work():  # a batch, and the probe has no crm_elements_created: called per element
        ids = elements.create_many(kit.db, kit.sdef("samples"), kit.access_for("bob"), [{"name": "Two"}, {"name": "Three"}])
    assert sorted(kit.calls("crm_element_created")[1:]) == [("samples", "Three", "bob", 1), ("samples", "Two", "bob", 1)]
    kit.db.expire_all()
    assert {kit.db.get(Sample, i).comments for i in [made.id, *ids]} == {"seen by the probe"}  # changes are flushed


@handles(sessions=("samples",))
def _batch_created(sdef: Any, elements: list[Any], access: Any, db: Any) -> None:
    audited = [_audited(db, element) for element in elements]
    record("crm_elements_created")((sdef.name, [e.name for e in elements], access.user.username, audited))
    for element in elements:
        element.comments = "seen in a batch"


@exercise("crm_elements_created", _batch_created, plugins=("sample",))
def elements_created_fires_once_per_batch_after_the_audit_rows(kit: Kit) -> None:
    kit.create("samples", "ana", name="Alone")
    assert kit.calls("crm_elements_created") == []  # a single creation fires crm_element_created only
    with unit_of_work():
        ids = elements.create_many(kit.db, kit.sdef("samples"), kit.access_for("bob"), [{"name": "A"}, {"name": "B"}])
    assert kit.calls("crm_elements_created") == [("samples", ["A", "B"], "bob", [1, 1])]
    kit.db.expire_all()
    assert {kit.db.get(Sample, i).comments for i in ids} == {"seen in a batch"}  # changes are flushed


@handles(models=(Sample,))
def _changed(sdef: Any, element: Any, changes: dict[str, list[Any]], access: Any, db: Any) -> None:
    stored = db.scalar(select(Sample.name).where(Sample.id == element.id))
    record("crm_element_changed")((sdef.name, changes, access.user.username, stored))


@exercise("crm_element_changed", _changed, plugins=("sample",))
def element_changed_receives_old_and_new_values(kit: Kit) -> None:
    sample = kit.create("samples", "ana", name="Before", company="Acme")
    with unit_of_work():
        elements.update(kit.db, kit.sdef("samples"), kit.access_for("ana"), sample, {"name": "After", "company": "Acme"})
    assert kit.calls("crm_element_changed") == [("samples", {"name": ["Before", "After"]}, "ana", "After")]


@handles(sessions=("leads",))
def _deleted(sdef: Any, element: Any, access: Any, db: Any) -> None:
    still_there = db.scalar(select(func.count()).select_from(Lead).where(Lead.id == element.id))
    record("crm_element_deleted")((sdef.name, element.name, access.user.username, still_there))


@exercise("crm_element_deleted", _deleted, plugins=("sales",))
def element_deleted_sees_the_element_before_it_goes(kit: Kit) -> None:
    lead = kit.create("leads", "ana", name="Short-lived")
    lead_id = lead.id
    with unit_of_work():
        elements.delete(kit.db, kit.sdef("leads"), kit.access_for("ana"), lead)
    assert kit.calls("crm_element_deleted") == [("leads", "Short-lived", "ana", 1)]
    assert kit.db.get(Lead, lead_id) is None


def _qualified(lead: Any, account: Any, opportunity: Any, contact: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(Account.status).where(Account.id == account.id))
    seen = (lead.status, account.status, stored, opportunity and opportunity.name, contact, user.username)
    record("crm_lead_qualified")(seen)


@exercise("crm_lead_qualified", _qualified, plugins=("sales",))
def lead_qualified_receives_the_provisional_account(kit: Kit) -> None:
    lead = kit.create("leads", "ana", name="Espiga", email="jorge@espiga.example")
    kit.action("leads", lead, "qualify", "ana", create_opportunity=True, opportunity_name="Horno")
    assert kit.calls("crm_lead_qualified") == [("qualified", "potential", "potential", "Horno", None, "ana")]


def _provisional_opportunity(kit: Kit) -> Opportunity:
    lead = kit.create("leads", "ana", name="Espiga", email="jorge@espiga.example")
    account = kit.action("leads", lead, "qualify", "ana", create_opportunity=True, opportunity_name="Horno")
    return kit.db.scalar(select(Opportunity).where(Opportunity.account_id == account.id))


def _won(opportunity: Any, account: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(Opportunity.status).where(Opportunity.id == opportunity.id))
    record("crm_opportunity_won")((opportunity.name, stored, account.code, account.status, user.username))


@exercise("crm_opportunity_won", _won, plugins=("sales",))
def opportunity_won_receives_the_account_under_its_definitive_code(kit: Kit) -> None:
    opportunity = _provisional_opportunity(kit)
    kit.action("opportunities", opportunity, "close_won", "ana", reason="Price accepted", account_code="C0100")
    assert kit.calls("crm_opportunity_won") == [("Horno", "won", "C0100", "active", "ana")]


def _lost(opportunity: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(Opportunity.close_reason).where(Opportunity.id == opportunity.id))
    record("crm_opportunity_lost")((opportunity.name, opportunity.status, stored, user.username))


@exercise("crm_opportunity_lost", _lost, plugins=("sales",))
def opportunity_lost_fires_when_closed_as_lost(kit: Kit) -> None:
    opportunity = _provisional_opportunity(kit)
    kit.action("opportunities", opportunity, "close_lost", "ana", reason="Too expensive")
    assert kit.calls("crm_opportunity_lost") == [("Horno", "lost", "Too expensive", "ana")]


def _contact_created(contact: Any, account: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(Contact.account_id).where(Contact.id == contact.id))
    record("crm_contact_created")((contact.last_name, account.code, stored == account.id, user.username))


@exercise("crm_contact_created", _contact_created, plugins=("sales",))
def contact_created_fires_for_its_account(kit: Kit) -> None:
    account = kit.create("accounts", "ana", code="C0001", name="Levante")
    kit.create("contacts", "ana", account_id=account.id, first_name="Marta", last_name="Soler")
    lead = kit.create("leads", "ana", name="Ruiz", contact_person="Carmen Ruiz")
    provisional = kit.action("leads", lead, "qualify", "ana", create_contact=True)
    assert kit.calls("crm_contact_created") == [("Soler", "C0001", True, "ana"), ("Ruiz", provisional.code, True, "ana")]


def _scheduled(activity: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(Activity.subject).where(Activity.id == activity.id))
    record("crm_activity_scheduled")((stored, activity.owner_id, user.username))


def _grouping_of(kit: Kit, owner: str, members: list[Any]) -> Grouping:
    user = kit.users[owner]
    with unit_of_work():
        grouping = Grouping(name="Christmas", session_name="samples", owner_id=user.id, creator_id=user.id)
        kit.db.add(grouping)
        kit.db.flush()
        kit.db.add_all(GroupingMember(grouping_id=grouping.id, element_id=m.id) for m in members)
    return grouping


def _template_activity(kit: Kit, username: str) -> Activity:
    data = {"type": "letter", "subject": "Christmas card", "starts_at": "2026-12-20T09:00:00+00:00"}
    return kit.create("activities", username, **data)


@exercise("crm_activity_scheduled", _scheduled, plugins=("activities", "sample"))
def activity_scheduled_fires_when_created_or_generated(kit: Kit) -> None:
    template = _template_activity(kit, "leader")
    members = [kit.create("samples", owner, name=owner) for owner in ("ana", "bob")]
    kit.action("activities", template, "generate", "leader", grouping_id=_grouping_of(kit, "leader", members).id)
    ana, bob = kit.users["ana"].id, kit.users["bob"].id
    assert kit.calls("crm_activity_scheduled") == [
        ("Christmas card", kit.users["leader"].id, "leader"),
        ("Christmas card", ana, "leader"),
        ("Christmas card", bob, "leader"),
    ]


def _generated(grouping: Any, activities: list[Any], user: Any, db: Any) -> None:
    stored = db.scalar(select(func.count()).select_from(Activity).where(Activity.id.in_([a.id for a in activities])))
    record("crm_activities_generated")((grouping.name, [a.element_id for a in activities], stored, user.username))


@exercise("crm_activities_generated", _generated, plugins=("activities", "sample"))
def activities_generated_fires_once_per_generation(kit: Kit) -> None:
    template = _template_activity(kit, "ana")
    members = [kit.create("samples", "ana", name=name) for name in ("A1", "A2")]
    kit.action("activities", template, "generate", "ana", grouping_id=_grouping_of(kit, "ana", members).id)
    assert kit.calls("crm_activities_generated") == [("Christmas", [m.id for m in members], 2, "ana")]


def _calls_recorded(calls: list[Any], user: Any, db: Any) -> None:
    stored = db.scalars(select(Call.call_id).where(Call.id.in_([c.id for c in calls])).order_by(Call.id)).all()
    record("crm_calls_recorded")((list(stored), [c.result for c in calls], user.username))


@exercise("crm_calls_recorded", _calls_recorded, plugins=("telephony",))
def calls_recorded_fires_once_per_new_call(kit: Kit) -> None:
    started = "2026-11-30T08:00:00+00:00"
    kit.create("calls", "admin", call_id="probe-1", number="+34 600 000 001", result="missed", started_at=started)
    with unit_of_work() as db:
        assert record_call(db, {"call_id": "probe-2", "number": "600000002", "result": "busy"}) is not None
        assert record_call(db, {"call_id": "probe-2", "number": "600000002", "result": "busy"}) is None  # a repeat
    assert kit.calls("crm_calls_recorded") == [(["probe-1"], ["missed"], "admin"), (["probe-2"], ["busy"], "admin")]


def _inbox_sent(item: Any, sdef: Any, element: Any, access: Any, user: Any, db: Any) -> None:
    stored = db.scalar(select(func.count()).select_from(InboxItem).where(InboxItem.id == item.id))
    record("crm_inbox_item_sent")((sdef.name, element.name, item.group_id is not None, stored, user.username,
                                   access.user.username))
    element.comments = "announced to the inbox"


def _executives(kit: Kit) -> str:
    return f"group:{kit.db.scalar(select(Group.id).where(Group.name == 'Executives'))}"


@exercise("crm_inbox_item_sent", _inbox_sent, plugins=("inboxes", "sample"))
def inbox_item_sent_fires_once_per_send_after_the_item_is_stored(kit: Kit) -> None:
    acme = kit.create("samples", "leader", name="Acme")
    kit.action("samples", acme, "send_to_inbox", "leader", recipient=_executives(kit), requested_action="review")
    assert kit.calls("crm_inbox_item_sent") == [("samples", "Acme", True, 1, "leader", "leader")]
    kit.db.expire_all()
    assert kit.db.get(Sample, acme.id).comments == "announced to the inbox"


@hookimpl(wrapper=True)
def _send_many(db: Any, session_name: str, element_type: str, items: list[Any], group_id: Any, user_id: Any,
               requested_action: str, action_text: str, note: str) -> Any:
    stored = yield  # a client override's wrapper: sees the call and the inboxes plugin's answer
    record("crm_inbox_send_many")((session_name, [e for e, _s in items], group_id is not None, stored))
    return stored


@exercise("crm_inbox_send_many", _send_many, plugins=("inboxes", "sample"))
def inbox_send_many_stores_one_open_item_per_element_with_one_statement(kit: Kit) -> None:
    acme, zeta = kit.create("samples", "leader", name="Acme"), kit.create("samples", "leader", name="Zeta")
    group = kit.db.scalar(select(Group.id).where(Group.name == "Executives"))
    hook = kit.app.extensions["crm"].pm.hook
    with unit_of_work(), sql_statements(kit.db.get_bind(), markers=False) as seen:
        stored = hook.crm_inbox_send_many(db=kit.db, session_name="samples", element_type="sample",
                                          items=[(acme.id, acme.owner_id), (zeta.id, acme.owner_id)],
                                          group_id=group, user_id=None, requested_action="review",
                                          action_text="Batch  review", note="", source="samples.job")
    assert stored == 2 and kit.calls("crm_inbox_send_many") == [("samples", [acme.id, zeta.id], True, 2)]
    # one INSERT of the items whatever their number (and one of the recipients' notifications)
    assert len([s for s in seen if s.lstrip().upper().startswith("INSERT INTO INBOX_ITEM")]) == 1
    assert len([s for s in seen if s.lstrip().upper().startswith("INSERT")]) <= 2
    items = kit.db.execute(select(InboxItem.element_id, InboxItem.group_id, InboxItem.sender_id, InboxItem.state,
                                  InboxItem.action_text, InboxItem.source).order_by(InboxItem.element_id)).all()
    assert [tuple(i) for i in items] == [
        (e.id, group, acme.owner_id, "open", "Batch review", "samples.job") for e in (acme, zeta)
    ]
    with pytest.raises(BusinessRuleError), unit_of_work():  # an unknown inbox stores nothing
        hook.crm_inbox_send_many(db=kit.db, session_name="samples", element_type="sample", items=[(acme.id, 1)],
                                 group_id=None, user_id=10**9, requested_action="review", action_text="", note="",
                                 source="samples.job")
    assert kit.db.scalar(select(func.count()).select_from(InboxItem)) == 2


@hookimpl(wrapper=True)
def _close_many(db: Any, session_name: str, element_type: str, element_ids: list[int], source: str,
                closed_by_id: Any, note: str) -> Any:
    closed = yield  # a client override's wrapper: sees the call and the inboxes plugin's answer
    record("crm_inbox_close_many")((session_name, sorted(element_ids), source, closed))
    return closed


@exercise("crm_inbox_close_many", _close_many, plugins=("inboxes", "sample"))
def inbox_close_many_marks_done_only_the_sources_open_items_with_one_statement(kit: Kit) -> None:
    acme, zeta = kit.create("samples", "leader", name="Acme"), kit.create("samples", "leader", name="Zeta")
    group = kit.db.scalar(select(Group.id).where(Group.name == "Executives"))
    hook = kit.app.extensions["crm"].pm.hook
    with unit_of_work():
        hook.crm_inbox_send_many(db=kit.db, session_name="samples", element_type="sample",
                                 items=[(acme.id, acme.owner_id), (zeta.id, acme.owner_id)], group_id=group,
                                 user_id=None, requested_action="review", action_text="", note="",
                                 source="samples.job")
    # A user's own item about Acme is not the job's: it stays open.
    kit.action("samples", acme, "send_to_inbox", "leader", recipient=_executives(kit), requested_action="call_back")
    leader = kit.access_for("leader").user.id
    with unit_of_work(), sql_statements(kit.db.get_bind(), markers=False) as seen:
        closed = hook.crm_inbox_close_many(db=kit.db, session_name="samples", element_type="sample",
                                           element_ids=[acme.id, zeta.id], source="samples.job",
                                           closed_by_id=leader, note="Moved  on")
    assert closed == 2 and kit.calls("crm_inbox_close_many") == [("samples", sorted([acme.id, zeta.id]),
                                                                  "samples.job", 2)]
    assert len([s for s in seen if s.lstrip().upper().startswith("UPDATE")]) == 1
    rows = kit.db.execute(select(InboxItem.element_id, InboxItem.source, InboxItem.state, InboxItem.closed_by_id,
                                 InboxItem.close_note, InboxItem.closed_at.is_not(None), InboxItem.version)
                          .order_by(InboxItem.id).execution_options(populate_existing=True)).all()
    assert [tuple(r) for r in rows] == [
        (acme.id, "samples.job", "done", leader, "Moved on", True, 2),
        (zeta.id, "samples.job", "done", leader, "Moved on", True, 2),
        (acme.id, "", "open", None, "", False, 1),
    ]
    with unit_of_work():  # closed already: nothing left to close
        assert hook.crm_inbox_close_many(db=kit.db, session_name="samples", element_type="sample",
                                         element_ids=[acme.id], source="samples.job", closed_by_id=None,
                                         note="") == 0
    with pytest.raises(ValueError), unit_of_work():  # no source: it would close users' items too
        hook.crm_inbox_close_many(db=kit.db, session_name="samples", element_type="sample", element_ids=[acme.id],
                                  source="", closed_by_id=None, note="")


def _inbox_taken(item: Any, sdef: Any, element: Any, access: Any, user: Any, db: Any) -> None:
    holder = db.scalar(select(InboxItem.user_id).where(InboxItem.id == item.id))
    record("crm_inbox_item_taken")((sdef.name, holder == user.id, element.owner_id == user.id, access.user.username))


@exercise("crm_inbox_item_taken", _inbox_taken, plugins=("inboxes", "sample"))
def inbox_item_taken_fires_after_the_item_and_the_element_changed_hands(kit: Kit) -> None:
    acme = kit.create("samples", "leader", name="Acme")
    kit.action("samples", acme, "send_to_inbox", "leader", recipient=_executives(kit), requested_action="call_back")
    item = kit.db.scalar(select(InboxItem))
    with unit_of_work():
        inbox_services.take(kit.db, kit.access_for("bob"), item.id)
    assert kit.calls("crm_inbox_item_taken") == [("samples", True, True, "bob")]
