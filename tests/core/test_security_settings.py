"""Start-up refusals, CSRF tokens that die with the session and a Server header without
versions (NF-03)."""

from __future__ import annotations

import re

import pytest

from crm_core.app import create_app
from crm_core.errors import ConfigError
from crm_core.testing import PASSWORD

CSRF = re.compile(r'name="csrf[-_]token"[^>]*(?:value|content)="([^"]+)"')


def production(secret: str, **extra):
    return create_app({"CRM_ENV": "production", "CRM_DATABASE_URL": "sqlite://", "CRM_SECRET_KEY": secret, **extra})


def test_production_refuses_a_short_secret_key():
    with pytest.raises(ConfigError, match="CRM_SECRET_KEY is too short: production needs at least 32 bytes"):
        production("x" * 31)
    assert production("x" * 32).config["SECRET_KEY"] == "x" * 32


@pytest.mark.parametrize("score", [-1, 5])
def test_the_password_score_setting_is_checked(score):
    with pytest.raises(ConfigError, match="CRM_PASSWORD_MIN_SCORE must be 0 to 4"):
        production("x" * 40, CRM_PASSWORD_MIN_SCORE=score)


def token(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.mark.crm(settings={"WTF_CSRF_ENABLED": True})
def test_a_csrf_token_from_a_logged_out_session_does_not_validate_in_the_next(crm_app, users):
    client = crm_app.test_client()
    form = {"username": "ana", "password": PASSWORD}
    assert client.post("/login", data={**form, "csrf_token": token(client, "/login")}).status_code == 302
    old = token(client, "/account")
    assert client.post("/logout", data={"csrf_token": old}).status_code == 302
    assert client.post("/login", data={**form, "csrf_token": token(client, "/login")}).status_code == 302
    settings = {"full_name": "Ana", "language": "en", "timezone": "UTC"}
    assert client.post("/account", data={**settings, "csrf_token": old}).status_code == 400
    assert client.post("/account", data={**settings, "csrf_token": token(client, "/account")}).status_code == 302


def test_every_response_names_no_server_version(crm_app, client_for):
    for response in (crm_app.test_client().get("/login"), client_for("ana").get("/"),
                     client_for("ana").get("/api/v1/nowhere"), crm_app.test_client().get("/static/crm.css")):
        assert response.headers.getlist("Server") == ["CRM"]
