"""Email and SMS through the outbox: notifications, reminders, templates (MSG-01, ACT-04).

Hooks render and enqueue; the ``crm worker`` sends (SMTP, HTTP SMS provider) with retries.
Every message is listed on its element's "Messages" tab with its delivery status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, has_app_context
from flask_babel import lazy_gettext as _l

from crm_core.toolkit import PeriodicJob, PluginMeta, SessionDef, Tab, hookimpl
from plugins.messaging import hookspecs, timeline
from plugins.messaging.settings import MessagingSettings

meta = PluginMeta(
    hookspecs=hookspecs,
    description="Email (SMTP) and SMS notifications and reminders",
    settings_schema=MessagingSettings,
    requires_contract=">=2.1,<3",
)


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [
        SessionDef("message_templates", "configuration", _l("Message templates"),
                   endpoint="messaging.templates", order=50),
    ]


@hookimpl
def crm_timeline_entries(element: Any, db: Any, before: Any, limit: int) -> list[Any]:
    """Emails and SMS about the record on its timeline."""
    return timeline.entries(db, element, before, limit)


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    from plugins.messaging.views import bp

    return [bp]


@hookimpl
def crm_register_outbox_handlers() -> dict[str, Any]:
    from plugins.messaging.mail import EMAIL_TOPIC, deliver_email
    from plugins.messaging.sms import SMS_TOPIC, deliver_sms

    return {EMAIL_TOPIC: deliver_email, SMS_TOPIC: deliver_sms}


@hookimpl
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    from crm_core.toolkit import crm_state
    from plugins.messaging.notifications import send_reminders

    every = crm_state().setting("messaging", "reminder_every_seconds", 300) if has_app_context() else 300
    return [PeriodicJob("messaging.reminders", every, send_reminders)]


@hookimpl
def crm_element_actions(sdef: SessionDef) -> list[Any]:
    from plugins.messaging.actions import email_actions

    return email_actions(sdef)


@hookimpl(optionalhook=True)  # activities owns the event; messaging runs without it (MSG-01)
def crm_activity_scheduled(activity: Any, db: Any) -> None:
    from plugins.messaging.notifications import activity_scheduled

    activity_scheduled(db, activity)


@hookimpl(optionalhook=True)
def crm_activities_generated(grouping: Any, activities: list[Any], db: Any) -> None:
    from plugins.messaging.notifications import activities_generated

    activities_generated(db, grouping, activities)


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    from plugins.messaging.views import render_history

    return [Tab("messages", _l("Messages"), render_history, order=90)]


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.messaging import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.messaging import privacy

    privacy.erase(plan, db)
