"""Fixtures for the activities tests: direct inserts of activities, samples and groupings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from crm_core.models.notes import Grouping, GroupingMember
from plugins.activities.models import Activity
from tests.plugins.activities.support import EVENTS
from tests.support import sample


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    EVENTS.clear()


@pytest.fixture
def add_activity(db: Any, users: dict[str, Any]) -> Callable[..., Activity]:
    """Insert and commit an activity directly (the rules under test are elsewhere)."""

    def make(owner: str, starts_at: datetime, subject: str = "Call", **values: Any) -> Activity:
        user = users[owner]
        activity = Activity(
            type=values.pop("type", "call"),
            subject=subject,
            starts_at=starts_at,
            owner_id=user.id,
            creator_id=user.id,
            **values,
        )
        db.add(activity)
        db.commit()
        return activity

    return make


@pytest.fixture
def add_sample(db: Any, users: dict[str, Any]) -> Callable[..., Any]:
    def make(owner: str, name: str = "Acme") -> Any:
        user = users[owner]
        element = sample.Sample(name=name, kind="sale", owner_id=user.id, creator_id=user.id)
        db.add(element)
        db.commit()
        return element

    return make


@pytest.fixture
def add_grouping(db: Any, users: dict[str, Any]) -> Callable[..., Grouping]:
    def make(owner: str, members: list[Any], name: str = "Christmas") -> Grouping:
        user = users[owner]
        grouping = Grouping(name=name, session_name="samples", owner_id=user.id, creator_id=user.id)
        db.add(grouping)
        db.flush()
        for element in members:
            db.add(GroupingMember(grouping_id=grouping.id, element_id=element.id))
        db.commit()
        return grouping

    return make


@pytest.fixture
def in_zone(db: Any, users: dict[str, Any]) -> Callable[[str, str], None]:
    def set_zone(username: str, zone: str) -> None:
        users[username].timezone = zone
        db.commit()

    return set_zone
