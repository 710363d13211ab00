"""The ``Workflow`` declaration and its start-up checks: a typo in a state, an action or the
field stops the app naming the plugin, the session and the key."""

from __future__ import annotations

import dataclasses

import pytest

from crm_core.app import create_app
from crm_core.declarations import Transition, Workflow
from crm_core.errors import ConfigError
from crm_core.testing import make_plugin
from crm_core.testing.plugin import base_settings
from tests.core.workflow.flow_plugin import FLOW, FLOWS, crm_register_modules


def test_a_workflow_knows_its_states_moves_and_governed_actions():
    assert FLOW.states == {"active", "closed", "archived"}
    assert FLOW.allows("active", "closed", "close") and not FLOW.allows("active", "closed")
    assert FLOW.allows("closed", "active") and not FLOW.allows("archived", "active")
    assert FLOW.targets("closed") == ["active"] and FLOW.targets("closed", "archive") == ["archived"]
    assert FLOW.can_run("close", "active") and not FLOW.can_run("close", "closed")
    assert FLOW.can_run("touch", "archived"), "an action no transition names is not governed"


def test_a_self_transition_lets_an_action_run_without_leaving_the_state():
    flow = Workflow(transitions=(Transition("active", "active", action="change_stage"),))
    assert flow.can_run("change_stage", "active") and not flow.can_run("change_stage", "won")


def test_a_transition_declared_twice_is_refused():
    with pytest.raises(ValueError, match="'active' → 'closed' declared twice"):
        Workflow(transitions=(Transition("active", "closed"), Transition("active", "closed")))


def _app_with(workflow: Workflow):
    def crm_register_sessions():
        return [dataclasses.replace(FLOWS, workflow=workflow)]

    plugin = make_plugin("flow", crm_register_sessions=crm_register_sessions, crm_register_modules=crm_register_modules)
    return create_app(base_settings("sqlite://", CRM_PLUGINS=""), extra_plugins={"flow": plugin})


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        (
            Workflow(transitions=(Transition("active", "clossed", action="close"),)),
            r"plugin 'flow': session 'flows': workflow state 'clossed' is not a declared status; "
            r"statuses: active, archived, closed",
        ),
        (
            Workflow(transitions=(Transition("active", "closed"),), initial="new"),
            r"workflow state 'new' is not a declared status",
        ),
        (
            Workflow(transitions=(Transition("active", "closed", action="shut"),)),
            r"workflow transition 'active' → 'closed' names unknown action 'shut'; actions: (add_activity, )?archive, close",
        ),
        (
            Workflow(field="state", transitions=(Transition("active", "closed"),)),
            r"workflow field 'state' is not a column",
        ),
    ],
)
def test_a_misspelled_workflow_stops_start_up_naming_plugin_session_and_key(workflow, message):
    with pytest.raises(ConfigError, match=message):
        _app_with(workflow)


def test_a_correct_workflow_starts():
    app = _app_with(FLOW)
    assert app.extensions["crm"].registry.sdef("flows").workflow is FLOW
