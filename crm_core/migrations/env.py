"""Alembic environment shared by the core and every plugin (see crm_core/migrate.py)."""

from __future__ import annotations

from alembic import context

from crm_core.db import Base
from crm_core.migrate import include_owned, owned_tables, unreflected_import_key_indexes

config = context.config
app = config.attributes["crm_app"]
#: Autogenerate compares only the tables of the core and the enabled plugins.
include_object = include_owned(
    owned_tables(p.module.__name__ for p in app.extensions["crm"].plugins.values() if p.origin != "core")
)


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
        # a batch migration that rebuilds a SQLite table reflects it, folded-key indexes included
        with context.begin_transaction(), unreflected_import_key_indexes():
            context.run_migrations()
        connection.commit()


run()
