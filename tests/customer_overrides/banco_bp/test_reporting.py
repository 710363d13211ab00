"""Banco BP's reporting views (seed 000, external consumers): ``crm reporting install`` creates
them from the declarations; on PostgreSQL a reader role reads the views and nothing else."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from crm_core.reporting import declared_views, install
from crm_core.toolkit import create_element, crm_state, unit_of_work

pytestmark = pytest.mark.crm(customer="banco_bp")


@pytest.fixture
def data(db, access_for):
    registry = crm_state().registry
    with unit_of_work() as s:
        account = create_element(s, registry.sdef("accounts"), access_for("ana"),
                                 {"code": "0912345678", "name": "Carlos Mendoza", "city": "Guayaquil",
                                  "email": "secreto@example.com"})
        create_element(s, registry.sdef("cases"), access_for("ana"),
                       {"account_id": account.id, "subject": "Cobro", "type": "claim"})
    return account


def test_views_hold_the_declared_columns(data, db):
    views = declared_views()
    assert [v.name for v in views] == ["bp_cases", "bp_clients", "bp_opportunities"]
    conn = db.connection()
    install(conn, views)
    prefix = "reporting." if conn.dialect.name == "postgresql" else "reporting_"
    row = conn.execute(text(f"SELECT * FROM {prefix}bp_clients")).mappings().one()
    assert (row["core_code"], row["city"], row["executive"]) == ("0912345678", "Guayaquil", "ana")
    assert "secreto@example.com" not in str(dict(row))
    case = conn.execute(text(f"SELECT core_code, type, status FROM {prefix}bp_cases")).one()
    assert tuple(case) == ("0912345678", "claim", "gathering")


def test_the_reader_role_reads_views_and_nothing_else(crm_app, data, db):
    conn = db.connection()
    if conn.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"bp_reader_{uuid.uuid4().hex[:8]}"
    try:
        install(conn, declared_views(), role=role, password="s3cret'pw")
        conn.execute(text(f"SET ROLE {role}"))
        assert conn.execute(text("SELECT count(*) FROM reporting.bp_clients")).scalar() >= 1
        with pytest.raises(ProgrammingError, match="permission denied"), conn.begin_nested():
            conn.execute(text("SELECT * FROM sales_account"))
        with pytest.raises(ProgrammingError, match="permission denied"), conn.begin_nested():
            conn.execute(text("CREATE TABLE reporting.mine (id integer)"))
    finally:
        conn.execute(text("RESET ROLE"))  # the role itself goes with the test's rolled-back transaction
