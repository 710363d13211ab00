"""Importing sales records costs a number of SQL statements that does not grow with the rows
(PLUG-05): events get the resolved access and a bulk variant per chunk, and the schemas' lookups
(account ids and codes, campaign codes) are loaded once per chunk, not once per row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.services import elements
from crm_core.testing import sql_statements
from plugins.sales.models import Contact, Lead, Opportunity, OpportunityStageChange

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing", "activities", "messaging"])

ACCOUNTS = 40
PER_1000 = 30




@pytest.fixture
def accounts(db, sdef, access_for) -> list[tuple[int, str]]:
    """``(id, code)`` of the accounts the imported rows point at, owned by ana."""
    rows = [{"code": f"C{n:04d}", "name": f"Account {n}"} for n in range(ACCOUNTS)]
    with unit_of_work():
        ids = elements.create_many(db, sdef("accounts"), access_for("ana"), rows)
    return [(pk, row["code"]) for pk, row in zip(ids, rows, strict=True)]


def _contacts(accounts: list[tuple[int, str]], start: int, count: int) -> tuple[str, ImportSpec]:
    lines = [f"{accounts[n % ACCOUNTS][0]};Name{n};Last{n};c{n}@x.test" for n in range(start, start + count)]
    return "\n".join(["h;h;h;h", *lines]), ImportSpec(("account_id", "first_name", "last_name", "email"))


def _leads(_accounts: list[tuple[int, str]], start: int, count: int) -> tuple[str, ImportSpec]:
    lines = [f"Lead {n};Company {n};l{n}@x.test" for n in range(start, start + count)]
    return "\n".join(["h;h;h", *lines]), ImportSpec(("name", "company", "email"))


def _opportunities(accounts: list[tuple[int, str]], start: int, count: int) -> tuple[str, ImportSpec]:
    lines = [f"Deal {n};{accounts[n % ACCOUNTS][1]};{n}.50" for n in range(start, start + count)]
    return "\n".join(["h;h;h", *lines]), ImportSpec(("name", "account_code", "amount"))


CASES = {"contacts": (_contacts, Contact), "leads": (_leads, Lead), "opportunities": (_opportunities, Opportunity)}


def _import(db, sdef, access, session_name: str, accounts, start: int, count: int, mode: str, chunk: int = 1_000) -> int:  # type: ignore[no-untyped-def]
    """Import ``count`` new rows of ``session`` through the import screens' entry point; returns
    how many statements it ran."""
    make, _model = CASES[session_name]
    text, spec = make(accounts, start, count)
    spec = ImportSpec(spec.columns, mode=mode)
    with sql_statements(db.get_bind().engine) as statements:
        result = run_import(sdef(session_name), access, text, spec, chunk_size=chunk)
    assert result.errors == [] and result.created == count and result.committed
    return len(statements)


@pytest.mark.parametrize("mode", ["all", "valid"])
@pytest.mark.parametrize("session_name", sorted(CASES))
def test_an_import_runs_a_number_of_statements_that_does_not_grow_with_the_rows(
    db, sdef, access_for, accounts, session_name, mode
):
    access = access_for("ana")
    thousand = _import(db, sdef, access, session_name, accounts, 0, 1_000, mode)
    in_one_chunk = _import(db, sdef, access, session_name, accounts, 1_000, 2_000, mode, chunk=2_000)
    in_two_chunks = _import(db, sdef, access, session_name, accounts, 3_000, 2_000, mode)
    assert thousand <= PER_1000, f"{session_name}: {thousand} statements for 1,000 rows"
    assert in_one_chunk <= thousand + 3, f"{session_name}: {thousand} for 1,000 rows, {in_one_chunk} for 2,000"
    assert in_two_chunks <= 2 * PER_1000, f"{session_name}: {in_two_chunks} for 2,000 rows in chunks of 1,000"
    model = CASES[session_name][1]
    assert db.scalar(select(func.count()).select_from(model)) == 5_000


def test_imported_opportunities_still_enter_the_pipeline(db, sdef, access_for, accounts):
    _import(db, sdef, access_for("ana"), "opportunities", accounts, 0, 1_000, "all")
    stages = db.scalar(select(func.count()).select_from(OpportunityStageChange).where(OpportunityStageChange.from_stage == ""))
    assert stages == 1_000
    assert db.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.stage == "")) == 0
