"""The list indexes and the search document (crm_core/indexes.py, docs/performance.md).

The PostgreSQL checks use a scratch database migrated for every bundled plugin, so they run in
both CI passes; they prove that the indexes the migrations create are the ones the list query
can use (an expression that differs by a cast would silently fall back to reading the table).
"""

from __future__ import annotations

import re

import pytest
from alembic import command
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, column, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite

from crm_core.app import create_app
from crm_core.db import Base
from crm_core.indexes import check_entry_width, list_indexes, search_document, search_index_name, search_index_sql
from crm_core.migrate import alembic_config
from crm_core.services.queries import text_condition
from crm_core.testing.plugin import base_settings


def test_search_document_joins_lowered_fields_with_inline_literals():
    doc = search_document([column("name", String), column("city", String)])
    for dialect in (postgresql.dialect(), sqlite.dialect()):
        compiled = doc.compile(dialect=dialect)
        assert str(compiled) == "lower((coalesce(name, '') || ' ') || coalesce(city, ''))"
        assert not compiled.params  # a bound parameter would not match the index expression
    with pytest.raises(ValueError):
        search_document([])


def test_search_index_sql_is_the_document_under_a_trigram_gin():
    sql = search_index_sql("t", ("a", "b"), postgresql.dialect())
    assert sql == (
        "CREATE INDEX IF NOT EXISTS ix_t_search_trgm ON t USING gin "
        "((lower((coalesce(a, '') || ' ') || coalesce(b, ''))) gin_trgm_ops)"
    )
    assert search_index_name("t").endswith("_trgm")  # autogenerate leaves it alone


def test_list_indexes_own_and_all_in_the_sort_order_with_the_id():
    own, every = list_indexes("t", "-start", lead=("kind",), include=("status", "start", "name"))
    assert (own.name, [str(c) for c in own.expressions]) == ("ix_t_own_start", ["kind", "owner_id", "start", "id"])
    assert (every.name, [str(c) for c in every.expressions]) == ("ix_t_all_start", ["kind", "start", "id"])
    assert own.dialect_options["postgresql"]["include"] == ["status", "name"]  # keys are not repeated
    by_id, _ = list_indexes("t", "-id")
    assert [str(c) for c in by_id.expressions] == ["owner_id", "id"]
    assert by_id.dialect_options["postgresql"]["include"] is None


def test_entry_width_refuses_free_text_and_too_wide_entries():
    def index_on(include: str) -> tuple[Table, Index]:
        own, _all = list_indexes("w", "name", include=(include,))
        table = Table(
            "w",
            MetaData(),
            Column("id", Integer),
            Column("owner_id", Integer),
            Column("name", String(120)),
            Column("notes", Text),
            Column("huge", String(900)),
            own,
        )
        return table, own

    check_entry_width(*index_on("name"))
    with pytest.raises(ValueError, match="no length"):
        check_entry_width(*index_on("notes"))
    with pytest.raises(ValueError, match="over the"):
        check_entry_width(*index_on("huge"))


def test_every_declared_index_fits_a_btree_entry(crm_template):
    create_app(base_settings(str(crm_template.url), CRM_PLUGINS=None))  # imports every bundled model
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if all(hasattr(c, "name") for c in index.expressions):
                check_entry_width(table, index)


def _bundled_sessions(app):
    """One session per table of the bundled plugins that has text search fields."""
    tables = {}
    for sdef in app.extensions["crm"].registry.sessions.values():
        model = sdef.model
        if model is None or not sdef.search or model.__module__.startswith("tests"):
            continue
        tables.setdefault(model.__table__.name, sdef)
    return tables


def test_the_text_filter_matches_each_tables_trigram_index(migrated_pg):
    assert_search_indexes_match_the_filter(migrated_pg)


def assert_search_indexes_match_the_filter(migrated_pg):
    """Every search index the migrations create is on the very expression the session's text
    filter tests (small core tables such as groupings have none on purpose).

    PostgreSQL uses an expression index only for an identical expression; both are compared as
    PostgreSQL itself prints them (the index definition and the plan's filter), because on
    empty tables the planner would pick any index and prove nothing.
    """
    engine = migrated_pg.extensions["crm_db"].engine
    with engine.connect() as conn:
        query = text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search_trgm'")
        defs = dict(conn.execute(query).all())
        tables = {t: s for t, s in _bundled_sessions(migrated_pg).items() if search_index_name(t) in defs}
        assert set(tables) >= {"sales_lead", "sales_account", "sales_contact", "sales_opportunity", "sales_campaign"}
        assert "act_activity" in tables
        for table, sdef in tables.items():
            expression = re.search(r"USING gin \((.*) gin_trgm_ops\)$", defs[search_index_name(table)]).group(1)
            stmt = select(sdef.model.id).where(text_condition(sdef, "ferreteria"))
            sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(conn.scalars(text("EXPLAIN " + sql.replace("%%", "%"))))
            assert f"({expression} ~~ '%ferreteria%'::text)" in plan, f"{sdef.name}: {expression}\n{plan}"


def test_list_indexes_have_their_included_columns_in_the_database(migrated_pg):
    engine = migrated_pg.extensions["crm_db"].engine
    inspector = inspect(engine)
    for table in _bundled_sessions(migrated_pg):
        reflected = {i["name"]: i for i in inspector.get_indexes(table)}
        for index in Base.metadata.tables[table].indexes:
            include = index.dialect_options["postgresql"]["include"] or []
            found = reflected[index.name]
            assert found["column_names"] == [c.name for c in index.expressions], index.name
            assert found.get("dialect_options", {}).get("postgresql_include", []) == list(include), index.name


def test_the_list_index_migrations_go_down_and_up_again(migrated_pg):
    cfg = alembic_config(migrated_pg)
    command.downgrade(cfg, "b7c1d2e3f4a5")  # sales: per-field trigram indexes
    command.downgrade(cfg, "62e18b2f87b4")  # activities: first table
    names = {i["name"] for i in inspect(migrated_pg.extensions["crm_db"].engine).get_indexes("sales_lead")}
    assert "ix_sales_lead_name_trgm" in names and "ix_sales_lead_own_id" not in names
    command.upgrade(cfg, "heads")
    assert_search_indexes_match_the_filter(migrated_pg)
