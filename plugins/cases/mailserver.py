"""The email-to-case receiver: an LMTP or SMTP server (aiosmtpd) that hands each message to
:func:`plugins.cases.mailin.receive` (issue 14).

Run it with ``crm cases mail-in --host 127.0.0.1 --port 2525 [--lmtp]`` behind the mail server
that owns the mailbox (Postfix ``lmtp:`` transport, or a relay). Only the configured mailbox
address is accepted as recipient; the message size is capped in the protocol (``SIZE``) and
again when handled; the database work runs off the event loop, in the app's context.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from flask import Flask

from plugins.cases import mailin

log = logging.getLogger(__name__)


class MailboxHandler:
    """aiosmtpd handler: one recipient (the mailbox), then :func:`mailin.receive`."""

    def __init__(self, app: Flask, address: str) -> None:
        self.app = app
        self.address = address.lower()

    async def handle_RCPT(self, server: Any, conn: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if address.lower() != self.address:
            return "550 5.1.1 No such mailbox here"
        if envelope.rcpt_tos:
            return "452 4.5.3 One recipient per message"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, conn: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(None, self._receive, raw)
        except Exception:  # a database outage: the sending server keeps the message and retries
            log.exception("email-to-case: message not recorded, asking the sender to retry")
            return "451 4.3.0 Temporary failure, try again later"
        return outcome.smtp_reply

    def _receive(self, raw: bytes) -> mailin.Outcome:
        with self.app.app_context():
            return mailin.receive(raw)


class MailboxController(Controller):
    """aiosmtpd's threaded controller serving LMTP or SMTP with the mailbox's size limit."""

    def __init__(self, handler: MailboxHandler, host: str, port: int, lmtp: bool, size_limit: int) -> None:
        self.lmtp = lmtp
        super().__init__(handler, hostname=host, port=port, ready_timeout=10,
                         data_size_limit=size_limit, server_hostname="crm-cases")

    def factory(self) -> SMTP:
        protocol: Callable[..., SMTP] = LMTP if self.lmtp else SMTP
        return protocol(self.handler, **self.SMTP_kwargs)


def start(app: Flask, host: str, port: int, lmtp: bool = False) -> MailboxController:
    """Start the receiver in a thread (stop it with ``.stop()``); the mailbox must be configured."""
    with app.app_context():
        address = mailin.mailbox_address()
        limit = mailin.max_bytes()
    if not address:
        raise RuntimeError("email-to-case needs [settings.cases] mailbox_address")
    controller = MailboxController(MailboxHandler(app, address), host, port, lmtp, limit)
    controller.start()
    return controller
