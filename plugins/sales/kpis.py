"""Key figures of the home dashboard (EXT-07): pipeline value, weighted forecast, won this month
against the goal, win rate and lead conversion, per user and per team, with the pipeline by
stage and the team's won amounts per person as charts with their tables.

Everything is counted through the one ownership filter (``scoped``): a user's own figures are
their records; team figures (the members of the user's group) only for users who see every
record (leaders, administrators): the active users who own opportunities or have a goal. Goals
are the month's on Sales → Goals (``plugins/sales/goals.py``), else ``[settings.sales]
monthly_goals`` (username → won amount per month) and ``team_monthly_goal`` (the team's amount).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, Kpi, User, scoped
from plugins.sales.goals import for_month
from plugins.sales.models import Lead, Opportunity
from plugins.sales.services import sdef_for, stage_choices

ZERO = Decimal("0")
#: Win rate and lead conversion look back this far.
RATE_DAYS = 90


def _month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def _sum(db: DbSession, sdef: Any, access: Access, owners: list[int], column: Any, *where: Any) -> Decimal:
    stmt = scoped(sdef, access, True, stmt=select(func.coalesce(func.sum(column), 0)).select_from(Opportunity))
    value = db.scalar(stmt.where(Opportunity.owner_id.in_(owners), *where))
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _counts(db: DbSession, sdef: Any, access: Access, model: Any, owners: list[int], *where: Any) -> dict[str, int]:
    stmt = scoped(sdef, access, True, stmt=select(model.status, func.count()).select_from(model))
    stmt = stmt.where(model.owner_id.in_(owners), *where).group_by(model.status)
    return {row[0]: row[1] for row in db.execute(stmt)}


def _rate(part: int, whole: int) -> Decimal | None:
    return None if whole == 0 else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def figures(
    db: DbSession, access: Access, owners: list[int], scope: str, goal: Decimal | None, today: date
) -> list[Kpi]:
    """The figures of the opportunities and leads owned by ``owners`` that ``access`` may see."""
    opportunities = sdef_for("sale", "opportunities")
    leads = sdef_for("sale", "leads")
    first, following = _month(today)
    since = datetime.combine(today - timedelta(days=RATE_DAYS), datetime.min.time(), tzinfo=UTC)
    open_ = Opportunity.status == "active"
    pipeline = _sum(db, opportunities, access, owners, Opportunity.amount, open_)
    weighted = _sum(
        db, opportunities, access, owners, Opportunity.amount * func.coalesce(Opportunity.probability, 0) / 100, open_
    )
    won = _sum(db, opportunities, access, owners, Opportunity.amount, Opportunity.status == "won",
               Opportunity.close_date >= first, Opportunity.close_date < following)
    closed = _counts(db, opportunities, access, Opportunity, owners, Opportunity.updated_at >= since,
                     Opportunity.status.in_(("won", "lost")))
    lead_counts = _counts(db, leads, access, Lead, owners, Lead.created_at >= since)
    grid = url_for("screens.grid", session_name=opportunities.name)
    return [
        Kpi("pipeline", _l("Pipeline value"), pipeline, kind="amount", link=grid, scope=scope, order=10),
        Kpi("forecast", _l("Weighted forecast"), weighted, kind="amount", scope=scope, order=20),
        Kpi("won_month", _l("Won this month"), won, kind="amount", goal=goal, scope=scope, order=30),
        Kpi("win_rate", _l("Win rate (90 days)"),
            _rate(closed.get("won", 0), closed.get("won", 0) + closed.get("lost", 0)),
            kind="percent", scope=scope, order=40),
        Kpi("lead_conversion", _l("Leads qualified (90 days)"),
            _rate(lead_counts.get("qualified", 0), sum(lead_counts.values())),
            kind="percent", scope=scope, order=50),
    ]


def pipeline_by_stage(db: DbSession, access: Access, owners: list[int], scope: str) -> Kpi:
    """Open amounts per stage, in pipeline order (a chart and its table)."""
    sdef = sdef_for("sale", "opportunities")
    stmt = scoped(sdef, access, True, stmt=select(Opportunity.stage, func.coalesce(func.sum(Opportunity.amount), 0))
                  .select_from(Opportunity))
    stmt = stmt.where(Opportunity.owner_id.in_(owners), Opportunity.status == "active").group_by(Opportunity.stage)
    amounts = {stage: Decimal(total) for stage, total in db.execute(stmt).all()}
    rows = tuple((label, amounts.get(stage, ZERO).quantize(Decimal("0.01"))) for stage, label in stage_choices())
    return Kpi("pipeline_stages", _l("Open pipeline by stage"), sum((r[1] for r in rows), ZERO), kind="amount",
               rows=rows, rows_label=_l("Stage"), chart="bar", scope=scope, order=60)


def won_by_person(db: DbSession, access: Access, team: list[User], today: date) -> Kpi:
    """Won this month per person of the team (a chart and its table)."""
    sdef = sdef_for("sale", "opportunities")
    first, following = _month(today)
    stmt = scoped(sdef, access, True, stmt=select(Opportunity.owner_id, func.coalesce(func.sum(Opportunity.amount), 0))
                  .select_from(Opportunity))
    stmt = stmt.where(Opportunity.owner_id.in_([u.id for u in team]), Opportunity.status == "won",
                      Opportunity.close_date >= first, Opportunity.close_date < following)
    won = {owner: Decimal(total) for owner, total in db.execute(stmt.group_by(Opportunity.owner_id)).all()}
    rows = tuple((u.display_name(), won.get(u.id, ZERO).quantize(Decimal("0.01"))) for u in team)
    return Kpi("won_people", _l("Won this month by person"), sum((r[1] for r in rows), ZERO), kind="amount",
               rows=rows, rows_label=_l("Person"), chart="bar", scope="team", order=70)


def team_of(db: DbSession, access: Access, goals: dict[int, Decimal]) -> list[User]:
    """The sales team a leader looks at: active users who own opportunities or have a goal."""
    sdef = sdef_for("sale", "opportunities")
    owners = set(db.scalars(scoped(sdef, access, True, stmt=select(Opportunity.owner_id).distinct())))
    users = db.scalars(select(User).where(User.active).order_by(User.full_name, User.username))
    return [u for u in users if u.id in owners or u.id in goals]


def kpis(db: DbSession, access: Access, user: User, today: date | None = None) -> list[Kpi]:
    """The viewer's own figures; the team's too for a user who sees every record."""
    sdef = sdef_for("sale", "opportunities")
    if not access.can(sdef, "view") or not access.can(sdef_for("sale", "leads"), "view"):
        return []
    today = today or datetime.now(UTC).date()
    goals = for_month(db, _month(today)[0])
    mine = figures(db, access, [user.id], "mine", goals.users.get(user.id), today)
    mine.append(pipeline_by_stage(db, access, [user.id], "mine"))
    if not access.sees_all:
        return mine
    team = team_of(db, access, goals.users)
    ids = [u.id for u in team]
    return [*mine, *figures(db, access, ids, "team", goals.team, today),
            pipeline_by_stage(db, access, ids, "team"), won_by_person(db, access, team, today)]
