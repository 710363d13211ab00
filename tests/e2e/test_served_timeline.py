"""The record timeline through ``crm serve`` over real HTTP (issue 17 item 2): a lead qualified
through the API reads "Qualified →" with links on its timeline; the composer's note, activity
and email are posted as a browser without script posts them (CSRF token included), refused
input changes nothing, the worker sends the email and its state shows on the timeline, and
"load more" pages follow one another without gaps."""

from __future__ import annotations

import re

from tests.support.served import csrf_token


def test_a_lead_timeline_served_end_to_end(production):
    ana = production.server.login("ana")
    lead = ana.post("/api/v1/leads", json={"name": "Served Timeline", "company": "Served Timeline S.L.",
                                            "email": "buyer@served-timeline.example"}).json()
    qualified = ana.post(f"/api/v1/leads/{lead['id']}/actions/qualify",
                         json={"create_opportunity": True, "opportunity_name": "Served deal"})
    assert qualified.status_code == 200, qualified.text
    path = f"/s/leads/{lead['id']}"
    page = ana.get(f"{path}?tab=timeline")
    assert page.status_code == 200 and "Qualified →" in page.text
    assert re.search(r'class="timeline-link" href="/s/opportunities/\d+"', page.text)

    token = csrf_token(ana, f"{path}?tab=timeline")
    for i in range(32):
        note = ana.post(f"{path}/notes", data={"csrf_token": token, "text": f"Served note {i}", "tab": "timeline"})
        assert note.status_code == 302 and note.headers["location"].endswith("tab=timeline")
    refused = ana.post(f"{path}/action/add_activity",
                       data={"csrf_token": token, "tab": "timeline", "type": "meeting", "subject": "", "starts_at": "x"})
    assert refused.status_code == 400 and 'data-error="subject"' in refused.text
    added = ana.post(f"{path}/action/add_activity",
                     data={"csrf_token": token, "tab": "timeline", "type": "meeting", "subject": "Served visit",
                           "starts_at": "2026-12-03T09:00", "duration": "30", "description": ""})
    assert added.status_code == 302, added.text
    sent = ana.post(f"{path}/action/send_email",
                    data={"csrf_token": token, "tab": "timeline", "subject": "Served offer", "body": "Hello"})
    assert sent.status_code == 302, sent.text
    worker = production.server.crm("worker", "--once")
    assert worker.returncode == 0, worker.stderr
    assert [m for m in production.inbox.messages if m["Subject"] == "Served offer"]

    keys: list[str] = []
    fragment = ana.get(f"{path}/timeline")
    assert "Meeting: Served visit" in fragment.text and "Email to buyer@served-timeline.example: Served offer" in fragment.text
    assert "Sent" in fragment.text
    while True:
        assert fragment.status_code == 200
        keys += re.findall(r'data-key="([^"]+)"', fragment.text)
        more = re.search(r'data-fragment="([^"]+)"', fragment.text)
        if not more:
            break
        fragment = ana.get(more.group(1).replace("&amp;", "&"))
    assert len(keys) == len(set(keys)) == 32 + 4  # notes, activity, email, qualification, creation
    bad = ana.get(f"{path}/timeline?before=not-a-moment")
    assert bad.status_code == 400
