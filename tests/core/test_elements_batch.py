"""``elements.create_many``: the batched create used by imports keeps every rule of ``create`` (CORE-11, CORE-15)."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, PermissionDenied
from crm_core.events import handles
from crm_core.models.audit import AuditEntry
from crm_core.services import elements
from crm_core.testing import make_plugin
from tests.support import sample
from tests.support.sample import Sample

CREATED: list[str] = []


@handles(sessions=("samples",))
def _remember(sdef, element, user, db) -> None:  # type: ignore[no-untyped-def]
    assert db.get(Sample, element.id) is element  # flushed, inside the caller's transaction
    CREATED.append(element.name)


@handles(sessions=("samples",))
def _refuse_boom(sdef, element, user, db) -> None:  # type: ignore[no-untyped-def]
    if element.name == "Boom":
        raise BusinessRuleError("a plugin refused Boom")


pytestmark = pytest.mark.crm(
    extra_plugins={"sample": sample, "recorder": make_plugin("recorder", crm_element_created=_remember)}
)


@pytest.fixture
def sdef(app_ctx):  # type: ignore[no-untyped-def]
    from crm_core.app import crm_state

    CREATED.clear()
    return crm_state().registry.sdef("samples")


def _audits(db, action: str = "create") -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return list(db.scalars(select(AuditEntry).where(AuditEntry.element_type == "test_sample", AuditEntry.action == action).order_by(AuditEntry.element_id)))


def test_batch_fires_the_created_hook_once_per_element_and_audits_each(db, sdef, access_for):
    ana = access_for("ana")
    with unit_of_work():
        out = elements.create_many(db, sdef, ana, [{"name": "Uno", "email": "u@x.test"}, {"name": "Dos"}])
    assert CREATED == ["Uno", "Dos"]
    made = [db.get(Sample, pk) for pk in out]
    assert [(e.owner_id, e.creator_id, e.kind, e.version) for e in made] == [(ana.user.id, ana.user.id, "sale", 1)] * 2
    entries = _audits(db)
    assert [(a.element_id, a.user_id) for a in entries] == [(out[0], ana.user.id), (out[1], ana.user.id)]
    with unit_of_work():
        single = elements.create(db, sdef, ana, {"name": "Uno", "email": "u@x.test"})
    assert _audits(db)[-1].changes == entries[0].changes  # same audit content as the single create
    assert single.id not in out


def test_batch_refuses_invalid_rows_alone_and_writes_the_others(db, sdef, access_for):
    with unit_of_work():
        out = elements.create_many(db, sdef, access_for("ana"), [{"name": ""}, {"name": "Ok", "amount": "abc"},
                                                                  {"name": "Good"}])
    assert isinstance(out[0], ValidationError) and "name" in out[0].messages
    assert isinstance(out[1], ValidationError) and "amount" in out[1].messages
    assert sorted(db.scalars(select(Sample.name))) == ["Good"] and CREATED == ["Good"]
    assert len(_audits(db)) == 1


def test_batch_refuses_references_the_user_may_not_see(db, sdef, access_for):
    ana, bob = access_for("ana"), access_for("bob")
    with unit_of_work():
        bobs = elements.create(db, sdef, bob, {"name": "Bob's"})
        anas = elements.create(db, sdef, ana, {"name": "Ana's"})
    with unit_of_work():
        out = elements.create_many(db, sdef, ana, [
            {"name": "Hidden parent", "parent_id": bobs.id},
            {"name": "Own parent", "parent_id": anas.id},
            {"name": "No parent", "parent_id": 999_999},
        ])
    assert isinstance(out[0], ValidationError) and "parent_id" in out[0].messages
    assert db.get(Sample, out[1]).parent_id == anas.id
    assert isinstance(out[2], ValidationError)
    assert db.scalar(select(func.count()).select_from(Sample).where(Sample.name.like("%parent"))) == 1


def test_batch_refuses_an_owner_change_without_the_permission(db, sdef, access_for):
    ana, bob = access_for("ana"), access_for("bob")
    with unit_of_work():
        out = elements.create_many(db, sdef, ana, [{"name": "For Bob", "owner_id": bob.user.id}, {"name": "Mine"}])
    assert isinstance(out[0], PermissionDenied) and db.get(Sample, out[1]).owner_id == ana.user.id


def test_batch_needs_the_modify_permission(db, sdef, access_for, users):
    from crm_core.security.access import Access

    viewer = Access(users["ana"], {"samples": (True, False, False)})
    with pytest.raises(PermissionDenied):
        elements.create_many(db, sdef, viewer, [{"name": "Nope"}])


@pytest.mark.crm(extra_plugins={"sample": sample, "refuser": make_plugin("refuser", crm_element_created=_refuse_boom)})
def test_a_hook_refusal_propagates_so_the_caller_can_roll_the_batch_back(db, sdef, access_for):
    with pytest.raises(BusinessRuleError), unit_of_work():
        elements.create_many(db, sdef, access_for("ana"), [{"name": "Uno"}, {"name": "Boom"}])
    assert db.scalar(select(func.count()).select_from(Sample)) == 0 and _audits(db) == []
