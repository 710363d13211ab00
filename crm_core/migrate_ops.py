"""Helpers for plugin migrations.

Trigram indexes serve the grid's text filter (``lower(field) LIKE '%word%'``) on PostgreSQL,
which a btree cannot. They exist only there, so they are created by migrations, not declared
on the models; their names end in ``_trgm`` and autogenerate leaves them alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from alembic import op

TRGM_SUFFIX = "_trgm"


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
