"""The home dashboard's key figures (EXT-07): pipeline value, weighted forecast, won this month
against the goal, rates, pipeline by stage and the team's won amounts per person — each user's
own, the team's only for users who see every record; every chart comes with its table."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crm_core.errors import ConfigError
from plugins.sales import kpis
from plugins.sales.schemas import SalesSettings

GOALS = pytest.mark.crm(
    plugins=["sales", "activities"], customer="goals",
    settings={"CRM_OVERRIDES_DIR": str(Path(__file__).parent / "customers")},
)
pytestmark = GOALS


@pytest.fixture
def pipeline(create, action):
    account = create("accounts", "ana", code="K0001", name="Levante")
    bob_account = create("accounts", "bob", code="K0002", name="Poniente")

    def opp(owner, name, amount, probability, account_id):
        return create("opportunities", owner, name=name, account_id=account_id, amount=amount, probability=probability)

    opp("ana", "Horno", "1000.00", 50, account.id)
    proposal = opp("ana", "Cámara", "3000.00", 20, account.id)
    action("opportunities", proposal, "change_stage", "ana", stage="proposal")
    won = opp("ana", "Vitrina", "2000.00", 90, account.id)
    action("opportunities", won, "close_won", "ana", reason="Best offer", close_date=date.today().isoformat())
    lost = opp("ana", "Mostrador", "500.00", 10, account.id)
    action("opportunities", lost, "close_lost", "ana", reason="price")
    opp("bob", "Freidora", "7000.00", 40, bob_account.id)


def _by_name(figures):
    return {(k.scope, k.name): k for k in figures}


def test_an_executive_sees_only_their_own_figures_against_their_goal(pipeline, db, access_for, users):
    figures = _by_name(kpis.kpis(db, access_for("ana"), users["ana"]))
    assert {scope for scope, _ in figures} == {"mine"}
    assert figures["mine", "pipeline"].value == Decimal("4000.00")
    assert figures["mine", "forecast"].value == Decimal("1100.00")
    won = figures["mine", "won_month"]
    assert (won.value, won.goal) == (Decimal("2000.00"), Decimal("4000.00"))
    assert figures["mine", "win_rate"].value == Decimal("50.0")
    stages = figures["mine", "pipeline_stages"]
    assert [value for _label, value in stages.rows] == [Decimal("1000.00"), Decimal("3000.00"), Decimal("0.00")]


def test_a_leader_sees_the_team_with_won_per_person(pipeline, db, access_for, users):
    figures = _by_name(kpis.kpis(db, access_for("leader"), users["leader"]))
    assert figures["mine", "pipeline"].value == Decimal("0.00")
    team = figures["team", "pipeline"]
    assert team.value == Decimal("11000.00")
    assert figures["team", "won_month"].goal == Decimal("10000.00")
    people = dict(figures["team", "won_people"].rows)
    assert people == {"Ana": Decimal("2000.00"), "Bob": Decimal("0.00")}


def test_the_home_page_draws_cards_and_every_chart_with_its_table(pipeline, client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    assert 'id="kpi-mine-pipeline"' in html and "4,000.00" in html
    assert "50 % of the goal of 4,000.00" in html
    assert 'id="kpi-mine-activities_due"' in html
    for figure in re.findall(r'<figure class="[^"]*crm-chart-figure".*?</figure>', html, re.S):
        assert 'class="crm-chart"' in figure and "<table" in figure and "<tbody>" in figure
    assert "kpi-team" not in html and "Freidora" not in html
    assert 'id="kpi-team-won_people"' not in html
    assert 'id="chart-team-won_people"' in client_for("leader").get("/").get_data(as_text=True)


def test_goals_are_checked_at_start_up():
    with pytest.raises(Exception, match="Must be greater than or equal to 0"):
        SalesSettings().load({"monthly_goals": {"ana": -5}})
    with pytest.raises(Exception, match="Not a valid number"):
        SalesSettings().load({"team_monthly_goal": "lots"})
    assert ConfigError
