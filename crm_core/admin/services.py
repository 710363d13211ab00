"""Rules for users, groups and permissions (CORE-02..04)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.errors import BusinessRuleError
from crm_core.models.auth import ACTIONS, Group, Permission, User
from crm_core.security.passwords import hash_password, password_problem


def check_user(db: DbSession, user: User, password: str | None, creating: bool) -> None:
    clash = db.scalar(
        select(User.id).where(func.lower(User.username) == user.username.lower(), User.id != (user.id or 0))
    )
    if clash:
        raise BusinessRuleError(_("That user name is taken."), field="username")
    if user.timezone not in available_timezones():
        raise BusinessRuleError(_("Unknown time zone."), field="timezone")
    if creating and not password:
        raise BusinessRuleError(_("A new user needs a password."), field="password")
    if password:
        problem = password_problem(password)
        if problem:
            raise BusinessRuleError(problem, field="password")
        user.password_hash = hash_password(password)


def delete_user(db: DbSession, user: User, acting: User) -> None:
    if user.id == acting.id:
        raise BusinessRuleError(_("You cannot delete your own user."))
    if user.is_admin:
        admins = db.scalar(select(func.count()).select_from(User).where(User.is_admin, User.active))
        if admins <= 1:
            raise BusinessRuleError(_("The last administrator cannot be deleted."))
    from crm_core.app import crm_state

    for sdef in crm_state().registry.grid_sessions():
        owned = db.scalar(
            select(func.count()).select_from(sdef.model).where(
                (sdef.model.owner_id == user.id) | (sdef.model.creator_id == user.id)
            )
        )
        if owned:
            raise BusinessRuleError(
                _(
                    "%(user)s still owns or created records in %(session)s; reassign them or "
                    "deactivate the user instead.",
                    user=user.username,
                    session=sdef.label,
                )
            )
    db.delete(user)


def delete_group(db: DbSession, group: Group) -> None:
    members = db.scalar(select(func.count()).select_from(User).where(User.group_id == group.id))
    if members:
        raise BusinessRuleError(
            _(
                "The group %(name)s still has %(n)d user(s); move them to another group first.",
                name=group.name,
                n=members,
            )
        )
    db.delete(group)


def check_group(db: DbSession, group: Group) -> None:
    clash = db.scalar(
        select(Group.id).where(func.lower(Group.name) == group.name.lower(), Group.id != (group.id or 0))
    )
    if clash:
        raise BusinessRuleError(_("A group with that name exists."), field="name")


def set_permissions(
    db: DbSession, group: Group, sessions: Iterable[str], granted: Mapping[str, set[str]]
) -> None:
    """One row per (group, session); ``granted`` maps a session to the actions ticked.

    Modify and change owner imply view: a user cannot change what they cannot see.
    """
    existing = {p.session: p for p in db.scalars(select(Permission).where(Permission.group_id == group.id))}
    for name in sessions:
        actions = set(granted.get(name, set())) & set(ACTIONS)
        if actions - {"view"}:
            actions.add("view")
        row = existing.get(name)
        if row is None:
            if not actions:
                continue
            row = Permission(group_id=group.id, session=name)
            db.add(row)
        row.can_view = "view" in actions
        row.can_modify = "modify" in actions
        row.can_change_owner = "change_owner" in actions
