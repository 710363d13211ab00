"""``crm privacy erase SESSION CLIENT --user NAME``: the privacy erase from the command line
(CORE-21), acting as a user — the same permission, preview, confirmation and log as the screen."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select


@click.group("privacy", help="Privacy: erase one client's personal data (CORE-21).")
def privacy() -> None:
    """The ``crm privacy`` command group (its commands are below)."""


@privacy.command("erase")
@click.argument("session_name")
@click.argument("client")
@click.option("--user", "username", required=True, help="Who erases: a user with the privacy permission.")
@click.option("--yes", is_flag=True, help="Erase without asking (after printing the preview).")
@with_appcontext
def erase(session_name: str, client: str, username: str, yes: bool) -> None:
    """Preview, confirm and erase the personal data of CLIENT (its code or number) of SESSION."""
    from crm_core.db import session as db_session
    from crm_core.db import unit_of_work
    from crm_core.errors import CrmError
    from crm_core.extensions import crm_state
    from crm_core.models.auth import User
    from crm_core.privacy import service
    from crm_core.security.access import load_access

    try:
        db = db_session()
        user = db.scalar(select(User).where(User.username == username, User.active.is_(True)))
        if user is None:
            raise click.ClickException(f"no active user {username!r}")
        access = load_access(db, user, crm_state().row_filters)
        sdef = service.client_sdef(access, session_name, "view")
        element_id = service.client_id(db, access, sdef, client)
        plan = service.preview(db, access, session_name, element_id)
        for found in plan.found:
            for item in found.items:
                click.echo(f"{found.plugin:>12}  {item.number:>7}  {item.label}")
        if not yes:
            click.confirm(f"Erase the personal data of {session_name} #{element_id}? This cannot be undone", abort=True)
        with unit_of_work() as tx:  # the erase finds everything again, in its one transaction
            log = service.erase(tx, access, session_name, element_id)
            total = sum(n for counts in log.counts.values() for n in counts.values())
        click.echo(f"erased: {total} records (erasure #{log.id})")
    except CrmError as exc:
        raise click.ClickException(str(exc)) from exc
