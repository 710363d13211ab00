"""End to end through the sales plugin and the REST API (ERP-01): qualify a lead with an
opportunity and a contact, win the opportunity; GL7 (a loopback double) is only called by the
worker, and the account detail screen shows GL7's code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm_core.outbox import DeliveryPolicy, process_batch
from plugins.erp_gl7.models import Gl7Link
from plugins.sales.models import Account, Opportunity

pytestmark = pytest.mark.crm(plugins=["sales", "erp_gl7"])
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)


def test_qualify_and_win_through_the_api_reach_gl7_via_the_worker(db, client_for, gl7):
    ana = client_for("ana")
    lead = ana.post("/api/v1/leads", json={"name": "Ferretería Ruiz", "email": "carmen@ruiz.example"})
    assert lead.status_code == 201, lead.json
    done = ana.post(
        f"/api/v1/leads/{lead.json['id']}/actions/qualify",
        json={"create_opportunity": True, "opportunity_name": "Primer pedido",
              "create_contact": True, "contact_last_name": "Ruiz"},
    )
    assert done.status_code == 200, done.json
    assert gl7.requests == []  # the user did not wait on GL7
    assert process_batch(policy=FAST).sent == 2
    account = db.scalar(select(Account).where(Account.id == done.json["result"]["item"]["id"]))
    assert gl7.entities[account.uid]["provisional_code"].startswith("OP")
    assert len(gl7.contacts) == 1

    opportunity = db.scalar(select(Opportunity).where(Opportunity.account_id == account.id))
    won = ana.post(f"/api/v1/opportunities/{opportunity.id}/actions/close_won",
                   json={"reason": "signed", "account_code": "C-7001"})
    assert won.status_code == 200, won.json
    assert process_batch(policy=FAST).sent == 1
    assert gl7.entities[account.uid]["status"] == "customer"
    assert db.scalar(select(Gl7Link.gl7_code).where(Gl7Link.crm_uid == account.uid)) == "C-7001"

    page = ana.get(f"/s/accounts/{account.id}?tab=erp_gl7")
    assert page.status_code == 200
    assert b'id="gl7-code">C-7001' in page.data and b"up to date" in page.data
