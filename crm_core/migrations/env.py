"""Alembic environment shared by the core and every plugin (see crm_core/migrate.py)."""

from __future__ import annotations

from alembic import context

from crm_core.db import Base
from crm_core.migrate_ops import TRGM_SUFFIX

config = context.config
app = config.attributes["crm_app"]


def _owned_tables() -> set[str]:
    """Tables of the core and the enabled plugins: autogenerate ignores everything else."""
    packages = ["crm_core."] + [
        p.module.__name__ + "." for p in app.extensions["crm"].plugins.values() if p.origin != "core"
    ]
    return {
        table.name
        for mapper in Base.registry.mappers
        if any(mapper.class_.__module__.startswith(pkg) for pkg in packages)
        for table in mapper.tables
    }


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table":
        return name in _owned_tables()
    # Trigram indexes are PostgreSQL-only and created by migrations (crm_core/migrate_ops.py).
    return not (type_ == "index" and name and name.endswith(TRGM_SUFFIX))


def run() -> None:
    engine = app.extensions["crm_db"].engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
