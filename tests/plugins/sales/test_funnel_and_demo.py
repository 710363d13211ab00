"""Funnel numbers, owner scoping and SVG (SAL-11); demo data loads once (crm demo)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import PermissionDenied
from plugins.sales import demo, demo_company, funnel
from plugins.sales.models import Account, Campaign, Contact, Lead, Opportunity

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


@pytest.fixture
def pipeline(create, action, db):
    """ana: 3 leads (1 qualified → won, 1 disqualified, 1 active); bob: 1 lead qualified → lost."""
    leads = [create("leads", "ana", name=f"Ana {i}") for i in range(3)]
    bobs = create("leads", "bob", name="Bob 1")
    action("leads", leads[0], "qualify", "ana", create_opportunity=True)
    action("leads", leads[1], "disqualify", "ana", reason="no")
    action("leads", bobs, "qualify", "bob", create_opportunity=True)
    for lead, name, data in ((leads[0], "close_won", {"account_code": "C1"}), (bobs, "close_lost", {})):
        opportunity = db.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
        action("opportunities", opportunity, name, "leader", reason="r", **data)
    return leads


def _numbers(steps):
    return {s.key: (s.count, s.lost) for s in steps}


def test_funnel_counts_each_step_with_its_losses(pipeline, db, access_for, users):
    everyone = _numbers(funnel.compute(db, access_for("leader")))
    assert everyone == {"leads": (4, None), "qualified": (2, 1), "opportunities": (2, None), "won": (1, 1)}
    only_bob = _numbers(funnel.compute(db, access_for("leader"), owner_id=users["bob"].id))
    assert only_bob == {"leads": (1, None), "qualified": (1, 0), "opportunities": (1, None), "won": (0, 1)}


def test_executives_see_only_their_own_funnel_whatever_owner_they_ask(pipeline, db, access_for, users):
    ana = _numbers(funnel.compute(db, access_for("ana"), owner_id=users["bob"].id))
    assert ana == {"leads": (3, None), "qualified": (1, 1), "opportunities": (1, None), "won": (1, 0)}


def test_funnel_period_filters_by_creation_date(pipeline, db, access_for):
    with unit_of_work():
        db.execute(Lead.__table__.update().values(created_at=datetime(2025, 1, 10, tzinfo=UTC)))
    steps = _numbers(funnel.compute(db, access_for("leader"), date(2025, 1, 1), date(2025, 1, 31)))
    assert steps["leads"] == (4, None) and steps["opportunities"] == (0, None)
    assert _numbers(funnel.compute(db, access_for("leader"), date(2026, 1, 1)))["leads"] == (0, None)


def test_funnel_needs_the_funnel_permission(db, access_for, users):
    from crm_core.security.access import Access

    ana = access_for("ana")
    with pytest.raises(PermissionDenied):
        funnel.compute(db, Access(ana.user, {k: v for k, v in ana.perms.items() if k != "funnel"}))


def test_funnel_page_draws_the_chart_from_its_table(pipeline, client_for):
    page = client_for("leader").get("/sales/funnel")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    figure = html.split('id="funnel-figure"', 1)[1].split("</figure>", 1)[0]
    assert 'id="funnel-chart" data-chart="funnel"' in figure and 'data-step="won"' in figure
    assert re.search(r'data-step="leads">\s*<td[^>]*data-chart-label><a [^>]*>Leads</a></td>\s*<td[^>]*data-value="\d+"', figure)
    assert "/vendor/echarts/dist/echarts.min." in html and "<script>" not in html
    assert 'id="funnel-table"' in html and 'id="funnel-owner"' in html


def test_funnel_page_for_an_executive_has_no_owner_filter(pipeline, client_for, users):
    html = client_for("ana").get(f"/sales/funnel?owner={users['bob'].id}").get_data(as_text=True)
    assert 'id="funnel-owner"' not in html
    assert '<td data-label="Count" class="text-end" data-value="3">3</td>' in html


def test_funnel_page_refuses_a_bad_date_clearly(client_for):
    page = client_for("leader").get("/sales/funnel?from=yesterday")
    assert page.status_code == 400
    assert "is not a date" in page.get_data(as_text=True)


def _counts(db):
    return [db.scalar(select(func.count()).select_from(m)) for m in (Lead, Account, Contact, Opportunity, Campaign)]


def test_demo_data_loads_once_and_twice_adds_nothing(db, users):
    with unit_of_work():
        demo.load(db, users)
    first = _counts(db)
    assert all(first) and first[0] == len(demo.LEADS) + demo_company.LEADS
    assert set(db.scalars(select(Opportunity.status))) == {"active", "won", "lost"}
    assert set(db.scalars(select(Lead.owner_id))) == {users[n].id for n in ("ana", "bob", "leader")}
    with unit_of_work():
        demo.load(db, users)
    assert _counts(db) == first


def test_funnel_page_speaks_spanish(client_for, users, db):
    users["ana"].language = "es"
    db.commit()
    html = client_for("ana").get("/sales/funnel").get_data(as_text=True)
    assert "Embudo de ventas" in html and "Clientes potenciales" in html


def test_funnel_shows_amounts_and_conversion(pipeline, db, access_for):
    for opportunity, amount in zip(db.scalars(select(Opportunity).order_by(Opportunity.id)), ("1500.00", "400.00"),
                                   strict=True):
        opportunity.amount = amount
    db.commit()
    steps = {s.key: s for s in funnel.compute(db, access_for("leader"))}
    assert steps["qualified"].conversion == 50.0 and steps["leads"].conversion is None
    assert steps["opportunities"].amount == 1900 and steps["won"].amount == 1500 and steps["won"].lost_amount == 400
    assert steps["won"].conversion == 50.0


def test_each_step_drills_down_to_the_records_it_counts(pipeline, db, client_for, users):
    leader = client_for("leader")
    html = leader.get("/sales/funnel").get_data(as_text=True)
    assert 'href="/sales/funnel/won"' in html and 'href="/sales/funnel/lost"' in html
    won = leader.get("/sales/funnel/won").get_data(as_text=True)
    assert won.count('<tr data-id=') == 1 and "Ana 0" in won
    lost = leader.get(f"/sales/funnel/lost?owner={users['bob'].id}").get_data(as_text=True)
    assert lost.count('<tr data-id=') == 1 and "Bob 1" in lost
    assert leader.get(f"/sales/funnel/lost?owner={users['ana'].id}").get_data(as_text=True).count('<tr data-id=') == 0
    # an executive drills into their own records only, whatever owner they ask for
    ana = client_for("ana").get(f"/sales/funnel/leads?owner={users['bob'].id}").get_data(as_text=True)
    assert ana.count('<tr data-id=') == 3 and "Bob 1" not in ana
    assert leader.get("/sales/funnel/nowhere").status_code == 404
    assert leader.get("/sales/funnel/won?from=yesterday").status_code == 400
    assert leader.get("/sales/funnel/won?before=x").status_code == 400
