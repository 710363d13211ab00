"""``crm cases mail-in``: the email-to-case receiver as a long-running command (issue 14)."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("cases", help="Cases: the email-to-case receiver.")
def cases() -> None:
    """The ``crm cases`` command group (its commands are below)."""


@cases.command("mail-in")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=2525, show_default=True, type=int, help="Port to listen on.")
@click.option("--lmtp/--smtp", default=False, show_default=True, help="Speak LMTP (a local MTA's transport) or SMTP.")
@with_appcontext
def mail_in(host: str, port: int, lmtp: bool) -> None:
    """Receive mail for [settings.cases] mailbox_address and turn it into cases until stopped."""
    from plugins.cases import mailserver

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        controller = mailserver.start(app, host, port, lmtp)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_a: stop.set())
    click.echo(f"email-to-case: {'LMTP' if lmtp else 'SMTP'} on {host}:{port}")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        controller.stop()
