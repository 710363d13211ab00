"""A session declared only in the tests ("samples"), so the core is tested without any business
plugin. Its table is created by the test kit (``table_for_tests``), never by a migration."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from sqlalchemy import Date, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.declarations import Action, Board, DemoUser, Module, PluginMeta, SessionDef, Status
from crm_core.errors import BusinessRuleError
from crm_core.indexes import list_indexes
from crm_core.models.element import Element
from crm_core.plugins import hookimpl
from crm_core.testing import table_for_tests

meta = PluginMeta(description="test-only sample session", requires_contract=">=2.1,<3")
STATUSES = (Status("active", "Active"), Status("closed", "Closed", open=False))


@table_for_tests
class Sample(Element, Base):
    __tablename__ = "test_sample"
    # the grid and the API offer the sorts these list indexes serve (and the default, -id)
    __table_args__ = (
        Index("ix_test_sample_owner_status", "owner_id", "status"),
        *list_indexes("test_sample", "name", lead=("kind",)),
        *list_indexes("test_sample", "amount", lead=("kind",)),
    )

    #: two points of view on one table, as purchasing has over sales' tables
    kind: Mapped[str] = mapped_column(String(10), default="sale", index=True)
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), nullable=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="active")
    comments: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(nullable=True)
    #: the pipeline board's column (EXT-04) and the weight of its amount
    stage: Mapped[str] = mapped_column(String(20), default="new")
    probability: Mapped[int | None] = mapped_column(nullable=True)


class SampleSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=120), metadata={"label": "Name"})
    company = fields.Str(validate=validate.Length(max=120), metadata={"label": "Company"})
    email = fields.Email(validate=validate.Length(max=255), metadata={"label": "Email"})
    phone = fields.Str(validate=validate.Length(max=40), metadata={"label": "Phone"})
    amount = fields.Decimal(places=2, allow_none=True, as_string=True, metadata={"label": "Amount"})
    due = fields.Date(allow_none=True, metadata={"label": "Due date"})
    status = fields.Str(dump_only=True, metadata={"label": "Status"})
    comments = fields.Str(metadata={"label": "Comments", "widget": "textarea"})
    parent_id = fields.Int(allow_none=True, metadata={"label": "Parent", "lookup": "samples"})
    kind = fields.Str(dump_only=True)
    stage = fields.Str(dump_only=True, metadata={"label": "Stage", "choices": lambda: STAGES})
    probability = fields.Int(allow_none=True, validate=validate.Range(0, 100), metadata={"label": "Probability"})
    owner_id = fields.Int(metadata={"label": "Owner"})
    version = fields.Int(dump_only=True)


STAGES = [("new", "New"), ("offer", "Offer"), ("deal", "Deal")]


class StageSchema(Schema):
    stage = fields.Str(required=True, validate=validate.OneOf([v for v, _label in STAGES]))


def set_stage(ctx) -> None:  # type: ignore[no-untyped-def]
    """Moves a sample on the board; "deal" needs an amount (a rule the board must report)."""
    if ctx.data["stage"] == "deal" and ctx.element.amount is None:
        raise BusinessRuleError("a deal needs an amount", field="stage")
    ctx.element.stage = ctx.data["stage"]


class CloseSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=200))


def close(ctx) -> None:  # type: ignore[no-untyped-def]
    if ctx.data["reason"].strip().lower() == "refuse":
        raise BusinessRuleError("refused by rule", field="reason")
    ctx.element.status = "closed"


SAMPLES = SessionDef(
    name="samples",
    module="testing",
    label="Samples",
    singular="Sample",
    model=Sample,
    schema=SampleSchema,
    columns=("name", "company", "email", "status", "amount"),
    search=("name", "company", "email"),
    statuses=STATUSES,
    where={"kind": "sale"},
    importable=True,
    import_keys=("email",),
    lookups={"parent_id": "samples"},
    actions=(
        Action("close", "Close", close, schema=CloseSchema, available=lambda e: e.status == "active"),
        Action("set_stage", "Set stage", set_stage, schema=StageSchema, available=lambda e: e.status == "active"),
    ),
    board=Board(field="stage", amount="amount", probability="probability", action="set_stage"),
)
LOCKED = SessionDef(
    name="locked_samples",
    module="testing",
    label="Locked samples",
    model=Sample,
    schema=SampleSchema,
    columns=("name", "status"),
    search=("name",),
    statuses=STATUSES,
    where={"kind": "purchase"},
    deletable=False,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("testing", "Testing", order=500)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [SAMPLES, LOCKED]


@hookimpl
def crm_demo_users() -> list[DemoUser]:
    """The kit's three users, so ``crm demo`` on the sample session has owners for its records."""
    return [DemoUser("leader", "Laura Leader", "Leaders"), DemoUser("ana", "Ana Executive", "Executives"),
            DemoUser("bob", "Bob Executive", "Executives")]


@hookimpl
def crm_demo_data(db, users) -> None:  # type: ignore[no-untyped-def]
    """A few samples for ana and bob, so generated ownership tests have foreign records."""
    for owner in ("ana", "bob"):
        for kind in ("sale", "purchase"):
            user = users[owner]
            db.add(Sample(name=f"{owner} {kind}", kind=kind, owner_id=user.id, creator_id=user.id))
    db.flush()
