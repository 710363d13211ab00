"""Declared workflows (item 7 of "Plugin contract 2.0", CORE-15): the core refuses illegal
transitions on every path with a message naming the visible states, writes nothing when it
refuses, shows only the actions allowed now and audits each transition."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.services import elements
from tests.core.workflow import flow_plugin
from tests.support.audit import audit_rows
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"flow": flow_plugin})

REFUSED_ARCHIVE = "“Archive” is not possible: the Flow is Open."


@pytest.fixture
def flows(crm_app):
    from crm_core.app import crm_state

    return crm_state().registry.sdef("flows")


@pytest.fixture
def make_flow(db, access_for, flows):
    def make(status: str = "active"):
        with unit_of_work():
            flow = elements.create(db, flows, access_for("ana"), {"name": "Flow"})
            flow.status = status
        return flow

    return make


def test_the_detail_screen_shows_only_the_actions_allowed_in_the_current_state(client_for, make_flow):
    html = client_for("ana").get(f"/s/flows/{make_flow().id}").get_data(as_text=True)
    assert 'data-action="close"' in html and 'data-action="touch"' in html
    assert 'data-action="archive"' not in html
    html = client_for("ana").get(f"/s/flows/{make_flow('closed').id}").get_data(as_text=True)
    assert 'data-action="archive"' in html and 'data-action="touch"' in html
    assert 'data-action="close"' not in html


def test_an_illegal_action_on_the_screen_is_refused_with_the_states_and_writes_nothing(client_for, db, make_flow):
    flow = make_flow()
    before = audit_rows(db, flow)
    response = client_for("ana").post(f"/s/flows/{flow.id}/action/archive", data={})
    assert response.status_code == 409
    assert REFUSED_ARCHIVE in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(Sample, flow.id).status == "active" and audit_rows(db, flow) == before


def test_an_illegal_action_through_the_api_is_refused_with_the_states_and_writes_nothing(client_for, db, make_flow):
    flow = make_flow()
    before = audit_rows(db, flow)
    response = client_for("ana").post(f"/api/v1/flows/{flow.id}/actions/archive", json={})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == REFUSED_ARCHIVE
    db.expire_all()
    assert db.get(Sample, flow.id).status == "active" and audit_rows(db, flow) == before


def test_a_transition_is_audited_with_the_visible_states_and_the_action(client_for, db, make_flow):
    flow = make_flow()
    assert client_for("ana").post(f"/api/v1/flows/{flow.id}/actions/close", json={}).status_code == 200
    assert ("close", {"status": ["active", "closed"]}) in audit_rows(db, flow)
    assert client_for("ana").post(f"/s/flows/{flow.id}/action/archive", data={}).status_code == 302
    assert ("archive", {"status": ["closed", "archived"]}) in audit_rows(db, flow)
    history = client_for("ana").get(f"/s/flows/{flow.id}?tab=history").get_data(as_text=True)
    archived = next(r for r in re.findall(r"<tr>(.*?)</tr>", history, re.S) if "“Archive”" in r)
    assert ">Closed<" in archived and ">Archived<" in archived  # states by their visible names


def test_a_direct_edit_of_the_state_through_the_api_follows_the_workflow(client_for, db, make_flow):
    flow = make_flow()
    response = client_for("ana").patch(f"/api/v1/flows/{flow.id}", json={"status": "archived"})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["status"] == ["The Flow cannot go from Open to Archived."]
    db.expire_all()
    assert db.get(Sample, flow.id).status == "active"
    reopened = client_for("ana").patch(f"/api/v1/flows/{make_flow('closed').id}", json={"status": "active"})
    assert reopened.status_code == 200 and reopened.get_json()["status"] == "active"


def test_a_direct_edit_of_the_state_in_the_form_is_refused_in_place(client_for, db, make_flow):
    flow = make_flow("closed")
    form = {"name": "Flow", "company": "", "email": "", "phone": "", "amount": "", "due": "", "comments": "",
            "parent_id": "", "status": "archived", "version": str(flow.version)}
    response = client_for("ana").post(f"/s/flows/{flow.id}", data=form)
    assert response.status_code == 400
    assert "The Flow cannot go from Closed to Archived; from Closed it can go to Open." in response.get_data(
        as_text=True
    )
    db.expire_all()
    assert db.get(Sample, flow.id).status == "closed"


def test_a_new_element_starts_in_the_initial_state(client_for, db):
    count = db.scalar(select(func.count()).select_from(Sample))
    response = client_for("ana").post("/api/v1/flows", json={"name": "Late", "status": "closed"})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["status"] == ["A new Flow starts as Open."]
    assert db.scalar(select(func.count()).select_from(Sample)) == count


def test_the_message_uses_the_customers_status_names(make_flow, client_for, monkeypatch, flows):
    from crm_core.app import crm_state

    monkeypatch.setitem(
        crm_state().registry.status_maps, "flows", {"Fresh": "active", "Shut": "closed", "Gone": "archived"}
    )
    response = client_for("ana").post(f"/api/v1/flows/{make_flow().id}/actions/archive", json={})
    assert response.get_json()["error"]["message"] == "“Archive” is not possible: the Flow is Fresh."
