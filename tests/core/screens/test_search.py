"""Global search (EXT-15): ``GET /search?q=`` answers the first matches per session the user may
view, through the grids' list query (``scoped``): never a record or a session the user may not
see, bad input refused or ignored, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.db import unit_of_work
from crm_core.models.auth import Permission
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
CUSTOMERS = Path(__file__).parents[1] / "customers"


def labels(answer: dict, session_name: str = "samples") -> list[str]:
    return [r["label"] for g in answer["groups"] if g["session"] == session_name for r in g["results"]]


def test_search_finds_own_records_by_any_search_field_with_their_links(client_for, make_sample):
    acme = make_sample("ana", name="Acme", company="Ferretería Ruiz")
    make_sample("ana", name="Other")
    answer = client_for("ana").get("/search?q=ruiz").json
    group = next(g for g in answer["groups"] if g["session"] == "samples")
    assert group["label"] == "Samples" and group["more"] is None
    assert group["results"] == [{"id": acme.id, "label": "Acme", "url": f"/s/samples/{acme.id}"}]


def test_results_never_include_other_peoples_records_for_executives(client_for, make_sample):
    make_sample("ana", name="Acme de Ana")
    make_sample("bob", name="Acme de Bob")
    assert labels(client_for("ana").get("/search?q=acme").json) == ["Acme de Ana"]
    assert sorted(labels(client_for("leader").get("/search?q=acme").json)) == ["Acme de Ana", "Acme de Bob"]


def test_a_session_the_group_may_not_view_is_absent(client_for, make_sample, db, users):
    make_sample("ana", name="Acme")
    with unit_of_work():
        for row in db.query(Permission).filter_by(group_id=users["ana"].group_id, session_name="samples"):
            row.can_view = False
    assert labels(client_for("ana").get("/search?q=acme").json) == []


def test_the_first_matches_per_session_and_a_link_to_all(client_for, make_sample):
    for i in range(7):
        make_sample("ana", name=f"Acme {i}")
    group = client_for("ana").get("/search?q=acme").json["groups"][0]
    assert len(group["results"]) == 5
    assert group["more"] == "/s/samples?q=acme&all=1"


@pytest.mark.parametrize("q", ["", "a", "   ", "%", "_"])
def test_short_or_wildcard_text_finds_nothing_it_should_not(client_for, make_sample, q):
    make_sample("ana", name="Acme")
    assert labels(client_for("ana").get("/search", query_string={"q": q}).json) == []


def test_control_characters_are_refused(client_for):
    assert client_for("ana").get("/search?q=ac%00me").status_code == 400


def test_search_needs_a_signed_in_user(crm_app):
    response = crm_app.test_client().get("/search?q=acme")
    assert response.status_code in (302, 401)


@pytest.mark.crm(extra_plugins={"sample": sample}, plugins=["sales", "activities", "sample"], customer="hidden",
                 settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_a_hidden_session_is_absent_for_administrators_too(client_for, db, users):
    from tests.support.sample import Sample

    with unit_of_work():
        db.add(Sample(name="Acme", kind="sale", owner_id=users["admin"].id, creator_id=users["admin"].id))
    assert client_for("admin").get("/search?q=acme").json["groups"] == []


def test_the_top_bar_has_the_search_box_and_its_script(client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="global-search"' in html and 'role="combobox"' in html
    assert "/assets/core/search." in html and "<script>" not in html
