"""Configuration → Fields (EXT-16): an administrator declares a custom field or changes a
built-in one without code; the same rules as customer.toml, applied at once on every path."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.models.menu import FieldSetting

pytestmark = pytest.mark.crm(plugins=["sales"])
SEGMENT = {
    "session_name": "leads", "name": "segment", "type": "choice", "label_en": "Segment", "label_es": "Segmento",
    "choices": "retail = Retail | Minorista\ncorporate = Corporate | Empresas", "listable": "1", "searchable": "1",
}


def test_an_administrator_adds_a_field_that_every_path_then_uses(client_for, db):
    admin = client_for("admin")
    response = admin.post("/config/fields", data=SEGMENT)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.scalar(select(FieldSetting.spec).where(FieldSetting.name == "segment"))["type"] == "choice"
    listed = admin.get("/config/fields").get_data(as_text=True)
    assert 'data-field="leads.segment"' in listed
    created = client_for("ana").post("/api/v1/leads", json={"name": "Ana's lead", "segment": "retail"})
    assert created.status_code == 201 and created.get_json()["segment"] == "retail"
    refused = client_for("ana").post("/api/v1/leads", json={"name": "X", "segment": "nope"})
    assert refused.status_code in (400, 422)
    grid = client_for("ana").get("/s/leads", query_string={"q": "retail"}).get_data(as_text=True)
    assert "Segment" in grid and "Ana&#39;s lead" in grid


def test_a_built_in_field_made_required_on_the_screen(client_for):
    admin = client_for("admin")
    assert admin.post("/config/fields", data={"session_name": "leads", "name": "city", "required": "1"}).status_code == 302
    refused = client_for("ana").post("/api/v1/leads", json={"name": "No city"})
    assert refused.status_code in (400, 422) and "city" in str(refused.get_json())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"session_name": "leads", "name": "Bad Name", "type": "text"}, "lower-case"),
        ({"session_name": "leads", "name": "name", "type": "text"}, "already a field"),
        ({"session_name": "leads", "name": "shoe", "type": ""}, "not a field of"),
        ({"session_name": "groupings", "name": "x", "type": "text"}, "does not take custom fields"),
        ({"session_name": "leads", "name": "seg", "type": "choice", "choices": ""}, "needs choices"),
        ({"session_name": "leads", "name": "seg", "type": "choice", "choices": "= nothing"}, "Choice line 1"),
        ({"session_name": "leads", "name": "n", "type": "integer", "position": "x"}, "whole number"),
    ],
)
def test_bad_declarations_are_refused_and_nothing_is_stored(client_for, db, data, message):
    response = client_for("admin").post("/config/fields", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.scalar(select(FieldSetting)) is None


def test_only_administrators_may_change_fields(client_for, db):
    assert client_for("ana").post("/config/fields", data=SEGMENT).status_code == 403
    assert db.scalar(select(FieldSetting)) is None


def test_removing_a_field_asks_first_and_keeps_the_values(client_for, db):
    admin = client_for("admin")
    admin.post("/config/fields", data=SEGMENT)
    lead_id = client_for("ana").post("/api/v1/leads", json={"name": "Kept", "segment": "corporate"}).get_json()["id"]
    row = db.scalar(select(FieldSetting))
    question = admin.get(f"/config/fields/{row.id}/delete").get_data(as_text=True)
    assert "values already entered are kept" in question
    assert admin.post(f"/config/fields/{row.id}/delete").status_code == 302
    assert db.scalar(select(FieldSetting)) is None
    body = client_for("ana").get(f"/api/v1/leads/{lead_id}").get_json()
    assert "segment" not in body
    from plugins.sales.models import Lead

    assert db.get(Lead, lead_id).custom == {"segment": "corporate"}
