"""In-app notifications (issue 17 item 11): a record given to someone else tells them (created
for them, its owner changed, a batch imported for them), ``@username`` in a note tells the
named users who may see the record — nobody else —, the text is in the recipient's language,
and the bell's count, list, opening and "mark all as read" belong to their user only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.notifications import Notification
from crm_core.services import bulk_actions, elements, notes, notifications
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.fixture
def sdef(crm_app):
    return crm_state(crm_app).registry.sdef("samples")


def told(db, user) -> list[tuple[str, str]]:
    db.expire_all()
    return [(n.kind, n.text) for n in db.scalars(select(Notification).where(Notification.user_id == user.id)
                                                 .order_by(Notification.id))]


def test_a_record_given_to_someone_else_tells_them_and_nobody_else(db, sdef, users, access_for):
    with unit_of_work():
        mine = elements.create(db, sdef, access_for("leader"), {"name": "Leader's own"})
        given = elements.create(db, sdef, access_for("leader"), {"name": "For Ana", "owner_id": users["ana"].id})
    assert told(db, users["leader"]) == []
    assert told(db, users["ana"]) == [("assigned", "Leader gave you the sample “For Ana”.")]
    with unit_of_work():
        elements.change_owner(db, sdef, access_for("leader"), given, users["bob"].id)
        elements.update(db, sdef, access_for("leader"), mine, {"name": "Renamed"})  # no owner change: nobody
    assert told(db, users["bob"]) == [("assigned", "Leader gave you the sample “For Ana”.")]
    assert len(told(db, users["ana"])) == 1
    note = db.scalar(select(Notification).where(Notification.user_id == users["bob"].id))
    assert (note.session_name, note.element_id, note.actor_id) == ("samples", given.id, users["leader"].id)


def test_a_batch_created_for_others_tells_each_owner_once_with_the_count(db, sdef, users, access_for):
    rows = [{"name": f"Imported {i}", "owner_id": users["ana" if i % 3 else "bob"].id} for i in range(9)]
    with unit_of_work():
        elements.create_many(db, sdef, access_for("leader"), rows)
    assert told(db, users["ana"]) == [("assigned", "Leader imported 6 samples for you.")]
    assert told(db, users["bob"]) == [("assigned", "Leader imported 3 samples for you.")]


def test_a_mention_tells_the_named_users_who_may_see_the_record(db, sdef, users, access_for):
    with unit_of_work():
        record = elements.create(db, sdef, access_for("ana"), {"name": "Acme deal"})
    text = "@leader @bob @nobody please look; mail ana@example.com, not @ana herself"
    with unit_of_work():
        notes.add_note(db, sdef, access_for("ana"), record, text, None, 1000)
    (kind, message), = told(db, users["leader"])
    assert kind == "mention" and message.startswith("Ana mentioned you on “Acme deal”: @leader @bob")
    assert told(db, users["bob"]) == []  # an executive may not see ana's record: not told, nothing leaks
    assert told(db, users["ana"]) == []  # the author is never told about her own note


def test_the_text_is_in_the_recipients_language(db, sdef, users, access_for):
    users["ana"].language = "es"
    db.commit()
    with unit_of_work():
        elements.create(db, sdef, access_for("leader"), {"name": "Para Ana", "owner_id": users["ana"].id})
    assert told(db, users["ana"]) == [("assigned", "Leader le ha asignado: sample «Para Ana».")]


def test_inactive_users_are_not_told(db, sdef, users, access_for):
    users["leader"].active = False
    db.commit()
    with unit_of_work():
        record = elements.create(db, sdef, access_for("ana"), {"name": "Quiet"})
        notes.add_note(db, sdef, access_for("ana"), record, "@leader?", None, 1000)
    assert told(db, users["leader"]) == []


def test_the_bell_counts_lists_opens_and_marks_read_for_its_user_only(client_for, db, sdef, users, access_for):
    with unit_of_work():
        given = [elements.create(db, sdef, access_for("leader"), {"name": f"Gift {i}", "owner_id": users["ana"].id})
                 for i in range(3)]
    ana = client_for("ana")
    assert ana.get("/notifications/count").get_json() == {
        "unread": 3, "shown": "3", "label": "Notifications: 3 unread"}
    page = ana.get("/notifications").get_data(as_text=True)
    assert page.count("data-notification=") == 3 and "Leader gave you the sample “Gift 2”." in page
    first = db.scalars(select(Notification).where(Notification.user_id == users["ana"].id)).first()
    assert client_for("bob").get(f"/notifications/{first.id}").status_code == 404  # not bob's
    opened = ana.get(f"/notifications/{first.id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/s/samples/{given[0].id}")
    assert ana.get("/notifications/count").get_json()["unread"] == 2
    assert ana.post("/notifications/read").status_code == 302
    assert ana.get("/notifications/count").get_json()["unread"] == 0
    assert 'id="notifications-empty"' in client_for("bob").get("/notifications").get_data(as_text=True)
    assert 'id="nav-bell"' in ana.get("/").get_data(as_text=True)


def test_the_bell_belongs_to_signed_in_users(crm_app):
    client = crm_app.test_client()
    for path in ("/notifications", "/notifications/count"):
        assert client.get(path).status_code in (302, 401)
    assert client.post("/notifications/read").status_code in (302, 400, 401)


def test_the_count_stops_at_99_plus_and_the_list_pages(client_for, db, users):
    db.execute(Notification.__table__.insert(), [
        {"user_id": users["ana"].id, "kind": "x", "text": f"N{i}", "created_at": notifications.utcnow()}
        for i in range(120)])
    db.commit()
    ana = client_for("ana")
    assert ana.get("/notifications/count").get_json()["shown"] == "99+"
    first = ana.get("/notifications").get_data(as_text=True)
    assert first.count("data-notification=") == notifications.PAGE_SIZE and 'id="notifications-older"' in first
    assert ana.get("/notifications?before=abc").status_code == 400


def test_old_notifications_are_deleted_by_the_workers_job(crm_app, db, users, monkeypatch):
    """Read ones after ``notifications_keep_read_days`` (90), unread ones after
    ``notifications_keep_unread_days`` (365), in batches; recent and unread ones stay."""
    from datetime import timedelta

    from crm_core.outbox import Worker

    now = notifications.utcnow()
    ana, bob = users["ana"].id, users["bob"].id
    rows = {  # text → (user, written days ago, read days ago or None)
        "read-long-ago": (ana, 200, 100), "read-lately": (ana, 200, 10), "unread-old": (bob, 400, None),
        "unread-recent": (bob, 300, None), "read-long-ago-2": (bob, 95, 91), "read-long-ago-3": (bob, 95, 92),
    }
    db.execute(Notification.__table__.insert(), [
        {"user_id": user, "kind": "x", "text": text, "created_at": now - timedelta(days=written),
         "read_at": None if read is None else now - timedelta(days=read)}
        for text, (user, written, read) in rows.items()])
    db.commit()
    assert notifications.purge(now, batch=2) == 4  # three batches: 2, 2, 0
    assert sorted(db.scalars(select(Notification.text))) == ["read-lately", "unread-recent"]
    monkeypatch.setitem(crm_state(crm_app).settings, "core", {"notifications_keep_read_days": 5})
    assert notifications.purge(now) == 1 and list(db.scalars(select(Notification.text))) == ["unread-recent"]
    jobs = {job.name: job for part in crm_state(crm_app).pm.hook.crm_register_periodic_jobs() for job in part}
    assert jobs["core.notifications"].every_seconds == 6 * 3600
    db.execute(Notification.__table__.insert(), [
        {"user_id": ana, "kind": "x", "text": "stale", "created_at": now - timedelta(days=9), "read_at": now - timedelta(days=6)}])
    db.commit()
    assert Worker(crm_app).run_jobs() >= 1  # the worker runs it with the other periodic jobs
    assert list(db.scalars(select(Notification.text))) == ["unread-recent"]


def test_the_retention_settings_are_checked_at_start_up(tmp_path):
    from crm_core.core_settings import CoreSettings

    assert CoreSettings().validate({"notifications_keep_read_days": 0})
    assert CoreSettings().validate({"notifications_keep_unread_days": "a"})
    assert CoreSettings().validate({"notifications_purge_every_seconds": 5})
    assert not CoreSettings().validate({"notifications_keep_read_days": 30, "notifications_purge_every_seconds": 600})


def test_a_bulk_reassign_tells_each_new_owner_once_with_the_count(db, sdef, users, access_for):
    with unit_of_work():
        records = [elements.create(db, sdef, access_for("leader"), {"name": f"Lead {i}"}) for i in range(7)]
    with unit_of_work():
        bulk_actions.run(db, sdef, access_for("leader"), "owner", records[:6], str(users["ana"].id))
    assert told(db, users["ana"]) == [("assigned", "Leader gave you 6 samples.")]
    with unit_of_work():  # one record: its own notification, which opens it
        bulk_actions.run(db, sdef, access_for("leader"), "owner", records[6:], str(users["bob"].id))
    assert told(db, users["bob"]) == [("assigned", "Leader gave you the sample “Lead 6”.")]
    assert db.scalar(select(Notification.element_id).where(Notification.user_id == users["bob"].id)) == records[6].id


def test_a_bulk_reassign_does_not_count_the_records_it_rolled_back(db, sdef, users, access_for, monkeypatch):
    with unit_of_work():
        records = [elements.create(db, sdef, access_for("leader"), {"name": f"Lead {i}"}) for i in range(4)]
    refused = records[1].id
    real = elements.change_owner

    def change_owner(db_, sdef_, access, element, owner_id):
        changes = real(db_, sdef_, access, element, owner_id)  # the notification is gathered here
        if element.id == refused:
            raise BusinessRuleError("refused after the change")
        return changes

    monkeypatch.setattr(elements, "change_owner", change_owner)
    with unit_of_work():
        outcomes = bulk_actions.run(db, sdef, access_for("leader"), "owner", records, str(users["ana"].id))
    assert [o.done for o in outcomes] == [True, False, True, True]
    assert told(db, users["ana"]) == [("assigned", "Leader gave you 3 samples.")]


def test_a_bulk_run_that_fails_tells_nobody(db, sdef, users, access_for, monkeypatch):
    with unit_of_work():
        records = [elements.create(db, sdef, access_for("leader"), {"name": f"Lead {i}"}) for i in range(3)]
    monkeypatch.setattr(bulk_actions, "_reason", lambda exc: 1 / 0)  # an unexpected error mid-run
    monkeypatch.setattr(elements, "change_owner", lambda *a: (_ for _ in ()).throw(BusinessRuleError("no")))
    with pytest.raises(ZeroDivisionError), unit_of_work():
        bulk_actions.run(db, sdef, access_for("leader"), "owner", records, str(users["ana"].id))
    assert told(db, users["ana"]) == []
