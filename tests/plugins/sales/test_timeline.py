"""A lead's timeline with the plugins that contribute to it (issue 17 item 2): the qualify action
reads "Qualified → Opportunity X, Account Y" with links, activities and calls the reader may see,
emails with their delivery state — and the composer adds an activity or an email in place,
through the same actions and validation as their own screens."""

from __future__ import annotations

import re

import pytest
from flask import g
from flask_babel import refresh
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.models.outbox import OutboxMessage
from crm_core.screens.timeline import timeline
from crm_core.services import elements
from plugins.activities.models import Activity
from plugins.sales.models import Account, Opportunity

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "messaging"])


def _entries(db, sdef, element, access):  # type: ignore[no-untyped-def]
    """The first page as ``access``'s user reads it (the test's request acts as that user)."""
    g.crm_access = access
    try:
        return timeline(db, sdef, element, access).entries
    finally:
        g.pop("crm_access")


def _activity(db, sdef, access, **data):  # type: ignore[no-untyped-def]
    """An activity linked to a lead, through the generic create service."""
    with unit_of_work():
        return elements.create(db, sdef("activities"), access,
                               {"starts_at": "2026-03-02T10:00:00+00:00", "session_name": "leads", **data})


def test_qualify_reads_qualified_with_links_to_what_it_created(create, action, db, sdef, access_for):
    lead = create("leads", "ana", name="Ferretería Ruiz", company="Ferretería Ruiz S.L.")
    action("leads", lead, "qualify", "ana", create_opportunity=True, opportunity_name="Tornillos")
    opportunity, account = db.scalar(select(Opportunity)), db.scalar(select(Account))
    qualified = _entries(db, sdef("leads"), lead, access_for("ana"))[0]
    assert qualified.title == "Qualified →"
    assert [link.url for link in qualified.links] == [f"/s/opportunities/{opportunity.id}", f"/s/accounts/{account.id}"]
    assert opportunity.display_name() in qualified.links[0].label and account.display_name() in qualified.links[1].label
    assert [(line.label, line.before, line.after) for line in qualified.lines][0] == ("Status", "Active", "Qualified")


def test_the_screen_shows_the_qualification_in_spanish(create, action, db, client_for, users):
    users["ana"].language = "es"
    db.commit()
    lead = create("leads", "ana", name="Hotel Sol", company="Hotel Sol S.A.")
    action("leads", lead, "qualify", "ana", create_opportunity=True)
    refresh()  # the action's messages fixed the test context's locale; the page picks ana's
    html = client_for("ana").get(f"/s/leads/{lead.id}?tab=timeline").get_data(as_text=True)
    assert "Cronología" in html and "Añadir una nota" in html
    assert re.search(r'href="/s/opportunities/\d+"', html) and re.search(r'href="/s/accounts/\d+"', html)
    assert ">qualified<" not in html and "owner_id" not in html


def test_activities_and_emails_join_the_stream_only_when_the_reader_may_see_them(
    create, db, sdef, access_for, users
):
    lead = create("leads", "ana", name="Bar Luna", company="Bar Luna", email="luna@example.com")
    mine = _activity(db, sdef, access_for("ana"), type="call", subject="First call", element_id=lead.id)
    with unit_of_work():
        elements.run_action(db, sdef("leads"), access_for("ana"), lead, "send_email",
                            {"subject": "Our offer", "body": "Hello"})
    entries = _entries(db, sdef("leads"), lead, access_for("ana"))
    kinds = {e.kind: e for e in entries}
    assert kinds["call"].title == "Call: First call" and kinds["call"].url == f"/s/activities/{mine.id}"
    assert kinds["call"].lines[0].after == "Planned" and kinds["call"].who == users["ana"].display_name()
    assert kinds["message"].title == "Email to luna@example.com: Our offer"
    assert kinds["message"].lines[0].after not in ("pending", "")


def test_the_composer_adds_an_activity_and_an_email_in_place(create, db, client_for):
    lead = create("leads", "ana", name="Café Sur", company="Café Sur", email="sur@example.com")
    ana = client_for("ana")
    html = ana.get(f"/s/leads/{lead.id}?tab=timeline").get_data(as_text=True)
    assert 'data-composer="add_activity"' in html and 'data-composer="send_email"' in html
    done = ana.post(f"/s/leads/{lead.id}/action/add_activity",
                    data={"tab": "timeline", "type": "meeting", "subject": "Visit", "starts_at": "2026-04-01T09:30",
                          "duration": "45", "description": ""})
    assert done.status_code == 302 and done.headers["Location"].endswith("tab=timeline")
    activity = db.scalar(select(Activity).where(Activity.subject == "Visit"))
    assert (activity.session_name, activity.element_id, activity.duration) == ("leads", lead.id, 45)
    refused = ana.post(f"/s/leads/{lead.id}/action/add_activity",
                       data={"tab": "timeline", "type": "meeting", "subject": "", "starts_at": "soon"})
    assert refused.status_code == 400 and 'data-error="subject"' in refused.get_data(as_text=True)
    assert db.scalar(select(Activity).where(Activity.subject == "")) is None
    sent = ana.post(f"/s/leads/{lead.id}/action/send_email",
                    data={"tab": "timeline", "subject": "Hello", "body": "Nice to meet you"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("tab=timeline")
    subjects = [m.payload.get("subject") for m in db.scalars(select(OutboxMessage).where(OutboxMessage.topic == "messaging.email"))]
    assert "Hello" in subjects
    page = ana.get(f"/s/leads/{lead.id}/timeline").get_data(as_text=True)
    assert "Meeting: Visit" in page and "Email to sur@example.com: Hello" in page


def test_an_activity_the_reader_may_not_see_is_left_out(create, db, sdef, access_for):
    lead = create("leads", "ana", name="Shared", company="Shared")
    _activity(db, sdef, access_for("leader"), type="task", subject="Leader's private task", element_id=lead.id)
    seen_by = {who: [e.title for e in _entries(db, sdef("leads"), lead, access_for(who))] for who in ("ana", "leader")}
    assert "Task: Leader's private task" in seen_by["leader"]
    assert all("Leader's private task" not in title for title in seen_by["ana"])
