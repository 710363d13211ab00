"""Exercises of the question hooks: the asking code uses the answer as the docstring says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.errors import PluginError
from crm_core.models.auth import User
from crm_core.models.outbox import OutboxMessage
from crm_core.testing import make_plugin
from plugins.messaging.notifications import send_reminders
from tests.core.hook_exercises import Kit, exercise, record, start

PROBE_NUMBER = "+34 600 000 001"


def _find_by_phone(number: str, user: Any, db: Any) -> Any:
    return f"probe element for {user.username}" if number == PROBE_NUMBER else None


@exercise("crm_find_by_phone", _find_by_phone)
def find_by_phone_gives_the_first_answer(kit: Kit) -> None:
    ask = kit.app.extensions["crm"].pm.hook.crm_find_by_phone
    assert ask(number=PROBE_NUMBER, user=kit.users["ana"], db=kit.db) == "probe element for ana"
    assert ask(number="+34 600 000 999", user=kit.users["ana"], db=kit.db) is None
    rival = make_plugin("probe", crm_find_by_phone=_find_by_phone)
    with pytest.raises(PluginError, match="plugins probe and sales both answer crm_find_by_phone"):
        start("sales,probe", probe=rival)


NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _due(starts_from: datetime, starts_until: datetime, db: Any) -> list[Any]:
    record("crm_activities_due")((starts_from, starts_until))
    owner_id = db.scalar(select(User.id).where(User.username == "ana"))  # read through the asker's session
    return [SimpleNamespace(id=7, uid="probe-activity-7", element_type="probe_activity", owner_id=owner_id,
                            subject="Probe visit", starts_at=starts_from + timedelta(minutes=30))]


@exercise("crm_activities_due", _due, plugins=("messaging",))
def activities_due_feed_the_reminder_job(kit: Kit) -> None:
    assert send_reminders(NOW) == 1
    assert kit.calls("crm_activities_due") == [(NOW, NOW + timedelta(minutes=60))]
    message = kit.db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("msg:reminder:%")))
    assert message.idempotency_key == f"msg:reminder:probe-activity-7:{(NOW + timedelta(minutes=30)).isoformat()}"
    assert message.payload["to"] == "ana@example.com" and "Probe visit" in message.payload["body"]
    assert send_reminders(NOW) == 0  # asked again, nothing is queued twice
