"""One row per award: an account's balance is the sum of its entries, so an award is never
lost to a concurrent edit and every point can be traced to the deal that earned it."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.toolkit import Base, Element, list_indexes

SEARCH = ("reason",)


class PointsEntry(Element, Base):
    """Points credited to (negative: taken from) a sales account."""

    __tablename__ = "loyalty_points"
    __table_args__ = list_indexes("loyalty_points", "-id", include=SEARCH)

    account_id: Mapped[int] = mapped_column(ForeignKey("sales_account.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("sales_opportunity.id"), nullable=True)
    points: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200), default="")
