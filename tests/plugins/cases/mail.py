"""Helpers of the email-to-case tests: messages as a customer's client writes them, sent over
a real SMTP/LMTP connection to the receiver on loopback, and the receiver configured."""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from crm_core.app import crm_state
from plugins.cases import mailserver
from tests.plugins.messaging.doubles import free_port

MAILBOX = "support@crm.example.com"


def configure(app: Any, **values: Any) -> None:
    state = crm_state(app)
    state.settings["cases"] = {
        **state.settings.get("cases", {}), "mailbox_address": MAILBOX, "mailbox_user": "ana", **values,
    }


def message(
    subject: str = "Factura duplicada",
    sender: str = "Rosa Ferrer <rosa@hotelessol.example>",
    body: str = "Me han cobrado dos veces la factura de octubre.",
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = MAILBOX
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@hotelessol.example>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    for filename, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return msg


class Receiver:
    def __init__(self, port: int, lmtp: bool) -> None:
        self.port, self.lmtp = port, lmtp

    def send(self, msg: EmailMessage | bytes, sender: str = "rosa@hotelessol.example",
             rcpt: str = MAILBOX) -> tuple[int, str]:
        """Deliver over the wire; the server's final reply (code, text)."""
        raw = msg if isinstance(msg, bytes) else msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
        client = smtplib.LMTP("127.0.0.1", self.port) if self.lmtp else smtplib.SMTP("127.0.0.1", self.port, timeout=30)
        with client:
            client.ehlo_or_helo_if_needed()
            client.mail(sender)
            code, text = client.rcpt(rcpt)
            if code >= 400:
                return code, text.decode()
            code, text = client.data(raw)
            return code, text.decode()


@contextmanager
def receiver(app: Any, lmtp: bool = False) -> Iterator[Receiver]:
    port = free_port()
    controller = mailserver.start(app, "127.0.0.1", port, lmtp=lmtp)
    try:
        yield Receiver(port, lmtp)
    finally:
        controller.stop()
