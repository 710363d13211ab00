"""Point-in-time recovery as docs/operations.md describes it (CORE-20): WAL archived by
``archive_command``, a base backup by ``pg_basebackup``, then a mistake; the base backup plus
the archive, replayed up to a named restore point, give the data as it was before the mistake.
PostgreSQL pass only; skips with the reason where the server binaries are missing."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from crm_core import pgpair
from tests.support.served import free_port

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not os.environ.get("CRM_TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="PostgreSQL pass only (CRM_TEST_DATABASE_URL is not PostgreSQL)"),
    pytest.mark.skipif(pgpair.missing_reason() is not None, reason=str(pgpair.missing_reason())),
]
WAIT_SECONDS = 30.0


@pytest.fixture
def folder() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="crm-pitr-"))
    pgpair.give_to_server_user(root)
    try:
        yield root
    finally:
        for data in (root / "data", root / "base"):
            # a stale pid file (the server already stopped) makes pg_ctl fail: nothing to stop
            if (data / "postmaster.pid").is_file():
                with contextlib.suppress(pgpair.PairError):
                    pgpair.run_tool([pgpair.tool("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"], "stop")
        shutil.rmtree(root, ignore_errors=True)


def connect(port: int) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True)


def test_base_backup_and_wal_archive_recover_the_data_before_a_mistake(folder: Path) -> None:
    data, base, archive = folder / "data", folder / "base", folder / "wal"
    port = free_port()
    pgpair.run_tool([pgpair.tool("initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"], "initdb")
    pgpair.run_tool(["mkdir", "-m", "700", archive], "mkdir")
    pgpair.append_settings(data / "postgresql.conf", {
        "listen_addresses": "'127.0.0.1'", "port": str(port), "unix_socket_directories": f"'{folder}'",
        "wal_level": "replica", "archive_mode": "on",
        "archive_command": f"'test ! -f {archive}/%f && cp %p {archive}/%f'",
    })
    pgpair.start_server(data, "the primary")
    pgpair.run_tool([pgpair.tool("pg_basebackup"), "-D", base, "-X", "stream", "--no-sync",
                     "-d", f"host=127.0.0.1 port={port} user=postgres"], "pg_basebackup")

    with connect(port) as conn:
        conn.execute("CREATE TABLE account (name text)")
        conn.execute("INSERT INTO account VALUES ('kept 1'), ('kept 2')")
        conn.execute("SELECT pg_create_restore_point('before_mistake')")
        conn.execute("DELETE FROM account WHERE name = 'kept 2'")  # the mistake
        conn.execute("INSERT INTO account VALUES ('after the mistake')")
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        deadline = time.monotonic() + WAIT_SECONDS
        while (archived := conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()[0]) != segment:
            assert time.monotonic() < deadline, f"segment {segment} not archived (last: {archived})"
            time.sleep(0.05)
    pgpair.run_tool([pgpair.tool("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"], "stopping the primary")

    # recovery: the base backup, the archive, a target
    recovered = free_port()
    pgpair.append_settings(base / "postgresql.conf", {
        "port": str(recovered), "archive_mode": "off",
        "restore_command": f"'cp {archive}/%f %p'",
        "recovery_target_name": "'before_mistake'",
        "recovery_target_action": "'promote'",
    })
    pgpair.run_tool(["touch", base / "recovery.signal"], "recovery.signal")
    pgpair.start_server(base, "the recovered server")
    deadline = time.monotonic() + WAIT_SECONDS
    with connect(recovered) as conn:
        while conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:
            assert time.monotonic() < deadline, "recovery did not finish"
            time.sleep(0.05)
        names = sorted(row[0] for row in conn.execute("SELECT name FROM account"))
        conn.execute("INSERT INTO account VALUES ('writable again')")
    assert names == ["kept 1", "kept 2"]
