"""Email-to-case ignores what must never open or feed a case (issue 14; RFC 3834): auto-replies,
list and bulk mail, bounces, our own mail and loops — each accepted (the sender must not retry)
and dropped with nothing written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.cases.models import Case, CaseMail
from tests.plugins.cases.mail import MAILBOX, configure, message, receiver

pytestmark = pytest.mark.crm(plugins=["sales", "cases", "messaging"])

LOOPS = {
    "auto-replied": {"headers": {"Auto-Submitted": "auto-replied"}},
    "auto-generated": {"headers": {"Auto-Submitted": "auto-generated"}},
    "precedence bulk": {"headers": {"Precedence": "bulk"}},
    "precedence junk": {"headers": {"Precedence": "junk"}},
    "precedence list": {"headers": {"Precedence": "List"}},
    "x-auto-response-suppress": {"headers": {"X-Auto-Response-Suppress": "All"}},
    "mailer-daemon": {"sender": "MAILER-DAEMON@mx.hotelessol.example"},
    "postmaster": {"sender": "postmaster@hotelessol.example"},
    "our mailbox": {"sender": f"Soporte <{MAILBOX}>"},
    "our messaging sender": {"sender": "crm@example.com"},
    "x-loop mark": {"headers": {"X-Loop": MAILBOX}},
}


@pytest.fixture
def mailbox(crm_app):
    from tests.plugins.messaging.doubles import configure as configure_messaging

    configure_messaging(crm_app, smtp_port=25)  # sender crm@example.com
    configure(crm_app)
    with receiver(crm_app) as rx:
        yield rx


def written(db) -> tuple[int, int]:
    db.expire_all()
    return (db.scalar(select(func.count()).select_from(Case)), db.scalar(select(func.count()).select_from(CaseMail)))


@pytest.mark.parametrize("kind", sorted(LOOPS))
def test_automatic_and_looping_mail_is_ignored(db, mailbox, kind):
    code, reply = mailbox.send(message(**LOOPS[kind]))
    assert code == 250 and "ignored" in reply
    assert written(db) == (0, 0)


def test_a_message_that_went_round_too_many_hops_is_ignored(db, mailbox):
    msg = message()
    for hop in range(26):
        msg["Received"] = f"from relay{hop}.example by relay{hop + 1}.example; Mon, 30 Nov 2026 08:00:00 +0000"
    code, reply = mailbox.send(msg)
    assert code == 250 and "loop" in reply
    assert written(db) == (0, 0)


def test_ordinary_mail_with_harmless_markers_still_opens_a_case(db, mailbox):
    """The rules are not catch-alls: ``Auto-Submitted: no``, a normal precedence, a few hops and
    another system's X-Loop open a case."""
    msg = message(headers={"Auto-Submitted": "no", "Precedence": "first-class", "X-Loop": "helpdesk@other.example"})
    for hop in range(5):
        msg["Received"] = f"from relay{hop}.example by relay{hop + 1}.example; Mon, 30 Nov 2026 08:00:00 +0000"
    code, reply = mailbox.send(msg)
    assert code == 250 and "created" in reply
    assert written(db) == (1, 1)
