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

Set ``CRM_TEST_DATABASE_URL`` to run against PostgreSQL; the default is SQLite.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from crm_core.plugins import current_contract_range, hookimpl

PASSWORD = "test-password-1"
TEST_SECRET = "test-secret-key-not-for-production"


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
