"""The interactive calendar's JSON feed and drag-to-reschedule (ACT-05, issue 17 item 8): the
feed shows only what the viewer may see, in their wall-clock time; a move goes through the
activity form's rules and a refused one changes nothing."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from crm_core.app import create_app
from crm_core.errors import ConfigError
from plugins.activities.models import Activity
from plugins.activities.settings import ActivitiesSettings
from tests.plugins.activities.support import ACTIVITIES_ONLY, utc

pytestmark = ACTIVITIES_ONLY


def test_the_feed_gives_the_viewers_activities_in_local_time(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    mine = add_activity("ana", utc(2026, 3, 28, 23, 30), "after midnight in Madrid", duration=45)
    add_activity("bob", utc(2026, 3, 10, 11, 0), "bob's")
    add_activity("ana", utc(2026, 5, 1, 9, 0), "outside the range")
    answer = client_for("ana").get("/activities/calendar/events?start=2026-03-23T00:00:00Z&end=2026-04-06T00:00:00Z")
    assert answer.status_code == 200
    events = answer.get_json()
    assert [e["title"] for e in events] == ["after midnight in Madrid"]
    event = events[0]
    assert event["id"] == str(mine.id) and event["editable"] is True
    assert (event["start"], event["end"]) == ("2026-03-29T00:30", "2026-03-29T01:15")
    assert event["url"].endswith(f"/s/activities/{mine.id}")


def test_only_leaders_see_someone_elses_feed(client_for, add_activity, users):
    add_activity("bob", utc(2026, 3, 10, 11, 0), "bob's")
    bob = users["bob"].id
    url = f"/activities/calendar/events?start=2026-03-01&end=2026-03-31&user={bob}"
    assert [e["title"] for e in client_for("leader").get(url).get_json()] == ["bob's"]
    assert client_for("ana").get(url).status_code in (403, 404)


def test_bad_or_huge_ranges_are_refused_with_a_message(client_for):
    client = client_for("ana")
    for query, words in [
        ("start=yesterday&end=2026-03-31", "2026-03-29"),
        ("start=2026-01-01&end=2026-12-31", "at most 62 days"),
        ("end=2026-12-31", "first and the last day"),
        ("start=0001-01-01&end=0001-01-20", "out of range"),
    ]:
        answer = client.get(f"/activities/calendar/events?{query}")
        assert answer.status_code == 400 and words in answer.get_json()["error"], query


def test_dragging_moves_the_activity_in_the_viewers_zone(client_for, in_zone, add_activity, db):
    in_zone("ana", "Europe/Madrid")
    activity = add_activity("ana", utc(2026, 3, 10, 9, 0), "visit", duration=30)
    answer = client_for("ana").post(
        f"/activities/calendar/{activity.id}/move", data={"start": "2026-03-12T16:00", "minutes": "90"}
    )
    assert answer.status_code == 200 and answer.get_json()["ok"] is True
    db.expire_all()
    moved = db.get(Activity, activity.id)
    assert moved.starts_at == utc(2026, 3, 12, 15, 0) and moved.duration == 90


def test_refused_moves_change_nothing_and_say_why(client_for, add_activity, db):
    done = add_activity("ana", utc(2026, 3, 10, 9, 0), "done call", status="done")
    planned = add_activity("ana", utc(2026, 3, 10, 11, 0), "planned call")
    bobs = add_activity("bob", utc(2026, 3, 10, 12, 0), "bob's")
    client = client_for("ana")
    refused = client.post(f"/activities/calendar/{done.id}/move", data={"start": "2026-03-12T16:00"})
    assert refused.status_code == 409 and "Only planned activities" in refused.get_json()["message"]
    bad = client.post(f"/activities/calendar/{planned.id}/move", data={"start": "soon", "minutes": "-5"})
    assert bad.status_code == 409 and bad.get_json()["ok"] is False and bad.get_json()["message"]
    assert client.post(f"/activities/calendar/{bobs.id}/move", data={"start": "2026-03-12T16:00"}).status_code in (403, 404)
    db.expire_all()
    assert db.get(Activity, done.id).starts_at == utc(2026, 3, 10, 9, 0)
    assert db.get(Activity, planned.id).starts_at == utc(2026, 3, 10, 11, 0)
    assert db.get(Activity, planned.id).duration == 30
    assert db.get(Activity, bobs.id).starts_at == utc(2026, 3, 10, 12, 0)


def test_working_hours_settings_are_checked():
    assert ActivitiesSettings().load({}) == {"working_hours_start": 8, "working_hours_end": 19}
    with pytest.raises(ValidationError, match="must end after it starts"):
        ActivitiesSettings().load({"working_hours_start": 18, "working_hours_end": 9})
    with pytest.raises(ValidationError):
        ActivitiesSettings().load({"working_hours_start": 25})


def test_a_client_with_a_day_that_ends_before_it_starts_does_not_start(tmp_path):
    client = tmp_path / "late"
    client.mkdir()
    (client / "customer.toml").write_text(
        '[plugins]\nenabled = ["activities"]\n[settings.activities]\nworking_hours_start = 18\nworking_hours_end = 9\n'
    )
    with pytest.raises(ConfigError, match=r"\[settings.activities.working_hours_end\].*must end after it starts"):
        create_app({"CRM_ENV": "testing", "CRM_SECRET_KEY": "x" * 40, "CRM_DATABASE_URL": "sqlite://",
                    "CRM_OVERRIDES_DIR": str(tmp_path), "CRM_CUSTOMER": "late"})


def test_the_page_carries_the_calendar_widget_and_no_inline_script(client_for):
    html = client_for("ana").get("/activities/calendar?view=week&date=2026-03-10").get_data(as_text=True)
    assert 'id="calendar"' in html and 'data-view="timeGridWeek"' in html and 'data-date="2026-03-10"' in html
    assert 'data-day-start="08:00"' in html and "/vendor/fullcalendar/index.global.min." in html
    assert "<script>" not in html
