"""Schema migrations: one Alembic environment, one version directory and branch per plugin.

The core's revisions live in ``crm_core/migrations/versions`` (branch ``crm_core``); a plugin's
in ``plugins/<name>/migrations/versions`` (branch ``<name>``, ``depends_on`` the core). Only the
enabled plugins' directories are given to Alembic, so enabling a plugin later migrates only its
tables, and disabling one never drops anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

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


def alembic_config(app: Flask) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(CORE_MIGRATIONS))
    cfg.set_main_option(
        "version_locations", " ".join(str(p) for p in version_locations(app).values())
    )
    cfg.set_main_option("path_separator", "space")
    cfg.attributes["crm_app"] = app
    return cfg


def upgrade(app: Flask, target: str = "heads") -> None:
    """Migrate, then give the default groups their rights on sessions that appeared (a plugin
    enabled since the last upgrade)."""
    from crm_core.bootstrap import grant_new_sessions_now

    command.upgrade(alembic_config(app), target)
    if target == "heads":
        grant_new_sessions_now(app)


def revision(app: Flask, branch: str, message: str, autogenerate: bool = True) -> Any:
    """Create a revision on ``branch`` (``crm_core`` or a plugin name)."""
    cfg = alembic_config(app)
    locations = version_locations(app)
    if branch not in locations and branch in app.extensions["crm"].plugins:
        locations[branch] = app.extensions["crm"].plugins[branch].directory / "migrations" / "versions"
        locations[branch].mkdir(parents=True, exist_ok=True)
        cfg.set_main_option("version_locations", " ".join(str(p) for p in locations.values()))
    script = ScriptDirectory.from_config(cfg)
    has_branch = branch in {label for rev in script.walk_revisions() for label in rev.branch_labels}
    kwargs: dict[str, Any] = {"message": message, "autogenerate": autogenerate}
    if has_branch:
        kwargs["head"] = f"{branch}@head"
    else:
        kwargs.update(head="base", branch_label=branch, version_path=str(locations[branch]))
        if branch != "crm_core":
            kwargs["depends_on"] = "crm_core@head"
    return command.revision(cfg, **kwargs)


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
    return not set(script.get_heads()) <= applied
