"""Finding which of a file's duplicate keys already exist, in the database (CORE-11, EXT-03, NF-01).

The import's duplicate rule compares the session's ``import_keys`` trimmed and case-insensitively
against the records the importer may see. Loading every key the importer can see into Python
made an import's time and memory grow with the table (a 20-row import into 356,000 leads took
3 s and hundreds of MB). Here the file's keys go into a temporary table and one join returns
only the records that match, so the work follows the file, not the table: one ``CREATE``, the
keys' ``INSERT``, one ``SELECT`` and one ``DROP`` whatever the table holds.

Both sides are folded the same way: Python's ``str.strip().lower()`` for the file, and for the
stored values ``lower(btrim(…))`` on PostgreSQL (Unicode-aware under a UTF-8 ``ctype``) or, on
SQLite, whose ``lower()`` folds ASCII only, the function :func:`fold` registered on every
connection (``crm_fold``, see :mod:`crm_core.db`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, and_, func, insert, select
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef
from crm_core.indexes import import_key
from crm_core.security.access import Access, scoped
from crm_core.services.queries import column

#: Keys sent per INSERT statement into the temporary table.
INSERT_BATCH = 5_000


def fold(value: Any) -> str:
    """A key part as the duplicate rule compares it."""
    return "" if value is None else str(value).strip().lower()


def _folded(db: DbSession, col: Any) -> Any:
    if db.get_bind().dialect.name == "sqlite":
        return func.coalesce(func.crm_fold(col), "")
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


def existing(db: DbSession, sdef: SessionDef, access: Access, names: tuple[str, ...],
             keys: Collection[tuple[str, ...]]) -> dict[tuple[str, ...], int]:
    """``key → id`` of the records the importer may see whose ``names`` fields equal one of
    ``keys`` (folded); the first such record (lowest id) when several share a key."""
    if not keys:
        return {}
    table = Table(f"crm_import_keys_{uuid.uuid4().hex[:12]}", MetaData(),
                  *(Column(f"k{i}", String) for i in range(len(names))), prefixes=["TEMPORARY"])
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
