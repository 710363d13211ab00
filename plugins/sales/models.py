"""Sales tables (SAL-01..SAL-10). Purchasing uses the same tables with ``kind = "purchase"`` (PUR-01).

Every element table carries list indexes (``crm_core.toolkit.list_indexes``): one pair per order
a grid may show, "my records" and "all records". The pairs declared here are the sorts the grids
and the API offer (``SessionDef.sorts`` is left to them; docs/screens.md, issue 13 target 4).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Base, CustomFields, Element, User, UTCDateTime, e164, list_indexes, utcnow
from plugins.sales.kinds import KindMixin

#: The sessions' text-filter fields (``search=`` in plugins/sales/sessions.py), kept here because
#: the list indexes include them; a migration must follow any change (docs/performance.md).
LEAD_SEARCH = ("name", "company", "contact_person", "email", "phone", "city")
ACCOUNT_SEARCH = ("code", "name", "tax_id", "email", "phone", "city")
CONTACT_SEARCH = ("first_name", "last_name", "email", "phone", "position")
OPPORTUNITY_SEARCH = ("name", "stage")
CAMPAIGN_SEARCH = ("code", "name", "description")
#: Every session over the kind tables filters on ``kind`` first.
KIND = ("kind",)

#: Provisional account codes are "OP" + a zero-padded sequence (seed 8.3.2); past 999999 the
#: number simply grows wider.
PROVISIONAL_PREFIX = "OP"
PROVISIONAL_DIGITS = 6
#: The counter row (``sales_code_counter``) of the provisional account codes.
PROVISIONAL_SERIES = "provisional_account"


def code_taken(db: DbSession, model: Any, code: str, exclude_id: int | None = None) -> bool:
    """Whether another row of ``model`` holds ``code``; the row ``exclude_id`` (the one being
    saved) never counts, so saving a record with its own code is not a clash."""
    stmt = select(model.id).where(model.code == code)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    with db.no_autoflush:
        return db.scalar(stmt.limit(1)) is not None


class CallerNumber:
    """A ``phone`` kept with its E.164 form in ``phone_e164`` (indexed), so the element behind a
    caller's number is one index lookup (TEL-01, plugins/sales/phone.py). The ORM paths set it
    here; imports, which write without the ORM, get it from the schemas (``with_e164``)."""

    __audit_exclude__ = frozenset({"phone_e164"})

    @validates("phone")
    def _phone_e164(self, _key: str, phone: str) -> str:
        self.phone_e164 = e164(phone)
        return phone


def unique_code(element: Any, code: str) -> str:
    """Refuse a ``code`` another row of the same table holds, on every path (form, API, import,
    services), with a field error instead of a database error; the unique constraint still
    guards against races."""
    from crm_core.toolkit import session

    if code_taken(object_session(element) or session(), type(element), code, element.id):
        raise ValidationError({"code": [_("The code %(code)s is already used.", code=code)]})
    return code


class Lead(CallerNumber, CustomFields, Element, KindMixin, Base):
    """A prospect (seed: *Cliente/Proveedor potencial*)."""

    __tablename__ = "sales_lead"
    __table_args__ = (
        *list_indexes("sales_lead", "-id", lead=KIND, include=("status", *LEAD_SEARCH)),
        *list_indexes("sales_lead", "name", lead=KIND, include=("status", *LEAD_SEARCH)),
        # a status few rows have: found here, not by reading a whole list index (issue 13 target 4)
        Index("ix_sales_lead_kind_status", "kind", "status", "id"),
        Index("ix_sales_lead_email", "email"),
        Index("ix_sales_lead_phone_e164", "phone_e164"),
    )

    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(120), default="")
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_e164: Mapped[str] = mapped_column(String(16), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    disqualify_reason: Mapped[str] = mapped_column(Text, default="")
    qualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Account(CallerNumber, CustomFields, Element, KindMixin, Base):
    """A customer or supplier (seed: *Entidad*); ``potential`` while provisional (code OP…)."""

    __tablename__ = "sales_account"
    __table_args__ = (
        *list_indexes("sales_account", "name", lead=KIND, include=("status", *ACCOUNT_SEARCH)),
        *list_indexes("sales_account", "code", lead=KIND, include=("status", *ACCOUNT_SEARCH)),
        Index("ix_sales_account_kind_status", "kind", "status", "id"),
        Index("ix_sales_account_phone_e164", "phone_e164"),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    tax_id: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_e164: Mapped[str] = mapped_column(String(16), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    country: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    #: The client agreed to receive marketing: what a feed to a marketing system may include.
    marketing_consent: Mapped[bool] = mapped_column(default=False, server_default=false())

    @validates("code")
    def _unique_code(self, _key: str, code: str) -> str:
        return unique_code(self, code)

    __name_fields__ = ("code", "name")

    def display_name(self) -> str:
        return f"{self.code} {self.name}"


class Contact(CallerNumber, CustomFields, Element, KindMixin, Base):
    """A person who represents an account; its kind is the account's."""

    __tablename__ = "sales_contact"
    __table_args__ = (
        *list_indexes("sales_contact", "last_name", lead=KIND, include=CONTACT_SEARCH),
        Index("ix_sales_contact_phone_e164", "phone_e164"),
    )

    account_id: Mapped[int] = mapped_column(ForeignKey("sales_account.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_e164: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[str] = mapped_column(String(80), default="")

    account: Mapped[Account] = relationship()

    __name_fields__ = ("first_name", "last_name")

    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Campaign(CustomFields, Element, Base):
    """A marketing campaign that opportunities (and through them clients) belong to (SAL-09)."""

    __tablename__ = "sales_campaign"
    # The description is free text: searched through the trigram index, never in a btree entry.
    __table_args__ = list_indexes("sales_campaign", "-start", include=("status", "code", "name"))

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    start: Mapped[date | None] = mapped_column(Date, nullable=True)
    end: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")

    @validates("code")
    def _unique_code(self, _key: str, code: str) -> str:
        return unique_code(self, code)

    __name_fields__ = ("code", "name")

    def display_name(self) -> str:
        return f"{self.code} {self.name}"


class Opportunity(CustomFields, Element, KindMixin, Base):
    """A potential sale or purchase (seed: *Oportunidad*); closed, never deleted (SAL-04)."""

    __tablename__ = "sales_opportunity"
    __table_args__ = (
        *(index
          for sort in ("-id", "name", "-amount", "-expected_close")
          for index in list_indexes("sales_opportunity", sort, lead=KIND, include=("status", *OPPORTUNITY_SEARCH))),
        Index("ix_sales_opportunity_kind_status", "kind", "status", "id"),
    )

    name: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[int] = mapped_column(ForeignKey("sales_account.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("sales_lead.id"), nullable=True, index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("sales_campaign.id"), nullable=True, index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    expected_close: Mapped[date | None] = mapped_column(Date, nullable=True)
    probability: Mapped[int | None] = mapped_column(nullable=True)
    stage: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    close_reason: Mapped[str] = mapped_column(Text, default="")
    close_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: The opportunity's reference in the file or system it was loaded from (a campaign file's
    #: pre-approval number): the import key, so loading the same file twice creates nothing twice.
    external_ref: Mapped[str | None] = mapped_column(String(80), nullable=True)

    account: Mapped[Account] = relationship()
    lead: Mapped[Lead | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()


class OpportunityStageChange(Base):
    """One pipeline transition of an opportunity (SAL-10): who moved it, when, from where to where."""

    __tablename__ = "sales_stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(ForeignKey("sales_opportunity.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("crm_user.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_stage: Mapped[str] = mapped_column(String(40), default="")
    to_stage: Mapped[str] = mapped_column(String(40))

    user: Mapped[User] = relationship()


class CodeCounter(Base):
    """The last number handed out per code series (provisional account codes, SAL-02).

    A counter row rather than ``max(code) + 1``: a code typed or imported into the range can
    neither stop the series nor be handed out twice, and concurrent qualifications queue on the
    row lock instead of computing the same number.
    """

    __tablename__ = "sales_code_counter"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class SalesGoal(Base):
    """A month's won-amount goal of one user or of the team (EXT-07), set by a leader on
    Sales → Goals; ``[settings.sales] monthly_goals`` / ``team_monthly_goal`` apply to a month
    without one. ``holder`` is ``"team"`` or ``"user:<id>"`` (one goal per holder and month)."""

    __tablename__ = "sales_goal"
    __table_args__ = (UniqueConstraint("month", "holder"),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    holder: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id", ondelete="CASCADE"), nullable=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
