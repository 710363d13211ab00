"""Test databases: one migrated template per test run (per xdist worker), per backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def backend_url(tmp_dir: str, worker: str, run_id: str = "") -> str:
    """The URL of this worker's test database (created empty).

    On PostgreSQL the name carries ``run_id`` (unique per test run), so two runs against one
    server never drop each other's databases; :func:`drop_backend` removes it afterwards.
    """
    base = os.environ.get("CRM_TEST_DATABASE_URL", "")
    if not base or base.startswith("sqlite"):
        return f"sqlite:///{tmp_dir}/crm-test-{worker}.sqlite3"
    return create_pg_database(base, pg_test_name(worker, run_id))


def pg_test_name(worker: str, run_id: str) -> str:
    """A database name for this worker of this run (PostgreSQL identifiers: ≤ 63 bytes)."""
    return f"crm_test_{worker}_{run_id}"[:63].lower()


def drop_backend(url: str) -> None:
    """Drop a worker database created by :func:`backend_url` (nothing to do on SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.database:
        drop_pg_database(parsed.set(database="postgres").render_as_string(hide_password=False), parsed.database)


def create_pg_database(base: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``base``; returns its URL."""
    url = make_url(base)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(base: str, name: str) -> None:
    admin = create_engine(make_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pg_available(url: str = DEFAULT_PG) -> str | None:
    """None when a PostgreSQL server answers at ``url``, else the reason it does not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        engine.connect().close()
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"PostgreSQL not reachable at {url}: {exc.__class__.__name__}"
    return None


@contextmanager
def scratch_database(tmp_dir: str) -> Iterator[str]:
    """A fresh, empty database on the test backend, dropped afterwards (committed-data tests)."""
    base = os.environ.get("CRM_TEST_DATABASE_URL", "")
    if not base or base.startswith("sqlite"):
        yield f"sqlite:///{tmp_dir}/scratch-{uuid.uuid4().hex}.sqlite3"
        return
    name = f"crm_scratch_{uuid.uuid4().hex[:12]}"
    url = create_pg_database(base, name)
    try:
        yield url
    finally:
        drop_pg_database(base, name)
