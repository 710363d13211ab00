"""Demo activities (``crm demo``): overdue, today, tomorrow and the next weeks for each user.

Idempotent: every demo activity has a fixed uid derived from its user and number, so running
the demo again adds nothing. Links go to elements of whatever sessions are enabled (found
through the registry, never by importing another plugin).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, crm_state
from plugins.activities.calendar import local_today, user_zone
from plugins.activities.models import Activity
from plugins.activities.services import SESSION

DEMO_NAMESPACE = uuid.UUID("6f1c1e8e-4a34-4c1e-9a9d-0d6d1c0a7e11")
#: (days from today, local hour, type, subject, duration, status)
PLAN = (
    (-3, 10, "call", "Follow-up call about the offer", 15, "planned"),
    (-1, 16, "letter", "Send the signed contract", 30, "done"),
    (0, 9, "meeting", "Weekly pipeline review", 60, "planned"),
    (0, 12, "call", "Call back about delivery dates", 15, "planned"),
    (1, 11, "meeting", "Product demo at the client", 90, "planned"),
    (1, 17, "task", "Prepare the quarterly report", 120, "planned"),
    (7, 10, "fax", "Fax the price list", 10, "planned"),
    (14, 15, "meeting", "Contract renewal meeting", 60, "planned"),
)


def _linkable(db: DbSession, user: User) -> list[tuple[str, Any]]:
    """Up to one element owned by ``user`` in each other session (to show linked activities)."""
    found = []
    for sdef in crm_state().registry.grid_sessions():
        if sdef.name == SESSION:
            continue
        conds = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
        element = db.scalar(select(sdef.model).where(sdef.model.owner_id == user.id, *conds).limit(1))
        if element is not None:
            found.append((sdef.name, element))
    return found


def load(db: DbSession, users: dict[str, User]) -> int:
    """Add the demo activities that are missing; returns how many were added."""
    added = 0
    for username in ("ana", "bob", "leader"):
        user = users.get(username)
        if user is None:
            continue
        zone = user_zone(user)
        today = local_today(zone)
        links = _linkable(db, user)
        for number, (offset, hour, kind, subject, duration, status) in enumerate(PLAN):
            uid = str(uuid.uuid5(DEMO_NAMESPACE, f"{username}-{number}"))
            if db.scalar(select(Activity.id).where(Activity.uid == uid)) is not None:
                continue
            local = datetime.combine(today + timedelta(days=offset), time(hour), tzinfo=zone)
            session_name, element = links[number % len(links)] if links and number % 2 == 0 else (None, None)
            db.add(
                Activity(
                    uid=uid,
                    type=kind,
                    subject=subject,
                    starts_at=local.astimezone(UTC),
                    duration=duration,
                    status=status,
                    done_at=local.astimezone(UTC) if status == "done" else None,
                    session_name=session_name,
                    element_id=element.id if element is not None else None,
                    owner_id=user.id,
                    creator_id=user.id,
                )
            )
            added += 1
    db.flush()
    return added
