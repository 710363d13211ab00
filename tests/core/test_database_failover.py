"""Connection settings for a primary/standby pair (CORE-20): the connection retry, the optional
read URL, their validation, and the errors of ``crm db pair`` (the failover itself:
tests/e2e/test_served_failover.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crm_core import pgpair
from crm_core.cli import cli
from crm_core.config import load_settings
from crm_core.db import make_engine, read_session, session
from crm_core.errors import ConfigError
from tests.support.served import free_port


def attempts_to_connect(retry: float) -> int:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing", connect_retry=retry)
    calls = []
    real = engine.dialect.connect

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    engine.dialect.connect = counting  # type: ignore[method-assign]
    with pytest.raises(OperationalError):
        engine.connect()
    engine.dispose()
    return len(calls)


def test_a_failed_connection_is_retried_for_the_configured_time_then_reported():
    assert attempts_to_connect(0) == 1
    assert attempts_to_connect(0.4) >= 3  # 0.05 + 0.1 + 0.2 s pauses fit in 0.4 s


@pytest.mark.parametrize(("key", "value", "message"), [
    ("CRM_DATABASE_CONNECT_RETRY", "-1", "from 0 to 300"),
    ("CRM_DATABASE_CONNECT_RETRY", "forever", "CRM_DATABASE_CONNECT_RETRY"),
    ("CRM_DATABASE_READ_URL", "sqlite:///standby.sqlite3", "must be a PostgreSQL URL"),
])
def test_bad_failover_settings_stop_start_up_naming_the_key(tmp_path, monkeypatch, key, value, message):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, {"CRM_ENV": "development"})


def test_without_a_read_url_grid_reads_use_the_primary_session(crm_app):
    with crm_app.app_context():
        assert read_session() is session()
        assert read_session().execute(text("SELECT 1")).scalar() == 1


def test_pair_commands_explain_what_is_wrong_and_need_no_app_settings(tmp_path, monkeypatch):
    for key in ("CRM_ENV", "CRM_SECRET_KEY", "CRM_DATABASE_URL"):
        monkeypatch.delenv(key, raising=False)
    runner = CliRunner()
    missing = runner.invoke(cli, ["db", "pair", "status", str(tmp_path)])
    assert missing.exit_code != 0 and "holds no database pair" in missing.output
    (tmp_path / "something").write_text("x")
    if pgpair.missing_reason() is None:
        busy = runner.invoke(cli, ["db", "pair", "up", str(tmp_path), "--port", str(free_port())])
        assert busy.exit_code != 0 and "is not an empty folder" in busy.output
        same = runner.invoke(cli, ["db", "pair", "up", str(tmp_path / "new"), "--port", "6000", "--standby-port", "6000"])
        assert same.exit_code != 0 and "two different ports" in same.output
    assert not (tmp_path / "new").exists()


def test_without_server_binaries_the_pair_explains_why(tmp_path, monkeypatch):
    monkeypatch.setattr(pgpair, "find_bindir", lambda: None)
    reason = pgpair.missing_reason()
    assert reason is not None and "CRM_PG_BINDIR" in reason
    with pytest.raises(pgpair.PairError, match="binaries"):
        pgpair.up(tmp_path / "pair", free_port(), free_port())
    assert not (tmp_path / "pair").exists()


@pytest.mark.skipif(pgpair.missing_reason() is not None, reason=str(pgpair.missing_reason()))
def test_the_standby_is_not_promoted_while_the_primary_takes_writes():
    root = Path(tempfile.mkdtemp(prefix="crm-pair-"))  # pytest's tmp_path is closed to the postgres user
    ports = free_port(), free_port()
    while ports[1] == ports[0]:
        ports = ports[0], free_port()
    pair = pgpair.up(root, *ports)
    try:
        with pytest.raises(pgpair.PairError, match="still accepts writes"):
            pgpair.promote(pair)
        assert pgpair.status(pair) == {"primary": "primary (read-write)", "standby": "standby (read-only)"}
    finally:
        pgpair.down(pair)
    assert not root.exists()
