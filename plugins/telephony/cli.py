"""``crm telephony listen`` (the PBX link) and ``crm telephony import-cdr`` (Asterisk Master.csv)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from crm_core.toolkit import ImportSpec, User, crm_state, load_access, run_import
from crm_core.toolkit import session as db_session


@click.group("telephony", help="The PBX link and call records.")
def telephony() -> None:
    """The ``crm telephony`` command group (its commands are below)."""


@telephony.command("listen")
@with_appcontext
def listen() -> None:
    """Follow the PBX's call events over the AMI until stopped (SIGTERM / Ctrl-C)."""
    from plugins.telephony.ami import AmiLoginError
    from plugins.telephony.listener import Listener

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    listener = Listener(crm_state().settings.get("telephony", {}))
    try:
        listener.run(stop)
    except AmiLoginError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        stop.set()
    click.echo(f"{listener.stored} calls stored")


@telephony.command("import-cdr")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="Who imports (needs to modify calls).")
@with_appcontext
def import_cdr(path: Path, username: str) -> None:
    """Import an Asterisk CDR file (Master.csv); lines already imported are skipped."""
    from plugins.telephony.schemas import CDR_COLUMNS

    db = db_session()
    user = db.query(User).filter_by(username=username).one_or_none()
    if user is None:
        raise click.ClickException(_("No user %(name)s.", name=username))
    state = crm_state()
    access = load_access(db, user, state.row_filters)
    spec = ImportSpec(CDR_COLUMNS, separator=",", header=False, mode="valid", on_duplicate="skip")
    result = run_import(state.registry.sdef("calls"), access, path.read_text("utf-8"), spec)
    for line, field, reason in result.errors:
        click.echo(f"line {line}: {field}: {reason}", err=True)
    click.echo(f"{result.created} calls imported, {result.skipped} already there, {result.failed} refused")
    if result.failed:
        sys.exit(1)
