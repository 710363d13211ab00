"""``crm db backup`` / ``crm db restore`` (CORE-20): the demo data round-trips on the test's back
end (SQLite: online backup API; PostgreSQL: pg_dump custom format); bad paths and files are
refused with a clear message and change nothing; a database that holds data is replaced only
when forced and confirmed."""

from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Engine

from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.models.auth import User
from crm_core.pgpair import find_bindir
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings

ON_PG = os.environ.get("CRM_TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(
    ON_PG and shutil.which("pg_dump") is None and find_bindir() is None,
    reason="PostgreSQL client tools (pg_dump, pg_restore, psql) are not installed",
)


def make_app(url: str, **settings: object):  # type: ignore[no-untyped-def]
    return create_app(base_settings(url, CRM_PLUGINS=None, **settings))


@pytest.fixture
def demo_app(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        app = make_app(url)
        for command in ("init", "demo"):
            result = app.test_cli_runner().invoke(cli, [command], catch_exceptions=False)
            assert result.exit_code == 0, result.output
        yield app
        app.extensions["crm_db"].dispose()


@pytest.fixture
def empty_app(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        app = make_app(url)
        yield app
        app.extensions["crm_db"].dispose()


def run(app, *args: str, answer: str | None = None):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(cli, list(args), input=answer, catch_exceptions=False)


def content(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
                for name, table in sorted(meta.tables.items())}


def engine_of(app) -> Engine:  # type: ignore[no-untyped-def]
    return app.extensions["crm_db"].engine


def test_backup_and_restore_round_trip_the_demo_data(demo_app, empty_app, tmp_path):
    before = content(engine_of(demo_app))
    assert sum(len(rows) for rows in before.values()) > 100  # the demo data is there
    target = tmp_path / "crm.backup"
    made = run(demo_app, "db", "backup", str(target))
    assert made.exit_code == 0, made.output
    assert f"backup written to {target}" in made.output and target.stat().st_size > 0
    restored = run(empty_app, "db", "restore", str(target))
    assert restored.exit_code == 0, restored.output
    assert content(engine_of(empty_app)) == before
    # the restored database is a working CRM: a demo user logs in
    client = empty_app.test_client()
    assert client.post("/login", data={"username": "bob", "password": "demo1234"}).status_code == 302


def test_restore_replaces_a_database_with_data_only_when_forced_and_confirmed(demo_app, tmp_path):
    target = tmp_path / "crm.backup"
    assert run(demo_app, "db", "backup", str(target)).exit_code == 0
    before = content(engine_of(demo_app))
    with demo_app.app_context():
        from crm_core.db import unit_of_work

        with unit_of_work() as s:
            s.get(User, s.scalar(select(User.id).where(User.username == "ana"))).full_name = "Changed after backup"
    changed = content(engine_of(demo_app))
    assert changed != before

    refused = run(demo_app, "db", "restore", str(target))
    assert refused.exit_code != 0
    assert "The target database is not empty: pass --force to replace its content." in refused.output
    declined = run(demo_app, "db", "restore", str(target), "--force", answer="n\n")
    assert declined.exit_code != 0 and "This cannot be undone." in declined.output
    assert content(engine_of(demo_app)) == changed

    confirmed = run(demo_app, "db", "restore", str(target), "--force", answer="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert content(engine_of(demo_app)) == before
    again = run(demo_app, "db", "restore", str(target), "--force", "--yes")
    assert again.exit_code == 0, again.output
    assert content(engine_of(demo_app)) == before


def test_bad_backup_targets_are_refused_with_a_clear_message(demo_app, tmp_path):
    cases = [
        (tmp_path / "missing" / "crm.backup", "does not exist"),
        (tmp_path, "is a folder: give the name of the backup file to write."),
    ]
    existing = tmp_path / "old.backup"
    existing.write_bytes(b"an older backup")
    cases.append((existing, "exists: choose another name or pass --force to replace it."))
    for path, message in cases:
        result = run(demo_app, "db", "backup", str(path))
        assert result.exit_code != 0 and message in result.output, result.output
    assert existing.read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file() and ".sqlite3" not in p.name) == [
        "old.backup"]  # no half-written file left behind
    replaced = run(demo_app, "db", "backup", str(existing), "--force")
    assert replaced.exit_code == 0, replaced.output and existing.stat().st_size > 100


def test_bad_backup_files_are_refused_and_change_nothing(demo_app, tmp_path):
    good = tmp_path / "crm.backup"
    assert run(demo_app, "db", "backup", str(good)).exit_code == 0
    before = content(engine_of(demo_app))
    text = tmp_path / "notes.txt"
    text.write_text("not a backup at all\n" * 10)
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    kind = "PostgreSQL" if ON_PG else "SQLite"
    cases = [
        (tmp_path / "nothing.backup", "There is no backup file at"),
        (text, f"is not a backup of a {kind} database (made by crm db backup)."),
        (damaged, "nothing was changed"),
    ]
    for path, message in cases:
        result = run(demo_app, "db", "restore", str(path), "--force", "--yes")
        assert result.exit_code != 0 and message in result.output, result.output
        assert content(engine_of(demo_app)) == before


def test_messages_are_translated(demo_app, tmp_path):
    app = make_app(demo_app.config["CRM_DATABASE_URL"], CRM_DEFAULT_LANGUAGE="es")
    try:
        result = run(app, "db", "restore", str(tmp_path / "nada.backup"))
        assert result.exit_code != 0 and "No hay ninguna copia de seguridad en" in result.output, result.output
    finally:
        app.extensions["crm_db"].dispose()


def test_a_database_without_tables_counts_as_empty(empty_app):
    with empty_app.app_context():
        from crm_core.backup import table_names

        assert table_names(empty_app.config["CRM_DATABASE_URL"]) == []
