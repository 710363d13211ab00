"""Email: templates per language and delivery over SMTP (MSG-01).

Templates live in ``templates/messaging/email/<lang>/<name>.subject.txt`` and ``.body.txt``
(a customer may override them in its templates folder). They are rendered when the message is
enqueued, in the recipient's language, so the outbox holds exactly what will be sent.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from flask import render_template
from jinja2 import TemplateNotFound

from crm_core.toolkit import client_name, crm_state

TEMPLATES = ("activity_scheduled", "activities_generated", "activity_reminder")
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
EMAIL_TOPIC = "messaging.email"
#: Headers a payload may set (``payload["headers"]``), besides its own ``message_id``.
THREAD_HEADERS = ("In-Reply-To", "References", "X-Loop", "Reply-To")


def render_email(name: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, text body) of template ``name`` in ``language``, falling back to English."""
    if name not in TEMPLATES:
        raise ValueError(f"unknown email template {name!r}")
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    try:
        subject = render_template(f"messaging/email/{lang}/{name}.subject.txt", **context)
        body = render_template(f"messaging/email/{lang}/{name}.body.txt", **context)
    except TemplateNotFound:
        subject = render_template(f"messaging/email/{DEFAULT_LANGUAGE}/{name}.subject.txt", **context)
        body = render_template(f"messaging/email/{DEFAULT_LANGUAGE}/{name}.body.txt", **context)
    return " ".join(subject.split()), body.strip() + "\n"


def build_message(payload: dict[str, Any], key: str, sender: str, name: str | None = None) -> EmailMessage:
    """The mail of ``payload``; ``name`` (the client's, ``[branding] name``) is the sender's
    display name when given."""
    msg = EmailMessage()
    msg["From"] = formataddr((name, sender)) if name else sender
    msg["To"] = payload["to"]
    msg["Subject"] = payload["subject"]
    # Derived from the key, the Message-ID is the same on every attempt: a mail server or client
    # can drop the duplicate of an email re-delivered after a worker crash.
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    msg["Message-ID"] = payload.get("message_id") or f"<{digest}@{sender.rpartition('@')[2] or 'crm'}>"
    msg["X-CRM-Idempotency-Key"] = key
    # A sender threading a conversation (email-to-case replies) sets these; nothing else is
    # taken from the payload, so a payload cannot forge routing or authentication headers.
    for name in THREAD_HEADERS:
        if payload.get("headers", {}).get(name):
            msg[name] = payload["headers"][name]
    msg.set_content(payload["body"])
    msg["Content-Language"] = payload.get("language", DEFAULT_LANGUAGE)  # after set_content, which resets it
    return msg


def deliver_email(payload: dict[str, Any], key: str) -> None:
    """Outbox handler: send over SMTP with the configured security; raising means retry."""
    s = crm_state().settings.get("messaging", {})
    if not s.get("smtp_host"):
        raise RuntimeError("SMTP is not configured: set smtp_host in [settings.messaging]")
    message = build_message(payload, key, s["sender"], client_name(payload.get("language")))
    timeout = s.get("smtp_timeout", 10.0)
    if s.get("smtp_security") == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            s["smtp_host"], s["smtp_port"], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(s["smtp_host"], s["smtp_port"], timeout=timeout)
    with smtp:
        if s.get("smtp_security") == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if s.get("smtp_username"):
            smtp.login(s["smtp_username"], s["smtp_password"])
        smtp.send_message(message)
