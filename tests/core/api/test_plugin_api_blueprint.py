"""``api_blueprint`` (toolkit): a plugin's own API routes authenticate and answer errors
exactly like the generated endpoints (CORE-16) — token or login, JSON errors, no CSRF for
bearer calls, the CSRF header for cookie writes."""

from __future__ import annotations

import pytest
from flask import jsonify

from crm_core.api.auth import create_token
from crm_core.errors import BusinessRuleError, PermissionDenied
from crm_core.testing import make_plugin
from crm_core.toolkit import api_blueprint, current_access

bp = api_blueprint("echo", __name__)


@bp.route("/me", methods=["GET", "POST"])
def me():  # type: ignore[no-untyped-def]
    return jsonify({"user": current_access().user.username})


@bp.route("/refuse/<kind>")
def refuse(kind: str):  # type: ignore[no-untyped-def]
    raise (PermissionDenied("no") if kind == "perm" else BusinessRuleError("rule", field="x"))


echo = make_plugin("echo", crm_register_blueprints=lambda app: [bp])
pytestmark = pytest.mark.crm(plugins=["echo"], extra_plugins={"echo": echo}, settings={"WTF_CSRF_ENABLED": True})


def test_anonymous_calls_get_401_in_json(crm_app):
    response = crm_app.test_client().get("/api/v1/echo/me")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthenticated"


def test_a_bearer_token_identifies_the_user_and_needs_no_csrf(crm_app, db, users):
    _token, secret = create_token(db, users["bob"], "t")
    db.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert crm_app.test_client().post("/api/v1/echo/me", headers=headers).get_json() == {"user": "bob"}


def test_a_logged_in_browser_reads_but_writes_only_with_the_csrf_header(client_for):
    client = client_for("ana")
    assert client.get("/api/v1/echo/me").get_json() == {"user": "ana"}
    refused = client.post("/api/v1/echo/me")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"


def test_errors_are_the_apis_json(client_for):
    client = client_for("ana")
    assert client.get("/api/v1/echo/refuse/perm").get_json()["error"] == {
        "status": 403, "code": "forbidden", "message": "no"}
    body = client.get("/api/v1/echo/refuse/rule").get_json()["error"]
    assert (body["status"], body["fields"]) == (422, {"x": ["rule"]})
    missing = client.get("/api/v1/echo/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
