"""``crm fields``: indexes for custom fields, values of a removed field kept until a confirmed
drop (EXT-16: an upgrade never touches them, removing one is a deliberate step)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.db import unit_of_work
from crm_core.services import elements
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings

WITH_SEGMENT = '[plugins]\nenabled = ["sales"]\n[fields.leads.segment]\ntype = "text"\nsortable = true\n'
WITHOUT = '[plugins]\nenabled = ["sales"]\n'


@pytest.fixture
def database(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        yield url


def app_with(tmp_path, url, toml):  # type: ignore[no-untyped-def]
    client = tmp_path / "clients" / "acme"
    client.mkdir(parents=True, exist_ok=True)
    (client / "customer.toml").write_text(toml, encoding="utf-8")
    return create_app(base_settings(url, CRM_CUSTOMER="acme", CRM_OVERRIDES_DIR=str(tmp_path / "clients")))


def index_names(engine) -> set[str]:  # type: ignore[no-untyped-def]
    """Expression indexes included (SQLAlchemy's reflection skips them on SQLite)."""
    sql = ("SELECT indexname FROM pg_indexes WHERE tablename = 'sales_lead'" if engine.dialect.name == "postgresql"
           else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sales_lead'")
    with engine.connect() as connection:
        return set(connection.scalars(text(sql)))


def run(app, *args, input=None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_index_list_and_a_confirmed_drop(tmp_path, database):
    app = app_with(tmp_path, database, WITH_SEGMENT)
    assert run(app, "init").exit_code == 0
    with app.app_context():
        from crm_core.models.auth import User
        from crm_core.security.access import load_access

        with unit_of_work() as db:
            admin = db.scalar(select(User).where(User.username == "admin"))
            sdef = app.extensions["crm"].registry.sdef("leads")
            elements.create(db, sdef, load_access(db, admin), {"name": "Kept", "segment": "retail"})
    result = run(app, "fields", "index")
    assert result.exit_code == 0 and "cfx_sales_lead_segment" in result.output, result.output
    with app.app_context():
        engine = app.extensions["crm_db"].engine
        assert {"cfx_sales_lead_segment", "cfx_sales_lead_segment_own"} <= index_names(engine)
    assert "leads.segment: text (customer.toml), 1 value(s)" in run(app, "fields", "list").output
    refused = run(app, "fields", "drop", "leads", "segment", "--yes")
    assert refused.exit_code != 0 and "still declared" in refused.output
    app.extensions["crm_db"].engine.dispose()

    later = app_with(tmp_path, database, WITHOUT)  # the consultant removed the field: values stay
    assert "leads.segment: not declared, 1 stored value(s) kept" in run(later, "fields", "list").output
    aborted = run(later, "fields", "drop", "leads", "segment", input="n\n")
    assert aborted.exit_code != 0
    assert "1 stored value(s) kept" in run(later, "fields", "list").output
    done = run(later, "fields", "drop", "leads", "segment", input="y\n")
    assert done.exit_code == 0 and "1 record(s)" in done.output, done.output
    assert "segment" not in run(later, "fields", "list").output
    with later.app_context():
        engine = later.extensions["crm_db"].engine
        assert not {"cfx_sales_lead_segment", "cfx_sales_lead_segment_own"} & index_names(engine)
    later.extensions["crm_db"].engine.dispose()
