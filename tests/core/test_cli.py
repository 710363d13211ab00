"""The ``crm`` command: init, db upgrade, user create, plugins list, demo (CORE-19, PLUG-01)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm_core.app import create_app
from crm_core.cli import cli
from crm_core.migrate import pending
from crm_core.models.auth import Group, User
from crm_core.security.passwords import verify_password
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings


@pytest.fixture
def fresh_app(tmp_path):
    with scratch_database(str(tmp_path)) as url:
        app = create_app(base_settings(url, CRM_PLUGINS=None))
        yield app
        app.extensions["crm_db"].engine.dispose()


def run(app, *args):
    result = app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False)
    return result


def test_init_migrates_creates_groups_and_prints_the_admin_login(fresh_app):
    result = run(fresh_app, "init")
    assert result.exit_code == 0, result.output
    password = re.search(r"user 'admin', password '([^']+)'", result.output).group(1)
    assert not pending(fresh_app)
    with fresh_app.app_context():
        from crm_core.db import session

        admin = session().scalar(select(User).where(User.username == "admin"))
        assert admin.is_admin and verify_password(admin.password_hash, password)
        names = set(session().scalars(select(Group.name)))
        assert {"Administrators", "Leaders", "Executives"} <= names
    again = run(fresh_app, "init")
    assert "already initialised" in again.output


def test_init_can_reset_the_admin_password_for_development(fresh_app):
    run(fresh_app, "init")
    client = fresh_app.test_client()
    password = re.search(r"password '([^']+)'", run(fresh_app, "init", "--reset-admin-password").output).group(1)
    assert client.post("/login", data={"username": "admin", "password": password}).status_code == 302
    result = run(fresh_app, "init", "--reset-admin-password")
    assert "administrator login: user 'admin'" in result.output
    assert client.get("/account").status_code == 302  # the reset ended the session


def test_user_create_validates_and_creates(fresh_app):
    run(fresh_app, "init")
    ok = run(fresh_app, "user", "create", "carla", "--group", "Leaders", "--password", "long-enough-pw")
    assert ok.exit_code == 0, ok.output
    bad = fresh_app.test_cli_runner().invoke(cli, ["user", "create", "dora", "--group", "Nope", "--password", "long-enough-pw"])
    assert bad.exit_code != 0 and "There is no group named “Nope”." in bad.output
    weak = fresh_app.test_cli_runner().invoke(cli, ["user", "create", "eva", "--password", "short"])
    assert weak.exit_code != 0 and "at least 8 characters" in weak.output
    with fresh_app.app_context():
        from crm_core.db import session

        assert session().scalar(select(func.count()).select_from(User).where(User.username.in_(["dora", "eva"]))) == 0


def test_plugins_list_shows_name_version_enabled_dependencies_and_hooks(fresh_app):
    result = run(fresh_app, "plugins", "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:] if line.strip()}
    assert {"sales", "purchasing", "activities", "erp_gl7", "messaging"} <= set(lines)
    assert "sales" in lines["purchasing"] and " yes " in lines["purchasing"]


def test_demo_loads_users_and_is_repeatable(fresh_app):
    run(fresh_app, "init")
    first = run(fresh_app, "demo")
    assert first.exit_code == 0, first.output
    second = run(fresh_app, "demo")
    assert second.exit_code == 0, second.output
    with fresh_app.app_context():
        from crm_core.db import session

        assert session().scalar(select(func.count()).select_from(User).where(User.username == "ana")) == 1


def test_demo_users_log_in_with_the_known_demo_password(fresh_app):
    """The demo password is far below the password policy on purpose; ``crm demo`` still works."""
    from crm_core.demo import DEMO_PASSWORD

    run(fresh_app, "init")
    assert run(fresh_app, "demo").exit_code == 0
    response = fresh_app.test_client().post("/login", data={"username": "bob", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
