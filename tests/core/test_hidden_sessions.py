"""A session hidden in customer.toml is unavailable on every path — screens, listing, export,
import, lookups, API, menu, OpenAPI, plugin pages — for administrators too, while its rights stay
manageable on the permission matrix (PLUG-04, CORE-04).

The routes are generated from the app's url_map, so a new path taking a session cannot escape
the rule without failing here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.models.auth import Group, Permission
from tests.support import sample
from tests.support.sample import Sample

CUSTOMERS = Path(__file__).parent / "customers"
PLUGINS = ["sales", "activities", "sample"]
hidden = pytest.mark.crm(plugins=PLUGINS, extra_plugins={"sample": sample}, customer="hidden",
                         settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
shown = pytest.mark.crm(plugins=PLUGINS, extra_plugins={"sample": sample}, customer=None)


@pytest.fixture
def stored_sample(db, users):
    """``stored_sample()``: a sample of ana's, written past the services (which refuse the hidden session)."""

    def make() -> Sample:
        with unit_of_work():
            element = Sample(name="Hidden", kind="sale", owner_id=users["ana"].id, creator_id=users["ana"].id)
            db.add(element)
        return element

    return make


def session_requests(app, element_id):
    """``(method, url, arguments)`` of every route that takes a session, for the samples session."""
    values = {"session_name": "samples", "element_id": element_id, "name": "close", "note_id": 1, "job_id": 1,
              "view_id": 1, "field": "company"}
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "session_name" not in rule.arguments:
                continue
            url = url_for(rule.endpoint, **{k: values[k] for k in rule.arguments})
            out.extend((method, url, rule.arguments) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return out


@hidden
@pytest.mark.parametrize("username", ["admin", "ana"])
def test_every_route_of_a_hidden_session_answers_not_found(crm_app, client_for, stored_sample, username):
    client = client_for(username)
    requests = session_requests(crm_app, stored_sample().id)
    assert len(requests) >= 20
    answers = {(method, url): client.open(url, method=method, json={} if "/api/" in url else None).status_code
               for method, url, _args in requests}
    assert {key: status for key, status in answers.items() if status != 404} == {}


@shown
def test_the_same_routes_serve_the_session_when_it_is_not_hidden(crm_app, client_for, stored_sample):
    """The control: without the customer file the generated requests reach the session, so the
    404s above come from the rule, not from the generated URLs."""
    client = client_for("admin")
    own_ids = {"session_name", "element_id", "name"}
    answers = {}
    for n, (_method, _url, args) in enumerate(session_requests(crm_app, 0)):
        if args <= own_ids:  # a sample of its own per request: some requests delete it
            method, url, _args = session_requests(crm_app, stored_sample().id)[n]
            answers[(method, url)] = client.open(url, method=method, json={} if "/api/" in url else None).status_code
    assert len(answers) >= 15
    assert {key: status for key, status in answers.items() if status == 404} == {}


@hidden
@pytest.mark.parametrize("username", ["admin", "leader"])
def test_a_hidden_plugin_page_answers_not_found(client_for, username):
    client = client_for(username)
    assert client.get("/activities/calendar").status_code == 404
    assert client.get("/activities/calendar.ics").status_code == 404


@hidden
def test_hidden_sessions_leave_the_menu_and_the_openapi_document(client_for):
    client = client_for("admin")
    home = client.get("/").get_data(as_text=True)
    assert 'data-session="samples"' not in home and 'data-session="calendar"' not in home
    assert 'data-session="locked_samples"' in home
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/samples" not in paths and "/api/v1/locked_samples" in paths


@hidden
def test_permission_matrix_keeps_hidden_sessions_manageable(client_for, db):
    executives = db.scalar(select(Group).where(Group.name == "Executives"))
    client = client_for("admin")
    page = client.get(f"/config/permissions?group={executives.id}").get_data(as_text=True)
    assert 'name="samples:view"' in page and 'name="calendar:view"' in page
    assert page.count(">hidden</span>") == 2
    saved = client.post(f"/config/permissions?group={executives.id}", data={"samples:view": "1"})
    assert saved.status_code == 302
    db.expire_all()
    rows = {p.session_name: p for p in db.scalars(select(Permission).where(Permission.group_id == executives.id))}
    assert (rows["samples"].can_view, rows["samples"].can_modify) == (True, False)
    assert rows["calendar"].can_view is False
