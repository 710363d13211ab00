"""CSRF for cookie-authenticated writes and output as data, never HTML (NF-03)."""

from __future__ import annotations

import re

import pytest

from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample}, settings={"WTF_CSRF_ENABLED": True})


def page_csrf_token(client) -> str:
    html = client.get("/").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def test_cookie_post_without_the_csrf_header_is_refused(client_for):
    client = client_for("ana")
    response = client.post("/api/v1/samples", json={"name": "Forged"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/samples").get_json()["items"] == []


def test_cookie_post_with_the_pages_csrf_header_is_accepted(client_for):
    client = client_for("ana")
    response = client.post("/api/v1/samples", json={"name": "Real"}, headers={"X-CSRFToken": page_csrf_token(client)})
    assert response.status_code == 201


def test_bearer_requests_need_no_csrf_header(crm_app, client_for, make_element):
    client = client_for("ana")
    token = page_csrf_token(client)
    html = client.post("/account/tokens", data={"name": "ci", "csrf_token": token}).get_data(as_text=True)
    secret = re.search(r"<code[^>]*>(crm_[\w-]+)</code>", html).group(1)
    response = crm_app.test_client().post(
        "/api/v1/samples", json={"name": "Script"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 201


def test_the_token_page_itself_requires_csrf(client_for):
    assert client_for("ana").post("/account/tokens", data={"name": "no-csrf"}).status_code == 400


XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_come_back_as_json_data(client_for, payload):
    client = client_for("ana")
    headers = {"X-CSRFToken": page_csrf_token(client)}
    created = client.post("/api/v1/samples", json={"name": payload, "comments": payload}, headers=headers)
    assert created.status_code == 201
    read = client.get(f"/api/v1/samples/{created.get_json()['id']}")
    listed = client.get("/api/v1/samples")
    for response in (read, listed):
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert read.get_json()["name"] == payload and read.get_json()["comments"] == payload
    assert listed.get_json()["items"][0]["name"] == payload


def test_errors_echoing_input_are_json_too(client_for):
    response = client_for("ana").get("/api/v1/<script>alert(1)</script>")
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert "<script>" not in response.get_data(as_text=True).replace("\\u003c", "")


@pytest.mark.crm(extra_plugins={"sample": sample}, settings={"CRM_UPLOAD_MAX_BYTES": 1024})
def test_a_body_over_the_limit_gets_the_uploads_413_message_as_json(crm_app, client_for):
    client = client_for("ana")
    huge = {"name": "x" * (crm_app.config["MAX_CONTENT_LENGTH"] + 10)}
    response = client.post("/api/v1/samples", json=huge, headers={"X-CSRFToken": page_csrf_token(client)})
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large" and error["message"] == "The file is larger than the limit of 1 kB."
    assert client.get("/api/v1/samples").get_json()["items"] == []
