"""How stored values read to people — the same on the grid, detail tabs and every listing format
(CORE-08, CORE-10, CORE-14, CORE-17).

Elements store codes and ids; users read words. A status shows its visible name (the customer's
or the declared, translated one), a field with choices its choice label (a pipeline stage, an
activity type), a user reference (``owner_id``, or any field with ``"user": True`` metadata) the
user's name, and a lookup the referenced element's name when the user may see it. Screens and
reports call :func:`value_names` once per page or chunk of rows (one query per referenced
column) and :func:`shown` per cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.db import session as db_session
from crm_core.declarations import SessionDef, schema_fields
from crm_core.extensions import crm_state
from crm_core.models.auth import User
from crm_core.security import current_access
from crm_core.security.access import scoped
from crm_core.services.elements import lookup_targets

Names = dict[tuple[str, Any], str]


def choices_of(field: fields.Field) -> tuple[tuple[str, str], ...] | None:
    """``(value, label)`` pairs of a coded field: its ``choices`` metadata (a callable, so
    configured values such as stages are read when asked) or its ``OneOf`` validator. A callable
    that gives no choices (a vocabulary the customer did not configure) leaves the field free
    text: ``None``, not an empty list to pick from."""
    dynamic = field.metadata.get("choices")
    if callable(dynamic):
        return tuple((str(v), str(lbl)) for v, lbl in dynamic()) or None
    for v in field.validators:
        if isinstance(v, validate.OneOf):
            labels = list(v.labels) if v.labels else [str(c) for c in v.choices]
            return tuple((str(c), str(lbl)) for c, lbl in zip(v.choices, labels, strict=False))
    return None


def user_fields(sdef: SessionDef) -> frozenset[str]:
    """Fields holding a user id: the owner, and any field declared with ``"user": True``."""
    assert sdef.schema is not None
    return _user_fields(sdef.schema)


@lru_cache(maxsize=512)
def _user_fields(schema: type[Schema]) -> frozenset[str]:
    """Per declared schema, like :func:`schema_fields`: a grid page asks for its query and again
    for its names."""
    return frozenset(name for name, f in schema_fields(schema).items() if name == "owner_id" or f.metadata.get("user"))


def user_names(db: DbSession, ids: Iterable[int]) -> dict[int, str]:
    """Display names of users by id (inactive users keep their name on old records). Users this
    unit of work holds already (the signed-in user, usually the owner on a detail page) cost no
    query."""
    wanted = {i for i in ids if i is not None}
    held = (db.identity_map.get(db.identity_key(User, i)) for i in wanted)
    names = {u.id: u.display_name() for u in held if u is not None}
    missing = wanted - set(names)
    if missing:
        names.update((u.id, u.display_name()) for u in db.scalars(select(User).where(User.id.in_(missing))))
    return names


def value_names(
    sdef: SessionDef,
    rows: Sequence[Any],
    columns: Sequence[str],
    held: Mapping[str, Mapping[int, Any]] | None = None,
    held_users: Mapping[str, Mapping[int, str]] | None = None,
) -> Names:
    """``(column, value) → text`` for the coded, user and reference columns among ``columns``.
    ``held``: the records of reference columns read already (``Page.referenced``: the grid's
    page statement joins them), ``held_users`` the users' names of user columns read already
    (``Page.user_names``); they then cost no query."""
    assert sdef.schema is not None
    registry, db = crm_state().registry, db_session()
    declared = schema_fields(sdef.schema)
    targets, users = lookup_targets(sdef), user_fields(sdef)
    names: Names = {}
    for col in columns:
        if col == sdef.status_field and sdef.statuses:
            names.update(status_names(sdef))
            continue
        field = declared.get(col)
        if isinstance(field, fields.List):  # a multi-choice custom field: its items' labels
            names.update(((col, value), label) for value, label in choices_of(field.inner) or ())
            continue
        # a user column's choices (every active user, read by its callable) are not needed: the
        # users of these rows come by id below — inactive ones too, as user_names keeps them
        for value, label in (choices_of(field) or ()) if field is not None and col not in users else ():
            names[(col, value)] = label
        if col not in users and col not in targets and (held is None or col not in held):
            continue  # no user or record behind its values: not read row by row for nothing
        ids = {getattr(r, col, None) for r in rows} - {None}
        if not ids:
            continue
        if col in users:
            known = held_users.get(col) if held_users is not None else None
            found = known if known is not None and ids <= known.keys() else user_names(db, ids)
            names.update(((col, i), name) for i, name in found.items())
            continue
        if held is not None and col in held:
            names.update(((col, i), el.display_name()) for i, el in held[col].items())
            continue
        target = registry.sessions.get(targets[col]) if col in targets else None
        access = current_access()
        if target is None or not target.has_grid or not access.can(target, "view"):
            continue  # a reference the user may not follow stays a bare id
        stmt = scoped(target, access, all_records=True).where(target.model.id.in_(ids))
        names.update(((col, el.id), el.display_name()) for el in db.scalars(stmt))
    return names


def reference_targets(sdef: SessionDef, columns: Sequence[str]) -> dict[str, SessionDef]:
    """``column → session`` of the reference columns among ``columns`` whose records the user may
    open (a grid they may view): those read as links (issue 17 item 6) and the grid's page reads
    their names in its own statement. The owner is not one: users have no record page of their
    own."""
    registry, access = crm_state().registry, current_access()
    targets = lookup_targets(sdef)
    found = {}
    for col in columns:
        target = registry.sessions.get(targets.get(col, ""))
        if target is not None and target.has_grid and access.can(target, "view"):
            found[col] = target
    return found


def state_tones(sdef: SessionDef) -> dict[str, str]:
    """``status code → kind of state`` (open, won, lost, closed) that colours its badge."""
    return {st.code: st.kind for st in sdef.statuses}


def status_names(sdef: SessionDef) -> Names:
    """``(status field, code) → visible name`` of every status, in the user's language: one
    translation per status and page instead of one per row (``Registry.status_label``)."""
    registry = crm_state().registry
    codes = {st.code for st in sdef.statuses} | {code for _label, code in registry.visible_statuses(sdef)}
    return {(sdef.status_field, code): str(registry.status_label(sdef, code)) for code in codes}


def shown(sdef: SessionDef, element: Any, col: str, names: Names) -> Any:
    """The value of ``col`` as people read it, before number and date formatting."""
    value = getattr(element, col, None)
    if value is None:
        return None
    if col == sdef.status_field and sdef.statuses:
        known = names.get((col, value))
        return known if known is not None else str(crm_state().registry.status_label(sdef, value))
    if isinstance(value, list):  # a multi-choice custom field
        return ", ".join(str(names.get((col, v), v)) for v in value)
    if (col, value) in names:
        return names[(col, value)]
    return names.get((col, str(value)), value)


def money_columns(sdef: SessionDef) -> dict[str, str]:
    """``amount column → its currency column`` (``metadata={"currency": "currency"}``): such an
    amount reads in the user's locale with its currency, ``1.234,50 €`` (issue 17 item 6) —
    on the grid, and in the HTML and PDF listings with totals per currency."""
    if sdef.schema is None:
        return {}
    declared = schema_fields(sdef.schema).items()
    return {name: f.metadata["currency"] for name, f in declared if f.metadata.get("currency")}
