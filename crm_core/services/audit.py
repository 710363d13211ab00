"""Writing and reading the audit trail (CORE-15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Enum, Integer, String, inspect, select
from sqlalchemy.orm import Session as DbSession

from crm_core.models.audit import AuditEntry
from crm_core.models.auth import User

#: Column types whose values are JSON as they are (others go through :func:`jsonable`).
NATIVE = (String, Integer, Boolean)
#: Bookkeeping columns that are never worth an audit line.
SKIP = {"id", "uid", "version", "created_at", "updated_at", "creator_id"}


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def snapshot(element: Any) -> dict[str, Any]:
    """Column values of ``element`` keyed by attribute name."""
    return {
        attr.key: getattr(element, attr.key) for attr in inspect(type(element)).column_attrs if attr.key not in SKIP
    }


@cache
def recorded_columns(model: type) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """``(attribute, column key, conversion)`` of the columns an audit entry of ``model`` records;
    the conversion is :func:`jsonable`, or ``None`` where the column's values are already JSON."""
    out = []
    for attr in inspect(model).column_attrs:
        if attr.key in SKIP:
            continue
        sql_type = attr.columns[0].type
        native = isinstance(sql_type, NATIVE) and not isinstance(sql_type, Enum)  # Enum may hold enum members
        out.append((attr.key, attr.columns[0].key, None if native else jsonable))
    return tuple(out)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [jsonable(before.get(key)), jsonable(value)] for key, value in after.items() if before.get(key) != value
    }


def record(
    db: DbSession, element: Any, action: str, user: User | None, changes: dict[str, Any] | None = None
) -> AuditEntry:
    entry = AuditEntry(
        element_type=element.__element_type__,
        element_id=element.id,
        user_id=user.id if user else None,
        action=action,
        changes=changes or {},
    )
    db.add(entry)
    return entry


def history(db: DbSession, element_type: str, element_id: int, limit: int = 200) -> list[AuditEntry]:
    return list(
        db.scalars(
            select(AuditEntry)
            .where(AuditEntry.element_type == element_type, AuditEntry.element_id == element_id)
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
