"""Smart lists (issue 18 item 7, CORE-13): a grouping defined by saved criteria — the grid's
filters — whose members are computed when used, for the user who uses it, through the grid's
query (ownership, row filters, field access); criteria checked when saved; shown with a count."""

from __future__ import annotations

import pytest

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.auth import FieldAccess
from crm_core.models.notes import Grouping
from crm_core.services import elements, groupings
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.fixture
def gdef(crm_app):
    return crm_state(crm_app).registry.sdef("groupings")


@pytest.fixture
def add(db, users):
    def make(owner: str, name: str, company: str = "", status: str = "active"):
        user = users[owner]
        element = sample.Sample(name=name, company=company, kind="sale", status=status, owner_id=user.id,
                                creator_id=user.id)
        db.add(element)
        db.commit()
        return element

    return make


def smart(db, gdef, access, criteria: str, name: str = "Acme people"):
    with unit_of_work():
        return elements.create(db, gdef, access, {"name": name, "session_name": "samples", "criteria": criteria})


def test_members_are_computed_when_used_for_the_user_who_uses_it(db, gdef, access_for, add):
    a1, _other, b1 = add("ana", "A1", "Acme"), add("ana", "A2", "Zenith"), add("bob", "B1", "Acme")
    grouping = smart(db, gdef, access_for("leader"), "q=acme")
    assert [e.id for e in groupings.members(db, grouping, access_for("leader")).elements] == [a1.id, b1.id]
    # ana sees her own records only, as on her grid; nothing is stored as a member
    found = groupings.members(db, grouping, access_for("ana"))
    assert [e.id for e in found.elements] == [a1.id] and found.smart and found.skipped == 0
    a3 = add("ana", "A3", "ACME Iberia")  # a record that starts to match is a member at once
    assert [e.id for e in groupings.members(db, grouping, access_for("ana")).elements] == [a1.id, a3.id]
    assert groupings.member_count(db, grouping, access_for("leader")) == 3
    assert db.get(Grouping, grouping.id).members == []


def test_status_and_field_filters_combine(db, gdef, access_for, add):
    add("ana", "A1", "Acme", status="active")
    closed = add("ana", "A2", "Acme", status="closed")
    grouping = smart(db, gdef, access_for("ana"), "status=closed&filter=company:contains:acm")
    assert [e.id for e in groupings.members(db, grouping, access_for("ana")).elements] == [closed.id]


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ("shoe=1", "Unknown criterion “shoe”"),
        ("filter=shoe_size:=:3", "Unknown field “shoe_size”"),
        ("filter=company:like:x", "Unknown operator “like”"),
        ("status=sleeping", "Unknown status “sleeping”"),
        ("filter=amount:>:lots", "amount:"),
        ("only=nope", "Unknown filter “nope”"),
        ("&", "Give at least one criterion"),
    ],
)
def test_criteria_are_checked_when_saved(client_for, db, criteria, message):
    response = client_for("ana").post(
        "/s/groupings/new", data={"name": "Bad", "session_name": "samples", "criteria": criteria}
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.query(Grouping).count() == 0


def test_members_of_a_smart_list_are_not_chosen_by_hand(db, gdef, access_for, add):
    a1 = add("ana", "A1", "Acme")
    grouping = smart(db, gdef, access_for("ana"), "q=acme")
    sdef = crm_state().registry.sdef("samples")
    with pytest.raises(BusinessRuleError, match="smart list"), unit_of_work():
        groupings.add_member(db, sdef, access_for("ana"), a1, grouping.id)


def test_a_field_hidden_from_the_user_cannot_select_members_for_them(db, gdef, access_for, add, users):
    add("ana", "A1", "Acme")
    grouping = smart(db, gdef, access_for("leader"), "filter=company:=:Acme")
    db.add(FieldAccess(group_id=users["ana"].group_id, session_name="samples", field_name="company", mode="hidden"))
    db.commit()
    with pytest.raises(BusinessRuleError, match="Unknown field"):
        groupings.members(db, grouping, access_for("ana"))
    assert len(groupings.members(db, grouping, access_for("leader")).elements) == 1


def test_the_members_tab_and_the_grid_show_and_offer_it(client_for, db, gdef, access_for, add):
    add("ana", "A1", "Acme")
    add("ana", "A2", "Acme")
    grouping = smart(db, gdef, access_for("ana"), "q=acme")
    client = client_for("ana")
    html = client.get(f"/s/groupings/{grouping.id}?tab=members").get_data(as_text=True)
    assert 'id="members-smart"' in html and "2 records match its criteria for you now." in html
    grid = client.get("/s/samples?q=acme&status=active").get_data(as_text=True)
    assert 'id="tool-smart-list"' in grid
    assert "criteria=q%3Dacme%26status%3Dactive" in grid
    assert 'id="tool-smart-list"' not in client.get("/s/samples").get_data(as_text=True)
    form = client.get("/s/groupings/new?session_name=samples&criteria=q%3Dacme").get_data(as_text=True)
    assert 'value="q=acme"' in form


def static(db, gdef, access, members, name: str = "Chosen"):
    """A static grouping of ``samples`` holding ``members`` (added through the service)."""
    sdef = crm_state().registry.sdef("samples")
    with unit_of_work():
        grouping = elements.create(db, gdef, access, {"name": name, "session_name": "samples"})
    with unit_of_work():
        for element in members:
            groupings.add_member(db, sdef, access, element, grouping.id)
    return grouping


def grid_names(html: str) -> list[str]:
    import re

    return re.findall(r'<tr data-id="\d+">.*?<a [^>]*>([^<]+)</a>', html, re.S)


def test_a_grid_export_listing_and_api_list_take_a_groupings_members(client_for, db, gdef, access_for, add):
    """``grouping=<id>`` restricts the one list query: static members or a smart list's matches,
    combined with the grid's other filters, on the grid, its exports, listings and the API."""
    a1, a2, a3 = add("ana", "Alpha", "Acme"), add("ana", "Beta", "Zenith"), add("ana", "Gamma", "Acme")
    chosen = static(db, gdef, access_for("ana"), [a1, a2])
    clever = smart(db, gdef, access_for("ana"), "q=acme")
    client = client_for("ana")
    grid = client.get(f"/s/samples?grouping={chosen.id}").get_data(as_text=True)
    assert 'id="grid-grouping"' in grid and "Members of Chosen" in grid
    assert sorted(grid_names(grid)) == ["Alpha", "Beta"]
    # the toolbar's export and listing take the rows the grid shows (they took every record)
    assert f"/s/samples/export?format=csv&amp;grouping={chosen.id}" in grid
    assert f"/s/samples/listing?grouping={chosen.id}" in grid
    assert sorted(grid_names(client.get(f"/s/samples?grouping={clever.id}").get_data(as_text=True))) == [
        "Alpha", "Gamma"]
    assert grid_names(client.get(f"/s/samples?grouping={chosen.id}&q=zen").get_data(as_text=True)) == ["Beta"]
    csv = client.get(f"/s/samples/export?format=csv&grouping={clever.id}").get_data(as_text=True)
    assert "Alpha" in csv and "Gamma" in csv and "Beta" not in csv
    listing = client.get(f"/s/samples/listing?run=1&format=html&grouping={chosen.id}").get_data(as_text=True)
    assert "Members of Chosen" in listing and "Alpha" in listing and "Gamma" not in listing
    api = client.get(f"/api/v1/samples?grouping={clever.id}").get_json()
    assert sorted(item["name"] for item in api["items"]) == ["Alpha", "Gamma"]
    assert a3.id in {item["id"] for item in api["items"]}


def test_a_grouping_the_user_cannot_see_is_unknown_everywhere(client_for, db, gdef, access_for, add):
    mine = add("bob", "Bobs", "Acme")
    bobs = static(db, gdef, access_for("bob"), [mine], name="Bob's own")
    client = client_for("ana")
    grid = client.get(f"/s/samples?grouping={bobs.id}", follow_redirects=True).get_data(as_text=True)
    assert f"Unknown grouping “{bobs.id}”: every record is shown." in grid and "Bob's own" not in grid
    for bad in (str(bobs.id), "999999"):
        api = client.get(f"/api/v1/samples?grouping={bad}")
        assert api.status_code == 400 and api.get_json()["error"]["fields"]["grouping"] == [
            f"Unknown grouping “{bad}”."]
        export = client.get(f"/s/samples/export?format=csv&grouping={bad}")
        assert export.status_code == 400 and "Bobs" not in export.get_data(as_text=True)
        listing = client.get(f"/s/samples/listing?run=1&grouping={bad}")
        assert listing.status_code == 400 and "Unknown grouping" in listing.get_data(as_text=True)
    assert client.get("/api/v1/samples?grouping=abc").status_code == 400
    # a leader sees bob's grouping and, with "all records", its member
    leader = client_for("leader").get(f"/s/samples?grouping={bobs.id}&all=1").get_data(as_text=True)
    assert grid_names(leader) == ["Bobs"]


def test_members_tab_opens_them_as_a_list(client_for, db, gdef, access_for, add):
    a1 = add("ana", "Alpha", "Acme")
    chosen = static(db, gdef, access_for("ana"), [a1])
    html = client_for("ana").get(f"/s/groupings/{chosen.id}?tab=members").get_data(as_text=True)
    assert f'href="/s/samples?grouping={chosen.id}"' in html
