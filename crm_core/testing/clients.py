"""Run a client folder against the installed core and plugins (EXT-16, PLUG-04: upgrade-safe
by test). :func:`client_problems` is what a client's CI — and this repository's, for every
folder in ``customer_overrides/`` — runs after upgrading the core or a plugin: the start-up
checks of ``crm check`` (customer.toml, custom fields, overrides, templates), the migrations of
the core and the client's plugins on a scratch database, ``crm fields index``, and one grid page
of every session with custom fields sorted by and filtered on each of them. The client's own
tests (``tests/customer_overrides/<client>``, marked ``@pytest.mark.crm(customer=...)``) run in
the same suite."""

from __future__ import annotations

import tempfile
from pathlib import Path

from crm_core.errors import ConfigError
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings


def client_problems(folder: Path) -> list[str]:
    """Every problem found running the client in ``folder`` (empty: the folder works with this
    core and these plugins)."""
    from crm_core.app import create_app
    from crm_core.cli import cli
    from crm_core.db import unit_of_work
    from crm_core.migrate import upgrade
    from crm_core.models.auth import User
    from crm_core.security.access import load_access
    from crm_core.services.queries import Criterion, ListQuery, fetch_page

    folder = folder.resolve()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(tmp) as url:
        settings = base_settings(url, CRM_CUSTOMER=folder.name, CRM_OVERRIDES_DIR=str(folder.parent))
        try:
            app = create_app(settings)
        except ConfigError as exc:
            return [f"crm check: {exc}"]
        problems: list[str] = []
        try:
            upgrade(app)
            result = app.test_cli_runner().invoke(cli, ["init"])
            if result.exit_code != 0:
                return [f"crm init: {result.output}"]
            result = app.test_cli_runner().invoke(cli, ["fields", "index"])
            if result.exit_code != 0:
                problems.append(f"crm fields index: {result.output}")
            with app.app_context(), unit_of_work() as db:
                from sqlalchemy import select

                admin = db.scalar(select(User).where(User.username == "admin"))
                access = load_access(db, admin)
                for sdef in app.extensions["crm"].registry.grid_sessions():
                    for decl in sdef.custom_fields:
                        queries = [ListQuery(all_records=True, criteria=(Criterion(decl.name, "empty"),))]
                        if decl.sortable:
                            queries.append(ListQuery(all_records=True, sort=f"-{decl.name}"))
                        if decl.searchable:
                            queries.append(ListQuery(all_records=True, text="x"))
                        for query in queries:
                            try:
                                fetch_page(db, sdef, access, query)
                            except Exception as exc:  # noqa: BLE001 - reported, not raised
                                problems.append(f"{sdef.name}.{decl.name}: a grid query fails: {exc!r}")
        finally:
            app.extensions["crm_db"].engine.dispose()
        return problems


__all__ = ["client_problems"]
