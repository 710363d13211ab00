"""Replies from a case by e-mail (issue 14): the "Reply by e-mail" action queues the answer in
the outbox on the messaging plugin's topic; the worker sends it to a real SMTP server on
loopback with the case number in the subject, In-Reply-To and References threaded on the
customer's mail and our loop mark; the customer's answer comes back to the same case, and our
own reply bounced back to the mailbox is ignored."""

from __future__ import annotations

import email
import email.policy

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.models.notes import Note
from crm_core.models.outbox import OutboxMessage
from crm_core.outbox import DeliveryPolicy, process_batch
from crm_core.services import elements
from plugins.cases.mailout import reply_subject
from plugins.cases.models import Case, CaseMail
from tests.plugins.cases.mail import MAILBOX, configure, message, receiver
from tests.plugins.messaging.doubles import configure as configure_messaging
from tests.plugins.messaging.doubles import smtp_server

pytestmark = pytest.mark.crm(plugins=["sales", "cases", "messaging"])
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)


@pytest.fixture
def wire(crm_app):
    """The customer's side (the SMTP server our replies reach) and the mailbox receiver."""
    with smtp_server() as (outgoing, port):
        configure_messaging(crm_app, smtp_port=port)
        configure(crm_app)
        with receiver(crm_app) as rx:
            yield outgoing, rx


def reply(db, sdef, access_for, case, username="ana", body="Le abonamos la factura duplicada."):
    with unit_of_work():
        return elements.run_action(db, sdef("cases"), access_for(username), case, "reply_email", {"body": body})


def only_case(db) -> Case:
    db.expire_all()
    [case] = db.scalars(select(Case)).all()
    return case


def test_a_reply_goes_out_threaded_and_the_answer_comes_back_to_the_case(db, wire, sdef, access_for):
    outgoing, rx = wire
    rx.send(message(message_id="<q1@hotelessol.example>", subject="Factura duplicada"))
    case = only_case(db)
    text = reply(db, sdef, access_for, case)
    assert case.number in text
    queued = db.scalar(select(OutboxMessage).where(OutboxMessage.element_id == case.id))
    assert queued.topic == "messaging.email" and queued.element_type == "case"
    assert process_batch(policy=FAST).sent == 1

    [sent] = outgoing.messages
    assert sent["To"] == "rosa@hotelessol.example"
    assert sent["Subject"] == f"Re: [{case.number}] Factura duplicada"
    assert sent["In-Reply-To"] == "<q1@hotelessol.example>"
    assert "<q1@hotelessol.example>" in sent["References"]
    assert sent["X-Loop"] == MAILBOX and sent["Reply-To"] == MAILBOX
    assert "Le abonamos la factura duplicada." in sent.get_content()
    out = db.scalar(select(CaseMail).where(CaseMail.direction == "out"))
    assert out.message_id == sent["Message-ID"] and out.case_id == case.id
    assert any("Reply by e-mail to rosa@hotelessol.example" in n.text for n in db.scalars(select(Note)))

    # The customer answers from a client that keeps neither the number nor anything but threading.
    answer = message(subject="Re: gracias", message_id="<q2@hotelessol.example>",
                     headers={"In-Reply-To": sent["Message-ID"], "References": sent["References"]})
    code, text = rx.send(answer)
    assert code == 250 and f"added {case.number}" in text
    assert only_case(db).id == case.id

    # Our own reply delivered back into the mailbox (a forward, a misrouted copy) is dropped.
    bounced = email.message_from_bytes(sent.as_bytes(), policy=email.policy.default)
    code, text = rx.send(bounced, sender=MAILBOX)
    assert code == 250 and "ignored" in text


def test_the_second_reply_references_the_whole_thread(db, wire, sdef, access_for):
    outgoing, rx = wire
    rx.send(message(message_id="<t1@hotelessol.example>"))
    case = only_case(db)
    reply(db, sdef, access_for, case, body="Primera respuesta")
    rx.send(message(subject=f"Re: [{case.number}] Factura duplicada", message_id="<t2@hotelessol.example>"))
    reply(db, sdef, access_for, case, body="Segunda respuesta")
    process_batch(policy=FAST)
    second = next(m for m in outgoing.messages if "Segunda" in m.get_content())
    assert second["In-Reply-To"] == "<t2@hotelessol.example>"
    refs = second["References"].split()
    assert refs[0] == "<t1@hotelessol.example>" and "<t2@hotelessol.example>" in refs and len(refs) == 3


def test_no_reply_on_a_case_that_never_received_mail(db, create, customer, sdef, access_for, wire):
    case = create("cases", "ana", account_id=customer["account"].id, subject="Por teléfono", type="billing")
    with pytest.raises(BusinessRuleError):
        reply(db, sdef, access_for, case)
    db.rollback()
    assert db.scalar(select(OutboxMessage)) is None


def test_an_empty_reply_is_refused_and_queues_nothing(db, wire, sdef, access_for):
    _outgoing, rx = wire
    rx.send(message())
    case = only_case(db)
    with pytest.raises(Exception, match="body|reply|Reply"):
        reply(db, sdef, access_for, case, body="   ")
    db.rollback()
    assert db.scalar(select(OutboxMessage)) is None
    assert db.scalar(select(CaseMail).where(CaseMail.direction == "out")) is None


def test_only_who_may_modify_the_case_replies(db, wire, sdef, access_for):
    """The mailbox user (ana) owns the case; bob, in the same group, cannot see ana's records."""
    _outgoing, rx = wire
    rx.send(message())
    case = only_case(db)
    with pytest.raises((NotFound, PermissionDenied)):
        reply(db, sdef, access_for, case, username="bob")
    db.rollback()
    assert db.scalar(select(OutboxMessage)) is None


def test_the_reply_subject_keeps_one_number_and_one_re():
    case = Case(number="C-2026-000007", subject="Avería")
    assert reply_subject(case) == "Re: [C-2026-000007] Avería"
    assert reply_subject(case, "Re: [C-2026-000007] Avería") == "Re: [C-2026-000007] Avería"
    assert reply_subject(case, "RE: Fwd: Avería en casa") == "Re: [C-2026-000007] Avería en casa"


def test_a_spanish_agent_sees_the_mailed_case_and_replies_from_the_screen(db, wire, users, client_for):
    from flask_babel import refresh

    outgoing, rx = wire
    rx.send(message(sender="desconocido@nowhere.example", subject="No funciona"))
    case = only_case(db)
    users["ana"].language = "es"
    db.commit()
    refresh()
    ana = client_for("ana")
    detail = ana.get(f"/s/cases/{case.id}").get_data(as_text=True)
    assert "Responder por correo" in detail and "desconocido@nowhere.example" in detail
    refused = ana.post(f"/api/v1/cases/{case.id}/actions/open", json={})
    assert refused.get_json()["error"]["message"] == "Indique la cuenta del caso antes de abrirlo."
    sent = ana.post(f"/api/v1/cases/{case.id}/actions/reply_email", json={"body": "Necesitamos su número de cliente."})
    assert sent.status_code == 200, sent.get_data(as_text=True)
    assert process_batch(policy=FAST).sent == 1
    assert outgoing.messages[0]["Subject"] == f"Re: [{case.number}] No funciona"
