"""Demo cases (``crm demo``): every state of the life cycle for each demo customer, reached
through the services (audited), numbered, overdue ones on the home page; idempotent; and the
demo client runs the cases plugin."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm_core.demo import make_demo_data
from plugins.cases import demo
from plugins.cases.models import Case
from tests.support.audit import audit_rows

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])


def test_demo_cases_cover_the_life_cycle_and_load_once(db, users, client_for):
    make_demo_data(db, users)
    db.commit()
    cases = list(db.scalars(select(Case)))
    assert {c.status for c in cases} == {"gathering", "open", "resolved", "closed", "cancelled"}
    assert all(re.fullmatch(r"C-\d{4}-\d{6}", c.number) for c in cases)
    assert len({c.number for c in cases}) == len(cases)
    assert {c.owner_id for c in cases} >= {users["ana"].id, users["bob"].id}
    closed = next(c for c in cases if c.status == "closed")
    assert closed.agreed_by and closed.agreed_via == "phone"
    assert [a for a, changes in audit_rows(db, closed) if "status" in changes][-1] == "close"
    home = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="panel-cases-overdue"' in home and "Factura duplicada" in home
    assert demo.load(db, users) == 0
    assert db.scalar(select(func.count()).select_from(Case)) == len(cases)


@pytest.mark.crm(customer="demo")
def test_the_demo_client_runs_cases(crm_app, client_for):
    assert {"cases", "erp_gl7", "messaging"} <= set(crm_app.extensions["crm"].plugins)  # the demo list
    page = client_for("ana").get("/").get_data(as_text=True)
    assert 'data-session="cases"' in page
