"""Login, logout, throttling, redirect safety and password hashing (CORE-01, NF-03)."""

from __future__ import annotations

import pytest

from crm_core.security.passwords import hash_password, verify_password
from crm_core.testing import PASSWORD


def login(client, username: str, password: str = PASSWORD, next_url: str | None = None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


def test_login_with_right_password_redirects_home(crm_app, users):
    client = crm_app.test_client()
    response = login(client, "ana")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_login_redirect_message_is_a_styled_alert(crm_app, users):
    """flask-login flashes with Flask's default "message" category, which Bootstrap has no
    style for: it is shown as an information alert."""
    client = crm_app.test_client()
    page = client.get("/config/users", follow_redirects=True).get_data(as_text=True)
    assert '<div class="alert alert-info" role="alert">Please log in to see this page.</div>' in page
    assert "alert-message" not in page


def test_wrong_password_gives_a_clear_message(crm_app, users):
    response = login(crm_app.test_client(), "ana", "wrong")
    assert response.status_code == 401
    assert b"Wrong user name or password." in response.data


def test_unknown_user_gets_the_same_message(crm_app, users):
    response = login(crm_app.test_client(), "nobody", "wrong")
    assert response.status_code == 401
    assert b"Wrong user name or password." in response.data


def test_repeated_failures_throttle_even_the_right_password(crm_app, users):
    client = crm_app.test_client()
    for _ in range(crm_app.config["CRM_LOGIN_MAX_FAILURES"]):
        assert login(client, "bob", "wrong").status_code == 401
    response = login(client, "bob")
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.data


@pytest.mark.crm(settings={"CRM_LOGIN_MAX_FAILURES": 3})
def test_failures_per_address_throttle_other_accounts(crm_app, users):
    client = crm_app.test_client()
    for name in ("x1", "x2", "x3"):
        login(client, name, "wrong")
    assert login(client, "ana").status_code == 429


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_login_never_redirects_off_site(crm_app, users, target):
    response = login(crm_app.test_client(), "ana", next_url=target)
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(crm_app, users):
    response = login(crm_app.test_client(), "ana", next_url="/config/users")
    assert response.headers["Location"] == "/config/users"


def test_logout_ends_the_session(client_for):
    client = client_for("ana")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_inactive_user_cannot_log_in(crm_app, db, users):
    users["bob"].active = False
    db.commit()
    assert login(crm_app.test_client(), "bob").status_code == 401


def test_passwords_are_argon2_hashes():
    hashed = hash_password("s3cret-pass")
    assert hashed.startswith("$argon2")
    assert "s3cret-pass" not in hashed
    assert verify_password(hashed, "s3cret-pass")
    assert not verify_password(hashed, "other")


@pytest.mark.crm(settings={"WTF_CSRF_ENABLED": True})
def test_forms_without_csrf_token_are_rejected(client_for, users):
    client = client_for("admin")
    response = client.post("/config/groups/new", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert client.get("/config/groups").data.count(b"Sneaky") == 0


def test_security_headers_and_cookie_flags(crm_app, users):
    client = crm_app.test_client()
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    login(client, "ana")
    assert crm_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert crm_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
