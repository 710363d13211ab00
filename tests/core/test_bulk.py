"""``crm_core.services.bulk``: rows written at import speed are the rows the ORM would write (CORE-11).

Runs on both back ends of the suite: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, String, func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from crm_core.db import unit_of_work
from crm_core.models.audit import AuditEntry
from crm_core.services import bulk, elements
from tests.support import sample
from tests.support.sample import Sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
SKIP = {"id", "uid", "created_at", "updated_at"}


class _Scratch(DeclarativeBase):
    """A metadata of its own: this table exists only inside one test's transaction."""


class Gadget(_Scratch):
    __tablename__ = "test_bulk_gadget"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column("label_text", String(40))
    colour: Mapped[str] = mapped_column(String(20), server_default=text("'grey'"))
    size: Mapped[str] = mapped_column(String(20), default="M")
    shout: Mapped[str | None] = mapped_column(String(40), default=func.upper("loud"), nullable=True)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Gizmo(_Scratch):
    """Like ``Gadget`` without the SQL-computed default: the fast path (``COPY``/``executemany``)."""

    __tablename__ = "test_bulk_gizmo"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column("label_text", String(40))
    colour: Mapped[str] = mapped_column(String(20), server_default=text("'grey'"))
    size: Mapped[str] = mapped_column(String(20), default="M")
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


@pytest.fixture
def sdef(app_ctx):  # type: ignore[no-untyped-def]
    from crm_core.app import crm_state

    return crm_state().registry.sdef("samples")


def _columns(element: Any) -> dict[str, Any]:
    return {a.key: getattr(element, a.key) for a in inspect(type(element)).column_attrs if a.key not in SKIP}


def test_bulk_rows_are_the_rows_the_orm_writes(db, sdef, access_for):
    ana = access_for("ana")
    rows = [
        {"name": "Uno", "email": "u@x.test", "amount": "1234.5", "due": "2026-03-29", "comments": "línea\tcon tab"},
        {"name": "Dos", "company": "Ñandú S.L.", "amount": None, "phone": "+34 600"},
    ]
    with unit_of_work():
        singles = [elements.create(db, sdef, ana, row) for row in rows]
        ids = elements.create_many(db, sdef, ana, rows)
    db.expire_all()
    for single, pk in zip(singles, ids, strict=True):
        assert _columns(db.get(Sample, pk)) == _columns(single)
    made = db.get(Sample, ids[0])
    assert made.amount == Decimal("1234.50") and made.due == date(2026, 3, 29) and made.version == 1
    assert made.created_at.tzinfo is not None and len(made.uid) == 36 and made.uid != singles[0].uid


def test_ids_come_back_in_row_order(db, sdef, access_for):
    with unit_of_work():
        ids = elements.create_many(db, sdef, access_for("ana"), [{"name": f"n{i:03d}"} for i in range(300)])
    names = dict(db.execute(select(Sample.id, Sample.name).where(Sample.id.in_(ids))).all())
    assert [names[pk] for pk in ids] == [f"n{i:03d}" for i in range(300)]
    audited = db.scalars(select(AuditEntry.element_id).where(AuditEntry.element_type == "test_sample"))
    assert sorted(audited) == sorted(ids)


@pytest.mark.parametrize("model", [Gizmo, Gadget], ids=["fast path", "portable INSERT path"])
def test_renamed_columns_server_defaults_and_json(db, model):
    model.__table__.create(db.connection())
    plan = bulk.plan_for(model)
    assert plan.copyable == (model is Gizmo)  # ``Gadget.shout`` is computed by SQL
    rows = [
        plan.complete({"label": "a", "extra": {"k": [1, None], "ñ": "\\t;"}}),
        plan.complete({"label": "b", "colour": "red"}),  # another shape: the server default is not left out
        plan.complete({"label": "c", "size": "XL"}),
    ]
    ids = bulk.insert_rows(db, plan, rows)
    got = {g.id: (g.label, g.colour, g.size, g.extra) for g in db.scalars(select(model))}
    assert [got[pk] for pk in ids] == [
        ("a", "grey", "M", {"k": [1, None], "ñ": "\\t;"}),
        ("b", "red", "M", None),
        ("c", "grey", "XL", None),
    ]
    if model is Gadget:
        assert set(db.scalars(select(Gadget.shout))) == {"LOUD"}


def test_an_unknown_attribute_is_refused():
    with pytest.raises(TypeError, match="nope"):
        bulk.plan_for(Sample).complete({"name": "x", "nope": 1})


def test_a_refused_batch_raises_the_sqlalchemy_error_and_leaves_the_transaction_usable(db, users):
    plan = bulk.plan_for(Sample)
    user = users["ana"].id
    twins = [plan.complete({"name": n, "uid": "same-uid", "owner_id": user, "creator_id": user}) for n in "ab"]
    with unit_of_work():
        savepoint = db.begin_nested()
        with pytest.raises(IntegrityError):
            bulk.insert_rows(db, plan, twins)
        savepoint.rollback()
        (pk,) = bulk.insert_rows(db, plan, twins[:1])
    assert db.get(Sample, pk).name == "a"
    assert db.scalar(select(func.count()).select_from(Sample).where(Sample.uid == "same-uid")) == 1
