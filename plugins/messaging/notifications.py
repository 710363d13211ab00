"""Who is told what, and when (ACT-04, MSG-01; seed 3.1.2.4 "email to the owner").

Hooks run inside the business transaction: they render the email in the recipient's language
and enqueue it; the ``crm worker`` sends it. Reminders come from a periodic job that asks the
``crm_activities_due`` hook, so it works (and does nothing) when no plugin owns activities.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_datetime
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, crm_state, element_path, enqueue, enqueued, unit_of_work, utcnow
from plugins.messaging.mail import EMAIL_TOPIC, LANGUAGES, render_email
from plugins.messaging.sms import SMS_TOPIC


def _settings() -> dict[str, Any]:
    return crm_state().settings.get("messaging", {})


def recipient(db: DbSession, user_id: int | None) -> User | None:
    """The user to notify: active and with an email address, else nobody."""
    user = db.get(User, user_id) if user_id else None
    return user if user is not None and user.active and user.email else None


def when(moment: datetime, user: User) -> str:
    """``moment`` in the user's time zone and language (e.g. "23 nov 2026, 10:00:00")."""
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    lang = user.language if user.language in LANGUAGES else "en"
    return format_datetime(moment, "medium", tzinfo=zone, locale=lang)


def link(element: Any) -> str:
    """Absolute link to the element's detail screen: the ``base_url`` setting + the path the
    screens' URL rule gives (the home page when no session serves the element)."""
    return f"{_settings().get('base_url', '').rstrip('/')}{element_path(element) or '/'}"


def email_user(db: DbSession, user: User, template: str, context: dict[str, Any], key: str, element: Any) -> Any:
    """Render ``template`` for ``user`` and enqueue it (one message per ``key``)."""
    lang = user.language if user.language in LANGUAGES else "en"
    subject, body = render_email(template, lang, {**context, "recipient": user.full_name or user.username})
    payload = {"to": user.email, "subject": subject, "body": body, "language": lang, "template": template}
    return enqueue(db, EMAIL_TOPIC, payload, key, element=element)


def activity_scheduled(db: DbSession, activity: Any) -> None:
    """ACT-04: the owner of a new activity gets an email with its subject, time and link."""
    owner = recipient(db, activity.owner_id)
    if owner is None:
        return
    context = {
        "subject": activity.subject,
        "when": when(activity.starts_at, owner),
        "link": link(activity),
    }
    email_user(db, owner, "activity_scheduled", context, f"msg:scheduled:{activity.uid}", activity)


def activities_generated(db: DbSession, grouping: Any, activities: list[Any]) -> None:
    """The grouping's owner gets one summary of the activities generated for its members."""
    owner = recipient(db, getattr(grouping, "owner_id", None))
    if owner is None or not activities:
        return
    batch = hashlib.sha1(",".join(sorted(str(a.uid) for a in activities)).encode()).hexdigest()[:16]
    context = {
        "grouping": grouping.name,
        "count": len(activities),
        "subjects": sorted({a.subject for a in activities}),
        "link": link(grouping),
    }
    email_user(db, owner, "activities_generated", context, f"msg:generated:{grouping.uid}:{batch}", grouping)


def send_reminders(now: datetime | None = None) -> int:
    """Periodic job: remind owners of activities starting soon; returns how many were queued.

    Keyed by activity and start time, so running again (or in two workers) queues nothing twice,
    and a rescheduled activity is reminded again.
    """
    settings = _settings()
    now = now or utcnow()
    until = now + timedelta(minutes=settings.get("reminder_minutes", 60))
    queued = 0
    with unit_of_work() as db:
        hook = crm_state().pm.hook.crm_activities_due
        for activity in [a for part in hook(starts_from=now, starts_until=until, db=db) for a in part or []]:
            owner = recipient(db, activity.owner_id)
            key = f"msg:reminder:{activity.uid}:{activity.starts_at.isoformat()}"
            if owner is None or enqueued(db, key):
                continue
            context = {
                "subject": activity.subject,
                "when": when(activity.starts_at, owner),
                "link": link(activity),
            }
            email_user(db, owner, "activity_reminder", context, key, activity)
            if settings.get("sms_reminders") and settings.get("sms_url") and owner.phone:
                text = render_email("activity_reminder", owner.language, {**context, "recipient": owner.username})[0]
                enqueue(db, SMS_TOPIC, {"to": owner.phone, "text": text}, f"{key}:sms", element=activity)
            queued += 1
    return queued
