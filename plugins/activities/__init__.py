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

from crm_core.toolkit import Access, Kpi, Module, Panel, PluginMeta, SessionDef, Tab, User, crm_state, handles, hookimpl
from plugins.activities import agenda, compose, demo, hookspecs, panels, timeline, views
from plugins.activities.services import SESSION, check_links, unlink_deleted
from plugins.activities.sessions import ACTIVITIES, CALENDAR, MODULE
from plugins.activities.settings import ActivitiesSettings

meta = PluginMeta(
    description="Meetings, calls, faxes, letters, tasks; calendar",
    requires_contract=">=2.1,<3",
    hookspecs=hookspecs,
    settings_schema=ActivitiesSettings,
    demo_after=("sales", "purchasing", "cases"),  # demo activities link to their records
)


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
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    return panels.detail_tabs(sdef)


@hookimpl
def crm_element_actions(sdef: SessionDef) -> list[Any]:
    """"Add activity" on every other record (the timeline's composer offers it in place)."""
    return compose.compose_actions(sdef)


@hookimpl
def crm_timeline_entries(element: Any, access: Access, db: DbSession, before: Any, limit: int) -> list[Any]:
    """Activities and calls linked to the record, on its timeline."""
    return timeline.entries(db, access, element, before, limit)


@hookimpl
def crm_home_panels(user: User) -> list[Panel]:
    return panels.home_panels(user)


@hookimpl
def crm_kpis(user: User) -> list[Kpi]:
    return panels.kpis(user)


@hookimpl
@handles(sessions=(SESSION,))
def crm_element_created(element: Any, access: Access, db: DbSession) -> None:
    """A new activity must link to a visible element; then its owner is told (ACT-04 listens)."""
    crm_elements_created([element], access, db)


@hookimpl
@handles(sessions=(SESSION,))
def crm_elements_created(elements: list[Any], access: Access, db: DbSession) -> None:
    """An import batch of activities: the links are checked in one query per linked area."""
    check_links(db, elements, access)
    for activity in elements:
        crm_state().pm.hook.crm_activity_scheduled(activity=activity, user=access.user, db=db)


@hookimpl
@handles(sessions=(SESSION,))
def crm_element_changed(element: Any, changes: dict[str, list[Any]], access: Access, db: DbSession) -> None:
    """Re-linking an activity obeys the same rule as creating it."""
    if "session_name" in changes or "element_id" in changes:
        check_links(db, [element], access)


@hookimpl
@handles(every_session=True)
def crm_element_deleted(sdef: SessionDef, element: Any, db: DbSession) -> None:
    """Activities of a deleted record are kept, unlinked (any session may hold linked ones)."""
    if sdef.name != SESSION:
        unlink_deleted(db, element)


@hookimpl(optionalhook=True)
def crm_activities_due(starts_from: datetime, starts_until: datetime, db: DbSession) -> list[Any]:
    """Planned activities starting soon, for the messaging plugin's reminders (MSG-01); optional
    because messaging owns the question and may not be enabled."""
    return agenda.due(db, starts_from, starts_until)


@hookimpl
def crm_demo_data(db: DbSession, users: dict[str, User]) -> None:
    demo.load(db, users)
    demo.load_quarter(db, users)


@hookimpl(optionalhook=True)
def crm_calls_recorded(calls: list[Any], db: DbSession) -> None:
    """Telephony stored calls: each is logged as a done call activity on its client."""
    from plugins.activities.calls import log_calls

    log_calls(db, calls)


@hookimpl(optionalhook=True)  # sales owns the 360 view; activities runs without it
def crm_client_360_sections(related: dict[str, list[int]], access: Access, db: DbSession) -> list[Any]:
    from plugins.activities.client360 import sections

    return sections(related, access, db)


@hookimpl
def crm_personal_data_find(plan: Any, db: Any) -> Any:
    from plugins.activities import privacy

    return privacy.find(plan, db)


@hookimpl
def crm_personal_data_erase(plan: Any, db: Any) -> None:
    from plugins.activities import privacy

    privacy.erase(plan, db)
