"""Only administrators change administrators and "sees all records"; the last administrator
stays (CORE-02, CORE-03, NF-03). Enforced in ``crm_core.admin.services`` for every path."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.admin.services import check_group, delete_user, set_permissions
from crm_core.errors import BusinessRuleError
from crm_core.models.auth import Group, User
from crm_core.security.passwords import verify_password
from crm_core.testing import PASSWORD

ADMINS_ONLY = b"Only administrators may create or change administrators."


@pytest.fixture
def user_manager(client_for, db, users):
    """ana, a non-administrator whose group may modify users and groups."""
    set_permissions(db, users["ana"].group, ["users", "groups"], {"users": {"modify"}, "groups": {"modify"}})
    db.commit()
    return client_for("ana")


def user_form(user: User, **extra):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "group_id": str(user.group_id),
        "language": user.language,
        "timezone": user.timezone,
        "password": "",
    }
    if user.is_admin:
        data["is_admin"] = "y"
    if user.active:
        data["active"] = "y"
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_non_admin_cannot_reset_an_administrators_password(user_manager, db, users):
    admin = users["admin"]
    response = user_manager.post(f"/config/users/{admin.id}", data=user_form(admin, password="Tr0ub4dor&3-horse"))
    assert response.status_code == 400
    assert ADMINS_ONLY in response.data
    db.refresh(admin)
    assert verify_password(admin.password_hash, PASSWORD)


def test_non_admin_cannot_clear_the_administrator_flag(user_manager, db, users):
    admin = users["admin"]
    response = user_manager.post(f"/config/users/{admin.id}", data=user_form(admin, is_admin=None))
    assert response.status_code == 400
    assert ADMINS_ONLY in response.data
    db.refresh(admin)
    assert admin.is_admin and admin.active


def test_non_admin_cannot_make_an_administrator(user_manager, db, users):
    bob = users["bob"]
    response = user_manager.post(f"/config/users/{bob.id}", data=user_form(bob, is_admin="y"))
    assert response.status_code == 400
    db.refresh(bob)
    assert not bob.is_admin


def test_non_admin_may_still_edit_an_ordinary_user(user_manager, db, users):
    bob = users["bob"]
    response = user_manager.post(f"/config/users/{bob.id}", data=user_form(bob, full_name="Robert"))
    assert response.status_code == 302
    db.refresh(bob)
    assert bob.full_name == "Robert"


def test_non_admin_cannot_move_a_user_into_a_sees_all_group(user_manager, db, users):
    bob, leaders = users["bob"], users["leader"].group
    response = user_manager.post(f"/config/users/{bob.id}", data=user_form(bob, group_id=str(leaders.id)))
    assert response.status_code == 400
    assert b"Only administrators may put a user in a group that sees all records." in response.data
    db.refresh(bob)
    assert bob.group_id == users["ana"].group_id


def test_non_admin_cannot_change_their_own_group(user_manager, db, users):
    ana, admins = users["ana"], users["admin"].group
    response = user_manager.post(f"/config/users/{ana.id}", data=user_form(ana, group_id=str(admins.id)))
    assert response.status_code == 400
    assert b"You cannot change your own group." in response.data


def test_non_admin_cannot_give_a_group_sees_all(user_manager, db, users):
    group = users["ana"].group
    response = user_manager.post(f"/config/groups/{group.id}", data={"name": group.name, "sees_all": "y"})
    assert response.status_code == 400
    assert b"Only administrators may decide whether a group sees all records." in response.data
    db.refresh(group)
    assert not group.sees_all
    response = user_manager.post("/config/groups/new", data={"name": "Shadow", "sees_all": "y"})
    assert response.status_code == 400
    assert db.scalar(select(Group).where(Group.name == "Shadow")) is None


def test_admin_may_give_a_group_sees_all(client_for, db, users):
    group = users["ana"].group
    response = client_for("admin").post(f"/config/groups/{group.id}", data={"name": group.name, "sees_all": "y"})
    assert response.status_code == 302
    db.refresh(group)
    assert group.sees_all


@pytest.mark.parametrize("change", [{"is_admin": None}, {"active": None}])
def test_the_last_administrator_is_never_demoted_or_deactivated(client_for, db, users, change):
    admin = users["admin"]
    response = client_for("admin").post(f"/config/users/{admin.id}", data=user_form(admin, **change))
    assert response.status_code == 400
    assert b"The last active administrator must stay an active administrator." in response.data
    db.refresh(admin)
    assert admin.is_admin and admin.active


def test_an_administrator_may_be_demoted_while_another_remains(client_for, db, users):
    admin = users["admin"]
    db.add(User(username="root2", password_hash="x", is_admin=True, group_id=admin.group_id))
    db.commit()
    response = client_for("admin").post(f"/config/users/{admin.id}", data=user_form(admin, is_admin=None))
    assert response.status_code == 302
    db.refresh(admin)
    assert not admin.is_admin


def test_services_refuse_on_every_path(db, users):
    """The command line and any future caller go through the same functions as the screens."""
    admin = users["admin"]
    with pytest.raises(BusinessRuleError, match="Only administrators"):
        delete_user(db, admin, users["leader"])
    inactive = User(username="retired", password_hash="x", is_admin=True, active=False, group_id=admin.group_id)
    db.add(inactive)
    db.flush()
    with pytest.raises(BusinessRuleError, match="last administrator"):
        delete_user(db, admin, inactive)
    group = users["ana"].group
    group.sees_all = True
    with pytest.raises(BusinessRuleError, match="sees all records"):
        check_group(db, group, users["ana"])
    check_group(db, group, None)  # the command line runs with the server owner's rights


def test_a_new_user_has_no_group_until_one_is_chosen(client_for, db, users):
    client = client_for("admin")
    page = client.get("/config/users/new").data.decode()
    assert '<option selected value="">Choose a group</option>' in page
    data = {"username": "carla", "language": "en", "timezone": "UTC", "active": "y",
            "password": "Tr0ub4dor&3-horse", "group_id": ""}
    response = client.post("/config/users/new", data=data)
    assert response.status_code == 400
    assert b"Choose a group." in response.data
    assert db.scalar(select(User).where(User.username == "carla")) is None
