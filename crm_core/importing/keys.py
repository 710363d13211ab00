"""Finding which of a file's duplicate keys already exist, in the database (CORE-11, EXT-03, NF-01).

The import's duplicate rule compares the session's ``import_keys`` trimmed and case-insensitively
against the records the importer may see. Loading every key the importer can see into Python
made an import's time and memory grow with the table (a 20-row import into 356,000 leads took
3 s and hundreds of MB). Here only the records that match come back, so the work follows the
keys asked for, not the table. The import asks once per chunk (issue 13 target 2: nothing that
grows with the file either). On PostgreSQL the keys go as one array per key part, joined as
``unnest(…)`` (one statement; :func:`lookup_by_arrays`); SQLite does not use an index on an
expression for a join, only for a comparison with values, so there the keys are sent as ``IN``
lists of :data:`IN_BATCH` values (one ``SELECT`` per batch); other databases get a temporary
table of the keys joined to the table.

Both sides are folded the same way: Python's ``str.strip().lower()`` for the file, and for the
stored values ``lower(btrim(…))`` on PostgreSQL (Unicode-aware under a UTF-8 ``ctype``) or, on
SQLite, whose ``lower()`` folds ASCII only, the function :func:`fold` registered on every
connection (``crm_fold``, see :mod:`crm_core.db`). Migrations index these expressions on both
databases (:func:`crm_core.migrate_ops.create_import_key_indexes`), so each key is an index
lookup.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import ARRAY, Column, MetaData, Select, String, Table, and_, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql.util import ClauseAdapter

from crm_core.declarations import SessionDef
from crm_core.indexes import import_key
from crm_core.security.access import Access, scoped
from crm_core.services.queries import column

#: Keys sent per INSERT statement into the temporary table (databases other than the two above).
INSERT_BATCH = 5_000
#: The temporary table of the file's keys (PostgreSQL).
KEYS_TABLE = "crm_import_keys"
#: Keys per ``IN`` list on SQLite (well under its 32,766 bound parameters).
IN_BATCH = 500


def fold(value: Any) -> str:
    """A key part as the duplicate rule compares it."""
    return "" if value is None else str(value).strip().lower()


def _folded(db: DbSession, col: Any) -> Any:
    if db.get_bind().dialect.name == "sqlite":
        return func.crm_fold(col)  # the expression SQLite migrations index; NULL stays NULL
    return import_key(col)  # the expression PostgreSQL migrations index (create_import_key_indexes)


def _fill(conn: Any, table: Table, keys: Collection[tuple[str, ...]]) -> None:
    """The keys into the temporary table: ``COPY`` on PostgreSQL (an ``executemany`` of 5,000
    rows there costs a round trip each), batched ``executemany`` elsewhere."""
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        name = conn.dialect.identifier_preparer.format_table(table)
        with cursor.copy(f"COPY {name} FROM STDIN") as copy:
            for key in keys:
                copy.write_row(key)
        # A temporary table has no statistics: without them the planner guessed 1,360 rows and
        # chose a merge join sorting the whole target on disk (3.1 s for 20 keys against 200,000
        # leads); counted, it hashes the keys and scans once (0.7 s), or, where an index on the
        # folded key exists, looks each key up (0.06 ms).
        conn.exec_driver_sql(f"ANALYZE {name}")
        return
    rows = [{f"k{i}": part for i, part in enumerate(key)} for key in keys]
    for first in range(0, len(rows), INSERT_BATCH):
        conn.execute(insert(table), rows[first : first + INSERT_BATCH])


@cache
def _keys_table(width: int) -> Table:
    """The temporary table of ``width`` key parts, one object per width: a temporary table is the
    connection's own and is dropped after each lookup, so one name serves every call, and the
    statements that name it are compiled once. A new name (and ``Table``) per call compiled the
    three statements again at every chunk of an import and crowded out the app's cached ones."""
    return Table(KEYS_TABLE, MetaData(), *(Column(f"k{i}", String) for i in range(width)),
                 prefixes=["TEMPORARY"])


def existing(db: DbSession, sdef: SessionDef, access: Access, names: tuple[str, ...],
             keys: Collection[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """``key → id`` of the records the importer may see whose ``names`` fields equal one of
    ``keys`` (folded); the first such record (lowest id) when several share a key."""
    if not keys:
        return {}
    dialect = db.get_bind().dialect.name
    if dialect == "sqlite":
        return _existing_by_values(db, sdef, access, names, keys)
    if dialect == "postgresql":
        return _first_ids(db.execute(lookup_by_arrays(db, sdef, access, names, keys)))
    table = _keys_table(len(names))
    conn = db.connection()
    table.create(conn)
    try:
        _fill(conn, table, keys)
        cols = [column(sdef, name) for name in names]
        match = and_(*(_folded(db, col) == table.c[f"k{i}"] for i, col in enumerate(cols)))
        stmt = scoped(sdef, access, True, select(*table.c, sdef.model.id).join(table, match))
        out: dict[tuple[str, ...], int] = {}
        for *parts, pk in db.execute(stmt.order_by(sdef.model.id)):
            out.setdefault(tuple(parts), pk)
        return out
    finally:
        table.drop(conn)


def lookup_by_arrays(db: DbSession, sdef: SessionDef, access: Access, names: tuple[str, ...],
                     keys: Collection[tuple[str, ...]]) -> Select[Any]:
    """PostgreSQL: the folded key parts and ids of the records the importer may see whose key is
    one of ``keys``, in id order: the keys are sent as one array per part and joined as
    ``unnest(…)``, so a lookup is one statement, with no temporary table to create, fill,
    ``ANALYZE`` and drop (five statements and catalog writes, ~0.1 s per chunk of an import once
    the lookup is made per chunk). PostgreSQL counts the rows of an ``unnest`` of given arrays,
    so the plan looks each key up in the folded-key index (see the test of the plan)."""
    ordered = list(keys)
    arrays = [bindparam(f"import_keys_{i}", [key[i] for key in ordered], type_=ARRAY(String))
              for i in range(len(names))]
    table = func.unnest(*arrays).table_valued(*(f"k{i}" for i in range(len(names)))).render_derived(name="import_keys")
    cols = [column(sdef, name) for name in names]
    match = and_(*(_folded(db, col) == table.c[f"k{i}"] for i, col in enumerate(cols)))
    return scoped(sdef, access, True, select(*table.c, sdef.model.id).join(table, match)).order_by(sdef.model.id)


def _first_ids(rows: Any) -> dict[tuple[str, ...], int]:
    out: dict[tuple[str, ...], int] = {}
    for *parts, pk in rows:
        out.setdefault(tuple(parts), pk)
    return out


def _existing_by_values(db: DbSession, sdef: SessionDef, access: Access, names: tuple[str, ...],
                        keys: Collection[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """SQLite: the folded first key part looked up in its index, ``IN_BATCH`` values a statement;
    the other parts are compared here on the few rows found."""
    wanted = set(keys)
    firsts = sorted({key[0] for key in wanted})
    found: list[tuple[int, tuple[str, ...]]] = []
    for start in range(0, len(firsts), IN_BATCH):
        stmt = lookup_by_values(db, sdef, access, names, firsts[start : start + IN_BATCH])
        found.extend((pk, tuple(part or "" for part in parts)) for pk, *parts in db.execute(stmt))
    out: dict[tuple[str, ...], int] = {}
    for pk, key in sorted(found):
        if key in wanted:
            out.setdefault(key, pk)
    return out


def lookup_by_values(db: DbSession, sdef: SessionDef, access: Access, names: tuple[str, ...],
                     firsts: list[str]) -> Select[Any]:
    """The ``SELECT`` of :func:`_existing_by_values` for one batch of folded first parts: ids
    and folded key parts of the records the importer may see.

    The key is matched in a subquery of its own: with the scope's conditions beside it, SQLite
    (no statistics) preferred the index of the session's fixed filter (``kind = …``) or the
    owner's and read all their rows; this way the folded-key index finds the ids and the scope
    checks each of them by primary key."""
    found = sdef.model.__table__.alias()
    first = column(sdef, names[0])
    first = ClauseAdapter(found).traverse(getattr(first, "__clause_element__", lambda: first)())
    match = _folded(db, first).in_(firsts)
    if "" in firsts:  # an empty first part (a key of several fields) equals a NULL value
        match = or_(match, first.is_(None))
    candidates = select(found.c.id).where(match)
    folded = [_folded(db, column(sdef, name)) for name in names]
    return scoped(sdef, access, True, select(sdef.model.id, *folded).where(sdef.model.id.in_(candidates)))
