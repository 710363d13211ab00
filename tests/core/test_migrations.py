"""Migrations survive plugin changes; a plugin's revisions follow the plugins it requires (CORE-19, PLUG-03)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.migrate import alembic_config, pending, revision, upgrade
from crm_core.testing import make_plugin
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings


@pytest.fixture
def database_url(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        yield url


def app_for(url: str, plugins: str, **extra):
    return create_app(base_settings(url, CRM_PLUGINS=plugins), extra_plugins=extra or None)


def run(app, *args):
    return app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)


def tables(app) -> set[str]:
    engine = app.extensions["crm_db"].engine
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_disabling_a_migrated_plugin_keeps_its_tables_and_upgrade_and_init_still_run(database_url):
    upgrade(app_for(database_url, "sales,activities"))
    without = app_for(database_url, "sales")
    for command in (["db", "upgrade"], ["init"]):
        result = run(without, *command)
        assert result.exit_code == 0, result.output
    assert not pending(without)
    assert "act_activity" in tables(without)


def test_re_enabling_a_plugin_continues_its_branch(database_url):
    upgrade(app_for(database_url, "sales,activities"))
    run(app_for(database_url, "sales"), "db", "upgrade")
    again = app_for(database_url, "sales,activities")
    assert not pending(again)
    result = run(again, "db", "upgrade")
    assert result.exit_code == 0, result.output


def test_enabling_a_plugin_later_migrates_only_its_branch(database_url):
    upgrade(app_for(database_url, "sales"))
    assert "act_activity" not in tables(app_for(database_url, "sales"))
    later = app_for(database_url, "sales,activities")
    assert pending(later)
    upgrade(later)
    assert "act_activity" in tables(later) and not pending(later)


def partner_plugin(tmp_path: Path):
    """A plugin in its own folder (as an installed package would be) that requires sales."""
    package = tmp_path / "loyalty"
    package.mkdir()
    (package / "__init__.py").write_text("")
    module = make_plugin("loyalty", requires=("sales",))
    module.__file__ = str(package / "__init__.py")
    return module


FOREIGN_KEY_TABLE = '''
def upgrade():
    op.create_table(
        "loyalty_points",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("sales_account.id"), nullable=False),
    )


def downgrade():
    op.drop_table("loyalty_points")
'''


def test_a_plugins_first_revision_depends_on_the_heads_of_the_plugins_it_requires(database_url, tmp_path):
    loyalty = partner_plugin(tmp_path)
    app = app_for(database_url, "sales,loyalty", loyalty=loyalty)
    script = revision(app, "loyalty", "loyalty points", autogenerate=False)
    sales_head = ScriptDirectory.from_config(alembic_config(app)).get_revision("sales@head").revision
    assert sales_head in script.dependencies
    # Its table has a foreign key to a sales table: on a fresh database it must be created after it.
    path = Path(script.path)
    body = path.read_text()
    body = re.sub(r"\ndef upgrade\(\).*", FOREIGN_KEY_TABLE, body, flags=re.S)
    path.write_text(body)
    upgrade(app_for(database_url, "sales,loyalty", loyalty=loyalty))
    assert {"loyalty_points", "sales_account"} <= tables(app)


def test_a_later_revision_of_a_plugin_also_follows_its_requirements(database_url, tmp_path):
    loyalty = partner_plugin(tmp_path)
    app = app_for(database_url, "sales,loyalty", loyalty=loyalty)
    first = revision(app, "loyalty", "first", autogenerate=False)
    second = revision(app_for(database_url, "sales,loyalty", loyalty=loyalty), "loyalty", "second", autogenerate=False)
    assert second.down_revision == first.revision
    assert any(dep != first.revision for dep in (second.dependencies or ()))
