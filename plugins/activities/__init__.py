"""Activities, calendar and the home agenda (ACT-01..03, ACT-05, ACT-06, CORE-07).

Registration only; the rules live in ``services``, the reads in ``agenda``, the pages in
``views`` and ``panels``. The plugin never imports another business plugin: elements of other
sessions reach it through the registry and the hooks.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Module, Panel, PluginMeta, SessionDef, Tab, User, crm_state, hookimpl
from plugins.activities import agenda, demo, panels, views
from plugins.activities.services import SESSION, check_link, unlink_deleted
from plugins.activities.sessions import ACTIVITIES, CALENDAR, MODULE

meta = PluginMeta(description="Meetings, calls, faxes, letters, tasks; calendar", requires_contract=">=2.0,<3")


@hookimpl
def crm_register_modules() -> list[Module]:
    return [MODULE]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [ACTIVITIES, CALENDAR]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp]


@hookimpl
def crm_detail_tabs(session: SessionDef) -> list[Tab]:
    return panels.detail_tabs(session)


@hookimpl
def crm_home_panels(user: User) -> list[Panel]:
    return panels.home_panels(user)


@hookimpl
def crm_element_created(session: SessionDef, element: Any, user: User, db: DbSession) -> None:
    """A new activity must link to a visible element; then its owner is told (ACT-04 listens)."""
    if session.name != SESSION:
        return
    check_link(db, element, user)
    crm_state().pm.hook.crm_activity_scheduled(activity=element, user=user, db=db)


@hookimpl
def crm_element_changed(
    session: SessionDef, element: Any, changes: dict[str, list[Any]], user: User, db: DbSession
) -> None:
    """Re-linking an activity obeys the same rule as creating it."""
    if session.name == SESSION and ("session" in changes or "element_id" in changes):
        check_link(db, element, user)


@hookimpl
def crm_element_deleted(session: SessionDef, element: Any, user: User, db: DbSession) -> None:
    """Activities of a deleted record are kept, unlinked."""
    if session.name != SESSION:
        unlink_deleted(db, element)


@hookimpl
def crm_activities_due(starts_from: datetime, starts_until: datetime, db: DbSession) -> list[Any]:
    """Planned activities starting soon, for the messaging plugin's reminders (MSG-01)."""
    return agenda.due(db, starts_from, starts_until)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)
