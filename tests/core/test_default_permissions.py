"""Default permissions (CORE-04): given to the default groups when a group is created or a
session first appears (a plugin enabled later), never overwriting an administrator's changes —
``scripts/run`` runs ``crm init`` and ``crm demo`` on every start."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.admin.services import set_permissions
from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.db import unit_of_work
from crm_core.declarations import Module, SessionDef
from crm_core.models.auth import Group, Permission
from crm_core.testing import make_plugin
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings


@pytest.fixture
def scratch_url(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        yield url


def start(url, plugins="sales", **extra):
    """A new app process on ``url`` (what a restart with another plugin list does)."""
    return create_app(base_settings(url, CRM_PLUGINS=plugins), extra_plugins=extra or None)


def crm(app, *args):
    result = app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def rights(app, group, session_name):
    """``(view, modify, change_owner)`` of ``group`` on ``session``; ``None`` without a row."""
    with app.app_context(), unit_of_work() as db:
        row = db.scalar(select(Permission).join(Group).where(Group.name == group, Permission.session_name == session_name))
        return None if row is None else (row.can_view, row.can_modify, row.can_change_owner)


def set_rights(app, group, session_name, actions):
    """What the permission matrix screen does when an administrator saves a row."""
    with app.app_context(), unit_of_work() as db:
        set_permissions(db, db.scalar(select(Group).where(Group.name == group)), [session_name], {session_name: actions})


def dispose(*apps):
    for app in apps:
        app.extensions["crm_db"].engine.dispose()


def test_init_and_demo_keep_an_administrators_changes(scratch_url):
    app = start(scratch_url)
    crm(app, "init")
    crm(app, "demo")
    assert rights(app, "Executives", "leads") == (True, True, False)
    set_rights(app, "Executives", "leads", {"view"})
    set_rights(app, "Leaders", "accounts", set())
    set_rights(app, "Administrators", "users", {"view"})
    for _start in range(2):  # scripts/run on every start
        crm(app, "init")
        crm(app, "demo")
    assert rights(app, "Executives", "leads") == (True, False, False)
    assert rights(app, "Leaders", "accounts") == (False, False, False)
    assert rights(app, "Administrators", "users") == (True, False, False)
    dispose(app)


def test_db_upgrade_gives_a_newly_enabled_plugin_its_default_rights_once(scratch_url):
    before = start(scratch_url, "sales")
    crm(before, "init")
    assert rights(before, "Executives", "activities") is None
    after = start(scratch_url, "sales,activities")
    crm(after, "db", "upgrade")
    assert rights(after, "Executives", "activities") == (True, True, False)
    assert rights(after, "Leaders", "calendar") == (True, True, True)
    assert rights(after, "Administrators", "activities") == (True, True, True)
    set_rights(after, "Executives", "activities", set())
    again = start(scratch_url, "sales,activities")
    crm(again, "db", "upgrade")
    crm(again, "init")
    assert rights(again, "Executives", "activities") == (False, False, False)
    dispose(before, after, again)


def _report_plugin():
    """A plugin with a session and no tables: enabling it needs no migration."""
    return make_plugin(
        "reports_x",
        crm_register_modules=lambda: [Module("reports_x", "Reports X")],
        crm_register_sessions=lambda: [SessionDef("report_x", "reports_x", "Report X", endpoint="home.index")],
    )


def test_first_request_gives_a_newly_enabled_plugin_its_default_rights_once(scratch_url):
    before = start(scratch_url, "sales")
    crm(before, "init")
    after = start(scratch_url, "sales,reports_x", reports_x=_report_plugin())
    assert rights(after, "Executives", "report_x") is None
    after.test_client().get("/login")
    assert rights(after, "Executives", "report_x") == (True, True, False)
    assert rights(after, "Leaders", "report_x") == (True, True, True)
    set_rights(after, "Leaders", "report_x", {"view"})
    restarted = start(scratch_url, "sales,reports_x", reports_x=_report_plugin())
    restarted.test_client().get("/login")
    assert rights(restarted, "Leaders", "report_x") == (True, False, False)
    dispose(before, after, restarted)


def test_upgrading_a_database_keeps_rights_of_sessions_already_granted(scratch_url):
    """The migration counts sessions with permission rows as known: nothing is granted back."""
    from alembic import command

    from crm_core.migrate import alembic_config

    app = start(scratch_url)
    crm(app, "init")
    set_rights(app, "Executives", "contacts", set())
    with app.app_context(), unit_of_work() as db:
        db.execute(Permission.__table__.delete().where(Permission.session_name == "leads"))
    command.downgrade(alembic_config(app), "crm_core@8e2128a2fc9f")
    crm(app, "db", "upgrade")
    assert rights(app, "Executives", "contacts") == (False, False, False)
    assert rights(app, "Executives", "leads") == (True, True, False)  # never granted: new
    dispose(app)
