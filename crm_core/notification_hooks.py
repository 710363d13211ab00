"""The core's in-app notifications (issue 17 item 11), registered like a plugin before any
plugin: a record given to someone else tells them (created for them, its owner changed, a batch
imported for them), and the bell's screens. Mentions are told by the notes service itself."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, Flask
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import PeriodicJob, SessionDef
from crm_core.events import handles
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.notification_views import bp
from crm_core.plugins import hookimpl
from crm_core.services.notifications import assigned, notify, purge

PLUGIN = "core"


@hookimpl
@handles(every_session=True)
def crm_element_created(sdef: SessionDef, element: Any, user: User, db: DbSession) -> None:
    """A record created for someone else: its owner is told."""
    assigned(db, sdef, element, user)


@hookimpl
@handles(every_session=True)
def crm_elements_created(sdef: SessionDef, elements: list[Any], user: User, db: DbSession) -> None:
    """A batch (an import chunk) created for others: each owner is told once, with the count."""
    counts = Counter(e.owner_id for e in elements if e.owner_id != user.id)
    if not counts:
        return
    for owner in db.scalars(select(User).where(User.id.in_(sorted(counts)))):
        n = counts[owner.id]
        notify(db, [owner], "assigned",
               lambda n=n: _("%(actor)s imported %(n)d %(what)s for you.", actor=user.display_name(), n=n,
                             what=str(sdef.label).lower()),
               actor=user)


@hookimpl
@handles(every_session=True)
def crm_element_changed(sdef: SessionDef, element: Any, changes: dict[str, list[Any]], user: User,
                        db: DbSession) -> None:
    """A record's owner changed to someone else: the new owner is told."""
    if "owner_id" in changes:
        assigned(db, sdef, element, user)


@hookimpl
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    """Old notifications deleted by ``crm worker`` (``notifications_purge_every_seconds``,
    default every 6 hours; how long they are kept: ``services.notifications.purge``)."""
    every = crm_state().setting("core", "notifications_purge_every_seconds", 6 * 3600)
    return [PeriodicJob("core.notifications", every, purge)]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [bp]
