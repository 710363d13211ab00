"""Demo data for telephony (``crm demo``): a few answered, missed and outbound calls per demo user
over the last days, linked to their clients by number like the PBX's calls. Repeatable: a call
id already stored is skipped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from crm_core.toolkit import User, audit, e164, utcnow
from plugins.telephony import services
from plugins.telephony.models import Call

#: (hours ago, direction, number, result, ring seconds, talk seconds)
PLAN = (
    (2, "inbound", "+34 912 345 678", "answered", 8, 240),
    (5, "inbound", "+34 600 111 222", "missed", 25, 0),
    (26, "outbound", "+44 20 7946 0958", "answered", 6, 95),
    (50, "inbound", "+34 933 000 111", "busy", 0, 0),
)


def load(db: Any, users: dict[str, User]) -> None:
    now = utcnow()
    for username, user in sorted(users.items()):
        if user.is_admin:
            continue
        made: list[Call] = []
        for number, (hours, direction, phone, result, ring, talk) in enumerate(PLAN):
            call_id = f"demo-{username}-{number}"
            if db.scalar(select(Call.id).where(Call.call_id == call_id)) is not None:
                continue
            made.append(Call(call_id=call_id, direction=direction, number=phone, number_e164=e164(phone),
                             result=result, started_at=now - timedelta(hours=hours), ring_seconds=ring,
                             talk_seconds=talk, owner_id=user.id, creator_id=user.id))
        if made:
            with audit.audit_context(user=user, action="demo"):
                db.add_all(made)
                db.flush()
                services.calls_created(db, user, made)
