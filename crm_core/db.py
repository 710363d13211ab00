"""Database plumbing: one declarative ``Base``, one engine per app, a session per app context.

The session lives in ``flask.g`` so a request, a CLI command or a worker tick each get their own
and it is closed when the context ends. ``unit_of_work()`` is the one way business code writes:
everything inside it commits together or not at all (house rule: one transaction per flow).

Primary and standby (CORE-20, docs/operations.md): the URL may name several hosts with
``target_session_attrs=read-write`` (libpq connects to the writable one). Pooled connections are
pinged before use, so a dead server's connections are replaced; ``connect_retry`` seconds of
connection retries bridge a failover (the connection is retried, never a business write).
``read_url`` optionally sends grid and listing reads to a standby (:func:`read_session`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g
from sqlalchemy import MetaData, Select, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table, core and plugins alike."""

    metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; we emit BEGIN ourselves
    # (SQLAlchemy documents this recipe) so nested transactions behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # SQLite's lower() folds ASCII only: the import's duplicate check folds keys like Python.
    dbapi_connection.create_function("crm_fold", 1, _fold, deterministic=True)


def _fold(value: Any) -> str | None:
    return None if value is None else str(value).strip().lower()


def make_engine(url: str, connect_retry: float = 0, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings the CRM relies on.

    ``connect_retry``: seconds during which a failed *connection* attempt is repeated (with a
    growing pause up to 1 s) before the error reaches the caller — the time a standby takes to
    be promoted. Statements are never repeated.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # psycopg prepares a statement on the server after its fifth run on a connection, and
    # PostgreSQL then may switch it to one *generic* plan, chosen without the values. For the
    # CRM's range and pattern conditions that plan can be catastrophic (SLA escalation's batch
    # query went from 30 ms to 20-30 s on its third run in a process): every plan is made for
    # its values (NF-01, issue 13 target 5; prepared statements still skip parsing).
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args["options"] = f"{connect_args.get('options', '')} -c plan_cache_mode=force_custom_plan".strip()
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    if connect_retry > 0:
        event.listen(engine, "do_connect", _retrying_connect(connect_retry))
    return engine


def _retrying_connect(seconds: float) -> Any:
    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        deadline = time.monotonic() + seconds
        pause = 0.05
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError:
                if time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 1.0)

    return connect


@dataclass
class Database:
    """The app's engines and session factories (``app.extensions['crm_db']``): the primary
    (every write and most reads) and, when ``read_url`` is set, a standby for grid and
    listing reads."""

    url: str
    connect_retry: float = 0
    read_url: str = ""
    engine: Engine = field(init=False)
    factory: sessionmaker[Session] = field(init=False)
    read_factory: sessionmaker[Session] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url, self.connect_retry)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        if self.read_url:
            read_engine = make_engine(self.read_url, self.connect_retry)
            self.read_factory = sessionmaker(bind=read_engine, expire_on_commit=False)

    def dispose(self) -> None:
        """Close every pooled connection (before a restore replaces the database)."""
        self.engine.dispose()
        if self.read_factory is not None:
            self.read_factory.kw["bind"].dispose()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def get_db() -> Database:
    return current_app.extensions["crm_db"]


def session() -> Session:
    """The session of the current app context (created on first use)."""
    if "crm_session" not in g:
        g.crm_session = get_db().factory()
    return g.crm_session


def read_session() -> Session:
    """A session for reads that may lag the primary by the replication delay: grid pages and
    listings. It is the standby's when ``CRM_DATABASE_READ_URL`` is set, else :func:`session`.
    Never write through it (a standby refuses writes)."""
    factory = get_db().read_factory
    if factory is None:
        return session()
    if "crm_read_session" not in g:
        g.crm_read_session = factory()
    return g.crm_read_session


def close_session(_exc: BaseException | None = None) -> None:
    for key in ("crm_session", "crm_read_session"):
        s = g.pop(key, None)
        if s is not None:
            s.close()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Run a block in one transaction: commit on success, roll back on any error."""
    s = session()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise


def stream_scalars(stmt: Select, chunk: int, read: bool = False) -> Iterator[Any]:
    """The ORM objects of ``stmt``, read ``chunk`` rows at a time by a session of their own.

    A streamed response body runs after the request's teardown has closed the request's
    session, so it cannot borrow it. This session lives exactly as long as the iteration: the
    first ``next()`` opens it (inside the stream's app context), and it is closed when the rows
    run out or the server closes the generator because the client went away. ``yield_per``
    keeps memory bounded (a server-side cursor on PostgreSQL). ``read``: from the standby when
    one is configured for reads (:func:`read_session`).
    """
    factory = (get_db().read_factory if read else None) or get_db().factory
    with factory() as s:
        yield from s.scalars(stmt.execution_options(yield_per=chunk))
