"""An import's work follows the file, not the table (CORE-11, NF-01, issue 13): the duplicate
check asks the database for the file's keys only, so the SQL statements of a 1,000-row import
are the same whether the table holds a few rows or many, and the keys are folded alike on both
databases (Unicode case, surrounding spaces)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.services import bulk
from crm_core.testing import sql_statements
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def seed(db, owners: list, n: int, tag: str) -> None:  # type: ignore[no-untyped-def]
    """``n`` samples spread over ``owners``, written straight to the table."""
    plan = bulk.plan_for(Sample)
    now = datetime.now(UTC)
    rows = [
        plan.complete({"name": f"Seeded {i}", "email": f"{tag}{i}@seed.test", "kind": "sale",
                       "owner_id": owners[i % len(owners)].id, "creator_id": owners[0].id,
                       "created_at": now, "updated_at": now})
        for i in range(n)
    ]
    bulk.insert_rows(db, plan, rows)
    db.flush()


def statements_of_import(db, sdef, access, text: str) -> int:  # type: ignore[no-untyped-def]
    with sql_statements(db.connection()) as seen:
        result = run_import(sdef, access, text, ImportSpec(("name", "email"), ";", True, "all", "skip"))
    assert result.committed and result.created == 1_000, result.errors[:3]
    return len(seen)


def file_of(tag: str) -> str:
    return "Name;Email\n" + "".join(f"Imported {i};{tag}{i}@import.test\n" for i in range(1_000))


@pytest.mark.parametrize("who", ["ana", "admin"])  # an owner, and an administrator who sees every row
def test_the_sql_of_a_1000_row_import_does_not_grow_with_the_table(sdef, db, users, access_for, who):
    importer = access_for(who)
    small = statements_of_import(db, sdef, importer, file_of("a"))
    seed(db, [users["ana"], users["bob"]], 6_000, "big")  # 3,000 ana may see, 3,000 she may not
    large = statements_of_import(db, sdef, importer, file_of("b"))
    assert db.scalar(select(func.count()).select_from(Sample)) == 8_000
    assert small == large
    assert small < 40  # per chunk of 1,000 rows, not per row


def test_duplicates_are_found_by_the_database_folding_case_and_spaces_like_the_file(sdef, db, users, access_for):
    seed(db, [users["ana"]], 3, "Álvaro.")  # stored as Álvaro.0@seed.test …
    seed(db, [users["bob"]], 1, "hidden.")  # not visible to ana: not a duplicate for her
    text = "Name;Email\nUno;  ÁLVARO.0@SEED.TEST \nDos;álvaro.1@seed.test\nTres;hidden.0@seed.test\nCuatro;new@x.test\n"
    result = run_import(sdef, access_for("ana"), text, ImportSpec(("name", "email"), ";", True, "all", "skip"))
    assert (result.created, result.skipped) == (2, 2)
    assert [line for line, _field, _reason in result.skips] == [2, 3]
    assert "duplicate of existing record" in result.skips[0][2]


@pytest.mark.crm(plugins=["sales"])
def test_postgresql_looks_the_folded_keys_up_in_the_sales_import_key_indexes(db):
    from plugins.sales.models import Account, Contact, Lead

    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's join; SQLite's lookup is the next test")
    from sqlalchemy import text

    from crm_core.indexes import import_key

    db.execute(text("SET LOCAL enable_seqscan = off"))
    for model, key in ((Lead, Lead.email), (Contact, Contact.email), (Account, Account.code)):
        query = select(model.id).where(import_key(key) == "someone@x.test")
        sql = query.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.scalars(text(f"EXPLAIN {sql}")))
        assert f"{model.__tablename__}_{key.key}_ikey" in plan, plan


@pytest.mark.crm(plugins=["sales"])
@pytest.mark.parametrize("who", ["ana", "admin"])
def test_postgresql_joins_the_keys_arrays_to_the_folded_key_indexes(db, access_for, who):
    """The statement the duplicate check runs on PostgreSQL (the chunk's keys as arrays, joined
    as ``unnest``), as an owner and as an administrator, looks each key up in the folded-key
    index, with sequential scans allowed."""
    from crm_core.extensions import crm_state
    from crm_core.importing.keys import lookup_by_arrays

    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's join of arrays; SQLite's lookup is the next test")
    seed_leads = crm_state().registry.sdef("leads")
    plan = bulk.plan_for(seed_leads.model)
    now = datetime.now(UTC)
    owner = access_for(who).user.id
    bulk.insert_rows(db, plan, [plan.complete({"name": f"L{i}", "email": f"l{i}@seed.test", "owner_id": owner,
                                               "creator_id": owner, "created_at": now, "updated_at": now,
                                               **dict(seed_leads.where)}) for i in range(2_000)])
    db.execute(text("ANALYZE sales_lead"))
    stmt = lookup_by_arrays(db, seed_leads, access_for(who), ("email",), [(f"l{i}@seed.test",) for i in range(3)])
    compiled = stmt.compile(db.get_bind())
    found = "\n".join(db.connection().exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
    assert "ix_sales_lead_email_ikey" in found, found  # 3 keys: 3 index lookups, not a scan of 2,000 rows
    found = lookup_by_arrays(db, seed_leads, access_for(who), ("email",), [("l3@seed.test",), ("nobody@x",)])
    assert [tuple(row[:1]) for row in db.execute(found)] == [("l3@seed.test",)]


@pytest.mark.crm(plugins=["sales"])
@pytest.mark.parametrize("who", ["ana", "admin"])
def test_sqlite_looks_the_folded_keys_up_in_the_sales_import_key_indexes(db, access_for, who):
    """The statement the duplicate check runs on SQLite, as an owner (the scope adds the owner)
    and as an administrator, searches the folded-key index instead of scanning the table."""
    from sqlalchemy import text

    from crm_core.extensions import crm_state
    from crm_core.importing.keys import lookup_by_values

    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("SQLite's lookup by values; PostgreSQL's join is the test above")
    for name, key, table in (("leads", "email", "sales_lead"), ("contacts", "email", "sales_contact"),
                             ("accounts", "code", "sales_account"),
                             ("opportunities", "external_ref", "sales_opportunity")):
        sdef = crm_state().registry.sdef(name)
        stmt = lookup_by_values(db, sdef, access_for(who), (key,), ["a@x.test", "b@x.test"])
        sql = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row[-1]) for row in db.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert f"USING INDEX ix_{table}_{key}_ikey" in plan, plan
