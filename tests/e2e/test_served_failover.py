"""Failover of a primary/standby pair under a write load (CORE-20).

A local primary with a synchronous standby (``crm_core.pgpair``, what ``crm db pair up`` runs);
the CRM served by ``crm serve`` and the service layer in this process both write through the
multi-host URL (``target_session_attrs=read-write``). The primary is killed (SIGKILL, like a
failed machine) while they write, the standby is promoted, and then: every write that was
acknowledged (HTTP 201 / a committed unit of work) is on the new primary — none lost — and the
served app answers again without a restart. Runs in the PostgreSQL pass; skips with the reason
when the server binaries are missing.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import select

from crm_core import pgpair
from tests.support.served import ServedCrm, free_port, prepare_database, served_crm, server_env

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not os.environ.get("CRM_TEST_DATABASE_URL", "").startswith("postgresql"),
                       reason="PostgreSQL pass only (CRM_TEST_DATABASE_URL is not PostgreSQL)"),
    pytest.mark.skipif(pgpair.missing_reason() is not None, reason=str(pgpair.missing_reason())),
]

BEFORE_KILL = 15  # acknowledged writes per writer before the primary is killed
AFTER_PROMOTE = 10  # … and after the standby was promoted
WAIT_SECONDS = 45.0


@pytest.fixture
def pair() -> Iterator[pgpair.Pair]:
    root = Path(tempfile.mkdtemp(prefix="crm-pair-"))
    root.rmdir()  # pgpair.up wants a new or empty folder and sets its owner
    ports = free_port(), free_port()
    while ports[1] == ports[0]:
        ports = ports[0], free_port()
    started = None
    try:
        started = pgpair.up(root, *ports)
        with psycopg.connect(host="127.0.0.1", port=ports[0], user="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE crm")
        yield started
    finally:
        pgpair.down(started or pgpair.Pair(root, *ports))
        assert not root.exists()


class Writer(threading.Thread):
    """Writes one uniquely named account after another until stopped; remembers the names whose
    write was acknowledged, and how many were acknowledged after ``mark()``."""

    def __init__(self, name: str, write: Callable[[str], bool], progress: threading.Condition) -> None:
        super().__init__(name=name, daemon=True)
        self.write, self.progress = write, progress
        self.acknowledged: list[str] = []
        self.failed = 0
        self.last_error = ""
        self.since_mark = 0
        self.stop = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.is_set():
            n += 1
            name = f"{self.name}-{n:05d}"
            try:
                ok = self.write(name)
            except Exception as exc:  # noqa: BLE001 - an error is an unacknowledged write
                ok, self.last_error = False, repr(exc)[:300]
            with self.progress:
                if ok:
                    self.acknowledged.append(name)
                    self.since_mark += 1
                else:
                    self.failed += 1
                self.progress.notify_all()

    def mark(self) -> None:
        with self.progress:
            self.since_mark = 0


def wait_for(progress: threading.Condition, check: Callable[[], bool], what: str, writers: list[Writer]) -> None:
    with progress:
        done = progress.wait_for(check, timeout=WAIT_SECONDS)
        assert done, f"timed out waiting for {what}: " + "; ".join(
            f"{w.name}: {len(w.acknowledged)} acknowledged, {w.failed} failed, last error {w.last_error}" for w in writers)


def service_writer(url: str) -> tuple[Any, Callable[[str], bool]]:
    """A write through the service layer of an app in this process (one unit of work each)."""
    from crm_core.app import create_app
    from crm_core.db import unit_of_work
    from crm_core.extensions import crm_state
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services import elements
    from crm_core.testing.plugin import base_settings

    app = create_app(base_settings(url, CRM_PLUGINS=("sales",), CRM_DATABASE_CONNECT_RETRY=20.0))

    def write(name: str) -> bool:
        with app.app_context(), unit_of_work() as s:
            user = s.scalar(select(User).where(User.username == "ana"))
            access = load_access(s, user, crm_state().row_filters)
            elements.create(s, crm_state().registry.sessions["accounts"], access, {"name": name, "code": name})
        return True  # the commit returned: acknowledged

    return app, write


def http_writer(server: ServedCrm) -> Callable[[str], bool]:
    client = server.login("bob")

    def write(name: str) -> bool:
        response = client.post("/api/v1/accounts", json={"name": name, "code": name})
        if response.status_code != 201:
            raise RuntimeError(f"{response.status_code} {response.text[:200]}")
        return True

    return write


def grid_reads_on_the_standby_see_acknowledged_writes(server: ServedCrm, pair: pgpair.Pair, name: str) -> None:
    """With ``CRM_DATABASE_READ_URL`` the grid reads from the standby, and (synchronous
    ``remote_apply``) sees a write as soon as it was acknowledged."""
    bob = server.login("bob")
    try:
        page = bob.get("/s/accounts", params={"q": name})
        assert page.status_code == 200 and name in page.text
    finally:
        bob.close()
    with psycopg.connect(host="127.0.0.1", port=pair.standby_port, user="postgres", dbname="crm") as conn:
        readers = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'crm-reads'").fetchone()
    assert readers[0] >= 1


def names_on(port: int) -> set[str]:
    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="crm") as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sales_account")}


def test_no_acknowledged_write_is_lost_and_the_app_serves_after_failover(pair: pgpair.Pair, tmp_path: Path) -> None:
    url = pair.url("crm")
    prepare_database(url, plugins=("sales",))
    reads = pair.standby_url("crm") + "?application_name=crm-reads"
    env = server_env(url, CRM_PLUGINS="sales", CRM_DATABASE_CONNECT_RETRY="20", CRM_DATABASE_READ_URL=reads)
    with served_crm(env, str(tmp_path), workers=1, threads=4) as server:
        progress = threading.Condition()
        svc_app, svc_write = service_writer(url)
        writers = [Writer("svc", svc_write, progress), Writer("http", http_writer(server), progress)]
        for w in writers:
            w.start()
        try:
            wait_for(progress, lambda: all(len(w.acknowledged) >= BEFORE_KILL for w in writers), "writes before", writers)
            grid_reads_on_the_standby_see_acknowledged_writes(server, pair, writers[1].acknowledged[-1])
            started = time.monotonic()
            pgpair.kill_primary(pair)
            pgpair.promote(pair)
            promoted = time.monotonic() - started
            for w in writers:
                w.mark()
            wait_for(progress, lambda: all(w.since_mark >= AFTER_PROMOTE for w in writers), "writes after", writers)
            recovered = time.monotonic() - started
            print(f"failover: promoted {promoted:.2f} s, writes again {recovered:.2f} s after the kill; "
                  + ", ".join(f"{w.name} {len(w.acknowledged)} acknowledged / {w.failed} failed" for w in writers))
        finally:
            for w in writers:
                w.stop.set()
            for w in writers:
                w.join(WAIT_SECONDS)
            svc_app.extensions["crm_db"].dispose()
        assert pgpair.status(pair) == {"primary": "stopped", "standby": "primary (read-write)"}
        acknowledged = {name for w in writers for name in w.acknowledged}
        lost = acknowledged - names_on(pair.standby_port)
        assert not lost, f"{len(lost)} acknowledged writes lost: {sorted(lost)[:10]}"
        assert len(acknowledged) >= 2 * (BEFORE_KILL + AFTER_PROMOTE)
        assert recovered < WAIT_SECONDS

        # the served app answers again, reads included, without a restart
        ana = server.login("ana")
        listed = ana.get("/api/v1/accounts", params={"q": "svc-"})
        assert listed.status_code == 200 and "svc-" in listed.text, listed.text
        assert ana.get("/s/accounts").status_code == 200
        ana.close()
        assert httpx.get(f"{server.url}/login", timeout=10).status_code == 200
