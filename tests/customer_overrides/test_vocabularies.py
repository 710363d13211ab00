"""Vocabularies (EXT-15): administrators' lists for custom and built-in choice fields —
hierarchical, translated, inactive values kept on the records that hold them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from crm_core.models.vocabularies import VocabularyValue

CLIENTS = Path(__file__).parent / "clients"
pytestmark = pytest.mark.crm(customer="vocabco", settings={"CRM_OVERRIDES_DIR": str(CLIENTS)})
VALUES = [
    ("case_types", "hardware", "", "Hardware", "Equipos"),
    ("case_types", "software", "", "Software", "Programas"),
    ("case_subtypes", "disk", "hardware", "Disk", "Disco"),
    ("case_subtypes", "os", "software", "Operating system", "Sistema operativo"),
    ("lead_sources", "fair", "", "Trade fair", "Feria"),
]


@pytest.fixture
def lists(client_for):  # type: ignore[no-untyped-def]
    admin = client_for("admin")
    for vocabulary, code, parent, en, es in VALUES:
        response = admin.post("/config/vocabularies", data={
            "vocabulary": vocabulary, "code": code, "parent_code": parent, "label_en": en, "label_es": es})
        assert response.status_code == 302, response.get_data(as_text=True)
    return admin


def new_lead(client, **data):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/leads", json={"name": "Lead", **data})


def test_values_of_the_lists_are_accepted_and_shown_translated(client_for, users, db):
    # stored directly: in a test the app context (and the locale it caches) outlives requests,
    # so the Spanish user's must be the first request
    db.add_all(VocabularyValue(vocabulary=v, code=c, parent_code=p or None, labels={"en": en, "es": es})
               for v, c, p, en, es in VALUES)
    users["ana"].language = "es"
    db.commit()
    made = new_lead(client_for("ana"), topic="hardware", subtopic="disk", source="fair")
    assert made.status_code == 201, made.get_json()
    grid = client_for("ana").get("/s/leads").get_data(as_text=True)
    assert "Tema" in grid and "Equipos" in grid and "Disco" in grid
    form = client_for("ana").get(f"/s/leads/{made.get_json()['id']}?edit=1").get_data(as_text=True)
    assert "Feria" in form and "Programas" in form


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        ({"topic": "plumbing"}, "topic", "Not a value of the list"),
        ({"topic": "software", "subtopic": "disk"}, "subtopic", "does not belong to software"),
        ({"source": "radio"}, "source", "Not a value of the list"),
    ],
)
def test_values_outside_the_list_or_its_parent_are_refused(lists, client_for, db, data, field, fragment):
    response = new_lead(client_for("ana"), **data)
    assert response.status_code in (400, 422)
    assert fragment in str(response.get_json()[  # the API's error body names the field
        "errors"] if "errors" in response.get_json() else response.get_json()), response.get_json()


def test_an_inactive_value_stays_on_old_records_but_is_not_taken_for_new_ones(lists, client_for, db):
    ana = client_for("ana")
    old = new_lead(ana, topic="hardware", subtopic="disk").get_json()
    row = db.scalar(select(VocabularyValue).where(VocabularyValue.code == "disk"))
    assert lists.post(f"/config/vocabularies/{row.id}/active").status_code == 302
    refused = new_lead(ana, topic="hardware", subtopic="disk")
    assert refused.status_code in (400, 422) and "no longer in use" in str(refused.get_json())
    kept = ana.patch(f"/api/v1/leads/{old['id']}", json={"name": "Renamed", "subtopic": "disk"},
                     headers={"If-Match": f'"{old["version"]}"'})
    assert kept.status_code == 200, kept.get_json()
    assert kept.get_json()["subtopic"] == "disk"
    assert "Disk (inactive)" in ana.get("/s/leads").get_data(as_text=True)
    assert lists.post(f"/config/vocabularies/{row.id}/active").status_code == 302
    assert new_lead(ana, topic="hardware", subtopic="disk").status_code == 201


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"vocabulary": "Case Types", "code": "x", "label_en": "X"}, "A list name"),
        ({"vocabulary": "case_types", "code": "a b", "label_en": "X"}, "A code has"),
        ({"vocabulary": "case_types", "code": "x"}, "a label"),
        ({"vocabulary": "case_types", "code": "x", "label_en": "X", "position": "-1"}, "whole number"),
    ],
)
def test_bad_values_are_refused_on_the_screen(client_for, db, data, fragment):
    response = client_for("admin").post("/config/vocabularies", data=data)
    assert response.status_code == 400 and fragment in response.get_data(as_text=True)
    assert db.scalar(select(VocabularyValue)) is None


def test_only_administrators_manage_vocabularies(client_for, db):
    assert client_for("ana").post("/config/vocabularies", data={"vocabulary": "x", "code": "y"}).status_code == 403
    assert db.scalar(select(VocabularyValue)) is None
