"""The demo company (``crm demo``, issue 17 item 12): hundreds of believable records in both
languages, every stage and six months of won and lost history, the same every time, written once,
audited, and through every plugin's own demo hook."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.demo import make_demo_data
from crm_core.models.audit import AuditEntry
from crm_core.models.notes import Note
from crm_core.phones import e164
from plugins.sales import demo_company, services
from plugins.sales.models import Account, Contact, Lead, Opportunity, OpportunityStageChange

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "cases"])

EMAIL = re.compile(r"^[a-z0-9.]+@[a-z0-9]+\.example$")


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_the_same_company_is_generated_every_time(db, users):
    owners = demo_company.team(users)
    first = demo_company.generate(date(2026, 5, 4), owners, services.stages())
    again = demo_company.generate(date(2026, 5, 4), owners, services.stages())
    assert first == again
    assert len(first.accounts) == demo_company.ACCOUNTS and len(first.leads) == demo_company.LEADS
    assert len({a["name"] for a in first.accounts + first.leads}) == demo_company.ACCOUNTS + demo_company.LEADS


def test_the_company_reads_like_a_real_team_in_both_languages(db, users):
    with unit_of_work():
        written = demo_company.load(db, users)
    assert written["accounts"] >= demo_company.ACCOUNTS and written["leads"] == demo_company.LEADS
    assert written["contacts"] >= demo_company.ACCOUNTS and written["notes"] > 0
    accounts = list(db.scalars(select(Account)))
    assert {a.country for a in accounts} == {"ES", "GB"}
    assert any("ñ" in a.name or "í" in a.name or "é" in a.name for a in accounts)  # Spanish names, accents kept
    people = list(db.scalars(select(Contact))) + list(db.scalars(select(Lead)))
    for record in people + accounts:
        assert record.phone_e164 and record.phone_e164 == e164(record.phone), record.phone
        assert record.phone_e164.startswith(("+34", "+44"))
        assert EMAIL.match(record.email), record.email
    opportunities = list(db.scalars(select(Opportunity)))
    active = [o for o in opportunities if o.status == "active"]
    assert {o.stage for o in active} == set(services.stages())  # every column of the board has cards
    assert all(o.amount and o.amount > 0 and 0 < o.probability < 100 for o in active)
    closed = [o for o in opportunities if o.status in ("won", "lost")]
    assert {o.status for o in closed} == {"won", "lost"}
    months = {(o.close_date.year, o.close_date.month) for o in closed}
    assert len(months) >= 5 and all(o.close_date <= date.today() for o in closed)  # history, never the future
    assert all(o.created_at.date() <= o.close_date for o in closed)
    leads = Counter(lead.status for lead in db.scalars(select(Lead)))
    assert set(leads) == {"active", "qualified", "disqualified"}  # the funnel has every step
    from_leads = list(db.scalars(select(Opportunity).where(Opportunity.lead_id.is_not(None))))
    assert len(from_leads) == leads["qualified"]
    assert {db.get(Account, o.account_id).status for o in from_leads} == {"potential", "active"}
    owners = {o.owner_id for o in opportunities}
    assert owners == {users[n].id for n in ("ana", "bob", "leader")}


def test_each_opportunity_has_its_pipeline_history_and_audit_row(db, users):
    with unit_of_work():
        demo_company.load(db, users)
    stages = services.stages()
    for opportunity in db.scalars(select(Opportunity).limit(60)):
        moves = [m.to_stage for m in db.scalars(select(OpportunityStageChange)
                 .where(OpportunityStageChange.opportunity_id == opportunity.id).order_by(OpportunityStageChange.at))]
        assert moves == stages[: stages.index(opportunity.stage) + 1]
        [created] = db.scalars(select(AuditEntry).where(AuditEntry.element_type == "sales_opportunity",
                                                        AuditEntry.element_id == opportunity.id,
                                                        AuditEntry.object_type.is_(None)))
        assert created.operation == "create" and created.user_id == opportunity.owner_id
        assert created.changes["name"] == [None, opportunity.name]


def test_running_the_demo_twice_adds_nothing(db, users):
    models = (Lead, Account, Contact, Opportunity, OpportunityStageChange, Note, AuditEntry)
    with unit_of_work():
        make_demo_data(db, users)
    first = [_count(db, m) for m in models]
    assert first[0] >= demo_company.LEADS
    with unit_of_work():
        assert demo_company.load(db, users) == {"accounts": 0, "leads": 0, "contacts": 0, "opportunities": 0,
                                                "notes": 0}
        make_demo_data(db, users)
    assert [_count(db, m) for m in models] == first


def test_a_partial_company_is_completed_not_doubled(db, users):
    """Records removed (or never written) are written again under their uid; the rest stay."""
    with unit_of_work():
        demo_company.load(db, users)
    total = _count(db, Lead)
    with unit_of_work():
        gone = db.scalars(select(Lead).where(Lead.status == "active").limit(3)).all()
        for lead in gone:
            db.delete(lead)
    with unit_of_work():
        assert demo_company.load(db, users)["leads"] == 3
    assert _count(db, Lead) == total


def test_the_team_does_a_quarter_of_activities(db, users):
    from plugins.activities import demo as activities_demo
    from plugins.activities.models import Activity

    make_demo_data(db, users)
    db.commit()
    activities = list(db.scalars(select(Activity).where(Activity.owner_id == users["ana"].id)))
    today = date.today()
    days = {a.starts_at.date() for a in activities}
    assert min(days) <= today - timedelta(days=40) and max(days) >= today + timedelta(days=40)
    statuses = Counter((a.status, a.starts_at.date() < today) for a in activities)
    assert statuses[("done", True)] > statuses[("planned", True)] > 0  # mostly done, some overdue
    assert statuses[("cancelled", True)] > 0 and statuses[("planned", False)] > 0
    assert not any(a.status == "done" and a.starts_at.date() > today for a in activities)
    linked = [a for a in activities if a.element_id]
    assert len(linked) > len(activities) / 2 and {a.session_name for a in linked} >= {"leads", "accounts"}
    assert all(a.starts_at.weekday() < 5 for a in activities if a.uid not in _plan_uids(activities_demo))
    assert activities_demo.load_quarter(db, users) == 0


def _plan_uids(activities_demo):
    import uuid

    return {str(uuid.uuid5(activities_demo.DEMO_NAMESPACE, f"{u}-{n}"))
            for u in ("ana", "bob", "leader") for n in range(len(activities_demo.PLAN))}


def test_the_board_and_dashboard_read_like_a_real_teams(db, users, client_for):
    make_demo_data(db, users)
    db.commit()
    board = client_for("leader").get("/s/opportunities/board")
    assert board.status_code == 200
    html = board.get_data(as_text=True)
    assert html.count('class="card crm-card') >= 30  # the first page of every column has cards
    funnel = client_for("leader").get("/sales/funnel").get_data(as_text=True)
    won = re.search(r'data-step="won">.*?data-value="(\d+)"', funnel, re.S)
    assert won and int(won[1]) >= 20
