"""The customer portal and a web-to-lead form through ``crm serve`` over real HTTP (EXT-13,
EXT-08): an agent invites a contact, the worker mails the link to a real SMTP server, the
customer sets a password, signs in, opens a request with a file, signs out (the old cookie then
opens nothing); staff and portal cookies never open each other's pages; a public form creates a
lead and links a second submission to it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from itsdangerous import URLSafeSerializer

from crm_core.testing import TEST_SECRET
from crm_core.testing.database import scratch_database
from plugins.portal.webforms import SALT
from tests.plugins.messaging.doubles import Inbox, smtp_server
from tests.support.served import CSRF_INPUT, ServedCrm, prepare_database, served_crm, server_env

CUSTOMER_TOML = """
[plugins]
enabled = ["sales", "cases", "messaging", "knowledge", "portal"]

[settings.messaging]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "crm@example.com"
base_url = "https://crm.example.com"

[settings.portal]
intake_user = "ana"
form_min_seconds = 30
"""
PASSWORD = "violet tractor harbour 42"
LINK = re.compile(r"https://crm\.example\.com(/portal/welcome/[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServedCrm, Inbox]]:
    tmp = tmp_path_factory.mktemp("portal")
    customer = tmp / "customers" / "portal"
    customer.mkdir(parents=True)
    with scratch_database(str(tmp)) as url, smtp_server() as (inbox, smtp_port):
        customer.joinpath("customer.toml").write_text(CUSTOMER_TOML.format(smtp_port=smtp_port))
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="portal")
        with served_crm(env, cwd=str(tmp), workers=1, threads=2) as server:
            yield server, inbox


def token_of(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    return CSRF_INPUT.search(page.text).group(1)


def test_a_customer_is_invited_signs_in_opens_a_request_and_signs_out(served):
    server, inbox = served
    ana = server.login("ana")
    account = ana.post("/api/v1/accounts", json={"code": "P-100", "name": "Hoteles Sol S.A."}).json()
    contact = ana.post("/api/v1/contacts", json={"account_id": account["id"], "last_name": "Ferrer",
                                                 "first_name": "Rosa", "email": "rosa@hotelessol.example"}).json()
    invited = ana.post(f"/s/contacts/{contact['id']}/action/portal_invite", data={"language": "en"})
    assert invited.status_code == 302, invited.text
    worker = server.crm("worker", "--once")
    assert worker.returncode == 0, worker.stderr
    mail = inbox.messages[-1]
    assert mail["To"] == "rosa@hotelessol.example"
    link = LINK.search(mail.get_content()).group(1)

    rosa = server.client()
    set_password = rosa.post(link, data={"password": PASSWORD, "confirm": PASSWORD,
                                         "csrf_token": token_of(rosa, link)})
    assert set_password.status_code == 302, set_password.text
    signed = rosa.post("/portal/login", data={"email": "rosa@hotelessol.example", "password": PASSWORD,
                                              "csrf_token": token_of(rosa, "/portal/login")})
    assert signed.status_code == 302, signed.text
    cookie = next(c for c in rosa.cookies.jar if c.name == "crm_portal")
    assert cookie.path == "/portal" and cookie.has_nonstandard_attr("HttpOnly")
    page = rosa.get("/portal/")
    assert page.status_code == 200 and "script-src" not in page.headers["Content-Security-Policy"]

    opened = rosa.post("/portal/requests/new", data={"type": "defect", "subject": "Sin conexión",
                                                     "description": "El router parpadea.",
                                                     "csrf_token": token_of(rosa, "/portal/requests/new")})
    assert opened.status_code == 302, opened.text
    request_path = opened.headers["Location"]
    number = request_path.rsplit("/", 1)[1]
    commented = rosa.post(request_path, data={"body": "Foto adjunta", "csrf_token": token_of(rosa, request_path)},
                          files={"attachment": ("router.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")})
    assert commented.status_code == 302, commented.text
    shown = rosa.get(request_path).text
    assert "Foto adjunta" in shown and "router.png" in shown

    cases = ana.get("/api/v1/cases", params={"q": number}).json()
    assert any(c["number"] == number and c["origin"] == "web" for c in cases["items"])

    # Realms: the staff cookie opens no customer page, the portal cookie no staff page.
    assert ana.get("/portal/").headers["Location"].startswith("/portal/login")
    staff_page = rosa.get("/s/cases")
    assert staff_page.status_code == 302 and staff_page.headers["Location"].startswith("/login")

    stolen = cookie.value
    out = rosa.post("/portal/logout", data={"csrf_token": token_of(rosa, "/portal/")})
    assert out.status_code == 302
    replay = server.client()
    replay.cookies.set("crm_portal", stolen, domain=cookie.domain, path="/portal")
    assert replay.get("/portal/").status_code == 302


def test_a_public_form_creates_a_lead_and_links_a_second_submission(served):
    server, _inbox = served
    ana = server.login("ana")
    form = ana.post("/api/v1/webforms", json={"name": "Contact", "slug": "contact", "field_list": "name, email",
                                               "embed_origins": "https://www.example.com"})
    assert form.status_code == 201, form.text
    visitor = server.client()
    page = visitor.get("/forms/contact", params={"utm_source": "newsletter"})
    assert page.status_code == 200 and "frame-ancestors https://www.example.com" in page.headers[
        "Content-Security-Policy"]
    token = re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)
    too_fast = visitor.post("/forms/contact", data={"form_token": token, "name": "Marta", "email": "m@example.com"})
    assert too_fast.status_code == 400
    # A form filled a minute ago: the token the server would have issued then (same secret).
    token = URLSafeSerializer(TEST_SECRET, salt=SALT).dumps([form.json()["id"], int(time.time()) - 60])
    for _ in range(2):
        sent = visitor.post("/forms/contact", data={"form_token": token, "name": "Marta Gil",
                                                     "email": "marta@example.com", "utm_source": "newsletter"})
        assert sent.status_code == 200 and "Thank you" in sent.text
    leads = ana.get("/api/v1/leads", params={"q": "marta@example.com"}).json()["items"]
    assert len(leads) == 1 and leads[0]["source"] == "web form contact"
    tab = ana.get(f"/s/webforms/{form.json()['id']}", params={"tab": "public_form"}).text
    assert "existing record, linked" in tab and "utm_source=newsletter" in tab
