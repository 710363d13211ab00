"""Demo data for sales (``crm demo``): the sales team (leader, ana, bob), Spanish
and English leads, customers, contacts, opportunities in several states, a campaign and a few
groupings, spread over the team.

Then the demo company's volume (plugins/sales/demo_company.py): hundreds of customers, contacts,
leads and opportunities over every stage with six months of won and lost history.

Idempotent: the hand-written records are not added again when the demo campaign exists, and the
demo company's records have fixed uids, so ``crm demo`` can run again after an upgrade without
duplicating records.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import DemoUser, Grouping, User, audit, crm_state, groupings
from plugins.sales import demo_company, services
from plugins.sales.models import Account, Campaign, Contact, Lead, Opportunity

DEMO_CAMPAIGN = "DEMO-SPRING"

TEAM = (
    DemoUser("leader", "Laura Leader", "Leaders", "es"),
    DemoUser("ana", "Ana Executive", "Executives", "es"),
    DemoUser("bob", "Bob Executive", "Executives", "en"),
)

#: (owner, session, title): each owner's grouping over up to three of their own records.
GROUPINGS = (
    ("ana", "accounts", "Key accounts"),
    ("bob", "accounts", "Key accounts"),
    ("leader", "leads", "Trade fair"),
)

LEADS = (
    # name, company, contact person, email, city, country, source, owner, kind, outcome
    ("Ferretería Ruiz", "Ferretería Ruiz S.L.", "Carmen Ruiz", "carmen@ferreteria-ruiz.example", "Zaragoza", "ES",
     "feria", "ana", "sale", "qualify"),
    ("Panadería La Espiga", "La Espiga S.C.", "Jorge Martín", "jorge@laespiga.example", "Valencia", "ES",
     "web", "ana", "sale", "won"),
    ("Talleres Gómez", "Talleres Gómez S.A.", "Lucía Gómez", "lucia@talleresgomez.example", "Sevilla", "ES",
     "llamada", "ana", "sale", "disqualify"),
    ("Northwind Traders", "Northwind Traders Ltd", "Emma Clark", "emma@northwind.example", "Leeds", "GB",
     "web", "bob", "sale", "lost"),
    ("Blue Harbour Cafe", "Blue Harbour Cafe", "Oliver Brown", "oliver@blueharbour.example", "Bristol", "GB",
     "referral", "bob", "sale", "active"),
    ("Construcciones Vega", "Construcciones Vega S.L.", "Pilar Vega", "pilar@cvega.example", "Madrid", "ES",
     "feria", "leader", "sale", "active"),
)

CUSTOMERS = (
    # code, name, city, owner, contact (first, last, position), opportunity (name, amount, stage index)
    ("C0001", "Distribuciones Levante S.L.", "Alicante", "ana", ("Marta", "Soler", "Compras"),
     ("Renovación contrato anual", "18500.00", 1)),
    ("C0002", "Greenfield Foods Ltd", "York", "bob", ("Harry", "Wilson", "Buyer"),
     ("New store fit-out", "42000.00", 2)),
    ("C0003", "Hoteles Mediterráneo S.A.", "Palma", "leader", ("Rosa", "Ferrer", "Dirección"),
     ("Equipamiento 40 habitaciones", "65000.00", 0)),
)


def _user(users: dict[str, User], name: str) -> User:
    return users.get(name) or next(iter(users.values()))


def _add(db: DbSession, element: Any, owner: User) -> Any:
    element.owner_id = owner.id
    element.creator_id = owner.id
    with audit.audit_context(user=owner):
        db.add(element)
        db.flush()
    return element


def load(db: DbSession, users: dict[str, User]) -> None:
    """Create the demo records once (see the module docstring), then what is missing of the demo
    company (plugins/sales/demo_company.py)."""
    if not users:
        return
    campaign = db.scalar(select(Campaign).where(Campaign.code == DEMO_CAMPAIGN))
    if campaign is None:
        campaign = _curated(db, users)
    demo_company.load(db, users, campaign)


def _curated(db: DbSession, users: dict[str, User]) -> Campaign:
    """The hand-written records, taken through the real services (qualify, win, lose …)."""
    today = date.today()
    leader = _user(users, "leader")
    campaign = _add(
        db,
        Campaign(code=DEMO_CAMPAIGN, name="Campaña primavera / Spring campaign", start=today - timedelta(days=30),
                 end=today + timedelta(days=60), status="active", budget=Decimal("12000.00"),
                 description="Ofertas de temporada para clientes de hostelería y comercio."),
        leader,
    )
    for code, name, city, owner_name, (first, last, position), (opp_name, amount, stage) in CUSTOMERS:
        owner = _user(users, owner_name)
        account = _add(db, Account(code=code, name=name, city=city, status="active", kind="sale"), owner)
        contact = Contact(account_id=account.id, first_name=first, last_name=last, position=position, kind="sale")
        _add(db, contact, owner)
        opportunity = _add(
            db,
            Opportunity(name=opp_name, account_id=account.id, amount=Decimal(amount), kind="sale",
                        campaign_id=campaign.id, expected_close=today + timedelta(days=45), probability=40),
            owner,
        )
        services.start_pipeline(db, [opportunity], owner)
        for step in services.stages()[1 : stage + 1]:  # stage by stage, as the customer's transitions allow
            if services.stage_refusal(opportunity, step) is not None:
                break
            services.change_stage(db, services.access_of(db, owner), opportunity, step)
    add_leads(db, users, LEADS, campaign)
    _groupings(db, users)
    return campaign


def add_leads(db: DbSession, users: dict[str, User], rows: Any, campaign: Campaign | None = None) -> None:
    """Demo leads taken through the real services (qualify, win, lose …); rows are
    ``(name, company, person, email, city, country, source, owner, kind, outcome)``. Purchasing
    gives its own rows (kind ``purchase``); a lead whose email exists already is skipped."""
    for name, company, person, email, city, country, source, owner_name, kind, outcome in rows:
        if db.scalar(select(Lead.id).where(Lead.email == email, Lead.kind == kind)) is not None:
            continue
        owner = _user(users, owner_name)
        lead = _add(db, Lead(name=name, company=company, contact_person=person, email=email, city=city,
                             country=country, source=source, kind=kind), owner)
        with audit.audit_context(user=owner):
            _play(db, services.access_of(db, owner), lead, outcome, campaign)
    db.flush()


def _groupings(db: DbSession, users: dict[str, User]) -> None:
    """Each owner's demo grouping, filled through the groupings service (as the detail tab does)."""
    registry = crm_state().registry
    for username, session_name, title in GROUPINGS:
        owner, sdef = users.get(username), registry.sessions.get(session_name)
        if owner is None or sdef is None or sdef.model is None:
            continue
        grouping = Grouping(name=f"{title} ({owner.display_name()})", session_name=sdef.name, owner_id=owner.id,
                            creator_id=owner.id)
        db.add(grouping)
        db.flush()
        access = services.access_of(db, owner)
        conds = [getattr(sdef.model, k) == v for k, v in sdef.where.items()]
        for element in db.scalars(select(sdef.model).where(sdef.model.owner_id == owner.id, *conds).limit(3)):
            groupings.add_member(db, sdef, access, element, grouping.id)


def _play(db: DbSession, access: Any, lead: Lead, outcome: str, campaign: Campaign | None) -> None:
    """Take a demo lead through the real services, so demo data obeys the business rules."""
    if outcome == "active":
        return
    if outcome == "disqualify":
        services.disqualify_lead(db, access, lead, "Sin presupuesto este año / no budget this year")
        return
    services.qualify_lead(db, access, lead, create_opportunity=True, opportunity_name=f"{lead.name} – primer pedido",
                          opportunity_amount=Decimal("7500.00"), create_contact=True)
    opportunity = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
    if campaign is not None:
        opportunity.campaign_id = campaign.id
    if outcome == "won":
        services.close_won(db, access, opportunity, "Precio y plazo aceptados", account_code=f"C{lead.id:04d}W")
    elif outcome == "lost":
        services.close_lost(db, access, opportunity, "Chose a cheaper competitor")
