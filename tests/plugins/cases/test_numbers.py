"""Readable case numbers (CAS-01): ``C-<year>-<6 digits>``, given in order from the year's
counter row on every creation path (screen, API, import), never typed, never reused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.importing import engine
from crm_core.models.types import utcnow
from plugins.cases import services
from plugins.cases.models import Case, CaseCounter

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])


def test_new_cases_get_consecutive_numbers_of_the_current_year(new_case):
    year = utcnow().year
    first, second = new_case(), new_case(subject="Otra")
    assert first.number == f"C-{year}-000001"
    assert second.number == f"C-{year}-000002"


def test_the_number_is_part_of_the_creation_not_a_second_change(new_case, db):
    from tests.support.audit import audit_rows

    case = new_case()
    assert case.version == 1
    assert len(audit_rows(db, case)) == 1


def test_a_number_cannot_be_given_or_changed_through_the_api(client_for, customer, new_case, db):
    ana = client_for("ana")
    created = ana.post(
        "/api/v1/cases",
        json={"account_id": customer["account"].id, "subject": "X", "type": "billing", "number": "C-1999-000001"},
    )
    assert created.status_code == 400 and "number" in created.get_json()["error"]["fields"]
    case = new_case()
    patched = ana.patch(f"/api/v1/cases/{case.id}", json={"number": "C-1999-000001"})
    assert patched.status_code == 400
    db.expire_all()
    assert db.get(Case, case.id).number == case.number


def test_each_year_counts_from_one_on_its_own_row(db, crm_app):
    with unit_of_work():
        assert services._take_numbers(db, 2031, 1) == 1
        assert services._take_numbers(db, 2031, 3) == 4
        assert services._take_numbers(db, 2032, 1) == 1
    assert dict(db.execute(select(CaseCounter.year, CaseCounter.value)).all()) == {2031: 4, 2032: 1}
    assert services.format_number(2031, 4) == "C-2031-000004"
    assert services.format_number(2031, 1234567) == "C-2031-1234567"


def test_a_rolled_back_creation_gives_its_number_back(new_case, db):
    new_case()
    with pytest.raises(RuntimeError), unit_of_work():
        services._take_numbers(db, utcnow().year, 1)
        raise RuntimeError("the creation failed after taking its number")
    assert new_case().number.endswith("-000002")


def test_an_import_numbers_its_cases_in_row_order(crm_app, db, access_for, sdef, customer):
    code = customer["account"].code
    text = "".join(f"{code};Caso {n};billing\n" for n in range(1, 6))
    spec = engine.ImportSpec(columns=("account_code", "subject", "type"), separator=";", header=False)
    result = engine.run_import(sdef("cases"), access_for("ana"), text, spec)
    assert result.created == 5 and not result.errors
    rows = db.execute(select(Case.subject, Case.number).order_by(Case.id)).all()
    year = utcnow().year
    assert rows == [(f"Caso {n}", f"C-{year}-{n:06d}") for n in range(1, 6)]
