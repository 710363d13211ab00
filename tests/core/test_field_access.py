"""Field access by group (issue 18 item 6, EXT-16): customer.toml's ``[field_access]`` checked at
start-up and applied, the Configuration screen that stores the same rules, administrators
unrestricted, messages in Spanish. Every path is covered by ``test_field_access_matrix.py``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import ConfigError
from crm_core.models.auth import FieldAccess, Group
from tests.core.test_startup_checks import app_with, client_folder
from tests.support import sample

CUSTOMERS = Path(__file__).parent / "customers"
from_file = pytest.mark.crm(plugins=["sample"], extra_plugins={"sample": sample}, customer="field_access",
                            settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
plain = pytest.mark.crm(extra_plugins={"sample": sample})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[field_access.shoes."Executives"]\nhidden = ["name"]', r"\[field_access.shoes\]: unknown session 'shoes'"),
        ('[field_access.leads."Interns"]\nhidden = ["source"]', r"\[field_access.leads.Interns\]: unknown group 'Interns'"),
        ('[field_access.leads."Executives"]\nhidden = ["shoe_size"]', r"unknown field 'shoe_size' of 'leads'"),
        ('[field_access.leads."Executives"]\nread_only = ["name"]', r"'name' is required"),
        ('[field_access.leads."Executives"]\nhidden = ["id"]', r"'id' cannot be hidden or read-only"),
        ('[field_access.leads."Executives"]\nvisible = ["source"]', r"\[field_access.leads.Executives.visible\]: unknown key"),
        ('[field_access.leads."Executives"]\nhidden = ["source"]\nread_only = ["source"]', r"'source' is listed twice"),
        ('[field_access.leads]\nhidden = ["source"]', r"\[field_access.leads.hidden\]: must be a table"),
        ('[field_access.contacts."Executives"]\nhidden = ["first_name"]',
         r"'first_name' makes up the record's name, shown wherever it is linked, so it can be read-only but not hidden"),
    ],
)
def test_a_mistake_in_field_access_stops_start_up_naming_file_and_key(tmp_path, toml, message):
    with pytest.raises(ConfigError, match=message):
        app_with("sales", **client_folder(tmp_path, toml + "\n"))


def test_a_group_of_the_clients_own_may_be_restricted(tmp_path):
    toml = '[groups."Branch managers"]\nlike = "Leaders"\n[field_access.leads."Branch managers"]\nhidden = ["source"]\n'
    app = app_with("sales", **client_folder(tmp_path, toml))
    assert app.extensions["crm"].customer.field_access == {"leads": {"Branch managers": {"source": "hidden"}}}


@pytest.fixture
def sample_of(db, users):
    def make(owner: str = "ana"):
        user = users[owner]
        with unit_of_work():
            element = sample.Sample(name="Visible name", company="Acme", comments="Secret remark", kind="sale",
                                    owner_id=user.id, creator_id=user.id)
            db.add(element)
        return element

    return make


@from_file
def test_the_files_rules_apply_to_the_group_and_not_to_administrators(client_for, sample_of):
    element = sample_of()
    ana = client_for("ana").get(f"/api/v1/samples/{element.id}").get_json()
    assert "comments" not in ana and ana["company"] == "Acme"
    page = client_for("ana").get(f"/s/samples/{element.id}?edit=1").get_data(as_text=True)
    assert "Secret remark" not in page and 'data-locked="company"' in page
    admin = client_for("admin").get(f"/api/v1/samples/{element.id}").get_json()
    assert admin["comments"] == "Secret remark"
    assert client_for("admin").patch(f"/api/v1/samples/{element.id}", json={"company": "Beta"}).status_code == 200


@from_file
def test_the_screen_lists_the_files_rules_read_only(client_for, db):
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    html = client_for("admin").get(f"/config/fields/access?group={group.id}&session_name=samples").get_data(as_text=True)
    assert 'name="field:comments"' not in html and 'name="field:company"' not in html
    assert 'data-field="comments"' in html and "customer.toml" in html


@plain
def test_the_screen_stores_the_rules_and_they_apply_at_once(client_for, db, sample_of):
    element = sample_of("bob")
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    admin = client_for("admin")
    page = admin.get(f"/config/fields/access?group={group.id}&session_name=samples").get_data(as_text=True)
    assert 'name="field:comments"' in page and 'name="field:name"' not in page  # name is required
    response = admin.post("/config/fields/access", data={
        "group": group.id, "session_name": "samples", "field:comments": "hidden", "field:company": "read_only",
    })
    assert response.status_code == 302
    stored = {(r.field_name, r.mode) for r in db.scalars(select(FieldAccess))}
    assert stored == {("comments", "hidden"), ("company", "read_only")}
    assert "comments" not in client_for("bob").get(f"/api/v1/samples/{element.id}").get_json()
    # visible again: the row goes
    admin.post("/config/fields/access", data={"group": group.id, "session_name": "samples",
                                              "field:comments": "visible", "field:company": "read_only"})
    assert {r.field_name for r in db.scalars(select(FieldAccess))} == {"company"}


@plain
@pytest.mark.parametrize(("field", "value"), [("name", "hidden"), ("company", "secret"), ("shoe", "hidden")])
def test_the_screen_refuses_a_required_unknown_or_bad_choice_and_changes_nothing(client_for, db, field, value):
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    response = client_for("admin").post("/config/fields/access", data={
        "group": group.id, "session_name": "samples", f"field:{field}": value,
    })
    assert response.status_code == 400
    assert f'data-error="field:{field}"' in response.get_data(as_text=True)
    assert db.scalars(select(FieldAccess)).all() == []


@plain
def test_only_administrators_reach_the_screen(client_for):
    assert client_for("ana").get("/config/fields/access").status_code == 403


@plain
def test_the_refusal_is_in_spanish_for_a_spanish_user(client_for, db, users, sample_of):
    element = sample_of()
    db.add(FieldAccess(group_id=users["ana"].group_id, session_name="samples", field_name="company", mode="read_only"))
    users["ana"].language = "es"
    db.commit()
    body = client_for("ana").patch(f"/api/v1/samples/{element.id}", json={"company": "Beta"}).get_json()
    assert body["error"]["fields"]["company"] == ["Su grupo no puede cambiar el campo «Company»."]
    html = client_for("ana").get(f"/s/samples/{element.id}?edit=1").get_data(as_text=True)
    assert "Solo lectura" in html


@plain
def test_every_sessions_name_is_made_of_its_declared_name_fields(crm_app, app_ctx):
    """``__name_fields__`` is what keeps a name field from being hidden: every text column that
    shows in a record's name (tried in memory on every session of every installed plugin) is
    declared there."""
    from sqlalchemy import String
    from sqlalchemy import inspect as sa_inspect

    from crm_core.extensions import crm_state

    undeclared = []
    for sdef in crm_state(crm_app).registry.grid_sessions():
        element = sdef.model()
        element.id = 4242
        texts = [c.key for c in sa_inspect(sdef.model).column_attrs if isinstance(c.columns[0].type, String)]
        for i, key in enumerate(texts):
            with contextlib.suppress(KeyError, ValueError):  # a validated field (a session name, a code)
                setattr(element, key, f"Mk{i}x")
        try:
            name = element.display_name()
        except (TypeError, ValueError):  # a name of dates or numbers: its text fields set alone are not enough
            continue
        undeclared += [f"{sdef.name}.{k}" for i, k in enumerate(texts)
                       if f"Mk{i}x" in name and k not in sdef.model.__name_fields__]
    assert undeclared == []


@pytest.mark.crm(plugins=["sales"])
def test_the_screen_offers_read_only_but_not_hidden_for_a_name_field(client_for, db):
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    admin = client_for("admin")
    html = admin.get(f"/config/fields/access?group={group.id}&session_name=contacts").get_data(as_text=True)
    row = html.split('data-field="first_name"', 1)[1].split("</tr>", 1)[0]
    assert 'value="read_only"' in row and 'value="hidden"' not in row and "cannot be hidden" in row
    response = admin.post("/config/fields/access", data={
        "group": group.id, "session_name": "contacts", "field:first_name": "hidden"})
    assert response.status_code == 400
    assert "makes up the record&#39;s name" in response.get_data(as_text=True)
    assert db.scalars(select(FieldAccess)).all() == []
    assert admin.post("/config/fields/access", data={
        "group": group.id, "session_name": "contacts", "field:first_name": "read_only"}).status_code == 302
