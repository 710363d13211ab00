"""Detaching a batch of loaded objects (crm_core/orm_detach.py): the same end state as
``Session.expunge`` per object, without one cascade walk per object when nothing cascades."""

from __future__ import annotations

import pytest
from sqlalchemy import ForeignKey, create_engine, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column, relationship

from crm_core.orm_detach import detach


class _Base(DeclarativeBase):
    """This test's own mapped classes, apart from the application's."""


class Plain(_Base):
    __tablename__ = "plain"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[Parent | None] = relationship(back_populates="plain")


class Parent(_Base):
    __tablename__ = "parent"
    id: Mapped[int] = mapped_column(primary_key=True)
    children: Mapped[list[Child]] = relationship(cascade="all", back_populates="parent")
    plain: Mapped[list[Plain]] = relationship(back_populates="parent")


class Child(_Base):
    __tablename__ = "child"
    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))
    parent: Mapped[Parent] = relationship(back_populates="children")


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    _Base.metadata.create_all(engine)
    with Session(engine) as setup:
        parent = Parent(id=1, children=[Child(id=1), Child(id=2)])
        setup.add_all([parent, *(Plain(id=i, parent=parent) for i in range(1, 51))])
        setup.commit()
    with Session(engine) as orm:
        yield orm


def test_objects_without_an_expunge_cascade_leave_the_session_in_one_step(db, monkeypatch):
    objects = list(db.scalars(select(Plain)))
    walks = []
    original = Mapper.cascade_iterator
    monkeypatch.setattr(Mapper, "cascade_iterator", lambda *a, **k: walks.append(1) or original(*a, **k))
    detach(db, objects)
    assert walks == []  # Session.expunge walks the relationships once per object
    assert all(inspect(obj).detached and obj not in db for obj in objects)
    assert objects[0].id == 1  # loaded values stay readable
    again = db.get(Plain, 1)
    assert again is not objects[0]  # the identity map no longer holds them


def test_an_expunge_cascade_is_followed(db):
    parent = db.get(Parent, 1)
    children = list(parent.children)
    detach(db, [parent])
    assert parent not in db
    assert all(child not in db for child in children)


def test_an_object_of_another_session_changes_nothing(db):
    objects = list(db.scalars(select(Plain).limit(3)))
    with Session(db.get_bind()) as other:
        stranger = other.get(Plain, 10)
        with pytest.raises(ValueError):
            detach(db, [*objects, stranger])
    assert all(obj in db for obj in objects)
