"""Portal accounts (EXT-13): invitation by e-mail with a single-use expiring link, password set
under the staff policy (argon2), sign-in throttled like the staff login, the optional one-time
code, reset by e-mail that says nothing about who has a login, and a logout that ends the
session on the server. Mail goes through the outbox to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from crm_core.db import unit_of_work
from crm_core.models.types import utcnow
from crm_core.toolkit import logins
from plugins.portal.models import PortalToken, PortalUser
from tests.plugins.portal.conftest import PLUGINS, STRONG, code_in, link_in

pytestmark = pytest.mark.crm(plugins=PLUGINS)
ROSA = "rosa@hotelessol.example"


def sign_in(client, email=ROSA, password=STRONG):
    return client.post("/portal/login", data={"email": email, "password": password})


def test_an_invitation_mails_a_link_that_sets_the_password_once(crm_app, db, invite, smtp):
    link = invite("A")
    message = smtp.messages[-1]
    assert message["To"] == ROSA and "portal" in message["Subject"].lower()
    client = crm_app.test_client()
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"password": "password", "confirm": "password"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    user = db.scalar(select(PortalUser).where(PortalUser.email == ROSA))
    assert user.password_hash == ""  # a refused password changes nothing
    assert client.post(link, data={"password": STRONG, "confirm": STRONG}).status_code == 302
    db.refresh(user)
    assert user.password_hash.startswith("$argon2")
    assert client.get(link).status_code == 410  # single use
    assert client.post(link, data={"password": STRONG, "confirm": STRONG}).status_code == 410


def test_an_expired_invitation_opens_nothing(crm_app, db, invite):
    link = invite("A")
    with unit_of_work():
        db.execute(update(PortalToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    client = crm_app.test_client()
    assert client.post(link, data={"password": STRONG, "confirm": STRONG}).status_code == 410


def test_a_contact_without_email_cannot_be_invited(client_for, accounts, create, smtp):
    contact = create("contacts", "ana", account_id=accounts["A"]["account"].id, last_name="Sin correo")
    response = client_for("ana").post(f"/s/contacts/{contact.id}/action/portal_invite", data={})
    assert response.status_code == 409  # the action is not offered: the contact has no e-mail


def test_sign_in_and_logout_end_the_session_on_the_server(crm_app, customer):
    client = customer("A")
    assert client.get("/portal/").status_code == 200
    stolen = client.get_cookie("crm_portal", path="/portal").value
    assert client.post("/portal/logout").status_code == 302
    assert client.get("/portal/").status_code == 302
    other = crm_app.test_client()
    other.set_cookie("crm_portal", stolen, path="/portal")
    response = other.get("/portal/")
    assert response.status_code == 302 and "/portal/login" in response.headers["Location"]


def test_wrong_passwords_are_throttled_even_with_the_right_one_after(crm_app, customer):
    customer("A")
    client = crm_app.test_client()
    for _ in range(crm_app.config["CRM_LOGIN_MAX_FAILURES"]):
        assert sign_in(client, password="wrong password here").status_code == 401
    response = sign_in(client)
    assert response.status_code == 429 and "Too many failed attempts" in response.get_data(as_text=True)


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(crm_app, customer):
    customer("A")
    client = crm_app.test_client()
    unknown = sign_in(client, email="nobody@example.com")
    wrong = sign_in(client, password="not the password")
    assert unknown.status_code == wrong.status_code == 401
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)


def test_reset_mails_a_link_only_to_a_portal_user_and_ends_old_sessions(crm_app, customer, smtp, deliver):
    client = customer("A")
    stranger = crm_app.test_client()
    before = len(smtp.messages)
    assert stranger.post("/portal/reset", data={"email": "nobody@example.com"}).status_code == 302
    deliver()
    assert len(smtp.messages) == before  # nothing says whether the address has a login
    assert stranger.post("/portal/reset", data={"email": ROSA}).status_code == 302
    deliver()
    link = link_in(smtp.messages[-1])
    assert "/portal/reset/" in link
    new = "amber lantern orchard 77"
    assert stranger.post(link, data={"password": new, "confirm": new}).status_code == 302
    assert client.get("/portal/").status_code == 302  # the old session ended
    assert sign_in(stranger, password=STRONG).status_code == 401
    assert sign_in(stranger, password=new).status_code == 302


def test_the_second_factor_asks_a_mailed_code_once(crm_app, db, customer, smtp, deliver):
    client = customer("A")
    assert client.post("/portal/account", data={"second_factor": "y"}).status_code == 302
    client.post("/portal/logout")
    response = sign_in(client)
    assert response.status_code == 302 and "/portal/code" in response.headers["Location"]
    assert client.get("/portal/").status_code == 302  # half signed in opens nothing
    deliver()
    code = code_in(smtp.messages[-1])
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/portal/code", data={"code": wrong}).status_code == 401
    assert client.post("/portal/code", data={"code": code}).status_code == 302
    assert client.get("/portal/").status_code == 200
    client.post("/portal/logout")
    sign_in(client)
    assert client.post("/portal/code", data={"code": code}).status_code == 401  # a code works once


@pytest.mark.crm(plugins=PLUGINS, settings={"WTF_CSRF_ENABLED": True})
def test_portal_forms_refuse_a_post_without_the_csrf_token(crm_app, db, accounts):
    contact = accounts["A"]["contact"]
    with unit_of_work():
        db.add(PortalUser(contact_id=contact.id, account_id=contact.account_id, email=ROSA, full_name="Rosa",
                          password_hash=logins.hash_password(STRONG)))
    client = crm_app.test_client()
    assert sign_in(client).status_code == 400  # no token: refused, though the password is right
    assert client.get("/portal/").status_code == 302
    page = client.get("/portal/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/portal/login", data={"email": ROSA, "password": STRONG, "csrf_token": token}).status_code == 302
    assert client.post("/portal/logout").status_code == 400  # not even sign-out without it
    assert client.get("/portal/").status_code == 200
