"""The audit trail, written from the unit of work (CORE-15).

Services never write audit rows themselves: a listener on every SQLAlchemy ``Session``
(:func:`install`, called by the app factory) looks, after each flush, at the objects whose
model is *audited* and writes one row per changed object — its inserted, changed or deleted
fields as ``{field: [old, new]}`` — with the same connection, so the row commits or rolls back
with the change. Who acted and under which action come from :func:`audit_context`, which the
core sets where it runs a write (``elements.create/update/delete/run_action``); in a request
without one, the signed-in user. Several flushes of one object under one action in one
transaction update the same row, so a save or an action gives one history row, never two.

A model opts in declaratively (the ``Element`` mixin does it for every business record)::

    __audited__ = True
    __audit_exclude__ = frozenset({"last_seen_at"})   # never recorded
    __audit_secret__ = frozenset({"pin_hash"})        # recorded as "changed", never the value
    __audit_keep__ = ("name",)                        # always recorded: says which row it was
    def audit_target(self) -> tuple[str, int]: ...    # whose history shows it (default: itself)

Bulk writers that bypass the ORM (the import's ``COPY``/``executemany``) write their rows in
the same format with :func:`created_changes` and :func:`bulk_entry`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any

from flask import g, has_app_context
from sqlalchemy import Boolean, Enum, Integer, String, bindparam, event, func, inspect, literal, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session as DbSession

from crm_core.models.audit import AuditEntry
from crm_core.models.auth import User
from crm_core.models.types import utcnow

#: Column types whose values are JSON as they are (others go through :func:`jsonable`).
NATIVE = (String, Integer, Boolean)
#: Bookkeeping columns that are never worth an audit line, on every audited model.
SKIP = frozenset({"id", "uid", "version", "created_at", "updated_at", "creator_id"})
#: What a secret field's change is stored as: that it changed, never a value.
SECRET = "changed"
#: Longest text kept in a row; longer values are cut and end with an ellipsis.
MAX_TEXT = 500
OPERATIONS = ("create", "update", "delete")
#: The column holding custom fields (``crm_core.models.custom.CustomFields``).
CUSTOM = "custom"


@dataclass(frozen=True)
class _Context:
    action: str | None = None
    user_id: int | None = None


_NO_CONTEXT = _Context()
_context: ContextVar[_Context | None] = ContextVar("crm_audit_context", default=None)


def _current() -> _Context:
    return _context.get() or _NO_CONTEXT


@contextmanager
def audit_context(action: str | None = None, user: User | None = None) -> Iterator[None]:
    """Record the changes flushed inside the block as done by ``user`` under ``action``.

    Nested blocks inherit what they do not set, so an element created by the ``qualify``
    action is recorded under ``qualify`` although ``elements.create`` opens its own block.
    """
    outer = _current()
    inner = replace(
        outer,
        action=outer.action or action,
        user_id=user.id if user is not None else outer.user_id,
    )
    token = _context.set(inner)
    try:
        yield
    finally:
        _context.reset(token)


def jsonable(value: Any) -> Any:
    """``value`` as JSON stores it: dates ISO 8601, decimals as strings, long texts cut."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 1] + "…"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return jsonable(str(value))


def custom_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """A change of the ``custom`` JSON column (custom fields, EXT-16) as one ``[old, new]`` per
    custom field that changed, like any other field's: the history names the field."""
    old, new = old or {}, new or {}
    return {
        name: [jsonable(old.get(name)), jsonable(new.get(name))]
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    }


def is_audited(obj: Any) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


@cache
def recorded_columns(model: type) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """``(attribute, column key, conversion)`` of the columns an audit row of ``model`` records;
    the conversion is :func:`jsonable`, or ``None`` where the column's values are already JSON
    (short strings, numbers, booleans)."""
    skipped = SKIP | getattr(model, "__audit_exclude__", frozenset())
    out = []
    for attr in inspect(model).column_attrs:
        if attr.key in skipped:
            continue
        sql_type = attr.columns[0].type
        short = not isinstance(sql_type, String) or (sql_type.length or MAX_TEXT + 1) <= MAX_TEXT
        native = isinstance(sql_type, NATIVE) and not isinstance(sql_type, Enum) and short
        out.append((attr.key, attr.columns[0].key, None if native else jsonable))
    return tuple(out)


def pending_changes(obj: Any, operation: str = "update") -> dict[str, Any]:
    """``{field: [old, new]}`` of ``obj``'s recorded columns, from the ORM's attribute history
    (before a flush, or in the flush's ``after_flush``): the values of a created object, the
    stored ones of a deleted one, what changed on an updated one. A secret field appears as
    :data:`SECRET`; the ``__audit_keep__`` fields of an updated object always appear."""
    model = type(obj)
    state = inspect(obj)
    secret = getattr(model, "__audit_secret__", ())
    out: dict[str, Any] = {}
    for key, _column, _convert in recorded_columns(model):
        if operation == "update":
            hist = state.attrs[key].history
            pair = [hist.deleted[0] if hist.deleted else None, hist.added[0] if hist.added else None]
            if not hist.added or pair[0] == pair[1]:
                continue
        else:
            value = state.dict.get(key)
            if value is None:
                continue
            pair = [None, value] if operation == "create" else [value, None]
        if key == CUSTOM:
            out.update(custom_changes(*pair))
            continue
        out[key] = SECRET if key in secret else [jsonable(v) for v in pair]
    if out and operation == "update":
        for key in getattr(model, "__audit_keep__", ()):
            out.setdefault(key, [jsonable(getattr(obj, key))] * 2)
    return out


_PLAIN, _CONVERTED, _SECRET, _CUSTOM = range(4)


@cache
def _created_columns(model: type) -> tuple[tuple[str, str, Callable[[Any], Any] | None, int], ...]:
    """:func:`recorded_columns` with what a created row records of each, decided once per model."""
    secret = getattr(model, "__audit_secret__", ())
    return tuple(
        (name, key, convert,
         _CUSTOM if name == CUSTOM else _SECRET if name in secret else _PLAIN if convert is None else _CONVERTED)
        for name, key, convert in recorded_columns(model)
    )


def created_changes(model: type, row: dict[str, Any]) -> dict[str, Any]:
    """What :func:`pending_changes` records for a created ``model`` object, from the column
    values a bulk writer inserts (keyed by column key). Called once per imported row: the
    per-column decisions are made once per model (:func:`_created_columns`)."""
    out: dict[str, Any] = {}
    for name, key, convert, kind in _created_columns(model):
        value = row.get(key)
        if value is None:
            continue
        if kind == _PLAIN:
            out[name] = [None, value]
        elif kind == _CONVERTED:
            out[name] = [None, convert(value)]  # type: ignore[misc]
        elif kind == _SECRET:
            out[name] = SECRET
        elif value:
            out.update(custom_changes(None, value))
    return out


def bulk_entry(element_type: str, element_id: int, user_id: int | None, at: datetime, changes: dict) -> dict:
    """The column values of the "create" row of an element written by a bulk insert."""
    action = _current().action or "create"
    return {
        "element_type": element_type,
        "element_id": element_id,
        "at": at,
        "user_id": user_id,
        "action": action,
        "operation": "create",
        "object_type": None,
        "changes": changes,
    }


def record_updates(db: DbSession, element_type: str, changes: dict[int, dict[str, Any]],
                   object_type: str | None = None) -> None:
    """Audit rows for changes a set-based statement made (``UPDATE … RETURNING``), which the
    unit of work never sees: one "update" row per element id with its ``{field: [old, new]}``,
    under the current :func:`audit_context` (action and user), in one ``executemany``."""
    if not changes:
        return
    ctx, at, user_id = _current(), utcnow(), _acting_user_id()
    rows = [
        {"element_type": element_type, "element_id": element_id, "at": at, "user_id": user_id,
         "action": ctx.action or "update", "operation": "update", "object_type": object_type,
         "changes": {k: [jsonable(v) for v in pair] for k, pair in fields.items()}}
        for element_id, fields in changes.items()
    ]
    db.execute(AuditEntry.__table__.insert(), rows)


def record_same_update(db: DbSession, element_type: str, element_ids: list[int], fields: dict[str, Any],
                       object_type: str | None = None) -> None:
    """:func:`record_updates` for many elements that changed alike (a set-based job moving a
    batch from one state to the next): one "update" row per id, all with ``fields``, written by
    one ``INSERT … SELECT`` over the ids (``unnest`` on PostgreSQL, ``json_each`` on SQLite)
    instead of a statement per row."""
    if not element_ids:
        return
    ctx, at, user_id = _current(), utcnow(), _acting_user_id()
    changes = {k: [jsonable(v) for v in pair] for k, pair in fields.items()}
    ids = [int(i) for i in element_ids]
    if db.get_bind().dialect.name == "postgresql":
        source = select(func.unnest(bindparam("audit_ids", ids, type_=ARRAY(Integer))).label("id")).subquery()
    else:
        each = func.json_each(json.dumps(ids)).table_valued("value").alias("ids")
        source = select(each.c.value.label("id")).subquery()
    columns = AuditEntry.__table__.c
    rows = select(
        literal(element_type, columns.element_type.type), source.c.id, literal(at, columns.at.type),
        literal(user_id, Integer), literal(ctx.action or "update", columns.action.type), literal("update"),
        literal(object_type, columns.object_type.type), literal(changes, columns.changes.type),
    )
    names = ["element_type", "element_id", "at", "user_id", "action", "operation", "object_type", "changes"]
    db.execute(AuditEntry.__table__.insert().from_select(names, rows))


def target_of(obj: Any) -> tuple[str, int, str | None]:
    """``(element type, element id, object type)``: whose history shows ``obj``'s change, and
    the changed object's table when it is not that element itself (a note, a permission)."""
    if hasattr(obj, "audit_target"):
        element_type, element_id = obj.audit_target()
        return element_type, element_id, type(obj).__tablename__
    return getattr(obj, "__element_type__", type(obj).__tablename__), obj.id, None


def _acting_user_id() -> int | None:
    user_id = _current().user_id
    if user_id is None and has_app_context():
        # The user the request authenticated (flask-login keeps it in ``g``; the API's bearer
        # token in ``g.api_user``), read without loading anything in the middle of a flush.
        user = g.get("api_user") or g.get("_login_user")
        user_id = getattr(user, "id", None)
    return user_id


def _changed_objects(db: DbSession) -> Iterator[tuple[Any, str]]:
    for obj in db.new:
        yield obj, "create"
    for obj in db.dirty:
        yield obj, "update"
    for obj in db.deleted:
        yield obj, "delete"


def _merge(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Changes of two flushes as one: the first old value, the last new value."""
    out = dict(old)
    for key, pair in new.items():
        if key in old and isinstance(pair, list) and isinstance(old[key], list):
            pair = [old[key][0], pair[1]]
        out[key] = pair
    return out


def _after_flush(db: DbSession, _flush_context: Any) -> None:
    """Write (or extend) one audit row per audited object this flush changed."""
    rows = []
    for obj, operation in _changed_objects(db):
        if not is_audited(obj):
            continue
        changes = pending_changes(obj, operation)
        if not changes and operation == "update":
            continue
        element_type, element_id, object_type = target_of(obj)
        identity = (type(obj).__tablename__, inspect(obj).identity)
        rows.append((identity, element_type, element_id, object_type, operation, changes))
    if rows:
        _write(db, rows)


def _write(db: DbSession, rows: list[tuple[tuple, str, int, str | None, str, dict[str, Any]]]) -> None:
    context = _current()
    user_id = _acting_user_id()
    written: dict[tuple, tuple[int, str, dict[str, Any]]] = db.info.setdefault("crm_audit_rows", {})
    conn = db.connection()
    table = AuditEntry.__table__
    now = utcnow()
    for identity, element_type, element_id, object_type, operation, changes in rows:
        key = (identity, context.action, user_id)
        if key in written:
            row_id, first_operation, earlier = written[key]
            merged_operation = "delete" if operation == "delete" else first_operation
            merged = _merge(earlier, changes)
            conn.execute(update(table).where(table.c.id == row_id).values(operation=merged_operation, changes=merged))
            written[key] = (row_id, merged_operation, merged)
            continue
        values = {
            "element_type": element_type, "element_id": element_id, "object_type": object_type,
            "user_id": user_id, "at": now, "action": context.action or operation, "operation": operation,
            "changes": changes,
        }
        row_id = conn.execute(table.insert().values(values).returning(table.c.id)).scalar_one()
        written[key] = (row_id, operation, changes)


def _forget_rows(db: DbSession, transaction: Any) -> None:
    """A transaction or savepoint ended: later flushes start new rows. (Each flush runs in a
    subtransaction of its own, whose end changes nothing.)"""
    if transaction.parent is None or transaction.nested:
        db.info.pop("crm_audit_rows", None)


def install() -> None:
    """Listen to every ORM session's flushes (idempotent; the app factory calls it)."""
    if not event.contains(DbSession, "after_flush", _after_flush):
        event.listen(DbSession, "after_flush", _after_flush)
        event.listen(DbSession, "after_transaction_end", _forget_rows)


def history(db: DbSession, element_type: str, element_id: int, limit: int = 200) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.element_type == element_type, AuditEntry.element_id == element_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
