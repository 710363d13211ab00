"""Users, groups and the permission matrix screens (CORE-02..04, CORE-06)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.admin.services import set_permissions
from crm_core.models.auth import Group, Permission, User
from crm_core.security.passwords import verify_password
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})


def new_user_form(group_id: int, **extra):
    data = {
        "username": "carla",
        "full_name": "Carla Díaz",
        "email": "carla@example.com",
        "group_id": str(group_id),
        "language": "es",
        "timezone": "Europe/Madrid",
        "active": "y",
        "password": "a-long-password",
    }
    data.update(extra)
    return data


def test_admin_creates_a_user_with_a_hashed_password(client_for, db, users):
    group = users["ana"].group
    response = client_for("admin").post("/config/users/new", data=new_user_form(group.id))
    assert response.status_code == 302
    carla = db.scalar(select(User).where(User.username == "carla"))
    assert carla.group_id == group.id and carla.language == "es"
    assert verify_password(carla.password_hash, "a-long-password")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("username", "ana", b"That user name is taken."),
        ("username", "bad name!", b"Letters, digits"),
        ("password", "short", b"at least 8 characters"),
        ("password", "", b"A new user needs a password."),
        ("timezone", "Mars/Olympus", b"Unknown time zone."),
        ("email", "not-an-email", b"Invalid email address."),
    ],
)
def test_bad_user_input_is_reported_in_place_and_changes_nothing(client_for, db, users, field, value, message):
    before = db.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    response = client_for("admin").post("/config/users/new", data=new_user_form(users["ana"].group_id, **{field: value}))
    assert response.status_code == 400
    assert message in response.data
    assert db.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_editing_keeps_the_password_when_left_empty(client_for, db, users):
    bob = users["bob"]
    old_hash = bob.password_hash
    form = new_user_form(bob.group_id, username="bob", password="", full_name="Robert")
    assert client_for("admin").post(f"/config/users/{bob.id}", data=form).status_code == 302
    db.refresh(bob)
    assert bob.full_name == "Robert" and bob.password_hash == old_hash


def test_user_delete_asks_for_confirmation_then_deletes(client_for, db, users):
    client = client_for("admin")
    client.post("/config/users/new", data=new_user_form(users["ana"].group_id))
    carla = db.scalar(select(User).where(User.username == "carla"))
    page = client.get(f"/config/users/{carla.id}/delete")
    assert b"Delete the user carla?" in page.data
    assert db.get(User, carla.id) is not None
    assert client.post(f"/config/users/{carla.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(User, carla.id) is None


def test_admin_cannot_delete_themselves(client_for, users):
    response = client_for("admin").post(f"/config/users/{users['admin'].id}/delete", follow_redirects=True)
    assert b"You cannot delete your own user." in response.data


def test_group_with_users_cannot_be_deleted(client_for, db, users):
    group = users["ana"].group
    response = client_for("admin").post(f"/config/groups/{group.id}/delete", follow_redirects=True)
    assert b"still has" in response.data
    assert db.get(Group, group.id) is not None


def test_empty_group_is_created_and_deleted(client_for, db):
    client = client_for("admin")
    assert client.post("/config/groups/new", data={"name": "Interns"}).status_code == 302
    group = db.scalar(select(Group).where(Group.name == "Interns"))
    assert client.post(f"/config/groups/{group.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(Group, group.id) is None


def test_duplicate_group_name_is_refused(client_for):
    response = client_for("admin").post("/config/groups/new", data={"name": "leaders"})
    assert response.status_code == 400
    assert b"A group with that name exists." in response.data


def test_permission_matrix_saves_one_row_per_group_and_session(client_for, db, users):
    group = users["ana"].group
    client = client_for("admin")
    page = client.get(f"/config/permissions?group={group.id}")
    assert b"samples:view" in page.data and b"Testing" in page.data
    response = client.post(f"/config/permissions?group={group.id}", data={"samples:modify": "1"})
    assert response.status_code == 302
    rows = db.scalars(select(Permission).where(Permission.group_id == group.id, Permission.session_name == "samples")).all()
    assert len(rows) == 1
    assert (rows[0].can_view, rows[0].can_modify, rows[0].can_change_owner) == (True, True, False)
    response = client.post(f"/config/permissions?group={group.id}", data={})
    db.expire_all()
    row = db.scalar(select(Permission).where(Permission.group_id == group.id, Permission.session_name == "samples"))
    assert not row.can_view and not row.can_modify


def test_users_inherit_their_groups_permissions_in_the_menu(client_for, db, users):
    group = users["ana"].group
    set_permissions(db, group, ["samples"], {"samples": {"view"}})
    db.commit()
    page = client_for("ana").get("/").data
    assert b'data-session="samples"' in page
    assert b'data-session="users"' not in page
    set_permissions(db, group, ["samples"], {"samples": set()})
    db.commit()
    assert b'data-session="samples"' not in client_for("ana").get("/").data


@pytest.mark.parametrize("url", ["/config/users", "/config/groups", "/config/permissions", "/config/users/new"])
def test_executives_cannot_open_configuration(client_for, url):
    assert client_for("ana").get(url).status_code == 403


def test_configuration_needs_login(crm_app):
    response = crm_app.test_client().get("/config/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
