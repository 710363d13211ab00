"""Typed parsing of listing criteria typed by a user (CORE-10, NF-02).

A criterion arrives as three strings (field, operator, value). The value is converted to the
Python type of the model column, so ``amount > abc`` or ``due = 31/02`` is refused with a
message naming the field instead of reaching the database as a string comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String
from sqlalchemy.types import TypeDecorator

from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.request_input import parse_int
from crm_core.services.queries import OPERATORS, Criterion, column, column_type

TRUE = {"1", "true", "yes", "y", "si", "sí", "on"}
FALSE = {"0", "false", "no", "n", "off"}


#: Generic SQL types whose values criteria parse; anything else is compared as text.
PARSED_TYPES = (Boolean, Integer, Numeric, Date, DateTime, String)


def python_type(sdef: SessionDef, name: str) -> type:
    """The Python type of a mapped column, or ``str`` for types criteria do not parse."""
    sql_type = column_type(column(sdef, name))
    if isinstance(sql_type, TypeDecorator):
        return sql_type.python_type  # e.g. UTCDateTime → datetime
    return sql_type.python_type if isinstance(sql_type, PARSED_TYPES) else str


def parse_value(sdef: SessionDef, name: str, raw: str, label: str = "") -> Any:
    """Convert ``raw`` to the column's type; raises ``BusinessRuleError`` naming the field."""
    kind = python_type(sdef, name)
    text = raw.strip()
    label = label or name
    try:
        if kind is bool:
            if text.lower() in TRUE:
                return True
            if text.lower() in FALSE:
                return False
            raise ValueError(text)
        if kind is int:
            return parse_int(text)
        if kind in (Decimal, float):
            normal = text.replace(" ", "")
            if "," in normal and "." not in normal:
                normal = normal.replace(",", ".")
            return kind(Decimal(normal))
        if kind is datetime:
            value = datetime.fromisoformat(text)
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if kind is date:
            return date.fromisoformat(text)
    except (ValueError, InvalidOperation):
        raise BusinessRuleError(_messages(kind, label, raw), field=name) from None
    return raw


def _messages(kind: type, label: str, raw: str) -> str:
    if kind is int:
        return _("“%(v)s” is not a whole number (%(f)s).", v=raw, f=label)
    if kind in (Decimal, float):
        return _("“%(v)s” is not a number (%(f)s).", v=raw, f=label)
    if kind in (date, datetime):
        return _("“%(v)s” is not a date in the form YYYY-MM-DD (%(f)s).", v=raw, f=label)
    if kind is bool:
        return _("“%(v)s” is not yes or no (%(f)s).", v=raw, f=label)
    return _("“%(v)s” is not valid (%(f)s).", v=raw, f=label)


def parse_criteria(
    sdef: SessionDef, labels: Mapping[str, str], rows: Sequence[tuple[str, str, str, str]]
) -> list[Criterion]:
    """Rows of the criteria builder ``(field, operator, value, second value)`` → criteria.

    ``labels`` are the fields a user may filter on (name → label, for messages). ``between``
    needs both values, ``empty`` none, every other operator one value; blank rows are ignored.
    """
    out: list[Criterion] = []
    for name, op, raw, raw_to in rows:
        if not name:
            continue
        if name not in labels:
            raise BusinessRuleError(_("Unknown field “%(f)s”.", f=name), field=name)
        if op not in OPERATORS:
            raise BusinessRuleError(_("Unknown operator “%(o)s”.", o=op), field=name)
        label = labels[name]
        if op == "empty":
            out.append(Criterion(name, op))
            continue
        if not raw.strip() or (op == "between" and not raw_to.strip()):
            raise BusinessRuleError(_("Enter a value for %(f)s.", f=label), field=name)
        if op in ("contains", "startswith"):
            out.append(Criterion(name, op, raw.strip()))
        elif op == "between":
            low, high = parse_value(sdef, name, raw, label), parse_value(sdef, name, raw_to, label)
            out.append(Criterion(name, op, (low, high)))
        else:
            out.append(Criterion(name, op, parse_value(sdef, name, raw, label)))
    return out
