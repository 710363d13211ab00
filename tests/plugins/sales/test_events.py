"""Event hooks fire exactly once per event, inside the transaction, and never for a refused or
rolled-back operation (SAL-02, SAL-05, SAL-06, SAL-08; the ERP listens to these)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.testing import make_plugin
from plugins.sales.models import Account, Lead, Opportunity

CALLS: list[tuple[str, object]] = []


def _qualified(lead, account, opportunity, contact, user, db):
    if lead.name == "boom":
        raise RuntimeError("integration refused")
    CALLS.append(("qualified", (lead.id, account.code, opportunity is not None, contact is not None, user.username)))


def _contact(contact, account, user, db):
    CALLS.append(("contact", (contact.last_name, account.id)))


def _won(opportunity, account, user, db):
    CALLS.append(("won", (opportunity.id, account.code)))


def _lost(opportunity, user, db):
    CALLS.append(("lost", opportunity.id))


recorder = make_plugin(
    "recorder",
    requires=("sales",),
    crm_lead_qualified=_qualified,
    crm_contact_created=_contact,
    crm_opportunity_won=_won,
    crm_opportunity_lost=_lost,
)
pytestmark = pytest.mark.crm(plugins=["sales", "purchasing", "recorder"], extra_plugins={"recorder": recorder})


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()
    yield
    CALLS.clear()


def test_qualify_fires_lead_qualified_and_contact_created_once(create, action):
    lead = create("leads", "ana", name="Ferretería Ruiz", contact_person="Carmen Ruiz")
    account = action("leads", lead, "qualify", "ana", create_opportunity=True, create_contact=True)
    assert [
        ("qualified", (lead.id, account.code, True, True, "ana")),
        ("contact", ("Ruiz", account.id)),
    ] == CALLS


def test_qualify_without_contact_fires_no_contact_event(create, action):
    lead = create("leads", "ana", name="Talleres Gómez")
    action("leads", lead, "qualify", "ana")
    assert [name for name, _ in CALLS] == ["qualified"]


def test_a_failing_listener_rolls_the_whole_qualification_back(create, action, db):
    lead = create("leads", "ana", name="boom")
    with pytest.raises(RuntimeError):
        action("leads", lead, "qualify", "ana", create_opportunity=True, create_contact=True)
    db.expire_all()
    assert db.get(Lead, lead.id).status == "active"
    assert db.scalar(select(func.count()).select_from(Account)) == 0
    assert CALLS == []


def test_contacts_created_through_the_generic_service_fire_contact_created(create):
    account = create("accounts", "ana", code="C0001", name="Levante")
    create("contacts", "ana", account_id=account.id, first_name="Marta", last_name="Soler")
    assert [("contact", ("Soler", account.id))] == CALLS


def test_refused_contact_fires_nothing(create):
    with pytest.raises(ValidationError):
        create("contacts", "ana", account_id=999999, last_name="Nadie")
    assert CALLS == []


def test_won_and_lost_fire_once_and_a_refused_close_fires_nothing(create, action, db):
    account = create("accounts", "ana", code="C0001", name="Levante")
    lead = create("leads", "ana", name="Espiga")
    action("leads", lead, "qualify", "ana", create_opportunity=True)
    from_lead = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    other = create("opportunities", "ana", name="Otra", account_id=account.id)
    CALLS.clear()
    with pytest.raises(ValidationError):
        action("opportunities", from_lead, "close_won", "ana", reason="ok", account_code="C0001")
    assert CALLS == []
    action("opportunities", from_lead, "close_won", "ana", reason="ok", account_code="C0100")
    action("opportunities", other, "close_lost", "ana", reason="no")
    assert [("won", (from_lead.id, "C0100")), ("lost", other.id)] == CALLS
