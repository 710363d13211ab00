"""Business rules of loyalty points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.orm import Session as DbSession

from crm_loyalty.models import PointsEntry

#: One point per this many units of a won opportunity's amount (whole points, rounded down).
AMOUNT_PER_POINT = Decimal(10)


def points_for(amount: Decimal | None) -> int:
    """Points a won deal of ``amount`` earns (none without an amount)."""
    return int((amount or Decimal(0)) // AMOUNT_PER_POINT) if amount and amount > 0 else 0


def award_won_opportunity(db: DbSession, opportunity: Any, account: Any) -> PointsEntry | None:
    """Credit the account for a won opportunity, in the transaction that closes it, owned by
    the opportunity's owner (who sees it in the grid); nothing for a deal without amount."""
    points = points_for(opportunity.amount)
    if not points:
        return None
    entry = PointsEntry(
        account_id=account.id,
        opportunity_id=opportunity.id,
        points=points,
        reason=opportunity.name,
        owner_id=opportunity.owner_id,
        creator_id=opportunity.owner_id,
    )
    db.add(entry)
    return entry


def balance(db: DbSession, account_id: int) -> int:
    """The account's points: the sum of its entries."""
    return int(db.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.account_id == account_id)) or 0)


#: Demo data reads the accounts through a lightweight table clause: a partner plugin references
#: the sales tables by name (its foreign keys do too) instead of importing the sales plugin.
SALES_ACCOUNTS = table("sales_account", column("id"), column("owner_id"), column("name"))
WELCOME_BONUS = 100
WELCOME_REASON = "Welcome bonus"


def give_welcome_bonuses(db: DbSession) -> int:
    """``crm demo``: a welcome bonus on every account that has none yet, owned by the account's
    owner (repeatable: a second run adds nothing). Returns how many entries were added."""
    rewarded = select(PointsEntry.account_id).where(PointsEntry.reason == WELCOME_REASON)
    accounts = db.execute(select(SALES_ACCOUNTS.c.id, SALES_ACCOUNTS.c.owner_id)
                          .where(SALES_ACCOUNTS.c.id.not_in(rewarded))).all()
    db.add_all(
        PointsEntry(account_id=account_id, points=WELCOME_BONUS, reason=WELCOME_REASON,
                    owner_id=owner_id, creator_id=owner_id)
        for account_id, owner_id in accounts
    )
    return len(accounts)
