"""pytest fixtures of the CRM test kit (see :mod:`crm_core.testing`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import FlaskLoginClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crm_core.testing import PASSWORD, TEST_SECRET
from crm_core.testing.database import DEFAULT_PG, backend_url, drop_backend, pg_available

TEST_USERS = (
    ("admin", "Administrators", True),
    ("leader", "Leaders", False),
    ("ana", "Executives", False),
    ("bob", "Executives", False),
)


@dataclass
class TestDatabase:
    """Stands in for :class:`crm_core.db.Database`: sessions join the test's transaction."""

    url: str
    engine: Engine
    factory: sessionmaker[Session] = field(init=False)
    connection: Any = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def base_settings(url: str, **extra: Any) -> dict[str, Any]:
    return {
        "CRM_ENV": "testing",
        "CRM_SECRET_KEY": TEST_SECRET,
        "CRM_DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


def pytest_configure(config: pytest.Config) -> None:
    """Register the kit's marker, so partners' suites pass ``--strict-markers``."""
    config.addinivalue_line(
        "markers", "crm(plugins=None, customer=None, settings=None): configure the app built by the crm_app fixture"
    )


@pytest.fixture(scope="session")
def crm_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, crm_worker_id: str
) -> Iterator[str]:
    """This worker's empty database; on PostgreSQL named per run and dropped at the end."""
    run_id = getattr(request.config, "workerinput", {}).get("testrunuid") or uuid.uuid4().hex
    url = backend_url(str(tmp_path_factory.getbasetemp()), crm_worker_id, run_id[:12])
    yield url
    drop_backend(url)


@pytest.fixture(scope="session")
def crm_template(crm_database_url: str) -> Iterator[Engine]:
    """This worker's database: migrated for every installed plugin, groups and test users.

    Tables of models declared only by tests (a sample session) are created with ``create_all``.
    """
    from crm_core.app import create_app
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import Base, unit_of_work
    from crm_core.migrate import upgrade
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password

    app = create_app(base_settings(crm_database_url, CRM_PLUGINS=None))
    upgrade(app)
    engine = app.extensions["crm_db"].engine
    Base.metadata.create_all(engine)
    with app.app_context(), unit_of_work() as s:
        groups = ensure_groups(s, app.extensions["crm"].registry)
        pw = hash_password(PASSWORD)
        for username, group, is_admin in TEST_USERS:
            if s.scalar(select(User).where(User.username == username)) is None:
                s.add(
                    User(
                        username=username,
                        full_name=username.title(),
                        email=f"{username}@example.com",
                        password_hash=pw,
                        is_admin=is_admin,
                        group_id=groups[group].id,
                    )
                )
    yield engine
    engine.dispose()


def _marker_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("crm")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def crm_app(request: pytest.FixtureRequest, crm_template: Engine, crm_database_url: str) -> Iterator[Flask]:
    """An app bound to this test's transaction, configured by ``@pytest.mark.crm``."""
    from crm_core.app import create_app

    conf = _marker_config(request)
    settings = base_settings(crm_database_url, **conf.get("settings", {}))
    if "plugins" in conf:
        settings["CRM_PLUGINS"] = ",".join(conf["plugins"])
    if "customer" in conf:
        settings["CRM_CUSTOMER"] = conf["customer"] or ""
    app = create_app(settings, extra_plugins=conf.get("extra_plugins"))
    app.test_client_class = FlaskLoginClient
    connection = crm_template.connect()
    outer = connection.begin()
    tdb = TestDatabase(crm_database_url, crm_template, connection)
    tdb.factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    app.extensions["crm_db"].engine.dispose()
    app.extensions["crm_db"] = tdb
    with app.app_context():
        from crm_core.bootstrap import ensure_groups
        from crm_core.db import unit_of_work

        with unit_of_work() as s:  # default permissions for sessions of test-only plugins too
            ensure_groups(s, app.extensions["crm"].registry)
    try:
        yield app
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def app_ctx(crm_app: Flask) -> Iterator[Flask]:
    with crm_app.test_request_context():
        yield crm_app


@pytest.fixture
def db(app_ctx: Flask) -> Session:
    """The app-context database session (inside the test transaction)."""
    from crm_core.db import session

    return session()


@pytest.fixture
def users(db: Session) -> dict[str, Any]:
    from crm_core.models.auth import User

    return {u.username: u for u in db.scalars(select(User))}


@pytest.fixture
def client_for(crm_app: Flask, users: dict[str, Any]) -> Callable[[str], FlaskClient]:
    """``client_for("ana")``: a test client logged in as ana."""

    def make(username: str) -> FlaskClient:
        return crm_app.test_client(user=users[username])

    return make


@pytest.fixture
def access_for(db: Session, users: dict[str, Any]) -> Callable[[str], Any]:
    from crm_core.app import crm_state
    from crm_core.security.access import load_access

    def make(username: str) -> Any:
        return load_access(db, users[username], crm_state().row_filters)

    return make


@pytest.fixture
def make_plugin() -> Callable[..., Any]:
    from crm_core.testing import make_plugin as factory

    return factory


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A reachable PostgreSQL server URL, or the test is skipped with the reason."""
    url = os.environ.get("CRM_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        url = os.environ.get("CRM_TEST_PG_URL", DEFAULT_PG)
    reason = pg_available(url)
    if reason:
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def crm_worker_id(request: pytest.FixtureRequest) -> str:
    """xdist's worker id, or ``master`` without xdist."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")
