"""What a customer does on the portal (EXT-13): open a request (a case made under the cases
plugin's rules), follow it, comment and attach files, read the agents' public answers; read only
public knowledge articles; see billing only when an adapter answers ``crm_portal_billing``."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select, update

from crm_core.db import unit_of_work
from crm_core.models.notes import Note
from crm_core.services import elements
from crm_core.testing import make_plugin
from plugins.portal.models import PortalComment
from tests.plugins.portal.conftest import PLUGINS, STRONG, portal_settings

pytestmark = pytest.mark.crm(plugins=PLUGINS)


def cases_of(db, sdef, account):
    model = sdef("cases").model
    return list(db.scalars(select(model).where(model.account_id == account.id).order_by(model.id)))


def test_a_new_request_is_a_numbered_web_case_of_the_customers_account(db, sdef, accounts, customer):
    client = customer("A")
    page = client.get("/portal/requests/new").get_data(as_text=True)
    assert 'value="billing"' in page  # the cases session's own types
    response = client.post("/portal/requests/new", data={
        "type": "defect", "subject": "Sin conexión", "description": "El router parpadea en rojo."})
    assert response.status_code == 302
    case = cases_of(db, sdef, accounts["A"]["account"])[-1]
    assert case.subject == "Sin conexión" and case.origin == "web" and case.status == "gathering"
    assert case.contact_id == accounts["A"]["contact"].id and case.number.startswith("C-")
    assert response.headers["Location"].endswith(f"/portal/requests/{case.number}")
    shown = client.get(f"/portal/requests/{case.number}").get_data(as_text=True)
    assert "El router parpadea en rojo." in shown and "Gathering information" in shown


def test_a_refused_request_changes_nothing(db, sdef, accounts, customer):
    client = customer("A")
    before = len(cases_of(db, sdef, accounts["A"]["account"]))
    response = client.post("/portal/requests/new", data={"type": "nonsense", "subject": "x", "description": "y"})
    assert response.status_code == 400 and "Not a valid choice" in response.get_data(as_text=True)
    response = client.post("/portal/requests/new", data={"type": "billing", "subject": "", "description": "y"})
    assert response.status_code == 400
    assert len(cases_of(db, sdef, accounts["A"]["account"])) == before


def test_comment_and_file_reach_the_agents_notes_and_the_public_thread(db, accounts, customer):
    client = customer("A")
    case = accounts["A"]["case"]
    response = client.post(f"/portal/requests/{case.number}", data={
        "body": "Adjunto la factura.", "attachment": (io.BytesIO(b"%PDF-1.4 factura"), "factura.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    note = db.scalar(select(Note).where(Note.element_type == "case", Note.element_id == case.id)
                     .order_by(Note.id.desc()))
    assert "Adjunto la factura." in note.text and note.filename == "factura.pdf"
    page = client.get(f"/portal/requests/{case.number}").get_data(as_text=True)
    assert "Adjunto la factura." in page and "factura.pdf" in page


def test_a_file_of_a_refused_type_writes_nothing(db, accounts, customer):
    client = customer("A")
    case = accounts["A"]["case"]
    before = db.scalar(select(func.count()).select_from(PortalComment))
    response = client.post(f"/portal/requests/{case.number}", data={
        "body": "virus", "attachment": (io.BytesIO(b"MZ\x90\x00"), "setup.exe")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(PortalComment)) == before


def test_an_agents_public_answer_is_shown_and_mailed_but_internal_notes_are_not(
    db, accounts, customer, client_for, smtp, deliver
):
    client = customer("A")
    case = accounts["A"]["case"]
    staff = client_for("ana")
    staff.post(f"/s/cases/{case.id}/notes", data={"text": "Cliente moroso, no decirle."})
    assert staff.post(f"/s/cases/{case.id}/action/portal_answer", data={"body": "Ya está corregida."}).status_code == 302
    deliver()
    assert smtp.messages[-1]["To"] == "rosa@hotelessol.example" and case.number in smtp.messages[-1]["Subject"]
    page = client.get(f"/portal/requests/{case.number}").get_data(as_text=True)
    assert "Ya está corregida." in page and "moroso" not in page


def test_a_closed_case_offers_no_public_answer(db, accounts, client_for):
    case = accounts["A"]["case"]
    staff = client_for("ana")
    assert "portal_answer" in staff.get(f"/s/cases/{case.id}").get_data(as_text=True)
    db.execute(update(type(case)).where(type(case).id == case.id).values(status="closed"))
    db.expire_all()
    assert "portal_answer" not in staff.get(f"/s/cases/{case.id}").get_data(as_text=True)
    refused = staff.post(f"/s/cases/{case.id}/action/portal_answer", data={"body": "Tarde."})
    assert refused.status_code in (400, 403, 404, 409)


def test_only_public_published_articles_reach_the_customer(db, sdef, access_for, customer):
    made = {}
    with unit_of_work():
        for title, published, public in (("Reiniciar el router", True, True), ("Guion interno", True, False),
                                         ("Borrador público", False, True)):
            made[title] = elements.create(db, sdef("articles"), access_for("ana"), {
                "title": title, "body": f"# {title}\n\nTexto.", "published": published, "public": public})
    client = customer("A")
    page = client.get("/portal/help").get_data(as_text=True)
    assert "Reiniciar el router" in page and "Guion interno" not in page and "Borrador público" not in page
    assert "Reiniciar el router" in client.get("/portal/help?q=router").get_data(as_text=True)
    assert "Reiniciar" not in client.get("/portal/help?q=impresora").get_data(as_text=True)
    assert client.get(f"/portal/help/{made['Reiniciar el router'].id}").status_code == 200
    for hidden in ("Guion interno", "Borrador público"):
        assert client.get(f"/portal/help/{made[hidden].id}").status_code == 404


def test_without_a_billing_adapter_there_is_no_billing_page(customer):
    client = customer("A")
    assert 'id="nav-billing"' not in client.get("/portal/").get_data(as_text=True)
    assert client.get("/portal/billing").status_code == 404


def _billing(account_id, language, db):
    from plugins.sales.models import Account

    account = db.get(Account, account_id)
    return [("Account", account.code), ("Balance", "120.50 EUR")] if account.code == "C0100" else None


BILLING = make_plugin("billing_adapter", crm_portal_billing=_billing, requires=("portal",))


@pytest.mark.crm(plugins=[*PLUGINS, "billing_adapter"], extra_plugins={"billing_adapter": BILLING})
def test_billing_shows_what_the_adapter_answers_for_the_customers_account(customer):
    a, b = customer("A"), customer("B")
    assert 'id="nav-billing"' in a.get("/portal/").get_data(as_text=True)
    page = a.get("/portal/billing").get_data(as_text=True)
    assert "C0100" in page and "120.50 EUR" in page
    assert b.get("/portal/billing").status_code == 404  # no answer for B's account


@pytest.mark.parametrize(("intake", "owner"), [("leader", "leader"), ("", "ana")])
def test_a_request_is_owned_by_the_intake_user_else_by_the_account_owner(
    crm_app, db, sdef, users, accounts, customer, intake, owner
):
    client = customer("A")
    portal_settings(crm_app, intake_user=intake)
    response = client.post("/portal/requests/new", data={"type": "billing", "subject": "Cargo", "description": "?"})
    assert response.status_code == 302
    assert cases_of(db, sdef, accounts["A"]["account"])[-1].owner_id == users[owner].id


def test_a_contact_moved_to_another_account_takes_the_login_along(db, sdef, access_for, accounts, customer):
    client = customer("A")
    contact = accounts["A"]["contact"]
    with unit_of_work():
        elements.update(db, sdef("contacts"), access_for("ana"), contact,
                        {"account_id": accounts["B"]["account"].id})
    assert client.get("/portal/").status_code == 302  # signed out: the account changed
    again = client.post("/portal/login", data={"email": "rosa@hotelessol.example", "password": STRONG})
    assert again.status_code == 302
    page = client.get("/portal/").get_data(as_text=True)
    assert accounts["B"]["case"].number in page and accounts["A"]["case"].number not in page


def test_deleting_a_contact_is_not_stopped_by_its_portal_login(db, sdef, access_for, accounts, customer):
    client = customer("A")
    case = accounts["A"]["case"]
    assert client.post(f"/portal/requests/{case.number}", data={"body": "Hola"}).status_code == 302
    with unit_of_work():
        db.execute(update(sdef("cases").model).where(sdef("cases").model.contact_id.is_not(None)).values(contact_id=None))
        elements.delete(db, sdef("contacts"), access_for("ana"), accounts["A"]["contact"])
    assert client.get("/portal/").status_code == 302
    kept = db.scalar(select(PortalComment).where(PortalComment.case_id == case.id))
    assert kept.body == "Hola" and kept.portal_user_id is None


def test_a_closed_request_takes_no_more_comments(db, accounts, customer):
    client = customer("A")
    case = accounts["A"]["case"]
    with unit_of_work():
        case.status = "cancelled"
    page = client.get(f"/portal/requests/{case.number}").get_data(as_text=True)
    assert 'id="send-comment"' not in page
    before = db.scalar(select(func.count()).select_from(PortalComment))
    response = client.post(f"/portal/requests/{case.number}", data={"body": "¿Y ahora?"})
    assert response.status_code == 400 and "This request is closed" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(PortalComment)) == before
