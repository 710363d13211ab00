"""Personal API tokens: created on the account page, shown once, stored hashed, revocable (CORE-16)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_core.api.auth import digest
from crm_core.models.auth import ApiToken
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def create_via_page(client, name: str = "laptop") -> str:
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 200
    match = re.search(r"<code[^>]*>(crm_[\w-]+)</code>", response.get_data(as_text=True))
    assert match, "the new token is shown once on the page"
    return match.group(1)


def test_token_lifecycle_create_use_revoke(crm_app, client_for, db, users):
    secret = create_via_page(client_for("ana"))
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == users["ana"].id))
    assert token.token_hash == digest(secret) and secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix) and token.last_used_at is None

    bearer = {"Authorization": f"Bearer {secret}"}
    api = crm_app.test_client()
    created = api.post("/api/v1/samples", json={"name": "From a script"}, headers=bearer)
    assert created.status_code == 201 and created.get_json()["owner_id"] == users["ana"].id
    db.refresh(token)
    assert token.last_used_at is not None

    page = client_for("ana").get("/account/tokens").get_data(as_text=True)
    assert secret not in page and token.prefix in page
    assert client_for("ana").post(f"/account/tokens/{token.id}/revoke").status_code == 302
    response = api.get("/api/v1/samples", headers=bearer)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_users_cannot_revoke_each_others_tokens(client_for, db, users):
    create_via_page(client_for("ana"))
    token = db.scalar(select(ApiToken).where(ApiToken.user_id == users["ana"].id))
    assert client_for("bob").post(f"/account/tokens/{token.id}/revoke").status_code == 404
    db.refresh(token)
    assert token.revoked_at is None


def test_a_token_needs_a_name(client_for, db):
    response = client_for("ana").post("/account/tokens", data={"name": "  "})
    assert response.status_code == 400
    assert db.scalar(select(ApiToken)) is None


@pytest.mark.parametrize("header", ["Bearer crm_wrong", "Basic YW5hOnB3", "Bearer ", "crm_token"])
def test_bad_credentials_are_401_json_never_a_login_redirect(crm_app, users, header):
    response = crm_app.test_client().get("/api/v1/samples", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.is_json and "WWW-Authenticate" in response.headers


def test_no_credentials_is_401_json(crm_app, users):
    response = crm_app.test_client().post("/api/v1/samples", json={"name": "x"})
    assert response.status_code == 401 and response.is_json


def test_token_of_an_inactive_user_is_refused(crm_app, client_for, db, users):
    secret = create_via_page(client_for("bob"))
    users["bob"].active = False
    db.commit()
    response = crm_app.test_client().get("/api/v1/samples", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_tokens_page_shows_the_header_to_send_with_its_placeholder(client_for, db, users, language):
    users["ana"].language = language
    db.commit()
    page = client_for("ana").get("/account/tokens").get_data(as_text=True)
    assert "Authorization: Bearer &lt;token&gt;" in page
