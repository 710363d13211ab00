"""Saved grid views (issue 17 item 4): a user's named grid states, the default one, and the
views administrators share with everyone or with one group.

Who may do what: a user sees their own views and those shared with everyone or with their
group; only the owner renames, re-saves, deletes or makes a view their default; only an
administrator shares. A view id the user may not see reads as *not found*; a shared view
someone else owns is read-only (*forbidden* when changed). The state itself is validated by the
grid's reader (:mod:`crm_core.screens.grid_state`) when a view is saved and when it is applied.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session as DbSession

from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.models.auth import Group, User
from crm_core.models.views import GridView

NAME_MAX = 80
SCOPES = ("", "all", "group")


def clean_name(name: str | None) -> str:
    """A view's name: trimmed, 1 to 80 characters."""
    name = " ".join((name or "").split())
    if not name:
        raise BusinessRuleError(_("Give the view a name."), field="name")
    if len(name) > NAME_MAX:
        raise BusinessRuleError(_("A view's name has at most %(n)d characters.", n=NAME_MAX), field="name")
    return name


def _visible_to(user: User) -> Any:
    return or_(
        GridView.user_id == user.id,
        GridView.shared == "all",
        (GridView.shared == "group") & (GridView.group_id == user.group_id),
    )


def visible(db: DbSession, user: User, session_name: str) -> list[GridView]:
    """The user's own views, then the ones shared with them, by name."""
    stmt = select(GridView).where(GridView.session_name == session_name, _visible_to(user))
    return sorted(db.scalars(stmt), key=lambda v: (v.user_id != user.id, v.name.lower(), v.id))


def get_visible(db: DbSession, user: User, session_name: str, view_id: int) -> GridView:
    view = db.scalar(select(GridView).where(GridView.id == view_id, GridView.session_name == session_name,
                                            _visible_to(user)))
    if view is None:
        raise NotFound(_("There is no such view, or you may not see it."))
    return view


def get_own(db: DbSession, user: User, session_name: str, view_id: int) -> GridView:
    """A view the user may change: their own (a shared one of someone else is read-only)."""
    view = get_visible(db, user, session_name, view_id)
    if view.user_id != user.id:
        raise PermissionDenied(_("This view is shared with you: only its owner may change it."))
    return view


def get_removable(db: DbSession, user: User, session_name: str, view_id: int) -> GridView:
    """A view the user may delete: their own, or — for an administrator — one shared with others
    (the administrator who shares views also withdraws them)."""
    view = get_visible(db, user, session_name, view_id)
    if view.user_id != user.id and not (user.is_admin and view.shared):
        raise PermissionDenied(_("This view is shared with you: only its owner may change it."))
    return view


def _check_unique(db: DbSession, user: User, session_name: str, name: str, except_id: int | None) -> None:
    clash = db.scalar(select(GridView.id).where(GridView.user_id == user.id, GridView.session_name == session_name,
                                                GridView.name == name))
    if clash is not None and clash != except_id:
        raise BusinessRuleError(_("You already have a view named “%(n)s”.", n=name), field="name")


def save(db: DbSession, user: User, session_name: str, name: str | None, state: dict[str, Any]) -> GridView:
    """Store ``state`` under ``name``; saving under the name of one of the user's views replaces
    that view's state (the way to update a view)."""
    name = clean_name(name)
    view = db.scalar(select(GridView).where(GridView.user_id == user.id, GridView.session_name == session_name,
                                            GridView.name == name))
    if view is None:
        view = GridView(user_id=user.id, session_name=session_name, name=name, state=state, is_default=False)
        db.add(view)
    else:
        view.state = state
    db.flush()
    return view


def rename(db: DbSession, user: User, view: GridView, name: str | None) -> None:
    name = clean_name(name)
    _check_unique(db, user, view.session_name, name, view.id)
    view.name = name
    db.flush()


def set_default(db: DbSession, user: User, view: GridView, on: bool) -> None:
    """Make ``view`` the one the grid opens with (or stop that); one default per session."""
    if on:
        db.execute(update(GridView).where(GridView.user_id == user.id, GridView.session_name == view.session_name,
                                          GridView.id != view.id).values(is_default=False))
    view.is_default = on
    db.flush()


def share(db: DbSession, acting: User, view: GridView, scope: str | None, group_id: int | None) -> None:
    """Share ``view`` with everyone (``"all"``), one group (``"group"``) or nobody (``""``);
    administrators only."""
    if not acting.is_admin:
        raise PermissionDenied(_("Only administrators may share views."))
    scope = scope or ""
    if scope not in SCOPES:
        raise BusinessRuleError(_("Choose with whom to share the view."), field="scope")
    if scope == "group" and (group_id is None or db.get(Group, group_id) is None):
        raise BusinessRuleError(_("Choose the group to share the view with."), field="group_id")
    view.shared = scope or None
    view.group_id = group_id if scope == "group" else None
    db.flush()


def stored_pairs(view: GridView, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """The view's stored state as ``(parameter, value)`` pairs of ``keys`` (lists flattened),
    for a reader that checks them again — the grid's, or the API list's."""
    stored = view.state if isinstance(view.state, dict) else {}
    pairs: list[tuple[str, str]] = []
    for key in keys:
        value = stored.get(key)
        values = value if isinstance(value, list) else [value] if value not in (None, "") else []
        pairs += [(key, str(v)) for v in values]
    return pairs


def remove(db: DbSession, view: GridView) -> None:
    db.delete(view)
    db.flush()


def forget_user(db: DbSession, user_id: int) -> None:
    """A deleted user's views go with them."""
    db.execute(delete(GridView).where(GridView.user_id == user_id))


def forget_group(db: DbSession, group_id: int) -> None:
    """Views shared with a deleted group become private again."""
    db.execute(update(GridView).where(GridView.group_id == group_id).values(shared=None, group_id=None))
