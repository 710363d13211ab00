"""Inserting many rows of one element table at import speed (CORE-11), without the ORM unit of work.

The ORM's flush costs more per row than validating it; an import of 100,000 rows only needs the
rows in the table, their ids, and the same column values the ORM would have written. A
:class:`TablePlan` (one per model, cached) knows the columns, how the ORM would fill the ones a
row leaves out (the columns' Python defaults) and how each value is bound; :func:`insert_rows`
then writes a batch in the caller's transaction and returns the new ids in row order:

* PostgreSQL: ids are drawn from the table's sequence in one query, and the rows are streamed
  with ``COPY … FROM STDIN`` (psycopg), the fastest way into the server;
* SQLite: ids follow the table's highest id and the rows go in one ``executemany`` (SQLite
  cannot return the ids of a multi-row insert in row order; one statement per row is 4× slower).

Both go through the table's constraints and indexes like any insert; a refused row raises and the
caller rolls the batch back. Tables whose columns compute defaults in SQL (a sequence other than
the id's or an SQL expression) take the ``INSERT`` path, which evaluates them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, func, insert, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session as DbSession

#: Marks a column the database fills when a row leaves it out (a ``server_default``).
SERVER = object()


@dataclass(frozen=True)
class TablePlan:
    """How rows of one mapped class are written by :func:`insert_rows`."""

    table: Table
    #: attribute name → column key (they differ when a model renames a column).
    columns: dict[str, str]
    #: every column but the id, in table order, with what a row that leaves it out gets: a
    #: function returning the ORM's Python default, ``None`` (NULL), or ``SERVER`` (left out).
    fills: tuple[tuple[str, Callable[[], Any] | object | None], ...]
    #: False when a column computes its default in SQL: rows then go through ``INSERT``.
    copyable: bool
    #: the column keys a row may give.
    keys: frozenset[str]

    @property
    def pk(self) -> Column[Any]:
        return self.table.c.id

    def complete(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` (by attribute name) as a row by column key, in table order, defaults filled in."""
        given = {self.columns.get(name, name): value for name, value in values.items()}
        row: dict[str, Any] = {}
        for key, fill in self.fills:
            if key in given:
                row[key] = given[key]
            elif fill is None:
                row[key] = None
            elif fill is not SERVER:
                row[key] = fill()  # type: ignore[operator]
        if not given.keys() <= self.keys:
            unknown = sorted(given.keys() - self.keys)
            raise TypeError(f"{', '.join(unknown)}: not columns of {self.table.name}")
        return row


@cache
def plan_for(model: type) -> TablePlan:
    """The (cached) plan of a mapped class with an integer ``id`` primary key."""
    mapper = inspect(model)
    table = mapper.local_table
    columns = {attr.key: attr.columns[0].key for attr in mapper.column_attrs if attr.columns[0].table is table}
    fills: list[tuple[str, Callable[[], Any] | object | None]] = []
    copyable = True
    for column in table.columns:
        default = column.default
        if column.primary_key:
            continue
        if default is None:
            fills.append((column.key, SERVER if column.server_default is not None else None))
        elif default.is_scalar:
            fills.append((column.key, _constant(default.arg)))
        elif default.is_callable:
            fills.append((column.key, _call(default.arg)))
        else:  # a Sequence or an SQL expression: let the database evaluate it
            fills.append((column.key, SERVER))
            copyable = False
    return TablePlan(table, columns, tuple(fills), copyable, frozenset(key for key, _fill in fills))


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _call(wrapped: Callable[[Any], Any]) -> Callable[[], Any]:
    # SQLAlchemy wraps a no-argument default as ``f(context)``; bulk rows have no statement context.
    return lambda: wrapped(None)


def insert_rows(db: DbSession, plan: TablePlan, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert complete ``rows`` (see :meth:`TablePlan.complete`) and return their ids in order."""
    if not rows:
        return []
    conn = db.connection()
    if not plan.copyable:
        write = _insert
    elif conn.dialect.name == "postgresql":
        write = _copy
    elif conn.dialect.paramstyle == "qmark":
        write = _executemany
    else:
        write = _insert
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(tuple(row), []).append(i)
    if len(groups) == 1:
        return write(conn, plan, next(iter(groups)), rows)
    # Rows that leave out different columns (server-side defaults): one statement per shape.
    ids = [0] * len(rows)
    for keys, positions in groups.items():
        for i, pk in zip(positions, write(conn, plan, keys, [rows[i] for i in positions]), strict=True):
            ids[i] = pk
    return ids


def _insert(conn: Connection, plan: TablePlan, _keys: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> list[int]:
    """The portable path: SQLAlchemy evaluates SQL defaults and returns the ids in row order."""
    stmt = insert(plan.table).returning(plan.pk, sort_by_parameter_order=True)
    return list(conn.execute(stmt, list(rows)).scalars())


def _executemany(conn: Connection, plan: TablePlan, keys: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> list[int]:
    # SQLite cannot return the ids of a multi-row INSERT in row order (SQLAlchemy then sends one
    # statement per row), so the ids are given: the ones after the highest. A writer that slipped
    # in between makes the INSERT fail on the primary key and the caller retries row by row.
    first = (conn.scalar(select(func.max(plan.pk))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    placeholders = ", ".join("?" for _key in (plan.pk.key, *keys))
    sql = f"INSERT INTO {_target(conn, plan, keys)} VALUES ({placeholders})"  # noqa: S608 (quoted table metadata)
    conn.exec_driver_sql(sql, list(_records(conn, plan, keys, ids, rows)))
    return ids


def _copy(conn: Connection, plan: TablePlan, keys: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> list[int]:
    sequence = func.pg_get_serial_sequence(plan.table.name, plan.pk.name)
    # all at once: iterating the result fetched the ids one driver call each
    ids = conn.execute(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))).scalars().all()
    statement = f"COPY {_target(conn, plan, keys)} FROM STDIN"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for record in _records(conn, plan, keys, ids, rows):
                copy.write_row(record)
    except conn.dialect.loaded_dbapi.Error as exc:
        # The driver's error, raised past SQLAlchemy: give callers the IntegrityError & co. they catch.
        raise DBAPIError.instance(statement, None, exc, conn.dialect.loaded_dbapi.Error) from exc
    return ids


def _target(conn: Connection, plan: TablePlan, keys: tuple[str, ...]) -> str:
    """``table (id, col, …)`` quoted for the connection's database."""
    preparer = conn.dialect.identifier_preparer
    names = ", ".join(preparer.quote(plan.table.c[key].name) for key in (plan.pk.key, *keys))
    return f"{preparer.format_table(plan.table)} ({names})"


def _records(
    conn: Connection, plan: TablePlan, keys: tuple[str, ...], ids: list[int], rows: Sequence[dict[str, Any]]
) -> Iterator[tuple[Any, ...]]:
    """``[id, value, …]`` per row, each value bound as SQLAlchemy would bind it on this database
    (TypeDecorators such as ``UTCDateTime``, dates and decimals on SQLite, JSON)."""
    dialect = conn.dialect
    converters = [
        (position, processor)
        for position, key in enumerate(keys, start=1)
        if (processor := plan.table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) is not None
    ]
    values = itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
    for pk, row in zip(ids, rows, strict=True):
        record = [pk, *values(row)]
        for position, processor in converters:
            if record[position] is not None:
                record[position] = processor(record[position])
        yield tuple(record)
