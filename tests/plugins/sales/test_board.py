"""The opportunities' pipeline board (EXT-04) served by the generic board screen from the
session's ``Board`` declaration: figures per stage, ownership, filters, moves through the
``change_stage`` action and its rules, the per-column pages and the detail's stage buttons."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from plugins.sales.models import Opportunity, OpportunityStageChange

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])
PIPELINE = pytest.mark.crm(
    plugins=["sales"], customer="pipeline", settings={"CRM_OVERRIDES_DIR": str(Path(__file__).parent / "customers")}
)
JSON = {"Accept": "application/json"}


@pytest.fixture
def account(create):
    return create("accounts", "ana", code="C0001", name="Levante")


@pytest.fixture
def opp(create, account):
    def make(name: str, owner: str = "ana", amount: str = "1000.00", probability: int = 50):
        return create("opportunities", owner, name=name, account_id=account.id, amount=amount, probability=probability)
    return make


def test_the_board_shows_each_stage_with_count_amount_and_weighted_sum(opp, action, client_for):
    opp("Horno", amount="1000.00", probability=50)
    moved = opp("Cámara", amount="3000.00", probability=20)
    action("opportunities", moved, "change_stage", "ana", stage="proposal")
    figures = client_for("ana").get("/s/opportunities/board/totals").json
    assert figures["prospecting"] == {"count": 1, "amount": "1,000.00", "weighted": "500.00"}
    assert figures["proposal"] == {"count": 1, "amount": "3,000.00", "weighted": "600.00"}
    assert figures["negotiation"]["count"] == 0
    html = client_for("ana").get("/s/opportunities/board").get_data(as_text=True)
    assert html.index("Prospecting") < html.index("Proposal") < html.index("Negotiation")
    assert "Horno" in html and "Cámara" in html


def test_the_board_never_shows_or_sums_what_the_user_may_not_see(opp, client_for, create, db, users):
    opp("De Ana", amount="1000.00")
    theirs = create("accounts", "bob", code="C0002", name="Norte")
    create("opportunities", "bob", name="De Bob", account_id=theirs.id, amount="9000.00", probability=90)
    html = client_for("ana").get("/s/opportunities/board?all=1").get_data(as_text=True)
    assert "De Ana" in html and "De Bob" not in html
    assert client_for("ana").get("/s/opportunities/board/totals?all=1").json["prospecting"]["count"] == 1
    assert client_for("leader").get("/s/opportunities/board/totals?all=1").json["prospecting"]["count"] == 2
    assert client_for("leader").get("/s/opportunities/board/totals").json["prospecting"]["count"] == 0


def test_the_board_filters_like_the_grid(opp, action, client_for):
    opp("Horno de leña")
    lost = opp("Cámara frigorífica")
    action("opportunities", lost, "close_lost", "ana", reason="precio")
    ana = client_for("ana")
    assert ana.get("/s/opportunities/board/totals").json["prospecting"]["count"] == 1  # open ones by default
    assert ana.get("/s/opportunities/board/totals?status=Lost").json["prospecting"]["count"] == 1
    assert ana.get("/s/opportunities/board/totals?q=frigo&status=Lost&status=Active").json["prospecting"]["count"] == 1
    assert ana.get("/s/opportunities/board/totals?q=nada").json["prospecting"]["count"] == 0


def test_a_move_runs_the_action_and_records_the_stage_change(opp, client_for, db):
    horno = opp("Horno")
    response = client_for("ana").post(f"/s/opportunities/board/{horno.id}/move", data={"to": "proposal"}, headers=JSON)
    assert response.status_code == 200 and response.json["ok"], response.json
    db.expire_all()
    assert db.get(Opportunity, horno.id).stage == "proposal"
    changes = db.scalars(select(OpportunityStageChange).where(OpportunityStageChange.opportunity_id == horno.id))
    assert [(c.from_stage, c.to_stage) for c in changes][-1] == ("prospecting", "proposal")


@pytest.mark.parametrize(("target", "reason"), [("prospecting", "already at this stage"), ("closing", "Unknown column")])
def test_a_bad_move_is_refused_with_the_reason_and_changes_nothing(opp, client_for, db, target, reason):
    horno = opp("Horno")
    response = client_for("ana").post(f"/s/opportunities/board/{horno.id}/move", data={"to": target}, headers=JSON)
    assert response.status_code == 409
    assert reason in response.json["message"] and not response.json["ok"]
    db.expire_all()
    assert db.get(Opportunity, horno.id).stage == "prospecting"


def test_a_closed_opportunity_is_not_movable(opp, action, client_for, db):
    lost = opp("Perdida")
    action("opportunities", lost, "close_lost", "ana", reason="precio")
    response = client_for("ana").post(f"/s/opportunities/board/{lost.id}/move", data={"to": "proposal"}, headers=JSON)
    assert response.status_code == 409 and "not possible" in response.json["message"]
    html = client_for("ana").get("/s/opportunities/board?status=Lost").get_data(as_text=True)
    assert not re.search(rf'crm-movable" data-id="{lost.id}"', html) and f"move-{lost.id}" not in html


def test_someone_elses_card_cannot_be_moved(opp, client_for, db):
    horno = opp("Horno")
    response = client_for("bob").post(f"/s/opportunities/board/{horno.id}/move", data={"to": "proposal"}, headers=JSON)
    assert response.status_code == 404
    db.expire_all()
    assert db.get(Opportunity, horno.id).stage == "prospecting"


def test_a_plain_form_move_redirects_with_a_message(opp, client_for, db):
    horno = opp("Horno")
    ana = client_for("ana")
    response = ana.post(f"/s/opportunities/board/{horno.id}/move", data={"to": "negotiation", "back": "detail"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/s/opportunities/{horno.id}")
    page = ana.get(f"/s/opportunities/{horno.id}").get_data(as_text=True)
    assert "Horno moved to Negotiation." in page
    assert 'aria-current="step" disabled data-stage="negotiation"' in page


@PIPELINE
def test_the_customers_transitions_refuse_a_skip_on_the_board(opp, client_for, db):
    horno = opp("Horno")
    response = client_for("ana").post(f"/s/opportunities/board/{horno.id}/move", data={"to": "negotiation"}, headers=JSON)
    assert response.status_code == 409
    assert "Prospecting" in response.json["message"] and "Proposal" in response.json["message"]


def test_columns_page_with_load_more(opp, client_for):
    for i in range(23):
        opp(f"Oportunidad {i:02d}")
    ana = client_for("ana")
    html = ana.get("/s/opportunities/board").get_data(as_text=True)
    assert html.count('class="card crm-card') == 20 + 1  # 20 cards and the template
    more = ana.get("/s/opportunities/board/column?stage=prospecting&page=2").json
    assert len(more["cards"]) == 3 and not more["has_more"]
    assert {c["label"] for c in more["cards"]} == {"Oportunidad 00", "Oportunidad 01", "Oportunidad 02"}


@pytest.mark.parametrize("url", ["/s/opportunities/board/column?stage=nope", "/s/opportunities/board/column?stage=prospecting&page=x"])
def test_bad_column_requests_are_refused(client_for, url):
    assert client_for("ana").get(url).status_code == 400


def test_sessions_without_a_board_have_none(client_for):
    assert client_for("ana").get("/s/leads/board").status_code == 404
    assert 'id="tool-board"' not in client_for("ana").get("/s/leads").get_data(as_text=True)
    assert 'id="tool-board"' in client_for("ana").get("/s/opportunities").get_data(as_text=True)


def test_the_detail_shows_the_stage_with_one_click_buttons(opp, client_for):
    horno = opp("Horno")
    html = client_for("ana").get(f"/s/opportunities/{horno.id}").get_data(as_text=True)
    assert 'id="stage-bar"' in html
    assert 'aria-current="step" disabled data-stage="prospecting"' in html
    assert 'name="to" value="proposal"' in html
