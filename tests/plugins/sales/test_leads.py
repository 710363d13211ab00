"""Leads: qualify and disqualify (SAL-01..SAL-03) through the services and the generic actions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound
from plugins.sales import services
from plugins.sales.models import Account, Contact, Lead, Opportunity

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


def _lead(create, owner="ana", **extra):
    data = {"name": "Ferretería Ruiz", "company": "Ferretería Ruiz S.L.", "email": "carmen@ruiz.example",
            "contact_person": "Carmen Ruiz", "city": "Zaragoza", **extra}
    return create("leads", owner, **data)


def test_qualify_without_opportunity_or_contact_creates_a_provisional_account(create, action, db):
    lead = _lead(create)
    account = action("leads", lead, "qualify", "ana")
    assert lead.status == "qualified" and lead.qualified_at is not None
    assert account.code == "OP000001"
    assert account.status == "potential" and account.kind == "sale"
    assert account.name == "Ferretería Ruiz S.L." and account.owner_id == lead.owner_id
    assert db.scalar(select(func.count()).select_from(Opportunity)) == 0
    assert db.scalar(select(func.count()).select_from(Contact)) == 0


def test_qualify_with_opportunity_and_contact(create, action, db):
    lead = _lead(create)
    account = action(
        "leads", lead, "qualify", "ana",
        create_opportunity=True, opportunity_name="Primer pedido", opportunity_amount="1200.50",
        create_contact=True, contact_first_name="Carmen", contact_last_name="Ruiz", contact_position="Gerente",
    )
    opportunity = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    assert opportunity.account_id == account.id and opportunity.kind == "sale"
    assert opportunity.amount == Decimal("1200.50") and opportunity.status == "active"
    assert opportunity.stage == "prospecting"
    contact = db.scalar(select(Contact).where(Contact.account_id == account.id))
    assert (contact.first_name, contact.last_name, contact.position) == ("Carmen", "Ruiz", "Gerente")
    assert contact.email == "carmen@ruiz.example"


def test_provisional_codes_follow_a_sequence(create, action):
    codes = [action("leads", _lead(create, email=f"l{i}@x.example"), "qualify", "ana").code for i in range(3)]
    assert codes == ["OP000001", "OP000002", "OP000003"]


def test_qualify_a_lead_that_is_not_active_is_refused(create, action, db):
    lead = _lead(create)
    action("leads", lead, "qualify", "ana")
    with pytest.raises(BusinessRuleError):
        action("leads", lead, "qualify", "ana")
    assert db.scalar(select(func.count()).select_from(Account)) == 1


def test_qualify_service_refuses_a_disqualified_lead(create, action, db, access_for):
    lead = _lead(create)
    action("leads", lead, "disqualify", "ana", reason="No budget")
    with pytest.raises(BusinessRuleError), unit_of_work():
        services.qualify_lead(db, access_for("ana"), lead)
    assert db.get(Lead, lead.id).status == "disqualified"


def test_disqualify_keeps_the_lead_with_its_reason(create, action, db):
    lead = _lead(create)
    action("leads", lead, "disqualify", "ana", reason="Sin presupuesto")
    db.expire_all()
    stored = db.get(Lead, lead.id)
    assert (stored.status, stored.disqualify_reason) == ("disqualified", "Sin presupuesto")


@pytest.mark.parametrize("data", [{}, {"reason": ""}])
def test_disqualify_without_reason_is_refused_and_changes_nothing(create, action, db, data):
    lead = _lead(create)
    with pytest.raises(ValidationError):
        action("leads", lead, "disqualify", "ana", **data)
    db.expire_all()
    assert db.get(Lead, lead.id).status == "active"


def test_disqualify_service_refuses_a_blank_reason(create, db, access_for):
    lead = _lead(create)
    with pytest.raises(ValidationError), unit_of_work():
        services.disqualify_lead(db, access_for("ana"), lead, "   ")
    assert db.get(Lead, lead.id).status == "active"


def test_bob_cannot_qualify_anas_lead_but_the_leader_can(create, action, db):
    lead = _lead(create)
    with pytest.raises(NotFound):
        action("leads", lead, "qualify", "bob")
    account = action("leads", lead, "qualify", "leader")
    assert account.owner_id == lead.owner_id  # created for the lead's owner


def test_leads_import_keys_and_search_are_declared(sdef):
    leads = sdef("leads")
    assert leads.importable and leads.import_keys == ("email",)
    assert {"name", "company", "email"} <= set(leads.search)
    assert leads.where == {"kind": "sale"}


def test_bad_email_on_a_lead_is_refused(create):
    with pytest.raises(ValidationError) as err:
        _lead(create, email="not-an-email")
    assert "email" in err.value.messages


def test_leads_sessions_appear_in_the_menu_with_the_funnel(client_for):
    html = client_for("ana").get("/").get_data(as_text=True)
    for name in ("leads", "opportunities", "accounts", "contacts", "campaigns", "funnel", "potential_suppliers"):
        assert f'data-session="{name}"' in html
    assert 'href="/sales/funnel"' in html
