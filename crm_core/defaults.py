"""The core's own hookimpls, registered before any plugin (the core uses its own hooks).

Declares the Configuration module with the users, groups and permissions sessions, so access
to them is granted per group like any other session; the Tools module with the groupings
session (CORE-13); and the detail tabs every element has: notes (CORE-12), groupings (CORE-13)
and history (CORE-15).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import Module, PeriodicJob, SessionDef, Tab
from crm_core.errors import BusinessRuleError
from crm_core.events import handles
from crm_core.i18n import CORE_TRANSLATIONS
from crm_core.models.notes import Grouping
from crm_core.outbox_cli import worker
from crm_core.outbox_views import bp as outbox_bp
from crm_core.plugins import hookimpl
from crm_core.screens import tabs
from crm_core.services import groupings, notes, stalled_jobs


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("configuration", _l("Configuration"), order=1000), Module("tools", _l("Tools"), order=900)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [
        SessionDef("users", "configuration", _l("Users"), endpoint="admin.users", order=10),
        SessionDef("groups", "configuration", _l("Groups"), endpoint="admin.groups", order=20),
        SessionDef("permissions", "configuration", _l("Permissions"), endpoint="admin.permissions", order=30),
        SessionDef("menu", "configuration", _l("Menu"), endpoint="admin.menu", order=35),
        SessionDef("fields", "configuration", _l("Fields"), endpoint="admin.fields", order=37),
        SessionDef("vocabularies", "configuration", _l("Vocabularies"), endpoint="admin.vocabularies", order=38),
        SessionDef("outbox", "configuration", _l("Outbox"), endpoint="outbox.messages", order=40),
        SessionDef(
            groupings.SESSION,
            "tools",
            _l("Groupings"),
            singular=_l("Grouping"),
            model=Grouping,
            schema=groupings.GroupingSchema,
            columns=("name", "session_name", "description"),
            search=("name", "description"),
            default_sort="name",
            order=10,
        ),
    ]


@hookimpl
def crm_register_cli(cli: Any) -> None:
    """``crm worker`` (outbox delivery and periodic jobs), ``crm reporting`` (views for outside tools)."""
    from crm_core.reporting import reporting

    cli.add_command(worker)
    cli.add_command(reporting)


@hookimpl
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    """Import and bulk jobs whose process stopped are marked interrupted (every 5 minutes)."""
    return [PeriodicJob("core.stalled_jobs", stalled_jobs.EVERY_SECONDS, stalled_jobs.mark_stalled)]


@hookimpl
def crm_register_translations() -> list[str]:
    """The core's own catalogs (plugins with ``<package>/translations`` need no hook)."""
    return [str(CORE_TRANSLATIONS)]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    """The outbox configuration screen (queued, failed and dead integration messages)."""
    return [outbox_bp]


@hookimpl
def crm_detail_tabs(sdef: SessionDef) -> list[Tab]:
    out = [
        Tab("timeline", _l("Timeline"), tabs.render_timeline, order=5),
        Tab("notes", _l("Notes"), tabs.render_notes, order=900),
        Tab("history", _l("History"), tabs.render_history, order=990),
    ]
    if sdef.name == groupings.SESSION:
        out.append(Tab("members", _l("Members"), tabs.render_members, order=10))
    else:
        out.append(Tab("groupings", _l("Groupings"), tabs.render_groupings, order=910))
    return out


@hookimpl
@handles(sessions=(groupings.SESSION,))
def crm_element_changed(sdef: SessionDef, element: Any, changes: dict[str, list[Any]], db: DbSession) -> None:
    """A grouping's members belong to its session: moving it to another would mix kinds."""
    if sdef.name == groupings.SESSION and "session_name" in changes and element.members:
        raise BusinessRuleError(_("Remove the members before changing what the grouping holds."), field="session_name")


@hookimpl
@handles(every_session=True)
def crm_element_deleted(sdef: SessionDef, element: Any, db: DbSession) -> None:
    """A deleted element takes its notes and grouping memberships with it."""
    notes.delete_notes_of(db, element)
    if sdef.name != groupings.SESSION:
        groupings.forget_element(db, sdef, element)
