"""Emails and SMS about a record on its timeline (issue 17 item 2): what was sent, to whom, and
its delivery state in words. Whoever may see the record sees its messages (as on the Messages tab)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import TimelineEntry, TimelineLine, outbox_history, outbox_status_label
from plugins.messaging.mail import EMAIL_TOPIC
from plugins.messaging.sms import SMS_TOPIC


def entries(db: DbSession, element: Any, before: datetime | None, limit: int) -> list[TimelineEntry]:
    """The newest ``limit`` emails and SMS about ``element`` at or before ``before``: one query."""
    out = []
    for message in outbox_history(db, element.element_type, element.id, limit=limit * 4, before=before):
        if message.topic not in (EMAIL_TOPIC, SMS_TOPIC):
            continue
        payload = message.payload or {}
        to = str(payload.get("to", ""))
        if message.topic == EMAIL_TOPIC:
            title = _("Email to %(to)s: %(subject)s", to=to, subject=payload.get("subject", ""))
            body = str(payload.get("body", "")) if payload.get("template") == "manual" else ""
        else:
            title, body = _("SMS to %(to)s", to=to), str(payload.get("text", ""))
        out.append(TimelineEntry(
            message.created_at, f"message:{message.id:012d}", "message", title, body=body,
            lines=(TimelineLine(_("Status"), None, outbox_status_label(message.status)),),
        ))
        if len(out) == limit:
            break
    return out
