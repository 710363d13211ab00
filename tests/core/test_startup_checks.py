"""Declarations, customer.toml and client templates are resolved at start-up (PLUG-02, PLUG-04).

A typo must stop the app with a message naming the plugin or file and the key — never start
fine and answer 500 later, or silently weaken a rule (a misspelled lookup target skipped the
reference check, letting a user attach a record to another owner's account).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_core.app import create_app
from crm_core.declarations import Action
from crm_core.errors import ConfigError, PluginError
from crm_core.migrate import upgrade
from crm_core.plugins import hookimpl
from crm_core.testing import make_plugin
from crm_core.testing.database import scratch_database
from crm_core.testing.plugin import base_settings


def app_with(plugins: str, extra=None, **settings):
    return create_app(base_settings("sqlite://", CRM_PLUGINS=plugins, **settings), extra_plugins=extra)


def changing(session_name: str, **changes):
    """A client plugin whose wrapper changes one declaration of ``session``."""

    @hookimpl(wrapper=True)
    def crm_register_sessions():
        declared = yield
        return [[dataclasses.replace(s, **changes) if s.name == session_name else s for s in items] for items in declared]

    return {"client": make_plugin("client", crm_register_sessions=crm_register_sessions)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lookups": {"account_id": "acounts"}}, r"session 'contacts': lookup 'account_id' names unknown session 'acounts'"),
        ({"columns": ("name", "emial")}, r"session 'contacts': unknown field 'emial' in columns"),
        ({"search": ("name", "nmae")}, r"session 'contacts': unknown field 'nmae' in search"),
        ({"default_sort": "-creatd_at"}, r"session 'contacts': unknown field 'creatd_at' in default_sort"),
        ({"sorts": ("last_name", "frist_name")}, r"session 'contacts': unknown field 'frist_name' in sorts"),
        ({"import_keys": ("mail",)}, r"session 'contacts': unknown field 'mail' in import_keys"),
    ],
)
def test_a_misspelled_name_in_a_session_stops_start_up_naming_plugin_session_and_key(changes, message):
    with pytest.raises(ConfigError, match=message):
        app_with("sales,client", extra=changing("contacts", **changes))


def test_a_misspelled_status_field_is_refused():
    with pytest.raises(ConfigError, match=r"session 'leads': unknown field 'state' in status_field"):
        app_with("sales,client", extra=changing("leads", status_field="state"))


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as info:
        app_with("sales,client", extra=changing("contacts", columns=("emial",), search=("nmae",)))
    assert "2 configuration problem(s)" in str(info.value)
    assert "'emial'" in str(info.value) and "'nmae'" in str(info.value)


def test_two_actions_with_one_name_are_refused():
    def actions(sdef):
        if sdef.name != "leads":
            return []
        return [Action("qualify", "Qualify again", handler=lambda ctx: None)]

    extra = {"dup": make_plugin("dup", crm_element_actions=actions)}
    with pytest.raises(ConfigError, match=r"session 'leads': action 'qualify' is declared 2 times"):
        app_with("sales,dup", extra=extra)


def test_a_hook_function_without_hookimpl_is_refused():
    module = make_plugin("forgetful")

    def crm_home_panels(user):
        return []

    module.crm_home_panels = crm_home_panels  # not marked: pluggy would never call it
    with pytest.raises(ConfigError, match=r"plugin 'forgetful': crm_home_panels is not marked @hookimpl"):
        app_with("forgetful", extra={"forgetful": module})


def test_requiring_a_plugin_that_is_not_installed_says_so():
    extra = {"partner": make_plugin("partner", requires=("salez",))}
    with pytest.raises(PluginError, match=r"requires 'salez', which is not installed; installed plugins: .*sales"):
        app_with("partner", extra=extra)


def test_requiring_an_installed_plugin_that_is_not_enabled_says_so():
    extra = {"partner": make_plugin("partner", requires=("sales",))}
    with pytest.raises(PluginError, match=r"requires 'sales', which is not enabled"):
        app_with("partner", extra=extra)


def client_folder(tmp_path, toml: str, templates: dict[str, str] | None = None) -> dict[str, str]:
    folder = tmp_path / "acme"
    folder.mkdir()
    (folder / "customer.toml").write_text(toml)
    for name, body in (templates or {}).items():
        path = folder / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return {"CRM_CUSTOMER": "acme", "CRM_OVERRIDES_DIR": str(tmp_path)}


def test_an_undocumented_labels_table_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"customer.toml \[labels\]: unknown table"):
        app_with("sales", **client_folder(tmp_path, '[labels]\nleads = "Prospects"\n'))


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('home_shortcut_lable = "GL7"', "settings.core.home_shortcut_lable"),
        ('home_shortcut_url = "javascript:alert(1)"', "settings.core.home_shortcut_url"),
        ("outbox_max_attempts = 0", "settings.core.outbox_max_attempts"),
        ('phone_region = "XX"', "settings.core.phone_region"),
    ],
)
def test_core_settings_are_checked(tmp_path, body, key):
    with pytest.raises(ConfigError, match=rf"\[{key}\]"):
        app_with("sales", **client_folder(tmp_path, f"[settings.core]\n{body}\n"))


def test_a_client_template_extending_itself_is_refused_with_the_way_out(tmp_path):
    settings = client_folder(tmp_path, "", {"home/index.html": '{% extends "home/index.html" %}'})
    with pytest.raises(ConfigError, match=r'refers to itself.*extends "parent:home/index.html"'):
        app_with("sales", **settings)


def test_a_client_template_extends_the_one_it_replaces_through_parent(tmp_path):
    template = '{% extends "parent:auth/login.html" %}{% block title %}ACME sign-in{% endblock %}'
    with scratch_database(str(tmp_path)) as url:
        app = create_app(
            base_settings(url, CRM_PLUGINS="sales", **client_folder(tmp_path, "", {"auth/login.html": template}))
        )
        upgrade(app)
        page = app.test_client().get("/login")
        app.extensions["crm_db"].engine.dispose()
    assert page.status_code == 200
    assert "ACME sign-in" in page.text and 'name="password"' in page.text


def test_crm_check_prints_the_report_and_fails_on_a_problem(tmp_path):
    env = {**os.environ, **client_folder(tmp_path, '[grid.leads]\ncolumns = ["shoe_size"]\n')}
    env.update(CRM_ENV="development", CRM_PLUGINS="sales", CRM_DATABASE_URL="sqlite://")
    crm = str(Path(sys.executable).parent / "crm")
    bad = subprocess.run([crm, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
    assert "unknown column 'shoe_size'" in bad.stderr
    (tmp_path / "acme" / "customer.toml").write_text('[grid.leads]\ncolumns = ["name", "status"]\n')
    good = subprocess.run([crm, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert "ok: customer 'acme', 1 plugin(s) (sales)" in good.stdout
