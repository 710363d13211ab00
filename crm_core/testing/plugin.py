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

from crm_core.testing import PASSWORD, TEST_ONLY_TABLES, TEST_SECRET
from crm_core.testing.database import DEFAULT_PG, backend_url, drop_backend, pg_available

# pytest loads this plugin (entry point ``pytest11``) before it collects and before coverage
# starts; the fixtures import the app inside their functions so loading the plugin stays cheap
# and measured code is imported under coverage.

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
    #: no standby in tests: :func:`crm_core.db.read_session` is the test's session
    read_factory: Any = None

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
    """This worker's database, built only from migrations, with the default groups and test users.

    One schema serves every test: the migrations of the core and of every *installed* plugin are
    applied without importing any plugin (a plugin that fails to import breaks only the tests
    that enable it), and each test's app enables only the plugins its marker names. Building a
    database per plugin set would migrate a dozen times per run for no gain: the tables of a
    plugin a test does not enable are simply unused. Tables of models declared only by tests
    (:func:`crm_core.testing.table_for_tests`) are created afterwards.
    """
    from crm_core.app import create_app
    from crm_core.bootstrap import ensure_groups
    from crm_core.db import Base, unit_of_work
    from crm_core.migrate import upgrade_installed
    from crm_core.models.auth import User
    from crm_core.security.passwords import hash_password

    app = create_app(base_settings(crm_database_url, CRM_PLUGINS=()))
    upgrade_installed(app)
    engine = app.extensions["crm_db"].engine
    Base.metadata.create_all(engine, tables=TEST_ONLY_TABLES)
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


@pytest.fixture(scope="session")
def crm_schema_checked() -> set[tuple[str, ...]]:
    """Plugin sets whose models were already compared with the migrated schema in this run."""
    return set()


def check_schema(app: Flask, engine: Engine, checked: set[tuple[str, ...]]) -> None:
    """Fail the test when the models of the app's plugins differ from the migrated schema
    (once per plugin set per run), listing Alembic's differences."""
    from crm_core.migrate import schema_differences

    modules = tuple(sorted(p.module.__name__ for p in app.extensions["crm"].plugins.values() if p.origin != "core"))
    if modules in checked:
        return
    with engine.connect() as conn:
        diff = schema_differences(conn, modules)
    if diff:
        pytest.fail(
            "the models differ from the migrations (add a migration with `crm db revision --branch "
            "<plugin>`, or mark a test-only model with crm_core.testing.table_for_tests):\n"
            + "\n".join(f"  {d}" for d in diff),
            pytrace=False,
        )
    checked.add(modules)


def _marker_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("crm")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def crm_app(
    request: pytest.FixtureRequest,
    crm_template: Engine,
    crm_database_url: str,
    crm_schema_checked: set[tuple[str, ...]],
) -> Iterator[Flask]:
    """An app bound to this test's transaction, configured by ``@pytest.mark.crm``: only the
    plugins the marker names (the client's list when it names none) plus ``extra_plugins``."""
    from crm_core.app import create_app

    conf = _marker_config(request)
    settings = base_settings(crm_database_url, **conf.get("settings", {}))
    if "plugins" in conf:
        settings["CRM_PLUGINS"] = tuple(conf["plugins"])  # [] = no plugin at all
    if "customer" in conf:
        settings["CRM_CUSTOMER"] = conf["customer"] or ""
    app = create_app(settings, extra_plugins=conf.get("extra_plugins"))
    app.test_client_class = FlaskLoginClient
    check_schema(app, crm_template, crm_schema_checked)
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
    from crm_core.extensions import crm_state
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
