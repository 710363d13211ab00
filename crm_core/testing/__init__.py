"""Test kit for the core, plugins, partner plugins and customer overrides.

Registered as a pytest plugin (entry point ``pytest11``), so any package that installs the
CRM gets these fixtures (see :mod:`crm_core.testing.plugin`):

* ``crm_app`` — an app for the test; configure it with
  ``@pytest.mark.crm(plugins=[...], customer="demo", settings={...}, extra_plugins={...})``.
* ``db`` — the app's database session inside a transaction rolled back after the test
  (SQLAlchemy's "join a session into an external transaction" recipe).
* ``users`` — ``admin``, ``leader``, ``ana`` and ``bob`` (password :data:`PASSWORD`).
* ``client_for(username)`` — a Flask test client logged in as that user.
* ``access_for(username)`` — the :class:`~crm_core.security.access.Access` of that user.
* ``make_plugin(name, **hookimpls)`` — a throw-away plugin module.
* ``sql_statements(bind)`` — the SQL statements sent while a block runs (statement-count tests).

The test database is built once per run (per xdist worker) from the migrations of the core and
of every installed plugin — never with ``create_all`` — and each test's app enables only the
plugins its marker names. Before the first test of each plugin set the kit compares the models
of those plugins with the migrated schema and fails with the differences, so a model without a
migration fails its plugin's tests. A model that only tests declare opts out with
:func:`table_for_tests`.

Set ``CRM_TEST_DATABASE_URL`` to run against PostgreSQL; the default is SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any, TypeVar

from sqlalchemy import Table, event

from crm_core.plugins import current_contract_range, hookimpl

PASSWORD = "test-password-1"
TEST_SECRET = "test-secret-key-not-for-production"

#: Tables of models that only tests declare, created by the kit after the migrations.
TEST_ONLY_TABLES: list[Table] = []
M = TypeVar("M", bound=type)


def table_for_tests(model: M) -> M:
    """Class decorator for a model that exists only in a test suite (a sample session): the kit
    creates its table in the test database, since no migration ever will. Import the module
    declaring it before the kit builds the database (from ``conftest.py``)."""
    TEST_ONLY_TABLES.append(model.__table__)  # type: ignore[attr-defined]
    return model


def make_plugin(
    name: str, requires: tuple[str, ...] = (), requires_contract: str | None = None, **hooks: Any
) -> ModuleType:
    """A plugin module with ``hooks`` as hookimpls, for ``extra_plugins``.

    A function already marked with ``@hookimpl(...)`` (a wrapper, ``tryfirst`` …) keeps its
    options; plain functions are marked with the default ones. The plugin declares the core's
    current hook contract unless ``requires_contract`` says otherwise (``""``: none).
    """
    from crm_core.declarations import PluginMeta

    contract = current_contract_range() if requires_contract is None else requires_contract
    module = ModuleType(name)
    module.meta = PluginMeta(requires=requires, requires_contract=contract)  # type: ignore[attr-defined]
    for hook_name, fn in hooks.items():
        setattr(module, hook_name, fn if hasattr(fn, "crm_impl") else hookimpl(fn))
    return module


#: Transaction markers some drivers send as statements (SQLite's explicit ``BEGIN``).
TRANSACTION_MARKERS = ("BEGIN", "COMMIT", "ROLLBACK")


@contextmanager
def sql_statements(bind: Any, markers: bool = True) -> Iterator[list[str]]:
    """Every SQL statement sent through ``bind`` (an engine or a connection) while the block
    runs, in order; ``markers=False`` leaves out transaction markers. For tests that pin how many
    statements a screen or an import costs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if markers or statement.strip().upper() not in TRANSACTION_MARKERS:
            seen.append(statement)

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", record)
