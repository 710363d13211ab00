"""Rules for users, groups and permissions (CORE-02..04).

Every path that changes a user or a group — the configuration screens and ``crm user
create`` — goes through these functions, so the rules that keep administrators in charge
hold everywhere: only administrators may change administrators (their flag, password, state)
or grant "sees all records", and the last active administrator can never be lost. ``acting``
is the user making the change; ``None`` means the command line, which runs with the server
owner's rights.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import available_timezones

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session as DbSession

from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.models.auth import ACTIONS, Group, Permission, User
from crm_core.security.passwords import hash_password, password_problem
from crm_core.security.sessions import end_sessions
from crm_core.services import views as grid_views


def _loaded(obj: Any, attr: str) -> Any:
    """The value ``attr`` had when ``obj`` was loaded, before a form changed it."""
    history = inspect(obj).attrs[attr].history
    return history.deleted[0] if history.deleted else getattr(obj, attr)


def _is_admin(acting: User | None) -> bool:
    # The loaded value: an administrator editing their own user must not lose rights mid-check.
    return acting is None or bool(_loaded(acting, "is_admin"))


def _other_active_admins(db: DbSession, user: User) -> int:
    return db.scalar(
        select(func.count()).select_from(User).where(User.is_admin, User.active, User.id != (user.id or 0))
    )


def _check_user_rights(db: DbSession, user: User, acting: User | None, creating: bool) -> None:
    """Refuse what would let a non-administrator raise anyone's rights, or lose the last admin."""
    was_admin = not creating and bool(_loaded(user, "is_admin"))
    if not _is_admin(acting):
        if was_admin or user.is_admin:
            raise BusinessRuleError(_("Only administrators may create or change administrators."))
        group_changed = creating or user.group_id != _loaded(user, "group_id")
        if group_changed and user.id is not None and user.id == acting.id:  # type: ignore[union-attr]
            raise BusinessRuleError(_("You cannot change your own group."), field="group_id")
        group = db.get(Group, user.group_id)
        if group_changed and group is not None and group.sees_all:
            raise BusinessRuleError(
                _("Only administrators may put a user in a group that sees all records."), field="group_id"
            )
    was_active_admin = was_admin and bool(_loaded(user, "active"))
    if was_active_admin and not (user.is_admin and user.active) and not _other_active_admins(db, user):
        raise BusinessRuleError(_("The last active administrator must stay an active administrator."))


def check_user(
    db: DbSession, user: User, password: str | None, creating: bool, acting: User | None
) -> None:
    """Validate a new or changed ``user`` (already populated) before it is saved."""
    with db.no_autoflush:  # a flush would forget the values the user had before the change
        _check_user(db, user, password, creating, acting)


def _check_user(db: DbSession, user: User, password: str | None, creating: bool, acting: User | None) -> None:
    clash = db.scalar(
        select(User.id).where(func.lower(User.username) == user.username.lower(), User.id != (user.id or 0))
    )
    if clash:
        raise BusinessRuleError(_("That user name is taken."), field="username")
    if user.timezone not in available_timezones():
        raise BusinessRuleError(_("Unknown time zone."), field="timezone")
    _check_user_rights(db, user, acting, creating)
    if creating and not password:
        raise BusinessRuleError(_("A new user needs a password."), field="password")
    if password:
        problem = password_problem(password, user_inputs=(user.username, user.full_name, user.email))
        if problem:
            raise BusinessRuleError(problem, field="password")
        user.password_hash = hash_password(password)
    if not creating and (password or (not user.active and _loaded(user, "active"))):
        end_sessions(user)  # a reset password or a deactivation logs the user out everywhere


def sign_out_everywhere(db: DbSession, user: User, acting: User | None) -> None:
    """End every browser session of ``user`` (the "sign out everywhere" button)."""
    if user.is_admin and not _is_admin(acting):
        raise BusinessRuleError(_("Only administrators may create or change administrators."))
    end_sessions(user)


def delete_user(db: DbSession, user: User, acting: User) -> None:
    if user.id == acting.id:
        raise BusinessRuleError(_("You cannot delete your own user."))
    if user.is_admin and not _is_admin(acting):
        raise BusinessRuleError(_("Only administrators may create or change administrators."))
    if user.is_admin and user.active and not _other_active_admins(db, user):
        raise BusinessRuleError(_("The last administrator cannot be deleted."))

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
    grid_views.forget_user(db, user.id)
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
    grid_views.forget_group(db, group.id)
    db.delete(group)


def check_group(db: DbSession, group: Group, acting: User | None) -> None:
    """Validate a new or changed ``group``: "sees all records" is an administrator's decision."""
    was_sees_all = group.id is not None and bool(_loaded(group, "sees_all"))
    if bool(group.sees_all) != was_sees_all and not _is_admin(acting):
        raise BusinessRuleError(
            _("Only administrators may decide whether a group sees all records."), field="sees_all"
        )
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
    existing = {p.session_name: p for p in db.scalars(select(Permission).where(Permission.group_id == group.id))}
    for name in sessions:
        actions = set(granted.get(name, set())) & set(ACTIONS)
        if actions - {"view"}:
            actions.add("view")
        row = existing.get(name)
        if row is None:
            if not actions:
                continue
            row = Permission(group_id=group.id, session_name=name)
            db.add(row)
        row.can_view = "view" in actions
        row.can_modify = "modify" in actions
        row.can_change_owner = "change_owner" in actions
