"""Sales states follow the declared workflows (leads, opportunities, accounts) and pipeline
stages follow the customer's transitions (SAL-10): a refused move names the visible states and
writes nothing; each transition is audited with its action."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_core.app import create_app
from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, ConfigError
from crm_core.testing.plugin import base_settings
from plugins.sales import services
from plugins.sales.models import Lead, Opportunity, OpportunityStageChange
from tests.support.audit import audit_rows

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])
PIPELINE = pytest.mark.crm(
    plugins=["sales"], customer="pipeline", settings={"CRM_OVERRIDES_DIR": str(Path(__file__).parent / "customers")}
)


@pytest.fixture
def lead(create):
    return create("leads", "ana", name="Ferretería Ruiz", email="carmen@ruiz.example")


@pytest.fixture
def opportunity(create):
    account = create("accounts", "ana", code="C0001", name="Distribuciones Levante S.L.")
    return create("opportunities", "ana", name="Horno nuevo", account_id=account.id)


def test_a_qualification_is_audited_as_a_status_transition(lead, action, db):
    action("leads", lead, "qualify", "ana")
    assert ("qualify", ["active", "qualified"]) in [(a, c.get("status")) for a, c in audit_rows(db, lead)]


def test_a_qualified_lead_shows_no_qualify_or_disqualify_action(lead, action, client_for):
    url = f"/s/leads/{lead.id}"
    assert 'data-action="disqualify"' in client_for("ana").get(url).get_data(as_text=True)
    action("leads", lead, "qualify", "ana")
    html = client_for("ana").get(url).get_data(as_text=True)
    assert 'data-action="qualify"' not in html and 'data-action="disqualify"' not in html


def test_disqualifying_a_qualified_lead_through_the_api_names_its_state_and_writes_nothing(
    lead, action, client_for, db
):
    action("leads", lead, "qualify", "ana")
    before = audit_rows(db, lead)
    response = client_for("ana").post(f"/api/v1/leads/{lead.id}/actions/disqualify", json={"reason": "No budget"})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "“Disqualify” is not possible: the Lead is Qualified."
    db.expire_all()
    assert db.get(Lead, lead.id).status == "qualified" and audit_rows(db, lead) == before


def test_the_qualify_service_refuses_a_disqualified_lead_before_writing(lead, action, access_for, db):
    action("leads", lead, "disqualify", "ana", reason="No budget")
    refused = "“Qualify” is not possible: the Lead is Disqualified."
    with pytest.raises(BusinessRuleError, match=refused), unit_of_work():
        services.qualify_lead(db, access_for("ana"), lead)


def test_a_closed_opportunity_cannot_change_stage_on_the_screen(opportunity, action, client_for, db):
    action("opportunities", opportunity, "close_lost", "ana", reason="No")
    assert ("close_lost", ["active", "lost"]) in [(a, c.get("status")) for a, c in audit_rows(db, opportunity)]
    response = client_for("ana").post(f"/s/opportunities/{opportunity.id}/action/change_stage",
                                      data={"stage": "proposal"})
    assert response.status_code == 409
    assert "“Change stage” is not possible: the Opportunity is Lost." in response.get_data(as_text=True)


def test_by_default_any_stage_goes_to_any_other(opportunity, action):
    action("opportunities", opportunity, "change_stage", "ana", stage="negotiation")
    action("opportunities", opportunity, "change_stage", "ana", stage="prospecting")
    assert opportunity.stage == "prospecting"


@PIPELINE
def test_a_stage_move_the_customer_does_not_allow_is_refused_and_writes_nothing(opportunity, client_for, db):
    changes = db.scalar(select(func.count()).select_from(OpportunityStageChange))
    response = client_for("ana").post(f"/api/v1/opportunities/{opportunity.id}/actions/change_stage",
                                      json={"stage": "negotiation"})
    assert response.status_code == 422
    message = "The Opportunity cannot go from Prospecting to Negotiation; from Prospecting it can go to Proposal."
    assert response.get_json()["error"]["fields"] == {"stage": [message]}
    db.expire_all()
    assert db.get(Opportunity, opportunity.id).stage == "prospecting"
    assert db.scalar(select(func.count()).select_from(OpportunityStageChange)) == changes


@PIPELINE
def test_the_customers_stage_transitions_are_followed_step_by_step(opportunity, action, client_for):
    action("opportunities", opportunity, "change_stage", "ana", stage="proposal")
    action("opportunities", opportunity, "change_stage", "ana", stage="negotiation")
    response = client_for("ana").post(f"/s/opportunities/{opportunity.id}/action/change_stage",
                                      data={"stage": "prospecting"})
    assert response.status_code == 400
    assert "from Negotiation it can go to Proposal." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("transitions", "message"),
    [
        ('prospectin = ["proposal"]', r"\[settings.sales.stage_transitions\].*prospectin: unknown stage prospectin"),
        ('proposal = ["closing"]', r"\[settings.sales.stage_transitions\].*proposal: unknown stage closing"),
    ],
)
def test_a_stage_transition_naming_an_unknown_stage_stops_start_up(tmp_path, transitions, message):
    client = tmp_path / "acme"
    client.mkdir()
    toml = f"""
        [plugins]
        enabled = ["sales"]

        [settings.sales.stage_transitions]
        {transitions}
    """
    (client / "customer.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        create_app(base_settings("sqlite://", CRM_CUSTOMER="acme", CRM_OVERRIDES_DIR=str(tmp_path)))
