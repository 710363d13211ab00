"""Purchasing is sales with kind = purchase: same tables, rules and declarations (PUR-01)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from crm_core.errors import NotFound
from crm_core.security.access import get_element
from crm_core.services.queries import ListQuery, fetch_page
from plugins.sales.models import Contact, Lead, Opportunity
from tests.plugins.sales.conftest import requires_route

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


def test_purchasing_sessions_are_the_sales_declarations_with_kind_purchase(sdef):
    pairs = {"potential_suppliers": "leads", "purchase_opportunities": "opportunities",
             "suppliers": "accounts", "supplier_contacts": "contacts"}
    for purchase, sale in pairs.items():
        p, s = sdef(purchase), sdef(sale)
        assert p.model is s.model and p.module == "purchasing" and s.module == "sales"
        assert (p.where, s.where) == ({"kind": "purchase"}, {"kind": "sale"})
        assert [a.name for a in p.actions] == [a.name for a in s.actions]
        assert p.deletable == s.deletable


def test_qualifying_a_potential_supplier_makes_purchase_records(create, action, db):
    lead = create("potential_suppliers", "ana", name="Papelera del Norte", contact_person="Iñaki Etxeberria")
    assert lead.kind == "purchase"
    supplier = action("potential_suppliers", lead, "qualify", "ana", create_opportunity=True, create_contact=True)
    assert (supplier.kind, supplier.status, supplier.code[:2]) == ("purchase", "potential", "OP")
    opportunity = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    contact = db.scalar(select(Contact).where(Contact.account_id == supplier.id))
    assert opportunity.kind == "purchase" and contact.kind == "purchase"
    won = action("purchase_opportunities", opportunity, "close_won", "ana", reason="Mejor precio", account_code="P0001")
    assert (won.code, won.status) == ("P0001", "active")


def test_sales_and_purchase_codes_share_one_sequence(create, action):
    sale = action("leads", create("leads", "ana", name="Cliente"), "qualify", "ana")
    purchase = action("potential_suppliers", create("potential_suppliers", "ana", name="Proveedor"), "qualify", "ana")
    assert (sale.code, purchase.code) == ("OP000001", "OP000002")


def test_a_supplier_only_takes_purchase_opportunities(create):
    supplier = create("suppliers", "ana", code="P0001", name="Acme Packaging")
    with pytest.raises(ValidationError) as err:
        create("opportunities", "ana", name="Venta", account_id=supplier.id)
    assert "account_id" in err.value.messages
    assert create("purchase_opportunities", "ana", name="Compra", account_id=supplier.id).kind == "purchase"


def test_a_customer_takes_no_purchase_opportunity(create):
    customer = create("accounts", "ana", code="C0001", name="Levante")
    with pytest.raises(ValidationError):
        create("purchase_opportunities", "ana", name="Compra", account_id=customer.id)


def test_each_side_sees_only_its_own_kind(create, db, sdef, access_for):
    lead = create("leads", "ana", name="Cliente potencial")
    supplier_lead = create("potential_suppliers", "ana", name="Proveedor potencial")
    ana = access_for("ana")
    assert [e.name for e in fetch_page(db, sdef("potential_suppliers"), ana, ListQuery()).items] == [
        "Proveedor potencial"
    ]
    with pytest.raises(NotFound):
        get_element(db, sdef("leads"), ana, supplier_lead.id)
    with pytest.raises(NotFound):
        get_element(db, sdef("potential_suppliers"), ana, lead.id)
    assert {lead.kind for lead in db.scalars(select(Lead))} == {"sale", "purchase"}


def test_purchase_opportunities_have_no_campaign(sdef):
    fields = sdef("purchase_opportunities").schema().fields
    assert "campaign_id" not in fields and "campaign_id" in sdef("opportunities").schema().fields


def test_api_qualify_a_potential_supplier(crm_app, client_for):
    requires_route(crm_app, "api.run_action")
    ana = client_for("ana")
    lead = ana.post("/api/v1/potential_suppliers", json={"name": "Acme Packaging"}).json
    done = ana.post(f"/api/v1/potential_suppliers/{lead['id']}/actions/qualify", json={"create_opportunity": True})
    assert done.status_code == 200, done.json
    assert done.json["result"]["session_name"] == "suppliers"
    assert ana.get("/api/v1/purchase_opportunities").json["items"][0]["kind"] == "purchase"
    assert ana.get("/api/v1/opportunities").json["items"] == []


@pytest.mark.crm(plugins=["sales"])
def test_without_purchasing_there_are_no_purchase_sessions(crm_app):
    from crm_core.app import crm_state

    sessions = crm_state(crm_app).registry.sessions
    assert "leads" in sessions and "potential_suppliers" not in sessions
