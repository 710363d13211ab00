"""The record timeline (issue 17 item 2): change sets and notes merged newest first, one entry
per change set, labels and names instead of codes and ids, references the reader may not see
left unnamed, paging without gaps, and a number of SQL statements that does not grow with the
record's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app, g
from sqlalchemy import insert

from crm_core.db import unit_of_work
from crm_core.declarations import TimelineEntry
from crm_core.models.audit import AuditEntry
from crm_core.models.notes import Note
from crm_core.screens.timeline import merge, shown_changes, timeline
from crm_core.services import elements, notes
from crm_core.testing import sql_statements
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def _page(db, samples, element, access, before=None, limit=30):  # type: ignore[no-untyped-def]
    """A page as ``access``'s user reads it (the test's request acts as that user)."""
    g.crm_access = access
    try:
        return timeline(db, samples, element, access, before, limit)
    finally:
        g.pop("crm_access")


def test_entries_are_newest_first_one_per_change_set_with_labels_not_codes(
    db, samples, make_sample, access_for, users
):
    ana = access_for("ana")
    parent = make_sample("ana", name="Parent Co")
    mine = make_sample("ana", name="Acme")
    with unit_of_work():
        elements.update(db, samples, ana, mine, {"company": "Acme SA", "phone": "600 100 200"})
    with unit_of_work():
        notes.add_note(db, samples, ana, mine, "Called, wants an offer", None, 10_000)
    with unit_of_work():
        elements.run_action(db, samples, ana, mine, "set_stage", {"stage": "offer"})
    with unit_of_work():
        elements.update(db, samples, access_for("leader"), mine, {"parent_id": parent.id, "owner_id": users["bob"].id})
    entries = _page(db, samples, mine, access_for("leader")).entries
    assert [e.kind for e in entries] == ["change", "change", "note", "change", "change"]
    reassigned, staged, note, edited, created = entries
    assert {(line.label, line.after) for line in reassigned.lines} == {
        ("Parent", "Parent Co"), ("Owner", users["bob"].display_name())
    }
    assert next(line for line in reassigned.lines if line.label == "Parent").url == f"/s/samples/{parent.id}"
    assert [(line.label, line.before, line.after) for line in staged.lines] == [("Stage", "New", "Offer")]
    assert "Set stage" in staged.title
    assert note.body == "Called, wants an offer" and note.who == users["ana"].display_name()
    assert reassigned.who == users["leader"].display_name()
    assert sorted((line.label, line.after) for line in edited.lines) == [("Company", "Acme SA"), ("Phone", "600 100 200")]
    assert created.title == "Created" and created.lines == ()
    assert all(e.who for e in entries)
    assert all(line.label not in ("owner_id", "parent_id", "stage") for e in entries for line in e.lines)


def test_dates_and_amounts_read_as_the_locale_writes_them(db, samples, make_sample, access_for):
    mine = make_sample("ana", name="Dated")
    with unit_of_work():
        elements.update(db, samples, access_for("ana"), mine, {"due": "2026-03-09", "amount": "1234.50"})
    lines = {line.label: line.after for line in _page(db, samples, mine, access_for("ana")).entries[0].lines}
    assert lines == {"Due date": "3/9/26", "Amount": "1,234.5"}


def test_a_reference_the_reader_may_not_see_is_neither_named_nor_linked(db, samples, make_sample, access_for):
    hidden = make_sample("bob", name="Secret Bob Co")
    mine = make_sample("ana", name="Mine")
    with unit_of_work():  # the leader, who sees both, links ana's record to bob's
        elements.update(db, samples, access_for("leader"), mine, {"parent_id": hidden.id})
    line = _page(db, samples, mine, access_for("ana")).entries[0].lines[0]
    assert (line.label, line.after, line.url) == ("Parent", "a record you may not see", None)


def test_only_fields_of_the_schema_are_shown(db, samples, access_for):
    changes = {"company": ["a", "b"], "kind": ["sale", "purchase"], "uid": ["x", "y"], "not_a_field": [1, 2]}
    assert shown_changes(samples, access_for("ana"), changes) == {"company": ["a", "b"], "kind": ["sale", "purchase"]}


def _entry(minute: int, key: str) -> TimelineEntry:
    return TimelineEntry(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute), key, "change", key)


def test_merge_never_skips_an_entry_of_a_source_that_answered_in_full():
    full = [_entry(100 - i, f"a{i}") for i in range(3)]  # 3 = limit + 1: it may hold more
    sparse = [_entry(10, "b0"), _entry(1, "b1")]
    page = merge([full, sparse], None, 2)
    assert [e.key for e in page.entries] == ["a0", "a1"] and page.more
    cursor = (page.entries[-1].at, page.entries[-1].key)
    rest = merge([[_entry(98, "a2"), _entry(50, "a3")], sparse], cursor, 2)
    assert [e.key for e in rest.entries] == ["a2", "a3"] and rest.more is not None or rest.entries


def test_paging_walks_the_whole_history_without_gaps_or_repeats(db, samples, make_sample, access_for, users):
    mine = make_sample("ana", name="Busy")
    _fill(db, mine, users["ana"].id, 70)
    ana, seen, before = access_for("ana"), [], None
    for _ in range(10):
        page = _page(db, samples, mine, ana, before, limit=30)
        seen.extend(page.entries)
        before = page.more
        if before is None:
            break
    keys = [e.key for e in seen]
    assert len(keys) == len(set(keys)) == 71  # 70 filled + the creation
    assert [(e.at, e.key) for e in seen] == sorted(((e.at, e.key) for e in seen), reverse=True)


def _fill(db, element, user_id: int, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` entries, half changes and half notes, some sharing one moment (ties)."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    changes = [{"element_type": element.element_type, "element_id": element.id, "user_id": user_id,
                "at": start + timedelta(minutes=i // 3), "action": "update", "operation": "update",
                "object_type": None, "changes": {"company": [f"c{i}", f"c{i + 1}"], "status": ["active", "closed"]}}
               for i in range(n // 2)]
    texts = [{"element_type": element.element_type, "element_id": element.id, "creator_id": user_id,
              "text": f"note {i}", "size": 0, "created_at": start + timedelta(minutes=i // 3)} for i in range(n - n // 2)]
    with unit_of_work():
        db.execute(insert(AuditEntry), changes)
        db.execute(insert(Note), texts)


def test_a_thousand_entries_render_with_the_statements_of_ten(db, client_for, make_sample, users):
    few, many = make_sample("ana", name="Few"), make_sample("ana", name="Many")
    _fill(db, few, users["ana"].id, 10)
    _fill(db, many, users["ana"].id, 1000)
    ana = client_for("ana")
    counts = []
    for element in (few, many, few, many):
        engine = current_app.extensions["crm_db"].engine
        with sql_statements(engine, markers=False) as seen:
            response = ana.get(f"/s/samples/{element.id}?tab=timeline")
        assert response.status_code == 200
        counts.append(len(seen))
    html = response.get_data(as_text=True)
    assert html.count('class="timeline-entry') == 30 and "Load more" in html
    assert counts[2] == counts[3] <= 25, counts


def test_the_screen_shows_labels_loads_more_and_refuses_a_bad_cursor(db, client_for, make_sample, users):
    mine = make_sample("ana", name="Screen")
    _fill(db, mine, users["ana"].id, 40)
    ana = client_for("ana")
    html = ana.get(f"/s/samples/{mine.id}?tab=timeline").get_data(as_text=True)
    assert "Closed" in html and ">closed<" not in html and "Company" in html
    assert 'id="timeline-composer"' in html and "/timeline." in html
    more = html.split('data-fragment="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    rest = ana.get(more)
    assert rest.status_code == 200 and rest.get_data(as_text=True).count('class="timeline-entry') == 11
    bad = ana.get(f"/s/samples/{mine.id}/timeline?before=yesterday")
    assert bad.status_code == 400 and "is not a position in the timeline" in bad.get_data(as_text=True)


def test_the_composer_adds_a_note_and_comes_back_to_the_timeline(client_for, make_sample, db, samples, access_for):
    mine = make_sample("ana", name="Composer")
    ana = client_for("ana")
    html = ana.get(f"/s/samples/{mine.id}?tab=timeline").get_data(as_text=True)
    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = ana.post(f"/s/samples/{mine.id}/notes", data={"csrf_token": token, "text": "From the timeline", "tab": "timeline"})
    assert response.status_code == 302 and response.headers["Location"].endswith("tab=timeline")
    assert _page(db, samples, mine, access_for("ana")).entries[0].body == "From the timeline"


def test_a_viewer_sees_the_timeline_without_the_composer(guest_client, make_sample, guest):
    mine = make_sample("leader", name="Viewed", owner_id=guest.id)  # the guest's, who may only view
    html = guest_client.get(f"/s/samples/{mine.id}?tab=timeline").get_data(as_text=True)
    assert 'id="timeline-entries"' in html and 'id="timeline-composer"' not in html
