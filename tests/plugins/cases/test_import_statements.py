"""Importing cases costs a number of SQL statements that does not grow with the rows: the
account codes, assignees and links are loaded once per chunk, and a chunk's numbers are
reserved with one counter statement and written with one ``executemany`` (CAS-01, CORE-11)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.importing.engine import run_import
from crm_core.importing.lines import ImportSpec
from crm_core.models.types import utcnow
from crm_core.testing import sql_statements
from plugins.cases.models import Case

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])

PER_1000 = 30




def _import(db, sdef, access, customer, users, start: int, count: int, chunk: int = 1_000) -> int:  # type: ignore[no-untyped-def]
    code, contact = customer["account"].code, customer["contact"].id
    lines = [f"{code};{contact};Caso {n};billing;{users['bob'].id}" for n in range(start, start + count)]
    spec = ImportSpec(("account_code", "contact_id", "subject", "type", "assignee_id"))
    with sql_statements(db.get_bind().engine) as statements:
        result = run_import(sdef("cases"), access, "\n".join(["h;h;h;h;h", *lines]), spec, chunk_size=chunk)
    assert result.errors == [] and result.created == count and result.committed
    return len(statements)


def test_an_import_of_cases_runs_a_number_of_statements_that_does_not_grow_with_the_rows(
    db, sdef, access_for, customer, users
):
    access = access_for("ana")
    thousand = _import(db, sdef, access, customer, users, 0, 1_000)
    in_one_chunk = _import(db, sdef, access, customer, users, 1_000, 2_000, chunk=2_000)
    assert thousand <= PER_1000, f"{thousand} statements for 1,000 cases"
    assert in_one_chunk <= thousand + 3, f"{thousand} for 1,000 cases, {in_one_chunk} for 2,000"
    year = utcnow().year
    numbers = list(db.scalars(select(Case.number).order_by(Case.id)))
    assert numbers == [f"C-{year}-{n:06d}" for n in range(1, 3_001)]
