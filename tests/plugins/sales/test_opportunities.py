"""Opportunities: close won / lost, stages, never deleted, fixed kind (SAL-04..SAL-06, SAL-10)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError
from crm_core.services import elements
from plugins.sales import services
from plugins.sales.models import Account, Opportunity, OpportunityStageChange

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])
CUSTOMERS = Path(__file__).parent / "customers"


@pytest.fixture
def from_lead(create, action, db):
    """An opportunity that came from a qualified lead (its account is provisional)."""
    lead = create("leads", "ana", name="Panadería La Espiga", email="jorge@espiga.example")
    account = action("leads", lead, "qualify", "ana", create_opportunity=True, opportunity_name="Horno nuevo")
    return db.scalar(select(Opportunity).where(Opportunity.account_id == account.id))


@pytest.fixture
def customer(create):
    return create("accounts", "ana", code="C0001", name="Distribuciones Levante S.L.")


def test_close_won_from_a_lead_activates_the_account_under_its_definitive_code(from_lead, action):
    account = action("opportunities", from_lead, "close_won", "ana", reason="Precio aceptado",
                     close_date="2026-11-20", account_code="C0100")
    assert (account.code, account.status) == ("C0100", "active")
    assert from_lead.status == "won" and from_lead.close_reason == "Precio aceptado"
    assert from_lead.close_date == date(2026, 11, 20)


def test_close_won_from_a_lead_needs_the_definitive_code(from_lead, action, db):
    with pytest.raises(ValidationError) as err:
        action("opportunities", from_lead, "close_won", "ana", reason="ok")
    assert "account_code" in err.value.messages
    db.expire_all()
    assert db.get(Opportunity, from_lead.id).status == "active"


@pytest.mark.parametrize("code", ["C0001", "OP999999"])
def test_close_won_with_a_used_or_provisional_code_is_refused_and_nothing_changes(from_lead, customer, action, db, code):
    provisional = from_lead.account.code
    with pytest.raises(ValidationError) as err:
        action("opportunities", from_lead, "close_won", "ana", reason="ok", account_code=code)
    assert "account_code" in err.value.messages
    db.expire_all()
    opportunity = db.get(Opportunity, from_lead.id)
    assert (opportunity.status, opportunity.close_reason, opportunity.close_date) == ("active", "", None)
    assert (opportunity.account.code, opportunity.account.status) == (provisional, "potential")


def test_close_won_from_an_existing_account_needs_no_code(customer, create, action):
    opportunity = create("opportunities", "ana", name="Renovación", account_id=customer.id, amount="900.00")
    account = action("opportunities", opportunity, "close_won", "ana", reason="Renewed")
    assert account.code == "C0001" and account.status == "active"
    assert opportunity.status == "won" and opportunity.close_date == date.today()


def test_close_lost_keeps_the_opportunity_queryable(customer, create, action, db, sdef, access_for):
    from crm_core.services.queries import ListQuery, fetch_page

    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    action("opportunities", opportunity, "close_lost", "ana", reason="Competidor más barato", close_date="2026-11-01")
    assert (opportunity.status, opportunity.close_reason) == ("lost", "Competidor más barato")
    page = fetch_page(db, sdef("opportunities"), access_for("ana"), ListQuery(status=["lost"]))
    assert [o.id for o in page.items] == [opportunity.id]


def test_closing_twice_is_refused(customer, create, action):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    action("opportunities", opportunity, "close_lost", "ana", reason="No")
    with pytest.raises(BusinessRuleError):
        action("opportunities", opportunity, "close_won", "ana", reason="Yes")


def test_close_lost_needs_a_reason(customer, create, action):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    with pytest.raises(ValidationError):
        action("opportunities", opportunity, "close_lost", "ana", reason="")


@pytest.mark.parametrize("session_name", ["opportunities", "accounts"])
def test_opportunities_and_accounts_cannot_be_deleted(customer, create, db, sdef, access_for, session_name):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    element = opportunity if session_name == "opportunities" else customer
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.delete(db, sdef(session_name), access_for("ana"), element)
    assert db.get(type(element), element.id) is not None


def test_accounts_are_set_inactive_and_back(customer, action):
    action("accounts", customer, "deactivate", "ana")
    assert customer.status == "inactive"
    action("accounts", customer, "reactivate", "ana")
    assert customer.status == "active"


def test_a_new_opportunity_starts_at_the_first_stage_and_changes_are_recorded(customer, create, action, db):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    assert opportunity.stage == "prospecting"
    action("opportunities", opportunity, "change_stage", "ana", stage="proposal")
    action("opportunities", opportunity, "change_stage", "ana", stage="negotiation")
    changes = services.stage_history(db, opportunity)
    assert [(c.from_stage, c.to_stage) for c in changes] == [
        ("", "prospecting"), ("prospecting", "proposal"), ("proposal", "negotiation"),
    ]
    assert {c.user_id for c in changes} == {opportunity.owner_id}


def test_unknown_stage_is_refused(customer, create, action, db):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    with pytest.raises(ValidationError):
        action("opportunities", opportunity, "change_stage", "ana", stage="pre-approve")
    assert len(db.scalars(select(OpportunityStageChange)).all()) == 1


@pytest.mark.crm(customer="bank", settings={"CRM_OVERRIDES_DIR": str(CUSTOMERS)})
def test_the_banks_stages_come_from_its_customer_settings(create, action, db):
    account = create("accounts", "ana", code="B001", name="Cliente banca")
    opportunity = create("opportunities", "ana", name="Préstamo", account_id=account.id)
    assert opportunity.stage == "pre-approve"
    action("opportunities", opportunity, "change_stage", "ana", stage="pre-qualify")
    action("opportunities", opportunity, "change_stage", "ana", stage="qualify")
    assert [c.to_stage for c in services.stage_history(db, opportunity)] == ["pre-approve", "pre-qualify", "qualify"]


def test_stage_cannot_be_edited_directly(customer, create, db, sdef, access_for):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    with pytest.raises(ValidationError), unit_of_work():
        elements.update(db, sdef("opportunities"), access_for("ana"), opportunity, {"stage": "negotiation"})
    assert opportunity.stage == "prospecting"


@pytest.mark.parametrize("field", ["kind", "lead_id", "status"])
def test_kind_and_derived_fields_cannot_be_changed(customer, create, db, sdef, access_for, field):
    opportunity = create("opportunities", "ana", name="Reforma", account_id=customer.id)
    with pytest.raises(ValidationError), unit_of_work():
        elements.update(db, sdef("opportunities"), access_for("ana"), opportunity, {field: "purchase"})
    db.expire_all()
    assert db.get(Opportunity, opportunity.id).kind == "sale"


def test_an_opportunity_needs_an_account(create):
    with pytest.raises(ValidationError) as err:
        create("opportunities", "ana", name="Sin cuenta")
    assert "account_id" in err.value.messages


def test_opportunity_can_reference_the_account_by_code(customer, create):
    opportunity = create("opportunities", "ana", name="Importada", account_code="C0001")
    assert opportunity.account_id == customer.id


def test_ana_cannot_attach_an_opportunity_to_bobs_account(create, db):
    bobs = create("accounts", "bob", code="C0200", name="Greenfield Foods Ltd")
    with pytest.raises(ValidationError) as err:
        create("opportunities", "ana", name="Intrusa", account_id=bobs.id)
    assert "account_id" in err.value.messages
    assert db.scalar(select(Opportunity.id).where(Opportunity.name == "Intrusa")) is None


def test_account_codes_are_unique_on_create_and_edit(customer, create, db, sdef, access_for):
    with pytest.raises(ValidationError):
        create("accounts", "ana", code="C0001", name="Duplicado")
    other = create("accounts", "ana", code="C0002", name="Otro")
    with pytest.raises(ValidationError), unit_of_work():
        elements.update(db, sdef("accounts"), access_for("ana"), other, {"code": "C0001"})
    db.expire_all()
    assert db.get(Account, other.id).code == "C0002"
    with unit_of_work():  # saving an unchanged code is not a duplicate of itself
        elements.update(db, sdef("accounts"), access_for("ana"), other, {"code": "C0002", "city": "Elche"})


def test_new_accounts_cannot_take_provisional_codes(create):
    with pytest.raises(ValidationError) as err:
        create("accounts", "ana", code="OP000777", name="Trampa")
    assert "code" in err.value.messages
