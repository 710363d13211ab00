"""Sales goals per user and team and month (EXT-07, issue 17 item 7): what the dashboard's
"Won this month" is measured against. A leader or an administrator sets them on Sales → Goals
(all of a month in one transaction); ``[settings.sales] monthly_goals`` (username → amount) and
``team_monthly_goal`` stay the defaults of a month without its own. Executives see their own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BusinessRuleError, PermissionDenied, User, crm_state
from plugins.sales.models import SalesGoal

SESSION = "goals"
TEAM = "team"
MAX_AMOUNT = Decimal("999999999999.99")


@dataclass(frozen=True)
class MonthGoals:
    """A month's goals: the team's and each user's (by id), stored or from the settings."""

    team: Decimal | None
    users: dict[int, Decimal]


def holder(user_id: int | None) -> str:
    return TEAM if user_id is None else f"user:{user_id}"


def _defaults(db: DbSession) -> MonthGoals:
    settings = crm_state().settings.get("sales", {})
    named = settings.get("monthly_goals", {}) or {}
    found = select(User.username, User.id).where(User.username.in_(list(named)))
    users = dict(db.execute(found).all()) if named else {}
    team = settings.get("team_monthly_goal")
    return MonthGoals(Decimal(str(team)) if team is not None else None,
                      {users[name]: Decimal(str(amount)) for name, amount in named.items() if name in users})


def for_month(db: DbSession, month: date) -> MonthGoals:
    """The goals of ``month`` (its first day): stored ones over the settings' defaults."""
    stored = {g.holder: g.amount for g in db.scalars(select(SalesGoal).where(SalesGoal.month == month))}
    defaults = _defaults(db)
    users = dict(defaults.users)
    for key, amount in stored.items():
        if key.startswith("user:"):
            users[int(key.removeprefix("user:"))] = amount
    return MonthGoals(stored.get(TEAM, defaults.team), users)


def parse_month(raw: str) -> date:
    """``YYYY-MM`` → the month's first day; anything else is a ``BusinessRuleError``."""
    try:
        year, month = (int(part) for part in raw.strip().split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        raise BusinessRuleError(_("“%(v)s” is not a month (YYYY-MM).", v=raw[:20]), field="month") from None


def _amount(raw: Any, field: str) -> Decimal | None:
    text = str(raw or "").strip().replace(" ", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BusinessRuleError(_("“%(v)s” is not an amount.", v=text[:20]), field=field) from None
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise BusinessRuleError(_("A goal is an amount between 0 and %(max)s.", max=MAX_AMOUNT), field=field)
    return value.quantize(Decimal("0.01"))


def save(db: DbSession, access: Access, month: date, form: Mapping[str, Any], team: list[User]) -> int:
    """Replace the goals of ``month`` with the form's (``team`` and ``user:<id>`` amounts; empty
    = none stored, the settings' default applies); only leaders and administrators, only for the
    ``team`` they see; all or nothing. Returns how many goals are stored."""
    access.require(SESSION, "modify")
    if not access.sees_all:
        raise PermissionDenied(_("Only leaders and administrators set goals."))
    members = {u.id for u in team}
    wanted: dict[str, tuple[int | None, Decimal]] = {}
    team_amount = _amount(form.get(TEAM), TEAM)
    if team_amount is not None:
        wanted[TEAM] = (None, team_amount)
    for key, raw in form.items():
        if not key.startswith("user:"):
            continue
        user_id = int(key.removeprefix("user:")) if key.removeprefix("user:").isdigit() else None
        if user_id not in members:
            raise BusinessRuleError(_("Unknown team member."), field=key)
        amount = _amount(raw, key)
        if amount is not None:
            wanted[key] = (user_id, amount)
    stored = {g.holder: g for g in db.scalars(select(SalesGoal).where(SalesGoal.month == month))}
    for key, goal in stored.items():  # through the ORM, so each change is audited
        if key not in wanted:
            db.delete(goal)
        elif goal.amount != wanted[key][1]:
            goal.amount = wanted[key][1]
    db.add_all(SalesGoal(month=month, holder=key, user_id=user_id, amount=amount)
               for key, (user_id, amount) in wanted.items() if key not in stored)
    db.flush()
    return len(wanted)
