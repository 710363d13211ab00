"""Groupings (CORE-13, CORE-05): a core session served by the generic screens, the groupings
tab on every element, and the ``members`` service the activities plugin relies on (ACT-03)."""

from __future__ import annotations

import re

import pytest

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.models.notes import Grouping, GroupingMember
from crm_core.services import elements, groupings
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.fixture
def gdef(crm_app):
    return crm_state(crm_app).registry.sdef("groupings")


@pytest.fixture
def make_grouping(db, access_for, gdef):
    def make(username, name="VIP", session_name="samples"):
        with unit_of_work():
            return elements.create(db, gdef, access_for(username), {"name": name, "session_name": session_name})

    return make


def test_groupings_session_is_in_the_tools_menu_for_executives(client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    assert 'data-session="groupings"' in html


def test_grouping_form_offers_the_grid_sessions(client_for):
    html = client_for("ana").get("/s/groupings/new").get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)"', html)
    assert "samples" in options and "locked_samples" in options and "groupings" not in options


def test_grouping_is_created_through_the_generic_detail(client_for, db):
    response = client_for("ana").post("/s/groupings/new", data={"name": "Big fish", "session_name": "samples",
                                                                "description": ""})
    assert response.status_code == 302
    assert db.query(Grouping).one().session_name == "samples"


def test_grouping_of_an_unknown_session_is_refused_in_place(client_for, db):
    response = client_for("ana").post("/s/groupings/new", data={"name": "X", "session_name": "nope"})
    assert response.status_code == 400
    assert 'data-error="session_name">Choose one of the listed sessions.' in response.get_data(as_text=True)
    assert db.query(Grouping).count() == 0


def test_a_duplicate_name_gets_a_clear_message(client_for, make_grouping, db):
    make_grouping("ana", "VIP")
    response = client_for("ana").post("/s/groupings/new", data={"name": "VIP", "session_name": "samples"})
    assert response.status_code == 400
    assert "already used by another record" in response.get_data(as_text=True)
    assert db.query(Grouping).count() == 1


def test_grid_shows_the_session_label_not_its_code(client_for, make_grouping):
    make_grouping("ana", "VIP", "locked_samples")
    html = client_for("ana").get("/s/groupings").get_data(as_text=True)
    assert '<td data-label="Elements of"><span>Locked samples</span></td>' in html


def test_add_and_remove_from_the_element_tab(client_for, make_sample, make_grouping, db):
    el, grouping = make_sample("ana", name="Acme"), make_grouping("ana")
    client = client_for("ana")
    tab = client.get(f"/s/samples/{el.id}?tab=groupings").get_data(as_text=True)
    assert f'data-grouping="{grouping.id}"' in tab and 'value="add"' in tab
    added = client.post(f"/s/samples/{el.id}/groupings", data={"grouping_id": grouping.id, "op": "add"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Added to VIP." in added and 'value="remove"' in added
    assert db.query(GroupingMember).filter_by(grouping_id=grouping.id, element_id=el.id).count() == 1
    client.post(f"/s/samples/{el.id}/groupings", data={"grouping_id": grouping.id, "op": "add"})
    assert db.query(GroupingMember).count() == 1
    client.post(f"/s/samples/{el.id}/groupings", data={"grouping_id": grouping.id, "op": "remove"})
    assert db.query(GroupingMember).count() == 0


def test_tab_lists_only_groupings_of_the_elements_session(client_for, make_sample, make_grouping):
    el = make_sample("ana", name="Acme")
    make_grouping("ana", "For samples")
    make_grouping("ana", "For locked", "locked_samples")
    tab = client_for("ana").get(f"/s/samples/{el.id}?tab=groupings").get_data(as_text=True)
    assert "For samples" in tab and "For locked" not in tab


def test_grouping_of_another_session_is_refused(client_for, make_sample, make_grouping, db):
    el, other = make_sample("ana", name="Acme"), make_grouping("ana", "L", "locked_samples")
    html = client_for("ana").post(f"/s/samples/{el.id}/groupings", data={"grouping_id": other.id, "op": "add"},
                                  follow_redirects=True).get_data(as_text=True)
    assert "holds elements of another kind" in html
    assert db.query(GroupingMember).count() == 0


def test_ana_cannot_use_bobs_grouping(client_for, make_sample, make_grouping, db):
    el, his = make_sample("ana", name="Acme"), make_grouping("bob", "Bob's")
    response = client_for("ana").post(f"/s/samples/{el.id}/groupings", data={"grouping_id": his.id, "op": "add"})
    assert response.status_code == 404
    assert db.query(GroupingMember).count() == 0
    assert "Bob&#39;s" not in client_for("ana").get(f"/s/samples/{el.id}?tab=groupings").get_data(as_text=True)


def test_bad_operation_or_grouping_id_changes_nothing(client_for, make_sample, make_grouping, db):
    el, grouping = make_sample("ana", name="Acme"), make_grouping("ana")
    client = client_for("ana")
    html = client.post(f"/s/samples/{el.id}/groupings", data={"grouping_id": grouping.id, "op": "zap"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Unknown operation." in html
    assert client.post(f"/s/samples/{el.id}/groupings", data={"grouping_id": "x", "op": "add"}).status_code == 404
    assert db.query(GroupingMember).count() == 0


def test_members_service_hides_what_the_reader_may_not_see(db, access_for, make_sample, make_grouping):
    mine, his = make_sample("ana", name="Mine"), make_sample("bob", name="His")
    grouping = make_grouping("leader", "Mixed")
    leader = access_for("leader")
    with unit_of_work():
        samples = crm_state().registry.sdef("samples")
        groupings.add_member(db, samples, leader, mine, grouping.id)
        groupings.add_member(db, samples, leader, his, grouping.id)
    everyone = groupings.members(db, grouping, leader)
    assert sorted(e.name for e in everyone.elements) == ["His", "Mine"] and everyone.skipped == 0
    ana_view = groupings.members(db, grouping, access_for("ana"))
    assert [e.name for e in ana_view.elements] == ["Mine"] and ana_view.skipped == 1


def test_grouping_detail_lists_its_visible_members(client_for, db, access_for, make_sample, make_grouping):
    el = make_sample("ana", name="Member Co")
    grouping = make_grouping("ana")
    with unit_of_work():
        groupings.add_member(db, crm_state().registry.sdef("samples"), access_for("ana"), el, grouping.id)
    html = client_for("ana").get(f"/s/groupings/{grouping.id}?tab=members").get_data(as_text=True)
    assert f'data-member="{el.id}"' in html and "Member Co" in html


def test_session_of_a_grouping_with_members_cannot_change(db, access_for, gdef, make_sample, make_grouping):
    el, grouping = make_sample("ana", name="Acme"), make_grouping("ana")
    ana = access_for("ana")
    with unit_of_work():
        groupings.add_member(db, crm_state().registry.sdef("samples"), ana, el, grouping.id)
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.update(db, gdef, ana, grouping, {"session_name": "locked_samples"})
    db.refresh(grouping)
    assert grouping.session_name == "samples"


def test_deleting_an_element_removes_its_memberships(client_for, db, access_for, make_sample, make_grouping):
    el, grouping = make_sample("ana", name="Acme"), make_grouping("ana")
    with unit_of_work():
        groupings.add_member(db, crm_state().registry.sdef("samples"), access_for("ana"), el, grouping.id)
    client_for("ana").post(f"/s/samples/{el.id}/delete")
    assert db.query(GroupingMember).count() == 0


def test_others_groupings_are_not_found_through_the_generic_screens(client_for, make_grouping):
    his = make_grouping("bob", "Bob's")
    assert client_for("ana").get(f"/s/groupings/{his.id}").status_code == 404
    assert "Bob&#39;s" not in client_for("ana").get("/s/groupings?all=1").get_data(as_text=True)
