"""Passwords: common and user-derived passwords are refused on every path that sets one; the
minimum strength is a setting (CORE-01, NF-03)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.cli import cli
from crm_core.models.auth import User
from crm_core.security.passwords import verify_password
from crm_core.testing import PASSWORD

TOO_EASY = b"This password is too easy to guess"
STRONG = "violet-harbour-tango-42"
WEAK = ["12345678", "password", "qwertyuiop", "carlamartinez", "carla.martinez@example.com", "Carla Martinez 1"]


def new_user(client, users, password: str):
    return client.post("/config/users/new", data={
        "username": "carlamartinez", "full_name": "Carla Martinez", "email": "carla.martinez@example.com",
        "group_id": str(users["ana"].group_id), "language": "en", "timezone": "UTC", "active": "y",
        "password": password,
    })


@pytest.mark.parametrize("password", WEAK)
def test_user_creation_refuses_common_and_user_derived_passwords(client_for, db, users, password):
    response = new_user(client_for("admin"), users, password)
    assert response.status_code == 400
    assert TOO_EASY in response.data
    assert db.scalar(select(User).where(User.username == "carlamartinez")) is None


def test_a_strong_password_is_accepted(client_for, db, users):
    assert new_user(client_for("admin"), users, STRONG).status_code == 302


def test_an_administrators_reset_obeys_the_policy(client_for, db, users):
    bob = users["bob"]
    form = {"username": "bob", "full_name": "Bob", "group_id": str(bob.group_id), "language": "en",
            "timezone": "UTC", "active": "y", "password": "bob12345"}
    response = client_for("admin").post(f"/config/users/{bob.id}", data=form)
    assert response.status_code == 400 and TOO_EASY in response.data
    db.refresh(bob)
    assert verify_password(bob.password_hash, PASSWORD)


def test_changing_ones_own_password_obeys_the_policy(client_for, db, users):
    form = {"full_name": "Ana", "language": "en", "timezone": "UTC", "current_password": PASSWORD,
            "new_password": "ana-ana-ana"}
    response = client_for("ana").post("/account", data=form)
    assert response.status_code == 400 and TOO_EASY in response.data
    db.refresh(users["ana"])
    assert verify_password(users["ana"].password_hash, PASSWORD)


def test_the_command_line_obeys_the_policy(crm_app, db, users):
    runner = crm_app.test_cli_runner()
    weak = runner.invoke(cli, ["user", "create", "dora", "--password", "password1"])
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    strong = runner.invoke(cli, ["user", "create", "dora", "--password", STRONG])
    assert strong.exit_code == 0, strong.output
    assert db.scalar(select(User).where(User.username == "dora")) is not None


@pytest.mark.crm(settings={"CRM_PASSWORD_MIN_SCORE": 0})
def test_the_minimum_score_is_a_setting(client_for, users):
    assert new_user(client_for("admin"), users, "password").status_code == 302


def test_the_refusal_is_translated(client_for, db, users):
    users["admin"].language = "es"
    db.commit()
    response = new_user(client_for("admin"), users, "12345678")
    assert "Esta contraseña es demasiado fácil de adivinar".encode() in response.data
