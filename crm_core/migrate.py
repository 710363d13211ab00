"""Schema migrations: one Alembic environment, one version directory and branch per plugin.

The core's revisions live in ``crm_core/migrations/versions`` (branch ``crm_core``); a plugin's
in ``plugins/<name>/migrations/versions`` (branch ``<name>``, ``depends_on`` the core and the
plugins it requires). Alembic is shown the revisions of every *installed* plugin, so a database
that once ran a plugin that is now disabled still makes sense to it, but only the branches of
the core and the *enabled* plugins are upgraded: enabling a plugin later migrates only its
tables, disabling one leaves its tables and its branch where they are, re-enabling it continues.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import Connection

from crm_core.bootstrap import grant_new_sessions_now
from crm_core.db import Base
from crm_core.indexes import IMPORT_KEY_SUFFIX, TRGM_SUFFIX
from crm_core.plugins import discover

CORE_MIGRATIONS = Path(__file__).parent / "migrations"


def version_locations(app: Flask) -> dict[str, Path]:
    """Branch label → version directory, for the core and every enabled plugin that has one."""
    state = app.extensions["crm"]
    locations = {"crm_core": CORE_MIGRATIONS / "versions"}
    for name, plugin in state.plugins.items():
        if plugin.origin == "core" or plugin.directory is None:
            continue
        directory = plugin.directory / "migrations" / "versions"
        if directory.is_dir():
            locations[name] = directory
    return locations


def installed_locations(app: Flask) -> dict[str, Path]:
    """:func:`version_locations` plus those of installed plugins that are not enabled.

    Found without importing the plugins (``find_spec``), so a disabled plugin's models never
    enter the metadata.
    """
    locations = version_locations(app)
    for name, entry_point in discover().items():
        if name in locations:
            continue
        spec = importlib.util.find_spec(entry_point.module)
        if spec is None or not spec.submodule_search_locations:
            continue
        directory = Path(next(iter(spec.submodule_search_locations))) / "migrations" / "versions"
        if directory.is_dir():
            locations[name] = directory
    return locations


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    cfg.set_main_option(
        "version_locations", " ".join(str(p) for p in installed_locations(app).values())
    )
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["crm_app"] = app
    return cfg


def enabled_heads(app: Flask, script: ScriptDirectory) -> list[str]:
    """The head revision of the core's branch and of each enabled plugin's branch."""
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return [script.get_revision(f"{name}@head").revision for name in version_locations(app) if name in labels]


def upgrade(app: Flask) -> None:
    """Bring the core and every enabled plugin to their heads (disabled branches stay put),
    then give the default groups their rights on sessions that appeared (a plugin enabled
    since the last upgrade)."""
    cfg = alembic_config(app)
    script = ScriptDirectory.from_config(cfg)
    for head in enabled_heads(app, script):
        command.upgrade(cfg, head)
    grant_new_sessions_now(app)


def revision(app: Flask, branch: str, message: str, autogenerate: bool = True) -> Any:
    """Create a revision on ``branch`` (``crm_core`` or a plugin name).

    A plugin's revision ``depends_on`` the current heads of the plugins it requires (and the
    core's, for its first revision), so a foreign key to their tables is created after them on
    a fresh database.
    """
    cfg = alembic_config(app)
    locations = {**version_locations(app), **_applied_elsewhere(app, cfg)}
    plugins = app.extensions["crm"].plugins
    if branch not in locations and branch in plugins:
        locations[branch] = plugins[branch].directory / "migrations" / "versions"
        locations[branch].mkdir(parents=True, exist_ok=True)
    # Autogenerate wants the database at the heads it is shown: the enabled branches, plus the
    # disabled ones the database has revisions of (they cannot be left out without losing them).
    cfg.set_main_option("version_locations", " ".join(str(p) for p in locations.values()))
    script = ScriptDirectory.from_config(cfg)
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    kwargs: dict[str, Any] = {"message": message, "autogenerate": autogenerate}
    depends_on = [f"{dep}@head" for dep in plugins[branch].meta.requires if dep in labels] if branch in plugins else []
    if branch in labels:
        kwargs["head"] = f"{branch}@head"
    else:
        kwargs.update(head="base", branch_label=branch, version_path=str(locations[branch]))
        if branch != "crm_core":
            depends_on.insert(0, "crm_core@head")
    if depends_on:
        kwargs["depends_on"] = depends_on
    return command.revision(cfg, **kwargs)


def _applied_elsewhere(app: Flask, cfg: Config) -> dict[str, Path]:
    """Version folders of installed but disabled plugins whose revisions the database holds."""
    enabled = version_locations(app)
    others = {name: path for name, path in installed_locations(app).items() if name not in enabled}
    if not others:
        return {}
    script = ScriptDirectory.from_config(cfg)
    paths = {Path(script.get_revision(head).path).parent for head in current_heads(app)}
    return {name: path for name, path in others.items() if path in paths}


def upgrade_installed(app: Flask) -> None:
    """Bring the core and every *installed* plugin's branch to its head, without importing any
    plugin (the test kit's template database: one schema whatever plugins a test enables)."""
    command.upgrade(alembic_config(app), "heads")


def owned_tables(modules: Iterable[str]) -> set[str]:
    """Tables of the models defined in the core and in the given plugin modules (by name)."""
    modules = tuple(modules)
    prefixes = ("crm_core.", *(f"{name}." for name in modules))
    return {
        table.name
        for mapper in Base.registry.mappers
        if mapper.class_.__module__.startswith(prefixes) or mapper.class_.__module__ in modules
        for table in mapper.tables
    }


def include_owned(owned: set[str]) -> Any:
    """An Alembic ``include_object`` that compares only ``owned`` tables; trigram and import-key
    indexes are made by migrations (``crm_core.migrate_ops``), and custom-field
    indexes (``cfx_*``) are the client's (``crm fields index``), so never compared."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "table":
            return name in owned
        if type_ == "index" and name and (name.endswith((TRGM_SUFFIX, IMPORT_KEY_SUFFIX)) or name.startswith("cfx_")):
            return False
        table = getattr(obj, "table", None)
        return table is None or table.name in owned

    return include


def schema_differences(connection: Connection, modules: Iterable[str]) -> list[Any]:
    """What autogenerate would change for the models of the core and ``modules``: empty when
    the migrations applied to ``connection`` create exactly those models (a model without a
    migration shows up as an ``add_table``)."""
    ctx = MigrationContext.configure(
        connection, opts={"include_object": include_owned(owned_tables(modules)), "compare_type": True}
    )
    with unreflected_import_key_indexes():
        return list(compare_metadata(ctx, Base.metadata))


@contextmanager
def unreflected_import_key_indexes() -> Iterator[None]:
    """Silence SQLAlchemy's warning that SQLite's reflection cannot read an import-key expression
    index (autogenerate never compares them; a batch migration that rebuilds a table drops them,
    and the revisions that need them re-create them, ``IF NOT EXISTS``)."""
    with warnings.catch_warnings():
        unread = f"Skipped unsupported reflection of expression-based index .*{IMPORT_KEY_SUFFIX}$"
        warnings.filterwarnings("ignore", unread)
        yield


def current_heads(app: Flask) -> set[str]:
    with app.extensions["crm_db"].engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def pending(app: Flask) -> bool:
    """True when a revision of the core or an enabled plugin is not applied yet.

    Alembic records only the tips it reached; a plugin head that ``depends_on`` the core head
    covers it, so compare against everything below the recorded tips.
    """
    script = ScriptDirectory.from_config(alembic_config(app))
    current = current_heads(app)
    applied = {r.revision for r in script.revision_map.iterate_revisions(tuple(current), "base")} if current else set()
    return not set(enabled_heads(app, script)) <= applied
