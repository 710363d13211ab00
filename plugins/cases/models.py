"""The case table (CAS-01, CAS-02) and the counter of its readable numbers.

A case belongs to a customer account and optionally to one of its contacts and opportunities;
it carries the fields the later parts of the cases work build on (SLA escalation reads
``due_at``, ``type``, ``product`` and ``symptom``; inboxes and escalation move ``group_id`` and
``assignee_id``), so they add behaviour, not columns.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.toolkit import Base, CustomFields, Element, UTCDateTime, list_indexes, utcnow

#: The cases session's text-filter fields (``search=`` in plugins/cases/sessions.py), in order;
#: the migration's trigram index must follow any change (docs/performance.md).
SEARCH = ("number", "subject", "product", "symptom")
#: Readable numbers are ``C-<year>-<6 digits>``; past 999999 in one year the number grows wider.
NUMBER_PREFIX = "C"
NUMBER_DIGITS = 6

ORIGINS = ("phone", "email", "web", "internal", "external")
PRIORITIES = ("low", "normal", "high", "urgent")
#: How the customer agreed to close the case (CAS-02).
AGREEMENT_CHANNELS = ("phone", "email", "in_person", "portal")
#: The states in which a case is still being worked on: the home panels and overdue count them.
WORKING_STATES = ("gathering", "open")
#: The same condition as SQL with its literals inline: the working-case indexes below are partial
#: on it, and a query written with :func:`working` matches them in a prepared plan too.
WORKING_SQL = "status IN ('gathering', 'open')"


def working(column: object) -> object:
    """``<column> IN ('gathering', 'open')`` with the literals inline (see :data:`WORKING_SQL`)."""
    return column.in_([literal_column(f"'{state}'") for state in WORKING_STATES])  # type: ignore[attr-defined]


class Case(CustomFields, Element, Base):
    """A post-sale case: a support request, claim or complaint of a customer (seed 002)."""

    __tablename__ = "cases_case"
    __element_type__ = "case"
    __table_args__ = (
        *list_indexes("cases_case", "-id", include=("status", *SEARCH)),
        # "Overdue cases": working cases whose due time has passed, read off one index.
        Index("ix_cases_case_status_due", "status", "due_at"),
        # The home panels ("My open cases", "Overdue cases") and the grid's overdue filter: the
        # working cases only, by due time, per owner and for all (counts without table visits).
        Index("ix_cases_case_working_own", "owner_id", "due_at", "id", postgresql_include=["assignee_id"],
              postgresql_where=text(WORKING_SQL), sqlite_where=text(WORKING_SQL)),
        Index("ix_cases_case_working_all", "due_at", "id", postgresql_include=["owner_id", "assignee_id"],
              postgresql_where=text(WORKING_SQL), sqlite_where=text(WORKING_SQL)),
        # Escalation: working cases of one type opened before a cutoff, in creation order (the
        # job walks it with a keyset); the step taken lives in the narrow cases_escalation_state.
        Index("ix_cases_case_escalation_due", "type", "created_at", "id",
              postgresql_where=text(WORKING_SQL), sqlite_where=text(WORKING_SQL)),
    )

    #: Given once the row exists (``services.number_cases``), never typed: ``C-2026-000123``.
    number: Mapped[str | None] = mapped_column(String(24), unique=True, nullable=True)
    #: None only for a case opened by mail from an unknown sender, "to triage": the workflow
    #: refuses to open it (leave "gathering") until an account is set (plugins/cases/mailin.py).
    account_id: Mapped[int | None] = mapped_column(ForeignKey("sales_account.id"), nullable=True, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("sales_contact.id"), nullable=True, index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_opportunity.id"), nullable=True, index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    product: Mapped[str] = mapped_column(String(120), default="")
    symptom: Mapped[str] = mapped_column(String(120), default="")
    origin: Mapped[str] = mapped_column(String(20), default="phone")
    type: Mapped[str] = mapped_column(String(40))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True, index=True)
    #: The group whose queue holds the case (a ``crm_group`` id).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crm_group.id"), nullable=True, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: When the first answer is due (SLA response time; plugins/cases/sla.py).
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="gathering")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The customer's agreement that closed the case: who (a name), when and how.
    agreed_by: Mapped[str] = mapped_column(String(120), default="")
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    agreed_via: Mapped[str] = mapped_column(String(20), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")

    #: The case's row of :class:`CaseEscalationState` (none until it escalates), read with the
    #: case in the same statement (a ``LEFT JOIN``): a page of cases costs no query per case.
    escalation_state: Mapped[CaseEscalationState | None] = relationship(
        "CaseEscalationState", primaryjoin="Case.id == foreign(CaseEscalationState.case_id)",
        viewonly=True, uselist=False, lazy="joined",
    )

    @hybrid_property
    def escalation_step(self) -> int:
        """The last escalation step taken (0: none), kept in the narrow
        :class:`CaseEscalationState` row: escalating never rewrites the wide case row."""
        state = self.escalation_state
        return state.step if state is not None else 0

    @escalation_step.inplace.expression
    @classmethod
    def _escalation_step_expression(cls) -> ColumnElement[int]:
        """The same as SQL (a correlated primary-key read), for queries and reporting views."""
        step = select(CaseEscalationState.step).where(CaseEscalationState.case_id == cls.id).scalar_subquery()
        return func.coalesce(step, 0)

    @property
    def sla_state(self) -> str:
        """``"breached"`` (worked on and past its due time), ``"due"`` (a due time ahead) or ``""``
        — what the grid and the detail show (CAS-02); ``sla.state`` with the clock read now."""
        if self.status not in WORKING_STATES or self.due_at is None:
            return ""
        return "breached" if self.due_at < utcnow() else "due"

    __name_fields__ = ("number", "subject")

    def display_name(self) -> str:
        return f"{self.number} {self.subject}" if self.number else self.subject


class CaseCounter(Base):
    """The last case number handed out per year.

    A counter row rather than ``max(number) + 1``: concurrent creations queue on the row lock
    of ``UPDATE … RETURNING`` (or of the upsert that starts a new year) until the creating
    transaction ends, so two cases never get one number and a rolled-back creation gives its
    numbers back.
    """

    __tablename__ = "cases_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(default=0)


class CaseMail(Base):
    """One e-mail of a case's thread, received or sent (email-to-case, issue 14).

    The unique ``message_id`` makes receiving idempotent (a re-delivered message is dropped)
    and gives replies their ``In-Reply-To`` and ``References``.
    """

    __tablename__ = "cases_mail"
    __table_args__ = (UniqueConstraint("message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(255))
    #: "in" (received) or "out" (a reply sent through the outbox).
    direction: Mapped[str] = mapped_column(String(3))
    sender: Mapped[str] = mapped_column(String(255), default="")
    subject: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEscalation(Base):
    """One step of a case's escalation ladder, taken once: the unique (case, step) pair makes a
    second worker, or a rerun after a crash, insert nothing (``ON CONFLICT DO NOTHING``)."""

    __tablename__ = "cases_escalation"
    __table_args__ = (UniqueConstraint("case_id", "step", name="uq_cases_escalation_case_step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"))
    step: Mapped[int] = mapped_column()
    #: The SLA rule the step belongs to (``type/product/symptom/priority``).
    rule: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crm_group.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseEscalationState(Base):
    """Where a case stands on its ladder: the last step taken and the inbox it went to.

    A narrow row of its own (a case that never escalated has none) so that a step writes a few
    small rows instead of a new version of the wide case row in its fifteen-odd indexes; the
    job's ``INSERT … ON CONFLICT (case_id) DO UPDATE … WHERE step < :step`` is the guard that
    makes a rerun or a second worker skip a case already moved (docs/cases.md).
    """

    __tablename__ = "cases_escalation_state"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"), primary_key=True, autoincrement=False)
    step: Mapped[int] = mapped_column()
    #: The inbox the last step sent the case to: a group's or a user's.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("crm_group.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    escalated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseCoreCall(Base):
    """One call of a Core-system action on a case (CAS-03): what was asked, what the Core system
    answered, who asked and when. Written before the call (``pending``) and completed after it
    in a second short transaction, so no transaction stays open while the Core system answers
    and a crash in between leaves an honest ``pending`` row (retrying with its key is safe)."""

    __tablename__ = "cases_core_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    #: The operation's idempotency key: the same for every retry of one operation.
    idempotency_key: Mapped[str] = mapped_column(String(80), index=True)
    money: Mapped[bool] = mapped_column(default=False)
    #: The validated input, as JSON.
    request: Mapped[str] = mapped_column(Text, default="{}")
    #: pending → done | refused | failed (down, timed out, garbled) | replayed (a retry of a
    #: key already done: answered from the record, the Core system not called again).
    outcome: Mapped[str] = mapped_column(String(10), default="pending")
    #: The Core system's answer (or what it said when refusing), as JSON.
    answer: Mapped[str] = mapped_column(Text, default="{}")
    #: What the user was told: the answer's summary or the error.
    message: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(80), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("crm_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(nullable=True)
