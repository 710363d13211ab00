"""Session revocation through a real server and a real HTTP client (CORE-01, NF-03): a cookie
copied before logout is worthless after it, on the screens and on the API."""

from __future__ import annotations

import re

import httpx

from crm_core.testing import PASSWORD

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


def csrf_token(client: httpx.Client, path: str) -> str:
    return CSRF.search(client.get(path).text).group(1)


def test_a_replayed_cookie_after_logout_is_refused(live_server):
    with httpx.Client(base_url=live_server) as browser, httpx.Client(base_url=live_server) as thief:
        form = {"csrf_token": csrf_token(browser, "/login"), "username": "ana", "password": PASSWORD}
        assert browser.post("/login", data=form).status_code == 302
        thief.cookies.set("session", browser.cookies["session"])
        assert thief.get("/account").status_code == 200
        assert thief.get("/api/v1/leads").status_code == 200

        logout = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/account")})
        assert logout.status_code == 302

        replay = thief.get("/account")
        assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
        assert thief.get("/api/v1/leads").status_code == 401


def test_the_real_server_names_no_version(live_server):
    """The app's ``Server`` header is the only one: no Werkzeug or Python version."""
    for path in ("/login", "/static/crm.css", "/api/v1/leads", "/nowhere"):
        response = httpx.get(live_server + path)
        assert response.headers.get_list("server") == ["CRM"], path
