"""The text filter's plan does not hang on one ``ANALYZE`` sample (issue 13 target 5).

PostgreSQL estimates ``LIKE '%word%'`` on the search document from the histogram of the search
index's expression. With the default 100 entries a word in under 1 % of the rows is estimated
at 0.01 % or at 1–2 % depending on the sample, and the grid's plan swings between an ordered
index walk and reading every match (docs/performance.md, "Plans that do not depend on the
sample"). Every search index keeps :data:`~crm_core.indexes.SEARCH_STATISTICS` entries: set by
:func:`~crm_core.migrate_ops.create_search_index` and, for older databases, by the core migration
``e7a3c5d9b2f4``. PostgreSQL only (the ``migrated_pg`` fixture skips, with the reason, when no
PostgreSQL server is reachable): SQLite has no search index and no histogram of expressions.
"""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from sqlalchemy import String, column, select, text

from crm_core.indexes import SEARCH_STATISTICS, search_document, search_index_sql, search_statistics_sql
from crm_core.migrate import alembic_config
from crm_core.services.queries import like_text

#: The core revision before search statistics.
BEFORE = "d4a7c2e9b5f1"


def _targets(app: Any) -> dict[str, int]:
    """search index → statistics target of its expression column (-1: the server's default)."""
    query = text("SELECT i.indexname, a.attstattarget FROM pg_indexes i "
                 "JOIN pg_attribute a ON a.attrelid = (quote_ident(i.indexname))::regclass AND a.attnum = 1 "
                 "WHERE i.schemaname = current_schema() AND i.indexname LIKE 'ix\\_%\\_search\\_trgm'")
    with app.extensions["crm_db"].engine.connect() as conn:
        return dict(conn.execute(query).all())


def test_every_search_index_keeps_the_larger_statistics_target(migrated_pg):
    targets = _targets(migrated_pg)
    assert {"ix_sales_lead_search_trgm", "ix_sales_contact_search_trgm", "ix_act_activity_search_trgm"} <= set(targets)
    assert targets == dict.fromkeys(targets, SEARCH_STATISTICS)


def test_the_core_migration_gives_it_to_indexes_made_before_and_takes_it_back(migrated_pg):
    cfg = alembic_config(migrated_pg)
    command.downgrade(cfg, BEFORE)
    try:
        assert set(_targets(migrated_pg).values()) == {-1}  # as the indexes were before this revision
    finally:
        command.upgrade(cfg, "heads")
    assert set(_targets(migrated_pg).values()) == {SEARCH_STATISTICS}


def _estimate(conn: Any, word: str) -> float:
    document = search_document([column("a", String), column("b", String)])
    stmt = select(column("a")).select_from(text("plan_probe")).where(like_text(document, word))
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})).replace("%%", "%")
    plan = conn.scalar(text("EXPLAIN (FORMAT JSON) " + sql))
    return float((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]["Plan Rows"])


def test_a_word_in_half_a_percent_of_the_rows_is_estimated_near_its_count(migrated_pg):
    """20,000 documents, 100 of them with "smith" (sorted last, so with 100 histogram entries only
    the skipped maximum holds it: PostgreSQL's 0.01 % floor, 2 rows). ``ANALYZE`` reads every row
    of a table this small, so the estimate is deterministic."""
    engine = migrated_pg.extensions["crm_db"].engine
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE plan_probe (a varchar(40), b varchar(40))"))
    try:
        with engine.begin() as conn:
            conn.execute(text(search_index_sql("plan_probe", ("a", "b"), conn.dialect)))
            conn.execute(text(search_statistics_sql("plan_probe")))
            conn.execute(text("INSERT INTO plan_probe SELECT CASE WHEN i > 19900 THEN 'zz smith ' || i "
                              "ELSE 'name ' || lpad(i::text, 5, '0') END, 'city' FROM generate_series(1, 20000) i"))
        with engine.begin() as conn:
            conn.execute(text("ANALYZE plan_probe"))
        with engine.connect() as conn:
            assert 50 <= _estimate(conn, "smith") <= 200
            assert _estimate(conn, "nobody") <= 5  # a word no row has stays at the floor
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE plan_probe"))
