"""Helpers for plugin migrations.

Trigram indexes serve the grid's text filter (``LIKE '%word%'``) on PostgreSQL, which a btree
cannot. They exist only there, so they are created by migrations, not declared on the models;
their names end in ``_trgm`` and autogenerate leaves them alone. New migrations create one
index per table over the search document (:func:`create_search_index`); the per-field helpers
remain for the migrations that used them. Import-key indexes (:func:`create_import_key_indexes`,
names ending in ``_ikey``) are expression indexes made the same way, on PostgreSQL and SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

from crm_core.indexes import (
    SEARCH_STATISTICS,
    TRGM_SUFFIX,
    import_key_index_name,
    import_key_index_sql,
    search_index_name,
    search_index_sql,
    search_statistics_sql,
)


def trigram_index_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}{TRGM_SUFFIX}"


def create_trigram_indexes(table: str, columns: Iterable[str]) -> None:
    """``CREATE EXTENSION pg_trgm`` (a trusted extension since PostgreSQL 13) and one GIN index
    on ``lower(column)`` per column; nothing on other databases (SQLite scans, see
    docs/performance.md)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in columns:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {trigram_index_name(table, column)} "
            f"ON {table} USING gin (lower({column}) gin_trgm_ops)"
        )


def drop_trigram_indexes(table: str, columns: Iterable[str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in columns:
        op.execute(f"DROP INDEX IF EXISTS {trigram_index_name(table, column)}")


def create_search_index(table: str, columns: Sequence[str]) -> None:
    """One pg_trgm GIN index over the search document of ``columns`` (the session's text
    ``search`` fields, in the same order), the expression the list query filters on, with
    :data:`~crm_core.indexes.SEARCH_STATISTICS` statistics entries on that expression so the text
    filter's plan does not depend on one sample; nothing on other databases (SQLite checks rows,
    see docs/performance.md)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(search_index_sql(table, columns, bind.dialect))
    op.execute(search_statistics_sql(table))


def search_index_tables() -> list[str]:
    """The tables of the current schema that have a search index (PostgreSQL; none elsewhere)."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return []
    query = sa.text("SELECT tablename FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND indexname = 'ix_' || tablename || '_search_trgm' ORDER BY tablename")
    return list(bind.execute(query).scalars())


def set_search_statistics(target: int = SEARCH_STATISTICS) -> None:
    """Give every existing search index's expression ``target`` statistics entries and
    ``ANALYZE`` its table so the planner uses them at once (PostgreSQL; nothing elsewhere).
    For databases whose search indexes predate :func:`create_search_index` setting it."""
    for table in search_index_tables():
        op.execute(search_statistics_sql(table, target))
        op.execute(f"ANALYZE {table}")


def drop_search_index(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {search_index_name(table)}")


def create_import_key_indexes(table: str, columns: Iterable[str]) -> None:
    """One btree per import key column on its folded value (``crm_core.indexes.import_key``),
    so an import's duplicate check looks up the file's keys instead of scanning the table.
    PostgreSQL indexes ``lower(btrim(coalesce(col, '')))``; SQLite ``crm_fold(col)``, the
    Unicode fold :mod:`crm_core.db` registers on every connection (whose ``lower()`` folds ASCII
    only). Idempotent (``IF NOT EXISTS``)."""
    bind = op.get_bind()
    if bind.dialect.name not in ("postgresql", "sqlite"):
        return
    for column in columns:
        op.execute(import_key_index_sql(table, column, bind.dialect))


def drop_import_key_indexes(table: str, columns: Iterable[str]) -> None:
    if op.get_bind().dialect.name not in ("postgresql", "sqlite"):
        return
    for column in columns:
        op.execute(f"DROP INDEX IF EXISTS {import_key_index_name(table, column)}")


def add_custom_column(table: str) -> None:
    """Add the ``custom`` JSON column (JSONB on PostgreSQL) of the ``CustomFields`` mixin: the
    client's custom fields of the table's records (EXT-16). Indexes on its fields are the
    client's, made by ``crm fields index``."""
    from sqlalchemy.dialects.postgresql import JSONB

    op.add_column(table, sa.Column("custom", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True))
