"""``crm fields``: the client's custom fields on the database (EXT-16).

``crm fields list`` shows every declared custom field and the stored values of fields no
longer declared (kept until dropped); ``crm fields index`` makes the expression index of each
sortable or searchable custom field (PostgreSQL and SQLite), the one command to run after
adding a field; ``crm fields drop <session> <field>`` deletes a removed field's stored values,
after confirmation.
"""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import text

from crm_core.custom_fields.declarations import NAME, FieldDecl
from crm_core.custom_fields.storage import index_ddl, index_name


@click.group("fields")
def fields() -> None:
    """The client's custom fields: list, index, drop stored values."""


def _registry() -> Any:
    from crm_core.extensions import crm_state

    return crm_state().registry


def _custom_sessions() -> list[Any]:
    from crm_core.custom_fields.apply import supports_custom_fields

    return [s for s in _registry().grid_sessions() if supports_custom_fields(s)]


def stored_keys(db: Any, model: type) -> dict[str, int]:
    """Keys of the ``custom`` documents of ``model``'s rows and how many rows hold each."""
    table = model.__table__  # type: ignore[attr-defined]
    if db.get_bind().dialect.name == "postgresql":
        rows = db.execute(text(
            f"SELECT k, count(*) FROM {table.name}, jsonb_object_keys(custom) AS k "  # noqa: S608
            "WHERE custom IS NOT NULL GROUP BY k"
        ))
    else:
        rows = db.execute(text(
            f"SELECT j.key, count(*) FROM {table.name}, json_each({table.name}.custom) AS j "  # noqa: S608
            f"WHERE {table.name}.custom IS NOT NULL GROUP BY j.key"
        ))
    return {str(k): int(n) for k, n in rows}


@fields.command("list")
@with_appcontext
def fields_list() -> None:
    """Declared custom fields per session, and stored values of undeclared ones."""
    from crm_core.db import unit_of_work

    with unit_of_work() as db:
        for sdef in _custom_sessions():
            declared = {d.name: d for d in sdef.custom_fields}
            stored = stored_keys(db, sdef.model)
            for decl in declared.values():
                click.echo(f"{sdef.name}.{decl.name}: {decl.type} ({decl.source}), {stored.get(decl.name, 0)} value(s)")
            for key in sorted(set(stored) - set(declared) - _declared_elsewhere(sdef)):
                click.echo(f"{sdef.name}.{key}: not declared, {stored[key]} stored value(s) kept "
                           f"(crm fields drop {sdef.name} {key} deletes them)")


def _declared_elsewhere(sdef: Any) -> set[str]:
    """Names declared on other sessions of the same model (they share the document)."""
    return {d.name for s in _custom_sessions() if s.model is sdef.model and s is not sdef for d in s.custom_fields}


def _indexed(decl: FieldDecl) -> bool:
    return decl.sortable or decl.searchable


@fields.command("index")
@with_appcontext
def fields_index() -> None:
    """Create the missing expression index of every sortable or searchable custom field."""
    from crm_core.db import unit_of_work

    made = 0
    with unit_of_work() as db:
        dialect = db.get_bind().dialect
        for sdef in _custom_sessions():
            for decl in sdef.custom_fields:
                if _indexed(decl):
                    for ddl in index_ddl(sdef.model, decl, dialect):
                        db.execute(text(ddl))
                        made += 1
                    click.echo(f"{index_name(sdef.model.__table__.name, decl.name)}: {sdef.name}.{decl.name}")
    click.echo(f"{made} index(es) in place")


@fields.command("drop")
@click.argument("session_name")
@click.argument("field_name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def fields_drop(session_name: str, field_name: str, yes: bool) -> None:
    """Delete the stored values of a custom field that is no longer declared, and its index."""
    from crm_core.db import unit_of_work

    registry = _registry()
    sdef = registry.sessions.get(session_name)
    if sdef is None or sdef not in _custom_sessions():
        raise click.ClickException(f"unknown session {session_name!r} or it takes no custom fields")
    if not NAME.match(field_name):
        raise click.ClickException(f"{field_name!r} is not a field name")
    if sdef.custom_field(field_name) is not None or field_name in _declared_elsewhere(sdef):
        raise click.ClickException(
            f"{session_name}.{field_name} is still declared: remove it from customer.toml (or Configuration → "
            "Fields) first; its values are kept until you drop them here"
        )
    table = sdef.model.__table__.name
    with unit_of_work() as db:
        count = stored_keys(db, sdef.model).get(field_name, 0)
        if not yes:
            click.confirm(f"Delete {count} stored value(s) of {session_name}.{field_name} for good?", abort=True)
        if db.get_bind().dialect.name == "postgresql":
            done = db.execute(text(f"UPDATE {table} SET custom = custom - :k WHERE custom ? :k"), {"k": field_name})  # noqa: S608
        else:
            done = db.execute(text(
                f"UPDATE {table} SET custom = json_remove(custom, '$.{field_name}') "  # noqa: S608
                f"WHERE json_type(custom, '$.{field_name}') IS NOT NULL"
            ))
        for own in (False, True):
            db.execute(text(f"DROP INDEX IF EXISTS {index_name(table, field_name, own)}"))
    click.echo(f"{session_name}.{field_name}: values deleted from {done.rowcount} record(s)")
