"""Reading a received e-mail for email-to-case (issue 14): strict parsing, the auto-reply and
mail-loop rules, the text of the message and its attachments.

Nothing here touches the database: :mod:`plugins.cases.mailin` decides what a message does to
the cases once this module has read it, so a message that cannot be read changes nothing.
"""

from __future__ import annotations

import email.errors
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

#: The readable number of a case in a subject (``C-2026-000123``; wider past 999999 a year).
NUMBER_IN_SUBJECT = re.compile(r"\bC-\d{4}-\d{6,}\b")
#: ``Precedence`` values of list and bulk mail (RFC 2076; RFC 3834 section 2).
AUTO_PRECEDENCE = frozenset({"bulk", "junk", "list"})
#: Local parts of senders that are mail systems, never customers (bounces, reports).
SYSTEM_SENDERS = frozenset({"mailer-daemon", "postmaster"})
#: The loop counter: a message that went through more hops than this is looping (RFC 5321
#: section 6.3 counts ``Received`` headers; 25 is far above any real route).
MAX_HOPS = 25
#: Our own loop mark: replies carry ``X-Loop: <mailbox address>``; a message bearing it came back.
LOOP_HEADER = "X-Loop"


class BadMail(ValueError):
    """The message cannot be read as MIME: it is refused whole."""


@dataclass
class Attachment:
    filename: str
    data: bytes


@dataclass
class ReadMail:
    """What email-to-case uses of a message."""

    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    headers: EmailMessage | None = None

    def case_number(self) -> str | None:
        found = NUMBER_IN_SUBJECT.search(self.subject)
        return found.group(0) if found else None


class _Text(HTMLParser):
    """The text of an HTML body (a customer's mail client may send no plain part)."""

    SKIP = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def normalise_id(value: str | None) -> str:
    """A Message-ID as stored: ``<local@domain>``, without folding or spaces."""
    text = "".join((value or "").split())
    if text and not text.startswith("<"):
        text = f"<{text}>"
    return text[:255]


def _ids(value: str | None) -> list[str]:
    return [normalise_id(m) for m in re.findall(r"<[^<>\s]+>", value or "")]


def read(raw: bytes) -> ReadMail:
    """Parse ``raw`` (the bytes of one message); :class:`BadMail` says why it cannot be used."""
    try:
        msg = BytesParser(policy=email.policy.default).parsebytes(raw)
    except Exception as exc:  # the parser raises on some broken headers even in lenient mode
        raise BadMail(f"unreadable message: {exc}") from exc
    if not isinstance(msg, EmailMessage):
        raise BadMail("unreadable message")
    if any(isinstance(d, (email.errors.StartBoundaryNotFoundDefect, email.errors.CloseBoundaryNotFoundDefect,
                          email.errors.MultipartInvariantViolationDefect)) for d in _defects(msg)):
        raise BadMail("broken MIME structure: " + ", ".join(sorted({type(d).__name__ for d in _defects(msg)})))
    try:
        name, sender = parseaddr(str(msg.get("From", "")))
        subject = " ".join(str(msg.get("Subject", "")).split())
        body = msg.get_body(preferencelist=("plain", "html"))
        text = ""
        if body is not None:
            content = body.get_content()
            text = html_text(content) if body.get_content_subtype() == "html" else str(content)
        attachments = [
            Attachment(part.get_filename() or "attachment", _bytes(part.get_content()))
            for part in msg.iter_attachments()
            if part.get_content_maintype() != "multipart"
        ]
    except (LookupError, ValueError, TypeError, AttributeError) as exc:  # unknown charset, bad encoding …
        raise BadMail(f"unreadable part: {exc}") from exc
    if not sender or "@" not in sender:
        raise BadMail("no sender address in From")
    return ReadMail(
        message_id=normalise_id(msg.get("Message-ID")),
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        subject=subject,
        text=text.strip(),
        attachments=attachments,
        references=_ids(msg.get("References")) + _ids(msg.get("In-Reply-To")),
        headers=msg,
    )


def _defects(msg: EmailMessage) -> Iterable[Exception]:
    for part in msg.walk():
        yield from part.defects


def _bytes(content: object) -> bytes:
    if isinstance(content, bytes):
        return content
    if isinstance(content, str):
        return content.encode("utf-8")
    if isinstance(content, EmailMessage):  # a forwarded message/rfc822
        return content.as_bytes()
    raise ValueError("attachment without content")


def ignore_reason(mail: ReadMail, own_addresses: Iterable[str]) -> str | None:
    """Why the message must not reach a case (an auto-reply, list mail, a bounce, our own mail,
    a loop), or ``None``. RFC 3834 asks automatic responders never to answer these."""
    h = mail.headers
    assert h is not None
    auto = str(h.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(h.get("Precedence", "")).strip().lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    if h.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress"
    local = mail.sender.partition("@")[0]
    if local in SYSTEM_SENDERS:
        return f"system sender {mail.sender}"
    own = {a.strip().lower() for a in own_addresses if a}
    if mail.sender in own:
        return f"our own address {mail.sender}"
    marks = {addr.lower() for _n, addr in getaddresses([str(v) for v in h.get_all(LOOP_HEADER, [])])}
    if marks & own:
        return f"{LOOP_HEADER}: {', '.join(sorted(marks & own))}"
    hops = len(h.get_all("Received", []))
    if hops > MAX_HOPS:
        return f"mail loop: {hops} Received headers"
    return None
