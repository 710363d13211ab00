"""Database plumbing: one declarative ``Base``, one engine per app, a session per app context.

The session lives in ``flask.g`` so a request, a CLI command or a worker tick each get their own
and it is closed when the context ends. ``unit_of_work()`` is the one way business code writes:
everything inside it commits together or not at all (house rule: one transaction per flow).
"""

from __future__ import annotations

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


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-backend settings the CRM relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@dataclass
class Database:
    """The app's engine and session factory (``app.extensions['crm_db']``)."""

    url: str
    engine: Engine = field(init=False)
    factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.engine = make_engine(self.url)
        self.factory = sessionmaker(bind=self.engine, expire_on_commit=False)

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


def close_session(_exc: BaseException | None = None) -> None:
    s = g.pop("crm_session", None)
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


def stream_scalars(stmt: Select, chunk: int) -> Iterator[Any]:
    """The ORM objects of ``stmt``, read ``chunk`` rows at a time by a session of their own.

    A streamed response body runs after the request's teardown has closed the request's
    session, so it cannot borrow it. This session lives exactly as long as the iteration: the
    first ``next()`` opens it (inside the stream's app context), and it is closed when the rows
    run out or the server closes the generator because the client went away. ``yield_per``
    keeps memory bounded (a server-side cursor on PostgreSQL).
    """
    with get_db().factory() as s:
        yield from s.scalars(stmt.execution_options(yield_per=chunk))
