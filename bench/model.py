"""The benchmark's own session: a contact table shaped like the business sessions (name,
company, email, status, owner), declared here and never in the core, so the benchmark measures
the generic grid/API/query path and not a plugin's extras.

Indexes follow docs/performance.md and are declared with the core's helpers
(``crm_core.indexes``), as a business plugin would: btrees ``(owner_id, name, id)`` and
``(name, id)`` serve "my records" and "all records" in the default order on both databases, with
the status and search fields included on PostgreSQL (covering: filters checked in the index); on
PostgreSQL one pg_trgm GIN over the search document serves rare words of the text filter
(:func:`create_indexes`).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from sqlalchemy import String, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from crm_core.db import Base
from crm_core.declarations import Action, ActionContext, Board, Module, PluginMeta, SessionDef, Status
from crm_core.indexes import list_indexes, search_index_sql, search_statistics_sql
from crm_core.models.element import Element
from crm_core.plugins import hookimpl

meta = PluginMeta(description="benchmark-only contact session", requires_contract=">=2.1,<3")
SESSION = "bench_contacts"
SEARCH = ("name", "company", "email")


class BenchContact(Element, Base):
    __tablename__ = "bench_contact"
    # Sorted like the list query (name, id), so a page comes straight off the index; the status
    # and search fields are included (PostgreSQL), so the filters are checked in the index
    # without visiting the table (an index-only scan; see docs/performance.md).
    __table_args__ = list_indexes("bench_contact", "name", include=("status", *SEARCH))

    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str] = mapped_column(String(120), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    city: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default="active")


class BenchContactSchema(Schema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=validate.Length(min=1, max=120), metadata={"label": "Name"})
    company = fields.Str(validate=validate.Length(max=120), metadata={"label": "Company"})
    email = fields.Email(validate=validate.Length(max=255), metadata={"label": "Email"})
    phone = fields.Str(validate=validate.Length(max=40), metadata={"label": "Phone"})
    city = fields.Str(validate=validate.Length(max=80), metadata={"label": "City"})
    status = fields.Str(dump_only=True, metadata={"label": "Status", "choices": lambda: STATUS_CHOICES})
    owner_id = fields.Int(metadata={"label": "Owner"})
    version = fields.Int(dump_only=True)


STATUS_CHOICES = [("active", "Active"), ("lost", "Lost")]


class StatusSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf([c for c, _label in STATUS_CHOICES]))


def _set_status(ctx: ActionContext) -> None:
    ctx.element.status = ctx.data["status"]


BENCH = SessionDef(
    name=SESSION,
    module="bench",
    label="Benchmark contacts",
    singular="Contact",
    model=BenchContact,
    schema=BenchContactSchema,
    columns=("name", "company", "email", "city", "status"),
    search=SEARCH,
    statuses=(Status("active", "Active"), Status("lost", "Lost", open=False)),
    default_sort="name",
    importable=True,
    import_keys=("email",),
    actions=(Action("set_status", "Set status", _set_status, schema=StatusSchema),),
    # the board's machinery (figures per column in one GROUP BY, a page per column) over the
    # benchmark's rows; the contacts have no amounts, so the sums are zero
    board=Board(field="status", action="set_status"),
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("bench", "Benchmark", order=900)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [BENCH]


def create_indexes(engine: Engine) -> None:
    """The declared indexes (also on a table seeded by an earlier version), and on PostgreSQL
    the trigram GIN index for the case-insensitive ``LIKE '%word%'`` text filter."""
    with engine.begin() as conn:  # indexes of earlier versions of this benchmark
        for old in (
            "ix_bench_contact_owner_status_name_id",
            "ix_bench_contact_status_name_id",
            "ix_bench_contact_owner_name_id",
            "ix_bench_contact_name_id",
            *(f"ix_bench_contact_{col}_trgm" for col in SEARCH),
        ):
            conn.execute(text(f"DROP INDEX IF EXISTS {old}"))
    for index in BenchContact.__table__.indexes:
        index.create(engine, checkfirst=True)
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE bench_contact"))
        return
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(text(search_index_sql("bench_contact", SEARCH, engine.dialect)))
        conn.execute(text(search_statistics_sql("bench_contact")))
    # After a bulk load: statistics for the planner and a visibility map for index-only scans.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE bench_contact"))
