"""Where custom fields live: one JSON value per element (``custom``, JSONB on PostgreSQL), read
in SQL through :func:`expression` — the same text for queries and for the expression indexes
``crm fields index`` creates, so PostgreSQL uses them (docs/customer-overrides.md has the
figures that chose this over per-client columns)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, Numeric, String, cast, literal_column, type_coerce
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

from crm_core.custom_fields.declarations import NAME, FieldDecl

#: The ``custom`` column's type.
JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")
DECIMAL_SQL = Numeric(20, 6)


class JsonText(FunctionElement[str]):
    """``custom ->> 'name'`` (PostgreSQL) / ``json_extract(custom, '$.name')`` (SQLite) with the
    key written into the SQL, never a parameter: an expression index only serves a query whose
    expression is the same text, and a prepared statement's parameter is not."""

    type = String()
    inherit_cache = True
    name = "custom_value"


@compiles(JsonText, "postgresql")
def _pg(element: JsonText, compiler: Any, **kw: Any) -> str:
    column, key = list(element.clauses)
    return f"({compiler.process(column, **kw)} ->> '{key.name}')"


@compiles(JsonText)
def _default(element: JsonText, compiler: Any, **kw: Any) -> str:
    column, key = list(element.clauses)
    return f"json_extract({compiler.process(column, **kw)}, '$.{key.name}')"


class _IsoText(TypeDecorator[Any]):
    """A date (or date-time) kept as ISO text: parameters are written as ISO text, so comparing
    and sorting the text compares the dates."""

    impl = String
    cache_ok = True
    kind: type = date

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        return to_json_value(self.kind, value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return from_json_value(self.kind, value)

    @property
    def python_type(self) -> type:
        return self.kind


class IsoDate(_IsoText):
    cache_ok = True
    kind = date


class IsoDateTime(_IsoText):
    cache_ok = True
    kind = datetime


#: Python type of each custom field type (what a loaded value and an attribute read give).
PYTHON_TYPES: dict[str, type] = {
    "integer": int, "lookup": int, "decimal": Decimal, "money": Decimal, "date": date,
    "datetime": datetime, "boolean": bool,
}


def python_type(decl: FieldDecl) -> type:
    return PYTHON_TYPES.get(decl.type or "", str)


def to_json_value(kind: type, value: Any) -> Any:
    """A loaded value as stored in the JSON document (dates as ISO text, date-times in UTC,
    decimals as exact text)."""
    if value is None:
        return None
    if kind is datetime and isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat(timespec="seconds")
    if kind is date and isinstance(value, date):
        return value.isoformat()
    if kind is Decimal and isinstance(value, Decimal | int | float):
        return str(value)
    return value


def from_json_value(kind: type, raw: Any) -> Any:
    """A stored JSON value back as its Python type (``None`` for what no longer parses, e.g. a
    value stored before the field's type was changed)."""
    if raw is None:
        return None
    try:
        if kind is datetime:
            return raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        if kind is date:
            return raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
        if kind is Decimal:
            return Decimal(str(raw))
        if kind is int:
            return int(raw)
        if kind is bool:
            return bool(raw)
    except (ValueError, InvalidOperation, TypeError):
        return None
    return raw


def expression(model: type, decl: FieldDecl) -> Any:
    """The SQL value of custom field ``decl`` of ``model``'s rows, typed for comparison and
    sorting (the one place queries, listings, sorting and the indexes read it)."""
    assert NAME.match(decl.name)
    text = JsonText(model.custom, literal_column(decl.name))  # type: ignore[attr-defined]
    kind = python_type(decl)
    if kind is int:
        return cast(text, Integer)
    if kind is Decimal:
        return cast(text, DECIMAL_SQL)
    if kind is bool:
        return cast(text, Boolean)
    if kind is date:
        return type_coerce(text, IsoDate())
    if kind is datetime:
        return type_coerce(text, IsoDateTime())
    return text


def index_name(table: str, field_name: str, own: bool = False) -> str:
    return f"cfx_{table}_{field_name}{'_own' if own else ''}"[:63]


def index_ddl(model: type, decl: FieldDecl, dialect: Any) -> list[str]:
    """``CREATE INDEX`` statements of the expression :func:`expression` gives, with the id as a
    tie-breaker (the grid sorts by ``field, id``): one for the users who see every record, one
    led by the owner for those who see their own (as the plugins' list indexes)."""
    table = model.__table__  # type: ignore[attr-defined]
    expr = expression(model, decl).compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    expr_sql = str(expr).replace(f"{table.name}.", "")
    return [
        f"CREATE INDEX IF NOT EXISTS {index_name(table.name, decl.name)} ON {table.name} (({expr_sql}), id)",
        f"CREATE INDEX IF NOT EXISTS {index_name(table.name, decl.name, own=True)} "
        f"ON {table.name} (owner_id, ({expr_sql}), id)",
    ]


def pack_custom(decls: Sequence[FieldDecl], values: Mapping[str, Any], element: Any = None) -> dict[str, Any]:
    """Loaded values with the custom fields moved into ``custom`` (merged into the element's
    stored document when it is changed, so untouched fields — and the values of fields the
    client removed, kept until it drops them — stay)."""
    names = {d.name: d for d in decls}
    if not names or not any(k in names for k in values):
        return dict(values)
    out = {k: v for k, v in values.items() if k not in names}
    stored = dict(getattr(element, "custom", None) or {}) if element is not None else {}
    for key, value in values.items():
        if key in names:
            stored[key] = to_json_value(python_type(names[key]), value)
    out["custom"] = stored
    return out
