"""The customer portal in Chromium on a desktop and a phone (EXT-13, CORE-18): a customer follows
the invitation link, chooses a password, signs in, opens a request and reads it; the pages run
no script and break no CSP rule, fit a phone's width, and keep a skip link and labelled fields.
A public web form is filled in on a phone (EXT-08)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from itsdangerous import URLSafeSerializer
from playwright.sync_api import expect

from crm_core.testing import TEST_SECRET
from crm_core.testing.database import scratch_database
from plugins.portal.webforms import SALT
from tests.plugins.messaging.doubles import smtp_server
from tests.support.served import ServedCrm, prepare_database, served_crm, server_env

CUSTOMER_TOML = """
[plugins]
enabled = ["sales", "cases", "messaging", "portal"]

[settings.messaging]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
sender = "crm@example.com"
base_url = "https://crm.example.com"

[settings.portal]
intake_user = "ana"
"""
PASSWORD = "violet tractor harbour 42"
LINK = re.compile(r"https?://[^/\s]+(/portal/welcome/[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """``crm serve`` with the portal; two contacts invited (their links read from the mail) and
    a public web form."""
    tmp = tmp_path_factory.mktemp("portal_ui")
    customer = tmp / "customers" / "portal"
    customer.mkdir(parents=True)
    with scratch_database(str(tmp)) as url, smtp_server() as (inbox, smtp_port):
        customer.joinpath("customer.toml").write_text(CUSTOMER_TOML.format(smtp_port=smtp_port))
        prepare_database(url)
        env = server_env(url, CRM_OVERRIDES_DIR=str(customer.parent), CRM_CUSTOMER="portal")
        with served_crm(env, cwd=str(tmp), workers=1, threads=4) as server:
            yield {"server": server, "links": _invite(server, inbox), "form_id": _form(server)}


def _invite(server: ServedCrm, inbox: Any) -> dict[str, str]:
    ana = server.login("ana")
    links = {}
    for key, email in (("desktop", "rosa@hotelessol.example"), ("phone", "pau@talleresmar.example")):
        account = ana.post("/api/v1/accounts", json={"code": f"UI-{key}", "name": f"Cliente {key}"}).json()
        contact = ana.post("/api/v1/contacts", json={"account_id": account["id"], "last_name": key.title(),
                                                     "email": email}).json()
        assert ana.post(f"/s/contacts/{contact['id']}/action/portal_invite", data={"language": "en"}).status_code == 302
        assert server.crm("worker", "--once").returncode == 0
        links[key] = LINK.search(inbox.messages[-1].get_content()).group(1)
    return links


def _form(server: ServedCrm) -> int:
    created = server.login("ana").post("/api/v1/webforms", json={
        "name": "Contact", "slug": "contact", "field_list": "name, email, company"})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def watch(page: Any) -> list[str]:
    """Console errors and CSP violations the page reports."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status == 404 else None)
    return problems


def first_visit(page: Any, base: str, link: str, email: str) -> None:
    page.goto(base + link)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("#portal-set-password")
    page.wait_for_url(f"{base}/portal/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#portal-sign-in")
    page.wait_for_url(f"{base}/portal/")


def test_a_customer_opens_and_reads_a_request_on_a_desktop(served, page):
    base = served["server"].url
    problems = watch(page)
    first_visit(page, base, served["links"]["desktop"], "rosa@hotelessol.example")
    assert page.locator("#no-requests").is_visible()
    page.click("#new-request")
    page.select_option("#type", "defect")
    page.fill("#subject", "Sin conexión")
    page.fill("#description", "El router parpadea en rojo.")
    page.click("#send-request")
    page.wait_for_url(re.compile(r".*/portal/requests/C-\d{4}-\d{6}$"))
    assert page.locator("#request-status").inner_text() == "Gathering information"
    page.fill("#body", "¿Alguna novedad?")
    page.click("#send-comment")
    expect(page.locator("#thread")).to_contain_text("¿Alguna novedad?")  # waits for the reloaded page
    page.click("text=My requests")
    expect(page.locator("#requests")).to_contain_text("Sin conexión")
    assert page.evaluate("document.scripts.length") == 0
    page.click("#portal-logout")
    page.wait_for_url(f"{base}/portal/login")
    page.goto(f"{base}/portal/")
    assert page.url.startswith(f"{base}/portal/login")
    assert not problems, problems


def test_the_portal_fits_a_phone_and_keeps_its_labels(served, phone):
    base = served["server"].url
    problems = watch(phone)
    first_visit(phone, base, served["links"]["phone"], "pau@talleresmar.example")
    for path in ("/portal/", "/portal/requests/new", "/portal/account"):
        phone.goto(base + path)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    phone.goto(f"{base}/portal/requests/new")
    for field in ("type", "subject", "description"):
        expect(phone.locator(f"label[for={field}]")).to_have_count(1)
    box = phone.locator("#send-request").bounding_box()
    assert box["height"] >= 40  # a finger-sized target
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    assert not problems, problems


def test_a_visitor_sends_the_public_form_on_a_phone(served, phone):
    base = served["server"].url
    problems = watch(phone)
    phone.goto(f"{base}/forms/contact?utm_source=flyer")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    trap = phone.locator("#website_url").bounding_box()
    assert trap["x"] + trap["width"] <= 0  # the honeypot is off screen (and out of the tab order)
    # The token of a form served a minute ago: the minimum fill time has passed.
    aged = URLSafeSerializer(TEST_SECRET, salt=SALT).dumps([served["form_id"], int(time.time()) - 60])
    phone.evaluate("t => document.querySelector('input[name=form_token]').value = t", aged)
    phone.fill("#f-name", "Lucía Soler")
    phone.fill("#f-email", "lucia@example.com")
    phone.fill("#f-company", "Soler Viajes")
    phone.click("#webform-send")
    expect(phone.locator("#webform-thanks")).to_be_visible()  # waits for the answer to the post
    assert not problems, problems
