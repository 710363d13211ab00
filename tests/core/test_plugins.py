"""Plugin loading: enable lists, dependencies, cycles, typos and failures (PLUG-01..03)."""

from __future__ import annotations

import pytest
from flask_babel import lazy_gettext as _l

from crm_core.app import create_app
from crm_core.declarations import Module, SessionDef
from crm_core.errors import ConfigError, PluginError
from crm_core.plugins import CORE_PLUGINS, discover, hookimpl
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings

PLUGINS_IN_REPO = {"sales", "purchasing", "activities", "erp_gl7", "messaging", "knowledge"}


def app_with(plugins: str | None, extra=None, **settings):
    return create_app(base_settings("sqlite://", CRM_PLUGINS=plugins, **settings), extra_plugins=extra)


def test_every_plugin_of_the_repository_is_an_entry_point():
    assert set(discover()) >= PLUGINS_IN_REPO


@pytest.mark.parametrize("name", sorted(PLUGINS_IN_REPO))
def test_each_plugin_loads_with_just_its_dependencies(name):
    module = discover()[name].load()
    needed = [*module.meta.requires, name]
    app = app_with(",".join(needed))
    assert set(app.extensions["crm"].plugins) == {*CORE_PLUGINS, *needed}


def test_unknown_plugin_name_is_refused_with_the_installed_list():
    with pytest.raises(PluginError, match=r"unknown plugin 'salez'.*installed plugins: .*sales"):
        app_with("salez")


def test_missing_dependency_names_both_plugins():
    with pytest.raises(PluginError, match=r"plugin 'purchasing' requires 'sales', which is not enabled"):
        app_with("purchasing")


def test_dependency_cycle_is_reported():
    a = make_plugin("a", requires=("b",))
    b = make_plugin("b", requires=("a",))
    with pytest.raises(PluginError, match=r"cycle: a -> b -> a"):
        app_with("a,b", extra={"a": a, "b": b})


def test_load_order_follows_dependencies():
    low = make_plugin("zeta")
    high = make_plugin("alpha", requires=("zeta",))
    app = app_with("alpha,zeta", extra={"alpha": high, "zeta": low})
    names = list(app.extensions["crm"].plugins)
    assert names.index("zeta") < names.index("alpha")


def test_misspelled_hook_fails_at_start_up_naming_the_plugin():
    def crm_register_sesions():
        return []

    typo = make_plugin("typo", crm_register_sesions=crm_register_sesions)
    with pytest.raises(PluginError, match=r"plugin 'typo' implements unknown hook\(s\) crm_register_sesions"):
        app_with("typo", extra={"typo": typo})


def test_plugin_raising_while_registering_is_named():
    def crm_register_sessions():
        raise RuntimeError("boom")

    bad = make_plugin("bad", crm_register_sessions=crm_register_sessions)
    with pytest.raises(PluginError, match=r"plugin 'bad' failed in crm_register_sessions: RuntimeError\('boom'\)"):
        app_with("bad", extra={"bad": bad})


def test_two_plugins_declaring_one_session_name_both_named():
    def modules():
        return [Module("m", "M")]

    def sessions():
        return [SessionDef("dup", "configuration", "Dup", endpoint="home.index")]

    one = make_plugin("one", crm_register_modules=modules, crm_register_sessions=sessions)
    two = make_plugin("two", crm_register_sessions=sessions)
    with pytest.raises(ConfigError, match=r"session 'dup' is declared by both 'one' and 'two'"):
        app_with("one,two", extra={"one": one, "two": two})


def test_two_business_plugins_answering_a_firstresult_hook_is_an_error():
    def crm_find_by_phone(number):
        return None

    one = make_plugin("one", crm_find_by_phone=crm_find_by_phone)
    two = make_plugin("two", crm_find_by_phone=crm_find_by_phone)
    with pytest.raises(PluginError, match=r"plugins one and two both answer crm_find_by_phone"):
        app_with("one,two", extra={"one": one, "two": two})


def test_a_hookimpl_may_take_fewer_arguments_than_the_spec():
    seen = []

    def crm_home_panels():
        seen.append(True)
        return []

    lean = make_plugin("lean", crm_home_panels=crm_home_panels)
    app = app_with("lean", extra={"lean": lean})
    app.extensions["crm"].pm.hook.crm_home_panels(user=None)
    assert seen == [True]


def test_disabled_plugin_contributes_no_menu_route_session_or_hook():
    app = app_with("activities")
    state = app.extensions["crm"]
    assert "sales" not in state.plugins
    assert not any(s.module == "sales" for s in state.registry.sessions.values())
    assert not any(m == "sales" for m in state.registry.modules)
    assert not any(rule.rule.startswith("/sales") for rule in app.url_map.iter_rules())
    assert "sales" not in [i.plugin_name for i in state.pm.hook.crm_register_sessions.get_hookimpls()]
    assert not hasattr(state.pm.hook, "crm_lead_qualified"), "sales owns its events: none without it"


def test_one_plugin_manager_per_app():
    first, second = app_with("activities"), app_with("sales")
    assert first.extensions["crm"].pm is not second.extensions["crm"].pm
    assert "sales" not in first.extensions["crm"].plugins


def test_every_hookspec_has_a_docstring_and_the_documented_name_form():
    from crm_core import hookspecs

    specs = [n for n in dir(hookspecs) if n.startswith("crm_")]
    assert specs
    for name in specs:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"


def test_plugin_declaring_module_labels_is_lazy_translatable():
    assert str(_l("Configuration")) == "Configuration"


def test_default_secret_is_refused_outside_development():
    with pytest.raises(ConfigError, match="CRM_SECRET_KEY is not set"):
        create_app({"CRM_ENV": "production", "CRM_DATABASE_URL": "sqlite://", "CRM_SECRET_KEY": ""})
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": "sqlite://", "CRM_SECRET_KEY": ""})
    assert app.config["SECRET_KEY"]


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="CRM_ENV must be one of"):
        create_app({"CRM_ENV": "prod", "CRM_DATABASE_URL": "sqlite://", "CRM_SECRET_KEY": "x"})


def test_hookimpl_marker_is_the_crm_project():
    @hookimpl
    def crm_home_panels(user):
        return []

    assert hasattr(crm_home_panels, "crm_impl")


def test_default_database_lives_in_a_created_instance_folder(tmp_path):
    instance = tmp_path / "fresh" / "instance"
    app = create_app({"CRM_ENV": "development", "CRM_DATABASE_URL": ""}, instance_path=str(instance))
    assert instance.is_dir()
    assert app.config["CRM_DATABASE_URL"] == f"sqlite:///{instance / 'crm.sqlite3'}"
