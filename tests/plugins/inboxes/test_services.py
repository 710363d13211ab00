"""Sending, taking and closing inbox items through the services (EXT-12)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Permission
from plugins.inboxes import services
from plugins.inboxes.models import InboxItem
from tests.plugins.inboxes.support import EVENTS, INBOXES, add_sample, group_id, samples

pytestmark = INBOXES


def send(db, access, element, recipient, action="review", **kw):
    with unit_of_work():
        return services.send(db, samples(), access, element, recipient, action, **kw)


def test_sending_to_a_user_puts_the_item_in_their_inbox_and_fires_the_event(db, users, access_for):
    acme = add_sample(db, users["ana"])
    item = send(db, access_for("ana"), acme, f"user:{users['leader'].id}", "approve", action_text=" 12%  discount ",
                note="Please approve")
    assert (item.user_id, item.group_id, item.sender_id) == (users["leader"].id, None, users["ana"].id)
    assert (item.requested_action, item.action_text, item.note, item.state) == ("approve", "12% discount",
                                                                               "Please approve", "open")
    assert [("sent", item, users["ana"])] == EVENTS


def test_a_user_who_may_not_see_the_element_is_refused_and_nothing_is_written(db, users, access_for):
    acme = add_sample(db, users["ana"])
    with pytest.raises(BusinessRuleError, match="Bob may not see this Sample, so it cannot go to their inbox"):
        send(db, access_for("ana"), acme, f"user:{users['bob'].id}")
    assert db.scalars(select(InboxItem)).all() == [] and EVENTS == []


def test_the_sender_must_see_the_element(db, users, access_for):
    acme = add_sample(db, users["ana"])
    with pytest.raises(NotFound):
        send(db, access_for("bob"), acme, f"user:{users['leader'].id}")


@pytest.mark.parametrize("recipient", ["user:999999", "group:999999", "someone", "user:", "user:1e3"])
def test_unknown_or_malformed_recipients_are_refused(db, users, access_for, recipient):
    acme = add_sample(db, users["leader"])
    with pytest.raises(BusinessRuleError):
        send(db, access_for("leader"), acme, recipient)
    assert db.scalars(select(InboxItem)).all() == []


def test_a_requested_action_outside_the_vocabulary_is_refused(db, users, access_for):
    acme = add_sample(db, users["ana"])
    with pytest.raises(BusinessRuleError, match="Choose a requested action"):
        send(db, access_for("ana"), acme, f"user:{users['leader'].id}", "dance")


def test_sending_to_a_group_needs_the_right_to_change_the_owner(db, users, access_for):
    acme = add_sample(db, users["ana"])  # executives may not change owners
    with pytest.raises(BusinessRuleError, match="hands this Sample to whoever takes it"):
        send(db, access_for("ana"), acme, f"group:{group_id(db, 'Executives')}")


def test_a_group_without_the_area_is_refused(db, users, access_for):
    executives = group_id(db, "Executives")
    db.execute(Permission.__table__.update().where(Permission.group_id == executives,
                                                   Permission.session_name == "samples").values(can_view=False))
    acme = add_sample(db, users["leader"])
    with pytest.raises(BusinessRuleError, match="The group Executives may not see Samples"):
        send(db, access_for("leader"), acme, f"group:{executives}")


def test_taking_a_group_item_moves_it_to_the_taker_and_makes_them_the_owner(db, users, access_for):
    acme = add_sample(db, users["leader"])
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}", "call_back")
    with unit_of_work():
        services.take(db, access_for("bob"), item.id)
    assert (item.user_id, acme.owner_id) == (users["bob"].id, users["bob"].id)
    assert item.taken_at is not None
    assert EVENTS[-1] == ("taken", item, users["bob"])
    with pytest.raises(BusinessRuleError, match="Someone else took this item first"), unit_of_work():
        services.take(db, access_for("ana"), item.id)


def test_sending_and_taking_are_in_the_elements_history_under_their_actions(db, users, access_for):
    acme = add_sample(db, users["leader"])
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    with unit_of_work():
        services.take(db, access_for("ana"), item.id)
    rows = db.scalars(select(AuditEntry).where(AuditEntry.element_type == acme.element_type,
                                               AuditEntry.element_id == acme.id).order_by(AuditEntry.id)).all()
    recorded = [(r.action, r.user_id, sorted(r.changes)) for r in rows]
    assert ("send_to_inbox", users["leader"].id) in [(a, u) for a, u, _c in recorded]
    taken = [(u, c) for a, u, c in recorded if a == "inbox_take"]
    assert all(u == users["ana"].id for u, _c in taken)
    assert any("owner_id" in c for _u, c in taken) and any("user_id" in c for _u, c in taken)


def test_a_take_is_refused_when_the_sender_may_no_longer_hand_the_element_over(db, users, access_for):
    acme = add_sample(db, users["leader"])
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    leaders = group_id(db, "Leaders")
    db.execute(Permission.__table__.update().where(Permission.group_id == leaders,
                                                   Permission.session_name == "samples").values(can_change_owner=False))
    with pytest.raises(BusinessRuleError, match="Leader may no longer hand this Sample over"), unit_of_work():
        services.take(db, access_for("ana"), item.id)
    db.refresh(item)
    db.refresh(acme)
    assert (item.user_id, acme.owner_id) == (None, users["leader"].id)


def test_only_members_of_the_group_may_take_and_others_see_nothing(db, users, access_for):
    acme = add_sample(db, users["admin"])
    item = send(db, access_for("admin"), acme, f"group:{group_id(db, 'Executives')}")
    with pytest.raises(NotFound, match="no such item"), unit_of_work():
        services.take(db, access_for("leader"), item.id)


def test_done_and_dismiss(db, users, access_for):
    acme = add_sample(db, users["ana"])
    mine = send(db, access_for("ana"), acme, f"user:{users['leader'].id}")
    with pytest.raises(NotFound), unit_of_work():
        services.close(db, access_for("ana"), mine.id, "done")  # the sender's is not their inbox
    with unit_of_work():
        services.close(db, access_for("leader"), mine.id, "done")
    assert (mine.state, mine.closed_by_id) == ("done", users["leader"].id)
    with pytest.raises(BusinessRuleError, match="closed already"), unit_of_work():
        services.close(db, access_for("leader"), mine.id, "dismissed")


def test_a_group_item_is_dismissed_by_a_member_but_taken_before_it_is_done(db, users, access_for):
    acme = add_sample(db, users["leader"])
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    with pytest.raises(BusinessRuleError, match="Take this item before"), unit_of_work():
        services.close(db, access_for("ana"), item.id, "done")
    with unit_of_work():
        services.close(db, access_for("bob"), item.id, "dismissed")
    assert item.state == "dismissed" and item.user_id is None
    with pytest.raises(BusinessRuleError, match="closed already"), unit_of_work():
        services.take(db, access_for("ana"), item.id)


def _told(db, user):
    from crm_core.models.notifications import Notification

    db.expire_all()
    return [n.text for n in db.scalars(select(Notification).where(Notification.user_id == user.id,
                                                                   Notification.kind == "inbox"))]


def test_an_item_sent_tells_its_user_or_the_groups_members_who_may_see_it(db, users, access_for):
    """Issue 17 item 11: the bell says what arrived; the sender is not told; a group member who
    may not see the record is not told about it."""
    acme = add_sample(db, users["ana"], name="Acme")
    send(db, access_for("ana"), acme, f"user:{users['leader'].id}", "approve")
    assert _told(db, users["leader"]) == ["Ana sent you the sample “Acme”: Approve"]
    send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}", "review")
    assert _told(db, users["ana"]) == ["Leader sent the sample “Acme” to the inbox of Executives: Review"]
    assert _told(db, users["bob"]) == []  # an executive who may not see ana's sample


def test_a_bulk_send_tells_each_recipient_once_with_the_count(db, users, access_for):
    from plugins.inboxes import bulk

    records = [add_sample(db, users["ana"], name=f"S{i}") for i in range(3)]
    with unit_of_work():
        stored = bulk.send_many(db, "samples", records[0].__element_type__,
                                [(r.id, users["ana"].id) for r in records], group_id(db, "Executives"), None,
                                "review", note="SLA escalation, step 1", source="tests")
    assert stored == 3
    for name in ("ana", "bob"):
        assert _told(db, users[name]) == ["3 samples arrived in the inbox of Executives: Review (SLA escalation, step 1)"]
