"""Email-to-case (issue 14): real mail sent over SMTP/LMTP to the receiver on loopback opens a
case or joins the case whose number is in the subject; known senders link the account (and
contact), unknown ones wait "to triage"; attachments become notes with files; duplicates, bad
MIME and oversized messages write nothing."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from crm_core.errors import BusinessRuleError
from crm_core.models.notes import Note
from plugins.cases.models import Case, CaseMail
from tests.plugins.cases.mail import configure, message, receiver

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def mailbox(crm_app):
    configure(crm_app)
    with receiver(crm_app) as rx:
        yield rx


@pytest.fixture
def rosa(create, customer):
    """Rosa, a contact of Hoteles Sol with an e-mail address."""
    return create("contacts", "ana", account_id=customer["account"].id, first_name="Rosa", last_name="Ferrer",
                  email="Rosa@HotelesSol.example")


def cases(db) -> list[Case]:
    db.expire_all()
    return list(db.scalars(select(Case).order_by(Case.id)))


def notes_of(db, case) -> list[Note]:
    return list(db.scalars(select(Note).where(Note.element_type == "case", Note.element_id == case.id).order_by(Note.id)))


def test_mail_from_a_known_contact_opens_a_case_on_its_account(db, mailbox, rosa, customer, users):
    code, reply = mailbox.send(message(body="Me han cobrado dos veces."))
    assert code == 250 and "created C-" in reply
    [case] = cases(db)
    assert (case.account_id, case.contact_id) == (customer["account"].id, rosa.id)
    assert (case.origin, case.status, case.subject) == ("email", "gathering", "Factura duplicada")
    assert "Me han cobrado dos veces." in case.description and case.number in reply
    assert case.owner_id == users["ana"].id  # the mailbox user
    [row] = db.scalars(select(CaseMail)).all()
    assert (row.case_id, row.direction, row.sender) == (case.id, "in", "rosa@hotelessol.example")


def test_mail_from_an_account_address_links_the_account_only(db, mailbox, create):
    account = create("accounts", "ana", code="C0200", name="Viajes Mar", email="info@viajesmar.example")
    code, _reply = mailbox.send(message(sender="info@viajesmar.example"))
    assert code == 250
    [case] = cases(db)
    assert (case.account_id, case.contact_id) == (account.id, None)


def test_unknown_sender_gets_a_case_to_triage_that_cannot_open_without_an_account(
    db, mailbox, action, customer, sdef, access_for
):
    from crm_core.db import unit_of_work
    from crm_core.services import elements

    code, _reply = mailbox.send(message(sender="stranger@nowhere.example"))
    assert code == 250
    [case] = cases(db)
    assert case.account_id is None and case.contact_id is None and case.status == "gathering"
    with pytest.raises(BusinessRuleError, match="account"):
        action(case, "open", "ana")
    db.rollback()
    assert cases(db)[0].status == "gathering"
    with unit_of_work():
        elements.update(db, sdef("cases"), access_for("ana"), case, {"account_id": customer["account"].id})
    action(case, "open", "ana")
    assert cases(db)[0].status == "open"


def test_a_mail_with_the_case_number_in_the_subject_is_added_to_that_case(db, mailbox, rosa):
    mailbox.send(message())
    [case] = cases(db)
    code, reply = mailbox.send(message(subject=f"RE: [{case.number}] Factura duplicada", body="¿Alguna novedad?"))
    assert code == 250 and f"added {case.number}" in reply
    assert len(cases(db)) == 1
    [note] = notes_of(db, case)
    assert "¿Alguna novedad?" in note.text and "rosa@hotelessol.example" in note.text
    assert db.scalar(select(func.count()).select_from(CaseMail).where(CaseMail.case_id == case.id)) == 2


def test_an_answer_without_the_number_threads_on_references(db, mailbox, rosa):
    first = message(message_id="<first@hotelessol.example>")
    mailbox.send(first)
    code, _reply = mailbox.send(message(subject="Re: Factura", headers={"In-Reply-To": "<first@hotelessol.example>"}))
    assert code == 250 and len(cases(db)) == 1 and len(notes_of(db, cases(db)[0])) == 1


def test_the_same_message_id_twice_is_recorded_once(db, mailbox, rosa):
    msg = message(message_id="<once@hotelessol.example>")
    assert mailbox.send(msg)[0] == 250
    code, reply = mailbox.send(msg)
    assert code == 250 and "duplicate" in reply
    assert len(cases(db)) == 1
    assert db.scalar(select(func.count()).select_from(CaseMail)) == 1


def test_attachments_become_notes_with_their_files(db, mailbox, rosa):
    code, _reply = mailbox.send(message(attachments=(("factura.pdf", PDF, "application/pdf"),
                                                     ("virus.exe", b"MZ\x90\x00", "application/octet-stream"))))
    assert code == 250
    [case] = cases(db)
    pdf, refused = notes_of(db, case)
    assert (pdf.filename, pdf.content_type, pdf.data) == ("factura.pdf", "application/pdf", PDF)
    assert refused.filename is None and "virus.exe" in refused.text and "not kept" in refused.text


def test_a_file_renamed_to_pdf_is_not_kept_but_the_case_is(db, mailbox, rosa):
    code, _reply = mailbox.send(message(attachments=(("factura.pdf", b"MZ not a pdf", "application/pdf"),)))
    assert code == 250
    [case] = cases(db)
    [note] = notes_of(db, case)
    assert note.filename is None and "factura.pdf" in note.text


BROKEN = (
    b"From: rosa@hotelessol.example\r\nTo: support@crm.example.com\r\nSubject: roto\r\n"
    b"Message-ID: <broken@hotelessol.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n'
    b"no boundary ever starts here\r\n"
)


def test_bad_mime_is_refused_with_a_log_line_and_writes_nothing(db, mailbox, rosa, caplog):
    with caplog.at_level(logging.WARNING, logger="plugins.cases.mailin"):
        code, reply = mailbox.send(BROKEN)
    assert code == 550 and "MIME" in reply
    assert cases(db) == [] and db.scalar(select(func.count()).select_from(CaseMail)) == 0
    assert any("nothing recorded" in r.getMessage() and "MIME" in r.getMessage() for r in caplog.records)


def test_a_message_over_the_size_limit_is_refused(crm_app, db, rosa):
    configure(crm_app, mailbox_max_bytes=4096)
    with receiver(crm_app) as rx:
        code, _reply = rx.send(message(body="una línea de texto bastante larga\n" * 300))
    assert code == 552, _reply
    assert cases(db) == []


def test_only_the_mailbox_address_is_accepted(db, mailbox):
    code, _reply = mailbox.send(message(), rcpt="someone@crm.example.com")
    assert code == 550
    assert cases(db) == []


def test_without_a_mailbox_user_nothing_is_written(crm_app, db, rosa):
    configure(crm_app, mailbox_user="nobody")
    with receiver(crm_app) as rx:
        code, reply = rx.send(message(attachments=(("factura.pdf", PDF, "application/pdf"),)))
    assert code == 550 and "mailbox user" in reply
    assert cases(db) == [] and db.scalar(select(func.count()).select_from(Note)) == 0


def test_lmtp_delivers_like_smtp(crm_app, db, rosa):
    configure(crm_app)
    with receiver(crm_app, lmtp=True) as rx:
        code, reply = rx.send(message())
    assert code == 250 and "created" in reply
    assert len(cases(db)) == 1


def test_the_triage_exception_is_only_for_mail(create, customer):
    """Forms, API and imports still need an account, unless the case came by e-mail."""
    from marshmallow import ValidationError

    with pytest.raises(ValidationError, match="account_id"):
        create("cases", "ana", subject="Sin cuenta", type="billing", origin="phone")
    case = create("cases", "ana", subject="Correo reenviado", type="billing", origin="email")
    assert case.account_id is None and case.number


def test_mailbox_address_must_be_configured(crm_app):
    from plugins.cases import mailserver

    crm_app.extensions["crm"].settings["cases"] = {}
    with pytest.raises(RuntimeError, match="mailbox_address"):
        mailserver.start(crm_app, "127.0.0.1", 0)



def test_the_mail_in_command_refuses_to_start_without_a_mailbox(crm_app):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from crm_core.cli import CrmGroup

    crm_app.extensions["crm"].settings["cases"] = {}
    cli = CrmGroup(create_app=lambda: crm_app, add_version_option=False)
    result = CliRunner().invoke(cli, ["cases", "mail-in", "--port", "0"], obj=ScriptInfo(create_app=lambda: crm_app))
    assert result.exit_code == 1 and "mailbox_address" in result.output


def test_a_long_subject_is_cut_to_fit_the_case_and_its_note(db, mailbox, rosa):
    code, _reply = mailbox.send(message(subject="Avería " * 100))
    assert code == 250
    [case] = cases(db)
    assert len(case.subject) <= 200
