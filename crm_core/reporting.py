"""``crm reporting``: read-only views for outside reporting tools (seed 000: "the database will
receive queries from external sources").

Plugins and client folders declare ``ReportingView``s (hook ``crm_reporting_views``);
``crm reporting install`` (re)creates them — on PostgreSQL in a schema ``reporting`` whose
views a login role may read and nothing else (``--role``; its password from the environment
variable ``--password-env`` names, never the command line), on SQLite as ``reporting_<name>``
views of the one file. Views run with their owner's rights, so the role needs no right on the
tables: it sees exactly the declared columns. Run it after each upgrade (it replaces the views).
"""

from __future__ import annotations

import os
import re

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from crm_core.declarations import ReportingView
from crm_core.errors import ConfigError

SCHEMA = "reporting"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,50}$")


def declared_views() -> list[ReportingView]:
    """Every enabled plugin's and the client's views, checked: valid and unique names."""
    views: dict[str, ReportingView] = {}
    for part in current_app.extensions["crm"].pm.hook.crm_reporting_views():
        for view in part or []:
            if not NAME.match(view.name) or view.name in views:
                raise ConfigError(f"reporting view {view.name!r}: invalid or declared twice")
            views[view.name] = view
    return [views[n] for n in sorted(views)]


def _literal(value: str) -> str:
    """A SQL string literal (``standard_conforming_strings``): utility statements such as
    ``ALTER ROLE`` and ``COMMENT`` take no bound parameters."""
    return "'" + value.replace("'", "''") + "'"


def _quoted(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def install(
    conn: Connection, views: list[ReportingView], role: str | None = None, password: str | None = None
) -> list[str]:
    """Create or replace the views (and, on PostgreSQL, the reader role); returns their names."""
    names = []
    pg = conn.dialect.name == "postgresql"
    if pg:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
    for view in views:
        sql = str(view.query().compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        if pg:
            target = f"{SCHEMA}.{_quoted(conn, view.name)}"
            conn.execute(text(f"DROP VIEW IF EXISTS {target}"))
            conn.execute(text(f"CREATE VIEW {target} AS {sql}"))
            conn.execute(text(f"COMMENT ON VIEW {target} IS {_literal(view.description)}"))
        else:
            target = _quoted(conn, f"{SCHEMA}_{view.name}")
            conn.execute(text(f"DROP VIEW IF EXISTS {target}"))
            conn.execute(text(f"CREATE VIEW {target} AS {sql}"))
        names.append(target)
    if pg and role:
        _reader(conn, role, password)
    return names


def _reader(conn: Connection, role: str, password: str | None) -> None:
    """A login role that may read the reporting schema's views and nothing else."""
    if not NAME.match(role):
        raise ConfigError(f"role {role!r}: use lower-case letters, digits and _")
    quoted = _quoted(conn, role)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        conn.execute(text(f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
    if password:
        conn.execute(text(f"ALTER ROLE {quoted} PASSWORD {_literal(password)}"))
    database = _quoted(conn, conn.execute(text("SELECT current_database()")).scalar_one())
    conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {quoted}"))
    conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {quoted}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA {SCHEMA} TO {quoted}"))
    conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA {SCHEMA} TO {quoted}"))
    conn.execute(text(f"ALTER ROLE {quoted} SET default_transaction_read_only = on"))


@click.group("reporting")
def reporting() -> None:
    """Read-only views for outside reporting tools."""


@reporting.command("list")
@with_appcontext
def reporting_list() -> None:
    """Print the declared views and what they hold."""
    for view in declared_views():
        click.echo(f"{view.name}: {view.description}")


@reporting.command("install")
@click.option("--role", default="", help="PostgreSQL: the login role that may read the views (created if missing)")
@click.option("--password-env", default="", help="environment variable holding the role's password")
@with_appcontext
def reporting_install(role: str, password_env: str) -> None:
    """Create or replace the reporting views (and the reader role)."""
    password = os.environ.get(password_env) if password_env else None
    if password_env and not password:
        raise click.UsageError(f"the environment variable {password_env} is empty")
    engine = current_app.extensions["crm_db"].engine
    with engine.begin() as conn:
        names = install(conn, declared_views(), role or None, password)
    click.echo(f"{len(names)} view(s): {', '.join(names) or 'none declared'}"
               + (f"; role {role} may read them" if role and engine.dialect.name == "postgresql" else ""))
