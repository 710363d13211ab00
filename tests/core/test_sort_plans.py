"""Every sort a grid offers is served by an index (issue 13 target 4, docs/screens.md "Sorts").

The grid and the API offer a sort only where a declared list index serves it
(:func:`crm_core.services.queries.sortable`). This proves the declaration true on PostgreSQL for
every session of the bundled plugins: the first page's ids, for "my records" and for "all
records", in both directions, come straight off an index — never from a top-N sort over a scan
of every row (154 ms at 1M rows). ``enable_seqscan`` and ``enable_bitmapscan`` off make the plan
deterministic on a scratch database with no rows (the planner reads an index in order, or a
whole index and sorts it); a sort no index serves still needs a Sort node then.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

from crm_core.indexes import indexed_sorts, list_indexes
from crm_core.security.access import Access
from crm_core.services.queries import ListQuery, page_statement, sortable

ORDERED = ("Index Scan", "Index Only Scan")
#: The sales sessions the issue names: each must offer more than its default order.
SALES = {"leads": {"name"}, "contacts": {"last_name"}, "accounts": {"code", "name"},
         "opportunities": {"name", "amount", "expected_close"}}


def _grids(app: Any) -> list[Any]:
    return [s for s in app.extensions["crm"].registry.sessions.values()
            if s.has_grid and not s.model.__module__.startswith("tests")]


def _limit_child(plan: dict[str, Any]) -> dict[str, Any] | None:
    """The node under the first ``Limit`` (the page's ids), depth first."""
    if plan["Node Type"] == "Limit":
        return plan["Plans"][0]
    for child in plan.get("Plans", ()):
        found = _limit_child(child)
        if found is not None:
            return found
    return None


def test_indexed_sorts_need_both_the_owner_and_the_all_index():
    own, every = list_indexes("t", "name", lead=("kind",))
    from sqlalchemy import Column, Integer, MetaData, String, Table

    def table(*indexes: Any) -> Table:
        return Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("kind", String(10)),
                     Column("owner_id", Integer), Column("name", String(80)), *indexes)

    assert indexed_sorts(table(own, every), ("kind",)) == {"name"}
    assert indexed_sorts(table(*list_indexes("t", "name", lead=("kind",))), ()) == frozenset()  # kind unpinned
    assert indexed_sorts(table(list_indexes("t", "name")[0]), ()) == frozenset()  # no "all records" index


def test_the_declared_sorts_override_the_indexes_and_keep_the_default():
    from dataclasses import replace

    from tests.support.sample import SAMPLES

    assert sortable(SAMPLES) == {"id", "name", "amount"}  # its list indexes and its default (-id)
    assert sortable(replace(SAMPLES, sorts=("company",))) == {"company", "id"}


def test_the_sales_grids_offer_their_indexed_sorts(migrated_pg):
    with migrated_pg.app_context():
        offered = {s.name: sortable(s) for s in _grids(migrated_pg)}
    for name, wanted in SALES.items():
        assert wanted <= offered[name], name
    assert "city" not in offered["leads"] and "stage" not in offered["opportunities"]


def test_every_offered_sort_reads_the_first_page_off_an_index(migrated_pg):
    engine = migrated_pg.extensions["crm_db"].engine
    admin = Access(SimpleNamespace(id=1, is_admin=True, group=None), {})  # type: ignore[arg-type]
    checked, wrong = 0, []
    with migrated_pg.app_context(), engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))  # no rows: without these, any plan is cheap
        conn.execute(text("SET enable_bitmapscan = off"))
        for sdef in _grids(migrated_pg):
            for sort in sorted(sortable(sdef)):
                for spec in (sort, f"-{sort}"):
                    for everyone in (False, True):
                        stmt = page_statement(sdef, admin, ListQuery(sort=spec, all_records=everyone))
                        sql = str(stmt.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
                        plan = conn.scalar(text("EXPLAIN (FORMAT JSON) " + sql.replace("%%", "%")))
                        node = _limit_child((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
                        checked += 1
                        if node is None or node["Node Type"] not in ORDERED:
                            scope = "all" if everyone else "mine"
                            wrong.append(f"{sdef.name} sort={spec} ({scope}): {node and node['Node Type']}")
    assert checked > 50 and not wrong, "\n".join(wrong)
