"""The inbox screens, the "Send to inbox" action form, the home panel and the menu (EXT-12)."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import force_locale
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.auth import Permission
from plugins.inboxes import queries, services
from plugins.inboxes.models import InboxItem
from tests.plugins.inboxes.support import INBOXES, add_sample, group_id, samples

pytestmark = INBOXES


def csrf_free(client):
    client.application.config["WTF_CSRF_ENABLED"] = False
    return client


def send(db, access, element, recipient, action="review", **kw):
    with unit_of_work():
        return services.send(db, samples(), access, element, recipient, action, **kw)


def test_the_send_action_form_offers_users_groups_and_the_vocabulary_and_sends(db, users, client_for):
    acme = add_sample(db, users["ana"])
    ana = csrf_free(client_for("ana"))
    page = ana.get(f"/s/samples/{acme.id}/action/send_to_inbox")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert "User: Leader" in html and "Group: Executives" in html and "Call back" in html
    answer = ana.post(f"/s/samples/{acme.id}/action/send_to_inbox", data={
        "recipient": f"user:{users['leader'].id}", "requested_action": "approve", "action_text": "12%",
        "note": "Please approve"}, follow_redirects=True)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    item = db.scalar(select(InboxItem))
    assert (item.user_id, item.requested_action, item.note) == (users["leader"].id, "approve", "Please approve")


def test_a_refused_recipient_is_told_on_the_form_and_nothing_is_sent(db, users, client_for):
    acme = add_sample(db, users["ana"])
    answer = csrf_free(client_for("ana")).post(f"/s/samples/{acme.id}/action/send_to_inbox", data={
        "recipient": f"user:{users['bob'].id}", "requested_action": "review"})
    assert "Bob may not see this Sample" in answer.get_data(as_text=True)
    assert db.scalars(select(InboxItem)).all() == []


def test_my_inbox_lists_type_record_action_sender_note_and_links_the_record(db, users, client_for, access_for):
    acme = add_sample(db, users["ana"], "Acme Corp")
    send(db, access_for("ana"), acme, f"user:{users['leader'].id}", "approve", action_text="big discount",
         note="Before Friday")
    html = client_for("leader").get("/inbox/mine").get_data(as_text=True)
    assert all(text in html for text in ("Samples", "Acme Corp", "Approve", "big discount", "Ana", "Before Friday"))
    assert f'href="/s/samples/{acme.id}"' in html


def test_an_element_the_viewer_may_not_see_shows_no_name_and_no_link(db, users, client_for, access_for):
    acme = add_sample(db, users["leader"], "Secret Deal")
    send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    html = client_for("ana").get("/inbox/group").get_data(as_text=True)
    assert "Secret Deal" not in html and f"/s/samples/{acme.id}" not in html
    assert f"#{acme.id}" in html and "You may not see this record." in html


def test_take_from_the_group_inbox_then_done(db, users, client_for, access_for):
    acme = add_sample(db, users["leader"], "Acme Corp")
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}", "call_back")
    bob = csrf_free(client_for("bob"))
    taken = bob.post(f"/inbox/{item.id}/take", follow_redirects=True)
    html = taken.get_data(as_text=True)
    assert "The item is yours" in html and "Acme Corp" in html  # now his: named and linked
    ana = csrf_free(client_for("ana"))
    late = ana.post(f"/inbox/{item.id}/take", follow_redirects=True).get_data(as_text=True)
    assert "Someone else took this item first" in late
    bob.post(f"/inbox/{item.id}/done")
    db.expire_all()
    assert db.get(InboxItem, item.id).state == "done"
    assert "Nothing in this inbox." in bob.get("/inbox/mine").get_data(as_text=True)


def test_forms_need_the_csrf_token(db, users, client_for, access_for, crm_app):
    acme = add_sample(db, users["leader"])
    item = send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    before = crm_app.config.get("WTF_CSRF_ENABLED", True)
    crm_app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client_for("bob").post(f"/inbox/{item.id}/take").status_code == 400
    finally:
        crm_app.config["WTF_CSRF_ENABLED"] = before
    db.expire_all()
    assert db.get(InboxItem, item.id).user_id is None


def test_the_list_is_paginated_and_sortable(db, users, client_for, access_for, crm_app):
    crm_app.extensions["crm"].settings.setdefault("inboxes", {})["page_size"] = 5
    leader = access_for("leader")
    names = [f"Item {n:02d}" for n in range(7)]
    for n, name in enumerate(names):
        send(db, leader, add_sample(db, users["leader"], name), f"user:{users['admin'].id}",
             ("approve", "review")[n % 2])
    admin = client_for("admin")
    first = admin.get("/inbox/mine").get_data(as_text=True)
    assert "7 items" in first and "Page 1 of 2" in first
    assert re.findall(r"Item \d\d", first) == list(reversed(names))[:5]  # newest first
    second = admin.get("/inbox/mine?page=2").get_data(as_text=True)
    assert re.findall(r"Item \d\d", second) == ["Item 01", "Item 00"]
    by_action = admin.get("/inbox/mine?sort=action").get_data(as_text=True)
    assert re.findall(r"Item \d\d", by_action)[:4] == ["Item 00", "Item 02", "Item 04", "Item 06"]
    assert admin.get("/inbox/mine?page=x").status_code == 400
    assert admin.get("/inbox/mine?sort=bogus").status_code == 200  # an unknown sort falls back


def test_home_panel_counts_and_menu_entries(db, users, client_for, access_for):
    acme = add_sample(db, users["leader"])
    send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}")
    send(db, access_for("leader"), add_sample(db, users["ana"], "Ana's"), f"user:{users['ana'].id}")
    html = client_for("ana").get("/").get_data(as_text=True)
    assert re.search(r'id="inbox-count-mine">1<', html) and re.search(r'id="inbox-count-group">1<', html)
    assert 'data-session="inbox"' in html and 'data-session="group_inbox"' in html


def test_a_group_without_the_inbox_right_has_no_screen_and_no_panel(db, users, client_for):
    executives = group_id(db, "Executives")
    db.execute(Permission.__table__.update().where(Permission.group_id == executives,
                                                   Permission.session_name == "group_inbox").values(can_view=False))
    db.commit()
    ana = client_for("ana")
    assert ana.get("/inbox/group").status_code == 403
    assert 'id="inbox-count-group"' not in ana.get("/").get_data(as_text=True)


def test_the_inbox_speaks_spanish(db, users, client_for, access_for):
    acme = add_sample(db, users["leader"])
    send(db, access_for("leader"), acme, f"group:{group_id(db, 'Executives')}", "call_back")
    users["ana"].language = "es"
    db.commit()
    g.pop("_flask_babel", None)  # the test's app context (shared with its requests) cached English
    html = client_for("ana").get("/inbox/group").get_data(as_text=True)
    assert all(text in html for text in ("Bandeja del grupo", "Devolver la llamada", "Tomar", "Usted no puede ver"))
    with pytest.raises(BusinessRuleError, match="no puede ver este registro"), force_locale("es"), unit_of_work():
        services.send(db, samples(), access_for("ana"), add_sample(db, users["ana"]), f"user:{users['bob'].id}",
                      "review")


def test_a_crowded_inbox_is_counted_only_up_to_the_cap(db, users, client_for, access_for, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    for n in range(5):
        send(db, access_for("leader"), add_sample(db, users["leader"], f"Crowd {n}"), f"user:{users['admin'].id}")
    admin = client_for("admin")
    assert "more than 3 items" in admin.get("/inbox/mine").get_data(as_text=True)
    assert re.search(r'id="inbox-count-mine">3\+<', admin.get("/").get_data(as_text=True))
    assert queries.counts(db, access_for("admin"))["mine"] == 4  # the cap plus one: "more than"
