"""Generate one activity per member of a grouping, in one transaction (ACT-03)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.services import elements
from plugins.activities.models import Activity
from tests.plugins.activities.support import ACTIVITIES_ONLY, EVENTS, utc

pytestmark = ACTIVITIES_ONLY


def acts():
    return crm_state().registry.sdef("activities")


def copies_of(db, element_ids):
    return list(db.scalars(select(Activity).where(Activity.element_id.in_(element_ids)).order_by(Activity.element_id)))


def test_executive_gets_one_copy_per_visible_member_and_others_are_skipped(
    db, access_for, users, add_sample, add_grouping, add_activity
):
    a1, a2, b1 = add_sample("ana", "A1"), add_sample("ana", "A2"), add_sample("bob", "B1")
    grouping = add_grouping("ana", [a1, a2, b1])
    template = add_activity("ana", utc(2026, 12, 20, 9), "Christmas card", type="letter", location="Post")
    with unit_of_work():
        result = elements.run_action(db, acts(), access_for("ana"), template, "generate", {"grouping_id": grouping.id})
    assert (result.created, result.skipped) == (2, 1)
    assert "2 activities created" in str(result)
    made = copies_of(db, [a1.id, a2.id, b1.id])
    assert [(m.element_id, m.owner_id, m.type, m.subject, m.location) for m in made] == [
        (a1.id, users["ana"].id, "letter", "Christmas card", "Post"),
        (a2.id, users["ana"].id, "letter", "Christmas card", "Post"),
    ]
    assert all(m.session_name == "samples" and m.link_type == "test_sample" and m.starts_at == template.starts_at for m in made)
    assert [kind for kind, _ in EVENTS] == ["scheduled", "scheduled", "generated"]
    assert EVENTS[-1][1] == made


def test_leader_plans_for_every_member_owned_by_its_owner(db, access_for, users, add_sample, add_grouping, add_activity):
    a1, b1 = add_sample("ana"), add_sample("bob")
    grouping = add_grouping("leader", [a1, b1])
    template = add_activity("leader", utc(2026, 12, 20, 9), "Visit")
    with unit_of_work():
        result = elements.run_action(
            db, acts(), access_for("leader"), template, "generate", {"grouping_id": grouping.id}
        )
    assert (result.created, result.skipped) == (2, 0)
    assert [m.owner_id for m in copies_of(db, [a1.id, b1.id])] == [users["ana"].id, users["bob"].id]


def test_an_empty_grouping_is_a_clear_error_and_creates_nothing(db, access_for, add_grouping, add_activity):
    grouping = add_grouping("ana", [])
    template = add_activity("ana", utc(2026, 12, 20, 9))
    before = db.scalar(select(func.count()).select_from(Activity))
    with pytest.raises(BusinessRuleError, match="no members") as err, unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), template, "generate", {"grouping_id": grouping.id})
    assert err.value.field == "grouping_id"
    assert db.scalar(select(func.count()).select_from(Activity)) == before
    assert EVENTS == []


def test_someone_elses_grouping_reads_as_missing(db, access_for, add_sample, add_grouping, add_activity):
    grouping = add_grouping("bob", [add_sample("bob")])
    template = add_activity("ana", utc(2026, 12, 20, 9))
    for grouping_id in (grouping.id, 999999):
        with pytest.raises(BusinessRuleError, match="No such grouping"), unit_of_work():
            elements.run_action(db, acts(), access_for("ana"), template, "generate", {"grouping_id": grouping_id})


def test_only_invisible_members_creates_none_and_says_so(db, access_for, add_sample, add_grouping, add_activity):
    grouping = add_grouping("ana", [add_sample("bob")])
    template = add_activity("ana", utc(2026, 12, 20, 9))
    with unit_of_work():
        result = elements.run_action(db, acts(), access_for("ana"), template, "generate", {"grouping_id": grouping.id})
    assert (result.created, result.skipped) == (0, 1)


def test_a_failing_listener_rolls_the_whole_generation_back(crm_app, db, access_for, add_sample, add_grouping,
                                                            add_activity):
    from crm_core.plugins import hookimpl

    class Refuse:
        @hookimpl
        def crm_activities_generated(self, grouping, activities, user, db):
            raise RuntimeError("listener failed")

    a1, a2 = add_sample("ana"), add_sample("ana")
    grouping = add_grouping("ana", [a1, a2])
    template = add_activity("ana", utc(2026, 12, 20, 9))
    crm_state().pm.register(Refuse(), name="refuse")
    with pytest.raises(RuntimeError), unit_of_work():
        elements.run_action(db, acts(), access_for("ana"), template, "generate", {"grouping_id": grouping.id})
    assert copies_of(db, [a1.id, a2.id]) == []
