"""Demo inbox items: requests between the demo users, on records of whatever sessions exist."""

from __future__ import annotations

from sqlalchemy import func, select

from crm_core.demo import make_demo_data
from plugins.inboxes import demo
from plugins.inboxes.models import InboxItem
from tests.plugins.inboxes.support import INBOXES, group_id

pytestmark = INBOXES


def test_demo_items_reach_users_and_groups_once(db, users):
    make_demo_data(db, users)  # the test-only samples plugin registers (and makes its data) after inboxes …
    assert db.scalar(select(func.count()).select_from(InboxItem)) == 0  # … so there was nothing to send yet
    demo.load(db, users)
    items = list(db.scalars(select(InboxItem).order_by(InboxItem.id)))
    assert len(items) == len(demo.PLAN)
    assert [i.user_id for i in items[:2]] == [users["leader"].id] * 2
    assert {i.group_id for i in items[2:]} == {group_id(db, "Executives")}
    assert {i.session_name for i in items} == {"samples", "locked_samples"}
    demo.load(db, users)
    assert db.scalar(select(func.count()).select_from(InboxItem)) == len(demo.PLAN)
