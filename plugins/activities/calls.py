"""Calls as activities (TEL-01: "calls are logged as activities"): each call the telephony
plugin records becomes a done activity of type call, linked to the same client, so it shows on
the client's Activities tab, in the history and on the calendar. Activities learns of calls only
through telephony's ``crm_calls_recorded`` event (an optional hook: it runs without telephony).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from plugins.activities.models import Activity


def _subject(call: Any) -> str:
    if call.direction == "outbound":
        return _("Call to %(number)s", number=call.number or "?")
    return _("Call from %(number)s", number=call.number or "?")


def _description(call: Any) -> str:
    lines = [
        _("Result: %(result)s; rang %(ring)d s, talked %(talk)d s.", result=call.result, ring=call.ring_seconds,
          talk=call.talk_seconds)
    ]
    if call.notes:
        lines.append(call.notes)
    if call.recording_url:
        lines.append(_("Recording: %(url)s", url=call.recording_url))
    return "\n".join(lines)


def log_calls(db: DbSession, calls: Sequence[Any]) -> list[Activity]:
    """One done call activity per call, owned by the call's agent, linked to its client."""
    activities = [
        Activity(
            type="call",
            subject=_subject(call)[:200],
            description=_description(call),
            starts_at=call.started_at,
            duration=math.ceil(call.talk_seconds / 60),
            status="done",
            done_at=call.started_at + timedelta(seconds=call.ring_seconds + call.talk_seconds),
            session_name=call.session_name,
            element_id=call.element_id,
            owner_id=call.owner_id,
            creator_id=call.owner_id,
        )
        for call in calls
    ]
    db.add_all(activities)
    db.flush()
    return activities
