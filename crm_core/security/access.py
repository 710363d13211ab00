"""THE enforcement point for permissions and ownership (CORE-04, CORE-05, NF-03).

Every path — screens, search, listings, exports, imports, REST API, calendar — asks these
functions and nothing else:

* :meth:`Access.require` — may this user do ``action`` (view / modify / change_owner) in
  ``session``? Resolved once per request from the user's group. A session the customer hid
  (``Registry.is_available``) reads as not found for everyone, administrators included.
* :func:`scoped` — the one query filter: the session's fixed ``where`` values, ownership (a
  user sees only what they own — or what the session declares ``shared`` — unless they are
  an administrator or a leader who asked for all records) and the ``crm_row_filters``
  contributed by plugins and customer overrides.
* :func:`check_element` — the same rules for one loaded element.
* :meth:`Access.field_rules` — the fields of a session the user's group may not see or not
  change (``crm_core.security.field_access``: ``restricted`` and ``refuse_writes`` apply them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import Boolean, Integer, Select, String, and_, bindparam, literal, null, or_, select, true, union_all
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import object_session

from crm_core.declarations import SessionDef
from crm_core.errors import NotFound, PermissionDenied
from crm_core.extensions import crm_state
from crm_core.models.auth import ACTIONS, FieldAccess, Permission, User
from crm_core.models.menu import MenuSetting
from crm_core.request_input import column_holds, parse_int
from crm_core.security.field_access import HIDDEN, NO_RULES, READ_ONLY, FieldRules

NONE = (False, False, False)


@dataclass(frozen=True)
class MenuEntry:
    """An administrator's setting of one menu entry (``crm_menu_setting``), as read with the
    permissions: ``kind`` is ``module`` or ``session``."""

    kind: str
    name: str
    label: str | None
    position: int | None
    hidden: bool


@dataclass(frozen=True)
class Access:
    """What one user may do, per session. Administrators may do everything."""

    user: User
    perms: Mapping[str, tuple[bool, bool, bool]]
    row_filters: Any = None  # callable(session, user) -> list of SQL conditions
    #: ``Registry.is_available``: sessions hidden in customer.toml are refused on every path.
    available: Callable[[str], bool] | None = None
    #: session name → the fields the user's group may not see or change (field-level access).
    fields: Mapping[str, FieldRules] | None = None
    #: ``(kind, name)`` → the administrator's menu settings, when read with the permissions
    #: (``load_access(menu=True)``: the web pages, which all show the menu); else ``None``.
    menu: Mapping[tuple[str, str], MenuEntry] | None = None

    @property
    def is_admin(self) -> bool:
        return bool(self.user.is_admin)

    @property
    def sees_all(self) -> bool:
        """May switch to "all records" (administrators and leader groups)."""
        return self.is_admin or bool(self.user.group and self.user.group.sees_all)

    def is_available(self, name_or_sdef: str | SessionDef) -> bool:
        name = name_or_sdef if isinstance(name_or_sdef, str) else name_or_sdef.name
        return self.available is None or self.available(name)

    def can(self, name_or_sdef: str | SessionDef, action: str = "view") -> bool:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if not self.is_available(name_or_sdef):
            return False
        if self.is_admin:
            return True
        name = name_or_sdef if isinstance(name_or_sdef, str) else name_or_sdef.name
        return self.perms.get(name, NONE)[ACTIONS.index(action)]

    def field_rules(self, name_or_sdef: str | SessionDef) -> FieldRules:
        """The hidden and read-only fields of a session for this user; administrators see and
        change every field, as they may do everything."""
        if self.is_admin or not self.fields:
            return NO_RULES
        name = name_or_sdef if isinstance(name_or_sdef, str) else name_or_sdef.name
        return self.fields.get(name, NO_RULES)

    def may_see_field(self, name_or_sdef: str | SessionDef, field: str) -> bool:
        return field not in self.field_rules(name_or_sdef).hidden

    def require(self, name_or_sdef: str | SessionDef, action: str = "view") -> None:
        """Raise ``NotFound`` for a session the customer hid, ``PermissionDenied`` without the right."""
        if not self.is_available(name_or_sdef):
            raise NotFound(_("No such session."))
        if not self.can(name_or_sdef, action):
            raise PermissionDenied(refusal(action, session_label(name_or_sdef)))


def session_label(name_or_sdef: str | SessionDef) -> str:
    """The session as users know it: its configured label in their language (never the internal
    name). Admin screens pass the name only, so it is looked up in the app's registry."""
    if isinstance(name_or_sdef, str):
        found = crm_state().registry.sessions.get(name_or_sdef) if has_app_context() else None
        return name_or_sdef if found is None else str(found.label)
    return str(name_or_sdef.label)


def refusal(action: str, label: str) -> str:
    """The 403 message: one whole sentence per action, so translators see it in context."""
    if action == "view":
        return _("Your group may not see %(session)s.", session=label)
    if action == "modify":
        return _("Your group may not change %(session)s.", session=label)
    return _("Your group may not change the owner of %(session)s.", session=label)


def not_found(sdef: SessionDef) -> NotFound:
    """The one answer for a missing element and for one the user may not see (not leaked)."""
    what = str(sdef.singular or sdef.label)
    return NotFound(_("%(element)s: there is no such record, or you may not see it.", element=what), sdef.name)


def load_access(db: DbSession, user: User, row_filters: Any = None, *, menu: bool = False) -> Access:
    """One query for all of the user's permissions: the group's rights per session and its
    field rules (``UNION ALL`` of both tables, one round trip — a caller lookup or an API call
    loads an access for each request). With ``menu`` the administrator's menu settings come in
    the same round trip (every web page shows the menu: one statement less per page, issue 13
    target 4)."""
    if user.group_id is None and not menu:
        rows: Any = []
    else:
        with_group = user.group_id is not None
        params = {"group_id": user.group_id} if with_group else {}
        rows = db.execute(_access_statement(with_group, menu), params).all()
    perms = {r[1]: (bool(r[2]), bool(r[3]), bool(r[4])) for r in rows if r[0] == "right"}
    stored = [(r[1], r[5], r[6]) for r in rows if r[0] == "field"]
    entries = {(r[5], r[1]): MenuEntry(r[5], r[1], r[6], r[7], bool(r[2])) for r in rows if r[0] == "menu"}
    state = current_app.extensions["crm"]
    rules = group_field_rules(user, state.customer, stored)
    return Access(user, perms, row_filters, state.registry.is_available, rules, entries if menu else None)


@functools.cache
def _access_statement(with_group: bool, menu: bool) -> Any:
    """The statement of :func:`load_access`, built once per shape with the group as a bound
    parameter: built per request, its three selects and their cache key were about a tenth
    of the Python every page pays (issue 13 target 6). It holds no data, only the query."""
    group = bindparam("group_id", type_=Integer)
    parts = []
    if with_group:
        parts.append(select(
            literal("right"), Permission.session_name, Permission.can_view, Permission.can_modify,
            Permission.can_change_owner, null().cast(String), null().cast(String), null().cast(Integer),
        ).where(Permission.group_id == group))
        parts.append(select(
            literal("field"), FieldAccess.session_name, null().cast(Boolean), null().cast(Boolean),
            null().cast(Boolean), FieldAccess.field_name, FieldAccess.mode, null().cast(Integer),
        ).where(FieldAccess.group_id == group))
    if menu:
        parts.append(select(
            literal("menu"), MenuSetting.name, MenuSetting.hidden, null().cast(Boolean).label("unused_modify"),
            null().cast(Boolean).label("unused_owner"), MenuSetting.kind, MenuSetting.label, MenuSetting.position,
        ))  # labelled: alone (a user without a group) two unnamed casts would read as one column
    return union_all(*parts) if len(parts) > 1 else parts[0]


def group_field_rules(user: User, customer: Any, stored: list[tuple[str, str, str]]) -> dict[str, FieldRules]:
    """The field rules of the user's group: customer.toml's ``[field_access]`` for the group's
    name, merged with the rules administrators stored for the group (``stored``: session, field,
    mode rows, read by :func:`load_access` in its one query)."""
    if user.group_id is None:
        return {}
    by_session: dict[str, dict[str, str]] = {}
    group_name = user.group.name if user.group is not None else None
    for session_name, groups in (getattr(customer, "field_access", None) or {}).items():
        for name, mode in groups.get(group_name, {}).items():
            by_session.setdefault(session_name, {})[name] = mode
    for session_name, name, mode in stored:
        chosen = by_session.setdefault(session_name, {})
        if chosen.get(name) != HIDDEN:  # hidden by either wins
            chosen[name] = mode
    return {
        s: FieldRules(
            frozenset(n for n, m in names.items() if m == HIDDEN),
            frozenset(n for n, m in names.items() if m == READ_ONLY),
        )
        for s, names in by_session.items()
    }


def group_can(db: DbSession, group_id: int, name_or_sdef: str | SessionDef, action: str = "view") -> bool:
    """Whether members of a group may do ``action`` in a session by their group's rights alone
    (a work queue shared by a group: its inbox). A session the customer hid is refused; a
    member's own administrator flag does not count, so no group reaches past its rights."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    name = name_or_sdef if isinstance(name_or_sdef, str) else name_or_sdef.name
    if has_app_context() and not crm_state().registry.is_available(name):
        return False
    columns = (Permission.can_view, Permission.can_modify, Permission.can_change_owner)
    row = db.execute(
        select(*columns).where(Permission.group_id == group_id, Permission.session_name == name)
    ).first()
    return bool(row is not None and row[ACTIONS.index(action)])


def ownership_condition(sdef: SessionDef, access: Access, all_records: bool = False) -> Any:
    """The SQL condition for rows of ``session`` this user may see."""
    model = sdef.model
    conds = [getattr(model, key) == value for key, value in sdef.where.items()]
    if not (all_records and access.sees_all):
        mine = model.owner_id == access.user.id
        shared = [getattr(model, key) == value for key, value in sdef.shared.items()]
        conds.append(or_(mine, and_(*shared)) if shared else mine)
    if access.row_filters is not None:
        conds.extend(access.row_filters(sdef=sdef, user=access.user))
    return and_(*conds) if conds else true()


def scoped(
    sdef: SessionDef, access: Access, all_records: bool = False, stmt: Select | None = None
) -> Select:
    """``SELECT`` of ``session``'s model restricted to what ``access`` may see."""
    access.require(sdef, "view")
    stmt = select(sdef.model) if stmt is None else stmt
    return stmt.where(ownership_condition(sdef, access, all_records))


def check_element(sdef: SessionDef, access: Access, element: Any, action: str = "view") -> None:
    """Raise unless ``access`` may do ``action`` on this loaded ``element``.

    An element outside the session or not owned by the user reads as *not found*: its existence
    is not leaked. Administrators and leaders may act on others' elements.
    """
    access.require(sdef, action)
    if element is None or any(getattr(element, k) != v for k, v in sdef.where.items()):
        raise not_found(sdef)
    if element.owner_id != access.user.id and not access.sees_all and not _shared(sdef, element, action):
        raise not_found(sdef)
    if access.row_filters is not None:
        extra = access.row_filters(sdef=sdef, user=access.user)
        if extra:
            db = object_session(element)
            pk = sdef.model.id == element.id
            if db is None or db.scalar(select(sdef.model.id).where(pk, and_(*extra))) is None:
                raise not_found(sdef)


def _shared(sdef: SessionDef, element: Any, action: str) -> bool:
    """Whether ``element`` is readable by everyone: ``sdef.shared`` opens reading, never writing."""
    return action == "view" and bool(sdef.shared) and all(getattr(element, k) == v for k, v in sdef.shared.items())


def may_modify(sdef: SessionDef, access: Access, element: Any) -> bool:
    """Whether the detail screen offers writing ``element``: the right on the session and the
    ownership rule (a ``shared`` record another user owns is read-only)."""
    if not access.can(sdef, "modify"):
        return False
    return element is None or element.owner_id == access.user.id or access.sees_all


def get_element(db: DbSession, sdef: SessionDef, access: Access, element_id: Any, action: str = "view") -> Any:
    """Load one element by id through the ownership rules (NotFound/PermissionDenied); an id
    the session's id column cannot hold is simply not found."""
    access.require(sdef, action)
    try:
        pk = parse_int(str(element_id))
    except ValueError:
        raise not_found(sdef) from None
    if not column_holds(sdef.model.__table__.c.id, pk):
        raise not_found(sdef)
    element = db.get(sdef.model, pk)
    check_element(sdef, access, element, action)
    return element


def visible_ids(db: DbSession, sdef: SessionDef, access: Access, ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` the user may see in ``session``: the rules of :func:`get_element` for a
    whole batch (an import chunk) in one query."""
    wanted = set(ids)
    if not wanted or not access.can(sdef, "view"):
        return set()
    model = sdef.model
    return set(db.scalars(scoped(sdef, access, True, select(model.id).where(model.id.in_(wanted)))))
