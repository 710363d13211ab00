"""First-run data: default groups, their default permissions and the first administrator."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession

from crm_core.db import unit_of_work
from crm_core.declarations import SessionDef
from crm_core.models.auth import ACTIONS, Group, KnownSession, Permission, User
from crm_core.registry import Registry
from crm_core.security.passwords import hash_password

CONFIG_MODULE = "configuration"


@dataclass(frozen=True)
class DefaultGroup:
    """A group ``crm init`` creates, and the rights it gets on a session when it first appears."""

    description: str
    sees_all: bool
    rights: Callable[[SessionDef], set[str]]


def _business(actions: set[str]) -> Callable[[SessionDef], set[str]]:
    return lambda sdef: set() if sdef.module == CONFIG_MODULE else actions


DEFAULT_GROUPS = {
    "Administrators": DefaultGroup("Administrators of the CRM", False, lambda _sdef: set(ACTIONS)),
    "Leaders": DefaultGroup("Sales leaders: see every record, change owners", True, _business(set(ACTIONS))),
    "Executives": DefaultGroup("Sales executives: work on their own records", False, _business({"view", "modify"})),
}


def ensure_groups(db: DbSession, registry: Registry) -> dict[str, Group]:
    """Administrators, Leaders and Executives, then the client's own ``[groups]``; default rights
    are given, never overwritten.

    A default group gets its rights on every session when it is created; an existing group keeps
    whatever an administrator set (``crm init`` and ``crm demo`` run on every start of
    ``scripts/run``). Sessions that appeared since the last run get their defaults through
    :func:`grant_new_sessions`.
    """
    groups: dict[str, Group] = {}
    for name, spec in DEFAULT_GROUPS.items():
        group = db.scalar(select(Group).where(Group.name == name))
        if group is None:
            group = Group(name=name, description=spec.description, sees_all=spec.sees_all)
            db.add(group)
            db.flush()
            _grant(db, group, spec, registry.sessions.values())
        groups[name] = group
    for own in registry.customer.groups if registry.customer else ():  # the client's, shaped like a default
        groups[own.name] = ensure_group(db, own.name, own.description, like=own.like)
    grant_new_sessions(db, registry)
    return groups


def ensure_group(db: DbSession, name: str, description: str = "", like: str | None = None) -> Group:
    """The group ``name``, created when missing with the permission rows and the ``sees_all``
    flag of group ``like`` (a client's own group shaped like a default one, e.g. branch managers
    like leaders). An existing group is returned as it is: its rights are the administrators'."""
    group = db.scalar(select(Group).where(Group.name == name))
    if group is not None:
        return group
    model = db.scalar(select(Group).where(Group.name == like)) if like else None
    group = Group(name=name, description=description, sees_all=bool(model and model.sees_all))
    db.add(group)
    db.flush()
    if model is not None:
        for row in db.scalars(select(Permission).where(Permission.group_id == model.id)):
            db.add(Permission(group_id=group.id, session_name=row.session_name, can_view=row.can_view,
                              can_modify=row.can_modify, can_change_owner=row.can_change_owner))
        db.flush()
    return group


def grant_new_sessions(db: DbSession, registry: Registry) -> list[str]:
    """Give the default groups their rights on the sessions this database has never seen.

    Runs after every migration and on an app's first request, so enabling a plugin works without
    re-running ``crm init``; each session is remembered (``crm_known_session``), so a right an
    administrator removed later is not granted again. Returns the new sessions' names.
    """
    known = set(db.scalars(select(KnownSession.name)))
    new = [sdef for name, sdef in registry.sessions.items() if name not in known]
    if not new:
        return []
    groups = db.scalars(select(Group).where(Group.name.in_(DEFAULT_GROUPS)))
    for group in groups:
        _grant(db, group, DEFAULT_GROUPS[group.name], new)
    db.add_all(KnownSession(name=sdef.name) for sdef in new)
    db.flush()
    return [sdef.name for sdef in new]


def _grant(db: DbSession, group: Group, spec: DefaultGroup, sessions: Iterable[SessionDef]) -> None:
    """Add the default row for each session the group has no row for; existing rows stay."""
    having = set(db.scalars(select(Permission.session_name).where(Permission.group_id == group.id)))
    for sdef in sessions:
        actions = spec.rights(sdef)
        if actions and sdef.name not in having:
            db.add(Permission(group_id=group.id, session_name=sdef.name, can_view=True,
                              can_modify="modify" in actions, can_change_owner="change_owner" in actions))


def ensure_admin(db: DbSession, groups: dict[str, Group], username: str = "admin") -> str | None:
    """Create the first administrator when there is none; returns its new password."""
    if db.scalar(select(func.count()).select_from(User).where(User.is_admin)):
        return None
    password = secrets.token_urlsafe(12)
    db.add(
        User(
            username=username,
            full_name="Administrator",
            password_hash=hash_password(password),
            is_admin=True,
            group_id=groups["Administrators"].id,
        )
    )
    return password


def grant_new_sessions_now(app: Flask) -> list[str]:
    """:func:`grant_new_sessions` in its own transaction (after ``crm db upgrade``)."""
    with app.app_context(), unit_of_work() as db:
        return grant_new_sessions(db, app.extensions["crm"].registry)


def grant_on_first_request(app: Flask) -> None:
    """Check for new sessions on the app's first request: a plugin enabled since the last start
    gets its default rights without ``crm init``."""
    done = False

    def check() -> None:
        nonlocal done
        if done:
            return
        try:
            with unit_of_work() as db:
                grant_new_sessions(db, app.extensions["crm"].registry)
        except IntegrityError:
            return  # another process recorded the same sessions at this moment; checked again next time
        done = True

    app.before_request(check)
