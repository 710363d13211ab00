"""Registration hooks go through pluggy: wrappers, tryfirst/trylast and error messages (PLUG-02, PLUG-05).

A client override adjusts a plugin's declarations with ``@hookimpl(wrapper=True)`` instead of
copying them (docs/customer-overrides.md); these tests prove that works on every registration
hook the registry collects, and that failures still name the plugin.
"""

from __future__ import annotations

import dataclasses

import pytest

from crm_core.app import create_app
from crm_core.declarations import Action, Module, PeriodicJob, SessionDef
from crm_core.errors import ConfigError, PluginError
from crm_core.outbox import Worker
from crm_core.plugins import hookimpl
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings


def app_with(plugins: str, **extra):
    return create_app(base_settings("sqlite://", CRM_PLUGINS=plugins), extra_plugins=extra)


def test_a_new_style_wrapper_on_crm_register_sessions_adjusts_a_plugins_sessions():
    @hookimpl(wrapper=True)
    def crm_register_sessions():
        declared = yield
        return [
            [dataclasses.replace(s, label="Prospects") if s.name == "leads" else s for s in items]
            for items in declared
        ]

    app = app_with("sales,client", client=make_plugin("client", crm_register_sessions=crm_register_sessions))
    registry = app.extensions["crm"].registry
    assert registry.sessions["leads"].label == "Prospects"
    assert registry.owners["leads"] == "sales"  # the wrapper replaced an item: still the plugin's


def test_an_old_style_hookwrapper_on_crm_register_modules_can_add_a_module():
    @hookimpl(hookwrapper=True)
    def crm_register_modules():
        outcome = yield
        outcome.force_result([*outcome.get_result(), [Module("client_area", "Client area")]])

    app = app_with("sales,client", client=make_plugin("client", crm_register_modules=crm_register_modules))
    assert "client_area" in app.extensions["crm"].registry.modules


def test_an_item_a_wrapper_adds_is_credited_to_the_wrapping_plugin():
    def modules():
        return [Module("m", "M")]

    @hookimpl(wrapper=True)
    def crm_register_sessions():
        declared = yield
        return [*declared, [SessionDef("extra", "m", "Extra", endpoint="home.index")]]

    client = make_plugin("client", crm_register_modules=modules, crm_register_sessions=crm_register_sessions)
    registry = app_with("client", client=client).extensions["crm"].registry
    assert registry.owners["extra"] == "client"


def test_tryfirst_orders_the_extra_actions_of_a_session():
    def action(name):
        return Action(name, name.title(), handler=lambda ctx: None)

    @hookimpl(tryfirst=True)
    def first(sdef):
        return [action("first")] if sdef.name == "leads" else []

    def plain(sdef):
        return [action("plain")] if sdef.name == "leads" else []

    @hookimpl(trylast=True)
    def last(sdef):
        return [action("last")] if sdef.name == "leads" else []

    plugins = {
        "p_last": make_plugin("p_last", crm_element_actions=last),
        "p_first": make_plugin("p_first", crm_element_actions=first),
        "p_plain": make_plugin("p_plain", crm_element_actions=plain),
    }
    app = app_with("sales,p_last,p_first,p_plain", **plugins)
    names = [a.name for a in app.extensions["crm"].registry.sessions["leads"].actions]
    extras = [n for n in names if n in {"first", "plain", "last"}]
    assert extras == ["first", "plain", "last"]


def test_a_wrapper_on_crm_register_blueprints_can_drop_a_plugins_blueprint():
    @hookimpl(wrapper=True)
    def crm_register_blueprints(app):
        blueprints = yield
        return [[bp for bp in items if bp.name != "activities"] for items in blueprints]

    before = app_with("activities")
    assert "activities" in before.blueprints
    client = make_plugin("client", requires=("activities",), crm_register_blueprints=crm_register_blueprints)
    after = app_with("activities,client", client=client)
    assert "activities" not in after.blueprints and "screens" in after.blueprints


def test_a_wrapper_on_crm_register_periodic_jobs_sees_and_changes_the_jobs():
    ran: list[str] = []

    def jobs():
        return [PeriodicJob("plugin_job", 60, lambda: ran.append("plugin_job"))]

    @hookimpl(wrapper=True)
    def crm_register_periodic_jobs():
        declared = yield
        return [[j for j in items if j.name != "plugin_job"] for items in declared] + [
            [PeriodicJob("client_job", 60, lambda: ran.append("client_job"))]
        ]

    app = app_with(
        "plugin,client",
        plugin=make_plugin("plugin", crm_register_periodic_jobs=jobs),
        client=make_plugin("client", crm_register_periodic_jobs=crm_register_periodic_jobs),
    )
    Worker(app).run_jobs(now=1000.0)
    assert "client_job" in ran and "plugin_job" not in ran


def test_a_failing_implementation_is_named_even_behind_a_wrapper():
    def crm_element_actions(sdef):
        raise RuntimeError("boom")

    @hookimpl(wrapper=True)
    def passthrough(sdef):
        return (yield)

    with pytest.raises(PluginError, match=r"plugin 'bad' failed in crm_element_actions: RuntimeError\('boom'\)"):
        app_with(
            "sales,bad,client",
            bad=make_plugin("bad", crm_element_actions=crm_element_actions),
            client=make_plugin("client", crm_element_actions=passthrough),
        )


def test_a_failing_wrapper_is_named():
    @hookimpl(wrapper=True)
    def crm_register_modules():
        yield
        raise ValueError("client bug")

    with pytest.raises(PluginError, match=r"hook wrapper 'client' failed in crm_register_modules"):
        app_with("client", client=make_plugin("client", crm_register_modules=crm_register_modules))


def test_duplicates_still_name_both_plugins_whatever_the_call_order():
    def modules():
        return [Module("m", "M")]

    with pytest.raises(ConfigError, match=r"module 'm' is declared by both 'one' and 'two'"):
        app_with("one,two", one=make_plugin("one", crm_register_modules=modules),
                 two=make_plugin("two", crm_register_modules=modules))
