"""Sessions end on the server: logout, password change or reset, deactivation and "sign out
everywhere" revoke every copy of the cookie (CORE-01, NF-03)."""

from __future__ import annotations

import pytest

from crm_core.admin.services import set_permissions
from crm_core.testing import PASSWORD
from tests.core.api.test_api_tokens import create_via_page
from tests.core.test_auth import login
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
NEW_PASSWORD = "violet-harbour-tango-42"


def logged_in(crm_app, username: str):
    client = crm_app.test_client()
    assert login(client, username).status_code == 302
    return client


def copy_of(crm_app, client):
    """Another client holding a copy of ``client``'s session cookie (a stolen or old cookie)."""
    other = crm_app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def is_open(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_cookie_copied_before_logout_opens_nothing_after(crm_app, users):
    client = logged_in(crm_app, "ana")
    thief = copy_of(crm_app, client)
    assert is_open(thief) and thief.get("/api/v1/samples").status_code == 200
    assert client.post("/logout").status_code == 302
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/api/v1/samples").status_code == 401


def test_a_password_change_ends_the_other_sessions_but_not_this_one(crm_app, db, users):
    client = logged_in(crm_app, "ana")
    elsewhere = logged_in(crm_app, "ana")
    form = {"full_name": "Ana", "language": "en", "timezone": "UTC",
            "current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/account", data=form).status_code == 302
    assert is_open(client)
    assert not is_open(elsewhere)
    assert login(crm_app.test_client(), "ana", NEW_PASSWORD).status_code == 302


def test_an_administrators_password_reset_ends_the_users_sessions(crm_app, client_for, db, users):
    bob_client = logged_in(crm_app, "bob")
    bob = users["bob"]
    form = {"username": "bob", "full_name": "Bob", "group_id": str(bob.group_id), "language": "en",
            "timezone": "UTC", "active": "y", "password": NEW_PASSWORD}
    assert client_for("admin").post(f"/config/users/{bob.id}", data=form).status_code == 302
    assert not is_open(bob_client)


def test_deactivation_ends_sessions_and_stops_api_tokens(crm_app, client_for, db, users):
    bob_client = logged_in(crm_app, "bob")
    secret = create_via_page(bob_client)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert crm_app.test_client().get("/api/v1/samples", headers=bearer).status_code == 200
    bob = users["bob"]
    form = {"username": "bob", "full_name": "Bob", "group_id": str(bob.group_id), "language": "en",
            "timezone": "UTC", "password": ""}
    assert client_for("admin").post(f"/config/users/{bob.id}", data=form).status_code == 302
    assert not is_open(bob_client)
    assert crm_app.test_client().get("/api/v1/samples", headers=bearer).status_code == 401


def test_sign_out_everywhere_ends_every_session_of_the_user(crm_app, client_for, db, users):
    bob_client = logged_in(crm_app, "bob")
    admin = client_for("admin")
    page = admin.get(f"/config/users/{users['bob'].id}").data
    assert b"Sign out everywhere" in page
    response = admin.post(f"/config/users/{users['bob'].id}/sign-out", follow_redirects=True)
    assert b"bob is signed out everywhere." in response.data
    assert not is_open(bob_client)
    assert is_open(admin)


def test_a_non_admin_cannot_sign_out_an_administrator(crm_app, client_for, db, users):
    set_permissions(db, users["ana"].group, ["users"], {"users": {"modify"}})
    db.commit()
    admin_client = logged_in(crm_app, "admin")
    response = client_for("ana").post(f"/config/users/{users['admin'].id}/sign-out", follow_redirects=True)
    assert b"Only administrators may create or change administrators." in response.data
    assert is_open(admin_client)


def test_a_cookie_from_before_the_generation_scheme_is_refused(crm_app, users):
    """Cookies holding a bare user id (older releases, forgeries) do not log anyone in."""
    client = crm_app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = str(users["ana"].id)
        flask_session["_fresh"] = True
    assert not is_open(client)
