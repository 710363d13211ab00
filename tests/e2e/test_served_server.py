"""The CRM as production runs it (``crm serve``, gunicorn, real HTTP): security headers reach
the client, sessions end when they should, upload limits answer 413 with a message and the
server keeps serving, and a form saved unchanged is accepted (issue "Defects found using the
product through a real server")."""

from __future__ import annotations

import re

import httpx
import pytest

from crm_core.security import CSP
from crm_core.testing import PASSWORD
from tests.e2e.conftest import UPLOAD_LIMIT
from tests.support.served import csrf_token

#: The limit as a message may spell it: 64 KB, or 65,536 bytes.
LIMIT_IN_TEXT = re.compile(rf"{UPLOAD_LIMIT // 1024}\s?KB|{UPLOAD_LIMIT:,}|{UPLOAD_LIMIT}", re.IGNORECASE)


def test_security_headers_reach_the_client_and_the_server_header_has_no_version(production):
    response = httpx.get(f"{production.server.url}/login")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Server"] == "gunicorn"  # gunicorn's name, no version


def test_logout_ends_the_session_an_old_cookie_is_refused(production):
    client = production.server.login("ana")
    cookie = client.cookies["session"]
    assert client.get("/api/v1/leads").status_code == 200
    assert client.post("/logout").status_code == 302

    with httpx.Client(base_url=production.server.url, cookies={"session": cookie}) as replay:
        screen = replay.get("/s/leads")
        assert screen.status_code == 302 and "/login" in screen.headers["Location"]
        assert replay.get("/api/v1/leads").status_code == 401


def test_password_change_ends_the_users_other_sessions(production):
    server = production.server
    first, second = server.login("bob"), server.login("bob")
    new_password = "a-much-better-passphrase-42"
    form = {"full_name": "Bob", "language": "en", "timezone": "UTC", "current_password": PASSWORD,
            "new_password": new_password, "csrf_token": csrf_token(first, "/account")}
    assert first.post("/account", data=form).status_code == 302
    try:
        assert first.get("/api/v1/leads").status_code == 200  # the session that changed it goes on
        assert second.get("/api/v1/leads").status_code == 401
        refused = second.get("/s/leads")
        assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    finally:  # other tests log in as bob with the kit's password
        again = server.login("bob", new_password)
        restore = {**form, "current_password": new_password, "new_password": PASSWORD,
                   "csrf_token": csrf_token(again, "/account")}
        assert again.post("/account", data=restore).status_code == 302


@pytest.mark.parametrize("form", ["my account", "sales account", "sales opportunity"])
def test_form_saved_unchanged_is_accepted(production, form):
    """…and changes nothing: a record's version stays (an empty box over a value never given —
    the opportunity's external reference — is not a change)."""
    client = production.server.login("ana")
    api = None
    if form == "my account":
        path = "/account"
    else:
        lead = client.post("/api/v1/leads", json={"name": "Saved as is"}).json()
        done = client.post(f"/api/v1/leads/{lead['id']}/actions/qualify", json={})
        account_id = done.json()["result"]["item"]["id"]
        if form == "sales account":
            api, path = f"/api/v1/accounts/{account_id}", f"/s/accounts/{account_id}"
        else:
            made = client.post("/api/v1/opportunities", json={"name": "Saved as is", "account_id": account_id})
            api, path = f"/api/v1/opportunities/{made.json()['id']}", f"/s/opportunities/{made.json()['id']}"
    before = client.get(api).json() if api else None
    del client.headers["X-CSRFToken"]  # only what a browser sends: the form's own token
    form_page = path if form == "my account" else f"{path}?edit=1"  # a record opens in read mode
    saved = client.post(path, data=_form_fields(client.get(form_page).text))
    assert saved.status_code == 302, saved.text
    assert saved.headers["Location"].split("?")[0].endswith(path)
    if api:
        after = client.get(api, headers={"X-CSRFToken": "-"}).json()
        assert after["version"] == before["version"], {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


@pytest.mark.parametrize("target", ["note", "import"])
def test_upload_over_the_limit_answers_413_with_a_message_and_the_server_keeps_serving(production, target):
    client = production.server.login("ana")
    if target == "note":
        lead = client.post("/api/v1/leads", json={"name": "Upload limits"}).json()
        path, fields = f"/s/leads/{lead['id']}/notes", {"text": "big"}
    else:
        path, fields = "/s/leads/import", {}
    too_big = b"x" * (UPLOAD_LIMIT + 200 * 1024)
    response = client.post(path, data=fields, files={"file": ("big.csv", too_big, "text/csv")})
    assert response.status_code == 413
    assert LIMIT_IN_TEXT.search(response.text), response.text  # the message names the limit
    assert client.get("/s/leads").status_code == 200
    assert httpx.get(f"{production.server.url}/login").status_code == 200


def _form_fields(html: str) -> dict[str, list[str]]:
    """What a browser sends back for the record's form (else the page's first POST form in
    ``<main>``), unchanged."""
    from html.parser import HTMLParser

    main = html.split("<main", 1)[1]
    start = main.find('<form method="post" id="detail-form"')
    start = start if start >= 0 else main.index('<form method="post"')
    form = main[start:main.index("</form>", start)]
    fields: list[tuple[str, str]] = []

    class Parser(HTMLParser):
        select: str | None = None
        textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name") or ""
            if tag == "input" and name and a.get("type") not in ("submit", "button"):
                if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                    fields.append((name, a.get("value") or ("y" if a.get("type") == "checkbox" else "")))
            elif tag == "select":
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                fields.append((self.select, a.get("value") or ""))
            elif tag == "textarea":
                self.textarea = name
                fields.append((name, ""))

        def handle_data(self, data: str) -> None:
            if self.textarea:
                fields[-1] = (self.textarea, fields[-1][1] + data)

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None

    Parser(convert_charrefs=True).feed(form)
    sent: dict[str, list[str]] = {}
    for name, value in fields:  # a browser drops the newline that opens a textarea
        sent.setdefault(name, []).append(value.removeprefix("\r\n").removeprefix("\n"))
    return sent
