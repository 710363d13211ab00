"""The indexes behind a session's list query, declared once (docs/performance.md, NF-01).

* :func:`search_document` — the text filter's one expression over a session's text ``search``
  fields, ``lower(coalesce(a, '') || ' ' || coalesce(b, '') …)``. The list query
  (``crm_core.services.queries``) filters on it and PostgreSQL migrations index it with one
  pg_trgm GIN (:func:`crm_core.migrate_ops.create_search_index`), built from this same function so
  the two expressions cannot drift. Because the filter's words are split on whitespace, a word
  never spans the space between two fields: it matches exactly the rows a per-field test would.
  Its expression keeps :data:`SEARCH_STATISTICS` histogram entries (:func:`search_statistics_sql`),
  so the planner's estimate of ``LIKE '%word%'`` does not hang on one ``ANALYZE`` sample.
* :func:`import_key` — an import key's folded value, ``lower(btrim(coalesce(col, '')))``, which
  the import's duplicate check joins on (``crm_core.importing.keys``); migrations index it
  (:func:`crm_core.migrate_ops.create_import_key_indexes`; on SQLite the index is on
  ``crm_fold(col)``) so that the check looks each key of the file up instead of scanning the table.
* :func:`list_indexes` — the two btrees that give a page in the session's default order
  straight off an index, for "my records" and for "all records", with the status and search
  fields included so that PostgreSQL checks the filters inside the index (index-only scans).
* :func:`indexed_sorts` — the orders those declared btrees serve, read back from the table: the
  sorts a grid and the API offer (``crm_core.services.queries.sortable``, issue 13 target 4), so a
  column header can never cost a sort of every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import reduce
from typing import Any

from sqlalchemy import Column, Index, String, Table, column, func, literal_column
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement

#: Suffix of the trigram indexes; Alembic's autogenerate leaves indexes with it alone, because
#: they exist on PostgreSQL only and are created by migrations, not declared on the models.
TRGM_SUFFIX = "_trgm"

#: Suffix of the indexes on a folded import key: expression indexes made by migrations (the
#: expression differs between PostgreSQL and SQLite), left alone by autogenerate like the trigram ones.
IMPORT_KEY_SUFFIX = "_ikey"

#: A btree entry must stay under 2,704 bytes on PostgreSQL; included fields are budgeted at 3
#: bytes per character (UTF-8 for every script in the Basic Multilingual Plane).
MAX_ENTRY_CHARS = 2_600 // 3


def search_document(columns: Sequence[Any]) -> ColumnElement[str]:
    """``lower()`` of the text ``columns`` joined by one space (empty for NULL).

    The literals are rendered inline, never as bound parameters, so that a prepared statement
    still matches the index expression.
    """
    if not columns:
        raise ValueError("a search document needs at least one column")
    empty, space = literal_column("''", String), literal_column("' '", String)
    parts = [func.coalesce(c, empty, type_=String) for c in columns]
    return func.lower(reduce(lambda a, b: a.op("||", return_type=String)(space).op("||", return_type=String)(b), parts))


#: Statistics target of the search document (the GIN index's expression column). PostgreSQL
#: estimates ``LIKE '%word%'`` as the share of the expression's histogram entries that contain the
#: word; with the default target (100) one entry is 1 % of the table, so a word in 1 % of the rows
#: is estimated at 0 (clamped to 0.01 %) or 2 % depending on the sample, and the planner swings
#: between reading every match and walking an ordered index (issue 13 target 5,
#: docs/performance.md "Plans that do not depend on the sample"). 1,000 entries (a 300,000-row
#: sample) resolve 0.1 %.
SEARCH_STATISTICS = 1000


def search_index_name(table: str) -> str:
    return f"ix_{table}_search{TRGM_SUFFIX}"


def search_statistics_sql(table: str, target: int = SEARCH_STATISTICS) -> str:
    """``ALTER INDEX`` giving the search index's expression ``target`` statistics entries
    (PostgreSQL; ``-1``: the server's default). Takes effect at the table's next ``ANALYZE``."""
    return f"ALTER INDEX IF EXISTS {search_index_name(table)} ALTER COLUMN 1 SET STATISTICS {int(target)}"


def search_index_sql(table: str, columns: Sequence[str], dialect: Dialect) -> str:
    """``CREATE INDEX`` of the pg_trgm GIN over the search document of ``columns`` (PostgreSQL;
    needs ``CREATE EXTENSION pg_trgm``)."""
    document = search_document([column(c, String) for c in columns])
    sql = document.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    return f"CREATE INDEX IF NOT EXISTS {search_index_name(table)} ON {table} USING gin (({sql}) gin_trgm_ops)"


def import_key(col: Any) -> ColumnElement[str]:
    """The folded value of an import key column as PostgreSQL compares it (the literal is
    inline, so a prepared statement still matches the index expression)."""
    return func.lower(func.btrim(func.coalesce(col, literal_column("''", String), type_=String)))


def import_key_index_name(table: str, column_name: str) -> str:
    return f"ix_{table}_{column_name}{IMPORT_KEY_SUFFIX}"


def import_key_index_sql(table: str, column_name: str, dialect: Dialect) -> str:
    """``CREATE INDEX`` on the folded value of ``table.column_name``: :func:`import_key` on
    PostgreSQL, ``crm_fold(column)`` on SQLite (the function :mod:`crm_core.db` registers on every
    connection; a connection without it cannot write to the table)."""
    if dialect.name == "sqlite":
        sql = f"crm_fold({column_name})"
    else:
        sql = str(import_key(column(column_name, String)).compile(dialect=dialect,
                                                                  compile_kwargs={"literal_binds": True}))
    return f"CREATE INDEX IF NOT EXISTS {import_key_index_name(table, column_name)} ON {table} (({sql}))"


def list_indexes(
    table: str, sort: str, *, lead: Sequence[str] = (), include: Sequence[str] = (), owner: str = "owner_id"
) -> tuple[Index, Index]:
    """``(lead…, owner, sort, id) INCLUDE (include…)`` and ``(lead…, sort, id) INCLUDE (…)``.

    ``sort`` is the session's default sort (``"-start"``: a btree is read backwards for a
    descending order); ``lead`` the columns of the session's fixed ``where`` (e.g. ``kind``);
    ``include`` the status and search fields (PostgreSQL only; SQLite ignores ``INCLUDE``).
    Use them in the model's ``__table_args__``.
    """
    col = sort.lstrip("-")
    keys = [col] if col == "id" else [col, "id"]
    extra = [c for c in include if c not in (*lead, owner, *keys)]
    kwargs = {"postgresql_include": extra} if extra else {}
    return (
        Index(f"ix_{table}_own_{col}", *lead, owner, *keys, **kwargs),
        Index(f"ix_{table}_all_{col}", *lead, *keys, **kwargs),
    )


def indexed_sorts(table: Table, fixed: Iterable[str] = (), owner: str = "owner_id") -> frozenset[str]:
    """The columns a page of ``table`` can be ordered by straight off a btree, both for "my
    records" and for "all records": a column ``c`` counts when an index ``(fixed…, owner, c[, id])``
    and an index ``(fixed…, c[, id])`` exist, ``fixed`` being the columns a session's ``where``
    pins (any of them, in any order, may lead). These are exactly the pairs :func:`list_indexes`
    declares, read back from the table so the declaration stays the one source (a btree is read
    backwards for the descending order, so ``c`` serves ``-c`` too)."""
    pinned = set(fixed)
    mine: set[str] = set()
    every: set[str] = set()
    for index in table.indexes:
        names = [c.name if isinstance(c, Column) else None for c in index.expressions]
        if None in names or index.dialect_kwargs.get("postgresql_where") is not None:
            continue  # an expression or a partial index orders no page of every record
        rest = list(names)
        while rest and rest[0] in pinned:
            rest.pop(0)
        bucket = every
        if rest and rest[0] == owner:
            rest, bucket = rest[1:], mine
        if rest and rest[1:] in ([], ["id"]):
            bucket.add(rest[0])
    return frozenset(mine & every)


def check_entry_width(table: Any, index: Index) -> None:
    """Refuse an index whose entries could exceed PostgreSQL's btree limit: only bounded
    ``String(n)`` columns (and fixed-width ones) may be keys or included."""
    names = [c.name for c in index.expressions] + list(index.dialect_options["postgresql"]["include"] or ())
    width = 0
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, String):
            if column_type.length is None:
                raise ValueError(f"{index.name}: {name} has no length and cannot be part of a btree entry")
            width += column_type.length
        else:
            width += 8
    if width > MAX_ENTRY_CHARS:
        raise ValueError(f"{index.name}: entries up to {width} characters, over the {MAX_ENTRY_CHARS} allowed")
