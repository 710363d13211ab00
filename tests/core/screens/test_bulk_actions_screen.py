"""The grid's bulk actions (issue 17 item 5): value, confirmation, per-record report, without
JavaScript — on ticked rows or on every row the filters match, through the permission rules."""

from __future__ import annotations

import pytest

from crm_core.db import unit_of_work
from crm_core.models.notes import GroupingMember
from crm_core.services import elements
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def test_grid_offers_the_bulk_bar_to_users_who_may_modify(client_for, guest_client, make_sample):
    make_sample("ana", name="A")
    html = client_for("ana").get("/s/samples").get_data(as_text=True)
    assert 'id="grid-bulk"' in html and '<option value="delete">' in html and 'name="ids"' in html
    guest_html = guest_client.get("/s/samples").get_data(as_text=True)
    assert 'id="grid-bulk"' not in guest_html and 'name="ids"' not in guest_html


def test_bulk_delete_asks_first_then_reports_each_record(client_for, make_sample, db):
    a, b = make_sample("ana", name="A"), make_sample("ana", name="B")
    client = client_for("ana")
    page = client.post("/s/samples/bulk", data={"action": "delete", "ids": [a.id, b.id]})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="bulk-question"' in html and "Delete these 2 records?" in html
    assert db.get(Sample, a.id) is not None
    done = client.post("/s/samples/bulk", data={"action": "delete", "ids": [a.id, b.id], "confirm": "1"})
    assert done.status_code == 200
    assert "2 done, 0 refused." in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, a.id) is None and db.get(Sample, b.id) is None


def test_someone_elses_ticked_row_is_refused_alone_and_not_named(client_for, make_sample, db):
    mine, his = make_sample("ana", name="Mine"), make_sample("bob", name="His secret")
    response = client_for("ana").post("/s/samples/bulk", data={"action": "delete", "ids": [mine.id, his.id],
                                                               "confirm": "1"})
    html = response.get_data(as_text=True)
    assert "1 done, 1 refused." in html and "His secret" not in html
    assert f'data-id="{his.id}" data-result="refused"' in html
    db.expire_all()
    assert db.get(Sample, mine.id) is None and db.get(Sample, his.id) is not None


def test_view_only_users_and_non_deletable_sessions_are_refused(guest_client, client_for, make_sample, locked, db):
    el = make_sample("ana", name="A")
    assert guest_client.post("/s/samples/bulk", data={"action": "delete", "ids": [el.id],
                                                      "confirm": "1"}).status_code == 403
    response = client_for("ana").post("/s/locked_samples/bulk", data={"action": "delete", "ids": [locked.id],
                                                                      "confirm": "1"}, follow_redirects=True)
    assert "Choose one of the offered actions." in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, el.id) is not None and db.get(Sample, locked.id) is not None


def test_reassign_owner_asks_for_the_user_then_confirms_then_gives(client_for, make_sample, users, db):
    a, b = make_sample("ana", name="A"), make_sample("bob", name="B")
    leader = client_for("leader")
    form = {"action": "owner", "ids": [a.id, b.id]}
    first = leader.post("/s/samples/bulk", data=form).get_data(as_text=True)
    assert 'id="bulk-value"' in first and f'<option value="{users["bob"].id}">' in first
    second = leader.post("/s/samples/bulk", data={**form, "value": users["bob"].id}).get_data(as_text=True)
    assert "Give these 2 records to Bob" in second and 'id="confirm"' in second
    db.expire_all()
    assert db.get(Sample, a.id).owner_id == users["ana"].id  # nothing written before confirming
    done = leader.post("/s/samples/bulk", data={**form, "value": users["bob"].id, "confirm": "1"})
    assert "2 done, 0 refused." in done.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, a.id).owner_id == users["bob"].id


def test_an_unknown_value_changes_nothing(client_for, make_sample, db, users):
    a = make_sample("ana", name="A")
    page = client_for("leader").post("/s/samples/bulk", data={"action": "owner", "ids": [a.id], "value": "999999",
                                                              "confirm": "1"})
    assert "Choose one of the listed values." in page.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, a.id).owner_id == users["ana"].id


def test_all_that_match_takes_the_grids_filters_and_shows_the_count(client_for, make_sample, db):
    for name in ("Acme 1", "Acme 2", "Other"):
        make_sample("ana", name=name)
    make_sample("bob", name="Acme bob")
    client = client_for("ana")
    form = {"action": "delete", "scope": "all", "q": "Acme"}
    page = client.post("/s/samples/bulk", data=form).get_data(as_text=True)
    assert "Delete these 2 records?" in page and "Acme bob" not in page
    done = client.post("/s/samples/bulk", data={**form, "confirm": "1"}).get_data(as_text=True)
    assert "2 done, 0 refused." in done
    db.expire_all()
    assert sorted(s.name for s in db.query(Sample)) == ["Acme bob", "Other"]


def test_add_to_a_static_grouping(client_for, make_sample, db, access_for, crm_app):
    from crm_core.app import crm_state

    gdef = crm_state(crm_app).registry.sdef("groupings")
    with unit_of_work():
        vip = elements.create(db, gdef, access_for("ana"), {"name": "VIP", "session_name": "samples"})
        smart = elements.create(db, gdef, access_for("ana"), {"name": "Smart", "session_name": "samples",
                                                              "criteria": "q=A"})
    a = make_sample("ana", name="A")
    client = client_for("ana")
    first = client.post("/s/samples/bulk", data={"action": "grouping", "ids": [a.id]}).get_data(as_text=True)
    assert f'<option value="{vip.id}">VIP</option>' in first and f'value="{smart.id}"' not in first
    done = client.post("/s/samples/bulk", data={"action": "grouping", "ids": [a.id], "value": vip.id,
                                                "confirm": "1"}).get_data(as_text=True)
    assert "1 done, 0 refused." in done
    assert db.query(GroupingMember).filter_by(grouping_id=vip.id, element_id=a.id).count() == 1


def test_ticked_ids_past_64_bits_are_refused_and_nothing_is_deleted(client_for, make_sample, db):
    element = make_sample("ana")
    response = client_for("ana").post("/s/samples/bulk", data={"action": "delete",
                                                               "ids": [str(element.id), "9" * 30], "confirm": "1"})
    assert response.status_code == 400
    assert db.get(Sample, element.id) is not None
