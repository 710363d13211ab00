"""The core's own hookimpls, registered before any plugin (the core uses its own hooks).

Declares the Configuration module with the users, groups and permissions sessions, so access
to them is granted per group like any other session.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l

from crm_core.declarations import Module, SessionDef
from crm_core.plugins import hookimpl


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("configuration", _l("Configuration"), order=1000)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [
        SessionDef("users", "configuration", _l("Users"), endpoint="admin.users", order=10),
        SessionDef("groups", "configuration", _l("Groups"), endpoint="admin.groups", order=20),
        SessionDef("permissions", "configuration", _l("Permissions"), endpoint="admin.permissions", order=30),
        SessionDef("outbox", "configuration", _l("Outbox"), endpoint="outbox.messages", order=40),
    ]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    """The outbox configuration screen (queued, failed and dead integration messages)."""
    from crm_core.outbox_views import bp as outbox_bp

    return [outbox_bp]
