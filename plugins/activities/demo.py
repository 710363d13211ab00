"""Demo activities (``crm demo``): overdue, today, tomorrow and the next weeks for each user,
then a quarter of a sales team's work (:func:`load_quarter`): six weeks back, mostly done, a few
overdue or cancelled, six weeks ahead, planned, each working day during working hours, most linked
to the user's own records.

Idempotent: every demo activity has a fixed uid derived from its user and number (the quarter's
from its user and date), so running the demo again adds nothing. Links go to elements of
whatever sessions are enabled (found through the registry, never by importing another plugin);
``PluginMeta.demo_after`` makes those records first.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, crm_state, insert_elements
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
#: The quarter: working days this far back and ahead of today, this many activities a day.
QUARTER_DAYS = 42
PER_DAY = (1, 4)
#: (type, subject in the owner's language, duration): what a sales team does all day.
WORK = {
    "es": (("call", "Llamada de seguimiento", 15), ("call", "Confirmar pedido", 10),
           ("meeting", "Visita comercial", 60), ("meeting", "Presentación de la oferta", 90),
           ("task", "Preparar presupuesto", 45), ("task", "Revisar condiciones del contrato", 30),
           ("letter", "Enviar contrato firmado", 20), ("fax", "Enviar tarifa por fax", 10)),
    "en": (("call", "Follow-up call", 15), ("call", "Confirm the order", 10),
           ("meeting", "Sales visit", 60), ("meeting", "Offer presentation", 90),
           ("task", "Prepare the quote", 45), ("task", "Review the contract terms", 30),
           ("letter", "Send the signed contract", 20), ("fax", "Fax the price list", 10)),
}


def load(db: DbSession, users: dict[str, User]) -> int:
    """Add the demo activities that are missing; returns how many were added."""
    added = 0
    for username in ("ana", "bob", "leader"):
        user = users.get(username)
        if user is None:
            continue
        zone = user_zone(user)
        today = local_today(zone)
        links = _linkables(db, user, per_session=1)
        uids = [str(uuid.uuid5(DEMO_NAMESPACE, f"{username}-{number}")) for number in range(len(PLAN))]
        existing = set(db.scalars(select(Activity.uid).where(Activity.uid.in_(uids))))
        for number, (offset, hour, kind, subject, duration, status) in enumerate(PLAN):
            uid = uids[number]
            if uid in existing:
                continue
            local = datetime.combine(today + timedelta(days=offset), time(hour), tzinfo=zone)
            session_name, element_id = links[number % len(links)] if links and number % 2 == 0 else (None, None)
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
                    element_id=element_id,
                    owner_id=user.id,
                    creator_id=user.id,
                )
            )
            added += 1
    db.flush()
    return added


def _linkables(db: DbSession, user: User, per_session: int = 40) -> list[tuple[str, int]]:
    """Up to ``per_session`` of ``user``'s own records in each other grid session."""
    found: list[tuple[str, int]] = []
    for sdef in crm_state().registry.grid_sessions():
        if sdef.name == SESSION:
            continue
        conds = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
        stmt = select(sdef.model.id).where(sdef.model.owner_id == user.id, *conds).order_by(sdef.model.id)
        found.extend((sdef.name, pk) for pk in db.scalars(stmt.limit(per_session)))
    return found


def _working_days(today: date) -> list[date]:
    days = (today + timedelta(days=n) for n in range(-QUARTER_DAYS, QUARTER_DAYS + 1))
    return [d for d in days if d.weekday() < 5]


def load_quarter(db: DbSession, users: dict[str, User]) -> int:
    """Add what is missing of the quarter of activities (see the module docstring); returns how
    many were added. Written in one batch per user with their audit rows."""
    registry = crm_state().registry
    added = 0
    for username in ("ana", "bob", "leader"):
        user = users.get(username)
        if user is None:
            continue
        zone = user_zone(user)
        today = local_today(zone)
        now = datetime.now(UTC)
        links = _linkables(db, user)
        work = WORK["es" if (user.language or "").startswith("es") else "en"]
        planned: list[dict[str, Any]] = []
        for day in _working_days(today):
            rng = random.Random(f"{username}-{day.isoformat()}")  # the same day gives the same plan
            hours = sorted(rng.sample(range(9, 18), rng.randint(*PER_DAY)))
            for number, hour in enumerate(hours):
                kind, subject, duration = rng.choice(work)
                local = datetime.combine(day, time(hour, rng.choice((0, 15, 30))), tzinfo=zone)
                starts = local.astimezone(UTC)
                roll = rng.random()
                if starts >= now:
                    status = "planned"
                else:
                    status = "done" if roll < 0.85 else ("planned" if roll < 0.95 else "cancelled")
                session_name, element_id = rng.choice(links) if links and roll < 0.8 else (None, None)
                model = registry.sdef(session_name).model if session_name else None
                planned.append({
                    "uid": str(uuid.uuid5(DEMO_NAMESPACE, f"{username}-{day.isoformat()}-{number}")),
                    "type": kind, "subject": subject, "duration": duration, "status": status,
                    "starts_at": starts, "done_at": starts + timedelta(minutes=duration) if status == "done" else None,
                    "session_name": session_name, "element_id": element_id,
                    "link_type": model.__element_type__ if model is not None else None,
                    "owner_id": user.id, "created_at": min(starts - timedelta(days=rng.randint(1, 10)), now),
                })
        existing = set(db.scalars(select(Activity.uid).where(Activity.uid.in_([p["uid"] for p in planned]))))
        missing = [p for p in planned if p["uid"] not in existing]
        insert_elements(db, Activity, missing)
        added += len(missing)
    return added
