"""iCalendar export (ACT-05): RFC 5545 through ``icalendar``, only the calendar owner's events."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from tests.plugins.activities.support import ACTIVITIES_ONLY, utc

pytestmark = ACTIVITIES_ONLY


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_export_holds_exactly_the_users_activities_in_utc(client_for, in_zone, add_activity):
    in_zone("ana", "Europe/Madrid")
    meeting = add_activity(
        "ana", utc(2026, 3, 29, 10, 0), "Review", type="meeting", duration=90, location="Room 1",
        description="Quarterly numbers",
    )
    dropped = add_activity("ana", utc(2026, 3, 30, 8, 0), "Dropped", status="cancelled")
    add_activity("bob", utc(2026, 3, 29, 10, 0), "Bob's")
    found = events(client_for("ana").get("/activities/calendar.ics"))
    assert set(found) == {meeting.uid, dropped.uid}
    event = found[meeting.uid]
    assert event.decoded("DTSTART") == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2026, 3, 29, 11, 30, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Review" and str(event["LOCATION"]) == "Room 1"
    assert str(event["DESCRIPTION"]) == "Quarterly numbers" and str(event["STATUS"]) == "CONFIRMED"
    assert str(found[dropped.uid]["STATUS"]) == "CANCELLED"
    assert b"DTSTART:20260329T100000Z" in client_for("ana").get("/activities/calendar.ics").data


def test_executive_cannot_export_someone_elses_calendar(client_for, users, add_activity):
    add_activity("bob", utc(2026, 3, 29, 10, 0), "Bob's")
    assert client_for("ana").get(f"/activities/calendar.ics?user={users['bob'].id}").status_code == 404


def test_admin_exports_the_picked_users_calendar(client_for, users, add_activity):
    bobs = add_activity("bob", utc(2026, 3, 29, 10, 0), "Bob's")
    add_activity("ana", utc(2026, 3, 29, 10, 0), "Ana's")
    found = events(client_for("admin").get(f"/activities/calendar.ics?user={users['bob'].id}"))
    assert set(found) == {bobs.uid}


def test_stored_control_characters_never_reach_the_calendar_file(client_for, add_activity):
    """RFC 5545 text holds no control characters; stored ones become U+FFFD (NF-02)."""
    odd = add_activity("ana", utc(2026, 3, 29, 10, 0), "x\u001bx 😀", location="Room\u0007", description="a\u0001b")
    response = client_for("ana").get("/activities/calendar.ics")
    assert not any(c in response.data for c in (b"\x1b", b"\x07", b"\x01"))
    event = events(response)[odd.uid]
    assert str(event["SUMMARY"]) == "x\ufffdx 😀" and str(event["LOCATION"]) == "Room\ufffd"
    assert str(event["DESCRIPTION"]) == "a\ufffdb"
