"""Plugins own their events (plugin contract 2.0): the core specifies only generic hooks; a
plugin's ``PluginMeta(hookspecs=...)`` are added before any plugin registers; implementing an
event of a plugin that is not enabled is a start-up error naming both."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import pytest

from crm_core import hookspecs
from crm_core.app import create_app
from crm_core.errors import PluginError
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings
from crm_core.toolkit import hookimpl, hookspec

#: The only hooks the core may specify: none of them names a business area.
GENERIC_HOOKS = {
    "crm_register_modules",
    "crm_register_sessions",
    "crm_register_blueprints",
    "crm_register_cli",
    "crm_register_translations",
    "crm_register_outbox_handlers",
    "crm_register_periodic_jobs",
    "crm_element_actions",
    "crm_detail_tabs",
    "crm_timeline_entries",
    "crm_home_panels",
    "crm_row_filters",
    "crm_demo_users",
    "crm_personal_data_find",
    "crm_personal_data_erase",
    "crm_reporting_views",
    "crm_demo_data",
    "crm_element_created",
    "crm_elements_created",
    "crm_element_changed",
    "crm_element_deleted",
    "crm_find_by_phone",
    "crm_user_fields",
    "crm_page_scripts",
    "crm_kpis",
}


def app_with(plugins: str, extra: dict[str, ModuleType] | None = None):
    return create_app(base_settings("sqlite://", CRM_PLUGINS=plugins), extra_plugins=extra)


def _won(opportunity, account, db):
    """A listener of sales' ``crm_opportunity_won``."""


def test_core_hookspecs_hold_only_generic_hooks():
    specified = {name for name in dir(hookspecs) if getattr(getattr(hookspecs, name), "crm_spec", None) is not None}
    assert specified == GENERIC_HOOKS


@pytest.mark.parametrize(
    ("owner", "events"),
    [
        ("sales", {"crm_lead_qualified", "crm_opportunity_won", "crm_opportunity_lost", "crm_contact_created"}),
        ("activities", {"crm_activity_scheduled", "crm_activities_generated"}),
        ("messaging", {"crm_activities_due"}),
    ],
)
def test_an_enabled_plugin_brings_its_own_events(owner, events):
    hook = app_with(owner).extensions["crm"].pm.hook
    assert all(getattr(hook, name).spec is not None for name in events)


def test_implementing_an_event_of_a_plugin_not_enabled_names_both_at_start_up():
    listener = make_plugin("listener", crm_opportunity_won=_won)
    with pytest.raises(
        PluginError,
        match=r"plugin 'listener' implements crm_opportunity_won, an event specified by plugin 'sales', "
        r"which is not enabled.*enable 'sales'",
    ):
        app_with("activities,listener", extra={"listener": listener})


def test_a_listener_registered_before_the_owner_is_validated_against_its_spec():
    # "aaa" sorts (and registers) before "sales": the spec is there already, so a wrong argument
    # is refused at registration instead of being silently accepted.
    def crm_opportunity_won(opportunity, amount, db):
        """Asks for an argument the spec does not give."""

    bad = make_plugin("aaa", crm_opportunity_won=crm_opportunity_won)
    with pytest.raises(PluginError, match=r"(?s)plugin 'aaa' failed to register.*amount"):
        app_with("aaa,sales", extra={"aaa": bad})
    good = make_plugin("aaa", crm_opportunity_won=_won)
    assert "aaa" in app_with("aaa,sales", extra={"aaa": good}).extensions["crm"].plugins


def test_an_optional_listener_runs_without_the_owner():
    listener = make_plugin("listener", crm_opportunity_won=hookimpl(optionalhook=True)(_won))
    assert "listener" in app_with("activities,listener", extra={"listener": listener}).extensions["crm"].plugins


def test_an_event_specified_twice_is_refused_naming_the_plugin():
    specs = ModuleType("rival_specs")

    @hookspec
    def crm_opportunity_won(opportunity, account, user, db):
        """The same name as sales' event."""

    specs.crm_opportunity_won = crm_opportunity_won
    rival = make_plugin("rival")
    rival.meta = dataclasses.replace(rival.meta, hookspecs=specs)
    with pytest.raises(PluginError, match=r"plugin 'sales': its hookspecs plugins.sales.hookspecs cannot be added"):
        app_with("rival,sales", extra={"rival": rival})
