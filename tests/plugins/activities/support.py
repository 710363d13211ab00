"""Shared pieces of the activities tests: the plugin set and a recorder of its event hooks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from crm_core.testing import make_plugin
from tests.support import sample

EVENTS: list[tuple[str, Any]] = []

recorder = make_plugin(
    "recorder",
    crm_activity_scheduled=lambda activity, user, db: EVENTS.append(("scheduled", activity)),
    crm_activities_generated=lambda grouping, activities, user, db: EVENTS.append(("generated", activities)),
)
#: The activities plugin alone, the test-only "samples" session to link to, and the recorder.
ACTIVITIES_ONLY = pytest.mark.crm(
    plugins=["activities", "sample", "recorder"], extra_plugins={"sample": sample, "recorder": recorder}
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
