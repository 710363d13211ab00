"""The main flows through the core's generic screens and REST API (ACT-02, ACT-03, ACT-06)."""

from __future__ import annotations

import re

from sqlalchemy import select

from plugins.activities.models import Activity
from tests.plugins.activities.support import ACTIVITIES_ONLY, EVENTS, utc

pytestmark = ACTIVITIES_ONLY


def form(**values):
    base = {"type": "call", "subject": "Call Acme", "description": "", "starts_at": "2026-03-29T12:00",
            "duration": "15", "location": "", "session_name": "", "element_id": ""}
    return {**base, **values}


def test_detail_tab_lists_the_elements_activities_the_viewer_may_see(client_for, add_sample, add_activity):
    acme = add_sample("ana")
    mine = add_activity("ana", utc(2026, 3, 29, 10), "Ana's task", type="task", session_name="samples", element_id=acme.id)
    leaders = add_activity("leader", utc(2026, 3, 29, 11), "Leader's visit", session_name="samples", element_id=acme.id)
    elsewhere = add_activity("ana", utc(2026, 3, 29, 12), "Unlinked")
    html = client_for("ana").get(f"/s/samples/{acme.id}?tab=activities").get_data(as_text=True)
    assert f'data-id="{mine.id}"' in html
    assert f'data-id="{leaders.id}"' not in html and f'data-id="{elsewhere.id}"' not in html
    assert f'href="/s/activities/new?session_name=samples&amp;element_id={acme.id}"' in html
    leader_view = client_for("leader").get(f"/s/samples/{acme.id}?tab=activities").get_data(as_text=True)
    assert f'data-id="{mine.id}"' in leader_view and f'data-id="{leaders.id}"' in leader_view


def test_activities_have_no_activities_tab_of_their_own(client_for, add_activity):
    activity = add_activity("ana", utc(2026, 3, 29, 10))
    html = client_for("ana").get(f"/s/activities/{activity.id}").get_data(as_text=True)
    assert "tab=activities" not in html


def test_new_activity_form_is_prefilled_with_the_element(client_for, add_sample):
    acme = add_sample("ana")
    response = client_for("ana").get(f"/s/activities/new?session_name=samples&element_id={acme.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(rf'name="element_id"[^>]*value="{acme.id}"|value="{acme.id}"[^>]*name="element_id"', html)
    assert re.search(r'<option value="samples" selected', html)


def test_creating_a_linked_task_from_the_form_uses_the_users_zone(client_for, in_zone, db, users, add_sample):
    in_zone("ana", "Europe/Madrid")
    acme = add_sample("ana")
    response = client_for("ana").post(
        "/s/activities/new", data=form(type="task", session_name="samples", element_id=str(acme.id),
                                       owner_id=str(users["ana"].id))
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    task = db.scalar(select(Activity).where(Activity.subject == "Call Acme"))
    assert task.starts_at == utc(2026, 3, 29, 10, 0)  # 12:00 CEST
    assert (task.session_name, task.element_id, task.type) == ("samples", acme.id, "task")
    assert [kind for kind, _ in EVENTS] == ["scheduled"]


def test_linking_to_bobs_element_from_the_form_is_refused_in_place(client_for, db, users, add_sample):
    bobs = add_sample("bob")
    response = client_for("ana").post(
        "/s/activities/new", data=form(session_name="samples", element_id=str(bobs.id), owner_id=str(users["ana"].id))
    )
    assert response.status_code == 400
    assert "The linked record does not exist or you may not see it." in response.get_data(as_text=True)
    assert db.scalar(select(Activity).where(Activity.subject == "Call Acme")) is None


def test_grid_searches_and_filters_only_own_activities(client_for, add_activity):
    mine = add_activity("ana", utc(2026, 3, 29, 10), "Kick-off Acme")
    done = add_activity("ana", utc(2026, 3, 28, 10), "Kick-off Beta", status="done")
    bobs = add_activity("bob", utc(2026, 3, 29, 10), "Kick-off Bob")
    html = client_for("ana").get("/s/activities?q=kick-off&status=planned").get_data(as_text=True)
    assert "Kick-off Acme" in html
    assert "Kick-off Beta" not in html and "Kick-off Bob" not in html
    assert mine.id and done.id and bobs.id


def test_complete_through_the_screen_then_it_is_no_longer_offered(client_for, db, add_activity):
    activity = add_activity("ana", utc(2026, 3, 29, 10))
    client = client_for("ana")
    assert client.post(f"/s/activities/{activity.id}/action/complete").status_code == 302
    db.refresh(activity)
    assert activity.status == "done"
    assert client.post(f"/s/activities/{activity.id}/action/cancel").status_code == 409


def test_generate_for_a_grouping_reports_the_count(client_for, add_sample, add_grouping, add_activity):
    grouping = add_grouping("ana", [add_sample("ana"), add_sample("bob")])
    template = add_activity("ana", utc(2026, 12, 20, 9), "Christmas card")
    client = client_for("ana")
    response = client.post(f"/s/activities/{template.id}/action/generate", data={"grouping_id": str(grouping.id)})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 activities created, 1 members skipped" in page


def test_api_creates_and_cancels_an_activity(client_for, add_sample):
    acme = add_sample("ana")
    client = client_for("ana")
    created = client.post(
        "/api/v1/activities",
        json={"type": "meeting", "subject": "Demo", "starts_at": "2026-03-29T12:00:00+02:00",
              "session_name": "samples", "element_id": acme.id},
    )
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["status"] == "planned" and item["starts_at"].startswith("2026-03-29T10:00:00")
    cancelled = client.post(f"/api/v1/activities/{item['id']}/actions/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.get_json()["item"]["status"] == "cancelled"
    again = client.post(f"/api/v1/activities/{item['id']}/actions/complete", json={})
    assert again.status_code == 422 and again.get_json()["error"]["message"]


def test_api_refuses_a_link_to_someone_elses_element(client_for, add_sample):
    bobs = add_sample("bob")
    response = client_for("ana").post(
        "/api/v1/activities",
        json={"type": "call", "subject": "Peek", "starts_at": "2026-03-29T12:00:00Z", "session_name": "samples",
              "element_id": bobs.id},
    )
    assert response.status_code in (400, 422)
    assert "element_id" in response.get_json()["error"]["fields"]


def test_listing_filters_by_type_and_date_range_of_own_activities(client_for, add_activity):
    add_activity("ana", utc(2026, 3, 10, 10), "March call")
    add_activity("ana", utc(2026, 3, 11, 10), "March meeting", type="meeting")
    add_activity("ana", utc(2026, 4, 10, 10), "April call")
    add_activity("bob", utc(2026, 3, 10, 10), "Bob's March call")
    response = client_for("ana").get(
        "/s/activities/listing?run=1&format=csv&f=type&op==&v=call&v2="
        "&f=starts_at&op=between&v=2026-03-01T00:00&v2=2026-03-31T23:59"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[-600:]
    body = response.get_data(as_text=True)
    assert "March call" in body
    assert "March meeting" not in body and "April call" not in body and "Bob's" not in body


def test_openapi_documents_the_activities_endpoints(client_for):
    doc = client_for("ana").get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    assert {"/api/v1/activities", "/api/v1/activities/{element_id}/actions/generate"} <= set(paths)
    assert "/api/v1/calendar" not in paths


def test_api_generate_reports_counts_and_the_created_activities(client_for, add_sample, add_grouping, add_activity):
    grouping = add_grouping("ana", [add_sample("ana"), add_sample("bob")])
    template = add_activity("ana", utc(2026, 12, 20, 9), "Christmas card")
    response = client_for("ana").post(f"/api/v1/activities/{template.id}/actions/generate", json={"grouping_id": grouping.id})
    assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert (result["created"], result["skipped"]) == (1, 1)
    assert [a["session_name"] for a in result["activities"]] == ["activities"]
    assert result["activities"][0]["item"]["subject"] == "Christmas card"


def test_the_linked_record_is_a_picker_in_the_chosen_area_never_a_bare_id(client_for, add_sample, add_activity):
    """Issue 17 item 6: the linked record is searched in the area chosen beside it, and an
    activity's form names and links the record it is linked to."""
    acme = add_sample("ana", name="Acme")
    activity = add_activity("ana", utc(2026, 3, 29, 10), session_name="samples", element_id=acme.id)
    ana = client_for("ana")
    new = ana.get("/s/activities/new").get_data(as_text=True)
    assert 'data-lookup-url="/s/__session__/lookup" data-lookup-from="f-session_name"' in new
    assert re.search(r'<input class="form-control" type="search" id="f-element_id"[^>]*role="combobox"', new)
    assert not re.search(r'<input[^>]*type="number"[^>]*name="element_id"', new)
    html = ana.get(f"/s/activities/{activity.id}?edit=1").get_data(as_text=True)
    assert re.search(r'id="f-element_id"[^>]*\n?[^>]*value="Acme"', html)
    assert f'<a href="/s/samples/{acme.id}" data-open="element_id">Open Acme</a>' in html
    read = ana.get(f"/s/activities/{activity.id}").get_data(as_text=True)  # read mode links it too
    assert f'href="/s/samples/{acme.id}">Acme</a>' in read
    assert ana.get("/s/samples/lookup?q=Acm").get_json() == [{"id": acme.id, "label": "Acme"}]
