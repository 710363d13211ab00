"""Suggestions from a free text and a product (EXT-10): the service other plugins rely on, the
"Knowledge" tab a client puts on another session's records, and the API."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.app import create_app
from plugins.knowledge.services import suggest
from tests.support import sample

CUSTOMERS = str(Path(__file__).parent / "customers")
HELPDESK = pytest.mark.crm(
    plugins=["knowledge", "sample"], extra_plugins={"sample": sample}, customer="helpdesk",
    settings={"CRM_OVERRIDES_DIR": CUSTOMERS},
)


def titles(hits):
    return [h.article.title for h in hits]


@pytest.fixture
def articles(add_article):
    add_article("bob", "Router lights blink red", "The PON light blinks: restart the router.", product="Fibre 300")
    add_article("bob", "Router for mobile hotspots", "Hotspot router setup.", product="Mobile")
    add_article("bob", "Invoices by direct debit", "Change the bank account.", product="Billing")
    add_article("bob", "Luz roja del router", "La luz PON parpadea: reinicie el router.", product="Fibre 300",
                language="es")
    add_article("bob", "Unpublished router fix", "router router router", product="Fibre 300", published=False)
    for topic in ("Roaming prices", "Porting a number", "Contract end", "SIM swap", "Parental control", "Voicemail"):
        add_article("bob", topic, f"How {topic.lower()} works for customers.", product="Mobile")  # a real corpus


@pytest.mark.crm(plugins=["knowledge"])
def test_any_word_of_a_case_subject_finds_articles_and_the_product_comes_first(db, access_for, articles):
    hits = suggest(db, access_for("ana"), "Customer says the router light is red since yesterday", "fibre 300",
                   limit=3)
    assert titles(hits)[:2] == ["Router lights blink red", "Luz roja del router"] or titles(hits)[:2] == [
        "Luz roja del router", "Router lights blink red"]
    assert titles(hits)[2] == "Router for mobile hotspots"  # another product fills the list
    assert "Unpublished router fix" not in titles(suggest(db, access_for("ana"), "router", limit=10))


@pytest.mark.crm(plugins=["knowledge"])
def test_suggestions_by_language_and_limit(db, access_for, articles):
    assert titles(suggest(db, access_for("ana"), "router luz", "Fibre 300", language="es")) == ["Luz roja del router"]
    assert len(suggest(db, access_for("ana"), "router", limit=2)) == 2
    assert suggest(db, access_for("ana"), "the and of for it", limit=2) == []  # function words only
    assert suggest(db, access_for("ana"), "", "Fibre 300") == []


@pytest.mark.crm(plugins=["knowledge"])
def test_the_suggest_api(client_for, articles):
    body = client_for("ana").get("/api/v1/knowledge/suggest",
                                 query_string={"text": "router blinks", "product": "Mobile", "limit": 2}).get_json()
    assert [r["title"] for r in body["results"]][0] == "Router for mobile hotspots"
    assert len(body["results"]) == 2
    assert client_for("ana").get("/api/v1/knowledge/suggest").status_code == 422


@HELPDESK
def test_a_client_puts_a_knowledge_tab_on_another_sessions_records(client_for, db, users, articles):
    record = sample.Sample(name="Router light red", comments="blinking", company="Fibre 300", kind="sale",
                           owner_id=users["ana"].id, creator_id=users["ana"].id)
    db.add(record)
    db.commit()
    html = client_for("ana").get(f"/s/samples/{record.id}?tab=knowledge").get_data(as_text=True)
    assert 'id="kb-suggestions"' in html
    listed = html.split('id="kb-suggestions"', 1)[1]
    assert listed.index("Router lights blink red") < listed.index("Router for mobile hotspots")
    assert "Unpublished" not in listed


@HELPDESK
def test_the_tab_respects_the_viewers_rights_on_articles(client_for, db, users, articles):
    from crm_core.models.auth import Permission

    record = sample.Sample(name="router", kind="sale", owner_id=users["ana"].id, creator_id=users["ana"].id)
    db.add(record)
    for perm in db.query(Permission).filter_by(group_id=users["ana"].group_id, session_name="articles"):
        perm.can_view = perm.can_modify = False
    db.commit()
    html = client_for("ana").get(f"/s/samples/{record.id}?tab=knowledge").get_data(as_text=True)
    assert "may not see knowledge base articles" in html and "Router lights" not in html


def test_a_misspelt_field_in_suggest_on_stops_start_up(tmp_path):
    with pytest.raises(Exception, match="suggest_on.samples: Sample has no field 'subjekt'"):
        create_app({"CRM_ENV": "testing", "CRM_SECRET_KEY": "x" * 32,
                    "CRM_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "CRM_OVERRIDES_DIR": CUSTOMERS,
                    "CRM_CUSTOMER": "typo", "CRM_PLUGINS": ("knowledge", "sample")},
                   extra_plugins={"sample": sample})
