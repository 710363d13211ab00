"""The isolation matrix (EXT-13, NF-03), generated from the app's URL map so that a new portal
route is covered the day it is added:

* every customer page of the portal, for a customer of account A, answers for account B's
  case exactly as for a case that does not exist — no content, no hint — and writes nothing;
* a portal session never opens a staff page (nor the staff API), and a staff session never opens
  a customer page of the portal;
* the pages a customer may open without signing in show no customer data.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from plugins.portal.models import PortalComment
from tests.plugins.portal.conftest import PLUGINS

pytestmark = pytest.mark.crm(plugins=PLUGINS)

#: Portal pages open to anyone (sign-in, links, language) — every other portal page needs a customer.
OPEN = {"portal.login", "portal.code", "portal.code_again", "portal.logout", "portal.welcome",
        "portal.reset_password", "portal.reset", "portal.language", "portal.static"}
#: Staff-side endpoints meant for people who are not signed in.
#: Public to anyone, so open to a portal session too: login, language, the OpenAPI document and its
#: reference page, static files, public web forms.
STAFF_PUBLIC = {"auth.login", "auth.language", "api.openapi", "api.docs", "static", "bootstrap.static",
                "webforms_public.public_form", "branding.favicon", "branding.css", "branding.logo"}
MISSING = "C-1999-999999"


def portal_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith("portal.")]


def staff_rules(app):
    return [r for r in app.url_map.iter_rules()
            if not r.endpoint.startswith("portal.") and r.endpoint not in STAFF_PUBLIC
            and not r.endpoint.endswith(".static")]


def fill(rule, number: str) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "number":
            values[arg] = number
        elif arg in ("article_id",) or "id" in arg:
            values[arg] = 1
        elif arg == "code":
            values[arg] = "en"
        else:
            values[arg] = "x"
    path = rule.rule
    for key, value in values.items():
        path = path.replace(f"<int:{key}>", str(value)).replace(f"<{key}>", str(value))
        path = path.replace(f"<path:{key}>", str(value))
    return path


def test_the_matrix_knows_every_portal_route(crm_app):
    endpoints = {r.endpoint for r in portal_rules(crm_app)}
    customer_pages = endpoints - OPEN
    assert customer_pages == {"portal.home", "portal.new_request", "portal.request_page", "portal.help_index",
                              "portal.help_article", "portal.billing", "portal.account"}, (
        "a new portal route: decide whether it is open or a customer page, and keep this matrix whole")


def test_a_customer_never_learns_of_another_accounts_case(crm_app, db, accounts, customer):
    client = customer("A")
    b_case = accounts["B"]["case"]
    own = accounts["A"]["case"]
    assert client.get(f"/portal/requests/{own.number}").status_code == 200
    comments_before = db.scalar(select(func.count()).select_from(PortalComment))
    problems = []
    for rule in portal_rules(crm_app):
        if "number" not in rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            foreign = getattr(client, method.lower())(fill(rule, b_case.number), data={"body": "hola"})
            missing = getattr(client, method.lower())(fill(rule, MISSING), data={"body": "hola"})
            text = foreign.get_data(as_text=True)
            if foreign.status_code != 404 or missing.status_code != 404:
                problems.append(f"{method} {rule.rule}: {foreign.status_code} / {missing.status_code}")
            if b_case.subject in text or accounts["B"]["account"].name in text:
                problems.append(f"{method} {rule.rule} shows account B's data")
            if text.replace(b_case.number, "N") != missing.get_data(as_text=True).replace(MISSING, "N"):
                problems.append(f"{method} {rule.rule}: B's case answers differently from a missing one")
    assert not problems, problems
    assert db.scalar(select(func.count()).select_from(PortalComment)) == comments_before


def test_the_request_list_holds_only_the_own_accounts_cases(accounts, customer):
    page = customer("A").get("/portal/").get_data(as_text=True)
    assert accounts["A"]["case"].number in page
    assert accounts["B"]["case"].number not in page and "Talleres Mar" not in page


def test_a_portal_session_opens_no_staff_page(crm_app, accounts, customer):
    client = customer("A")
    problems = []
    for rule in staff_rules(crm_app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = getattr(client, method.lower())(fill(rule, accounts["A"]["case"].number))
            location = response.headers.get("Location", "")
            refused = (response.status_code in (401, 403, 404, 405, 400)
                       or (response.status_code == 302 and "/login" in location and "/portal/" not in location))
            if not refused:
                problems.append(f"{method} {rule.rule} → {response.status_code} {location}")
    assert not problems, problems


def test_a_staff_session_opens_no_customer_page(crm_app, accounts, client_for):
    staff = client_for("admin")
    for rule in portal_rules(crm_app):
        if rule.endpoint in OPEN:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = getattr(staff, method.lower())(fill(rule, accounts["A"]["case"].number))
            assert response.status_code == 302, (method, rule.rule, response.status_code)
            assert "/portal/login" in response.headers["Location"]


def test_open_portal_pages_show_no_customer_data(crm_app, accounts):
    anonymous = crm_app.test_client()
    for rule in portal_rules(crm_app):
        if rule.endpoint not in OPEN or rule.endpoint == "portal.static" or "GET" not in rule.methods:
            continue
        text = anonymous.get(fill(rule, accounts["A"]["case"].number)).get_data(as_text=True)
        for key in ("A", "B"):
            assert accounts[key]["case"].subject not in text and accounts[key]["account"].name not in text


def test_portal_pages_carry_a_strict_csp_without_scripts(crm_app, customer):
    response = customer("A").get("/portal/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Referrer-Policy"] == "no-referrer"
    assert "<script" not in response.get_data(as_text=True)
    cookie = next(c for c in response.request.headers.get("Cookie", "").split("; ") if c.startswith("crm_portal="))
    assert cookie
