"""Fixtures for the generic screens tests: the sample session, samples owned by a given user
and a "guest" whose group may only view samples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crm_core.db import unit_of_work
from crm_core.models.auth import Group, Permission, User
from crm_core.services import elements
from crm_core.testing import PASSWORD


@pytest.fixture
def samples(crm_app: Any) -> Any:
    from crm_core.app import crm_state

    return crm_state().registry.sdef("samples")


@pytest.fixture
def make_sample(db: Any, access_for: Callable[[str], Any], samples: Any) -> Callable[..., Any]:
    """``make_sample("ana", name="Acme")``: a sample owned by ana, created through the service."""

    def make(username: str, sdef: Any = None, **values: Any) -> Any:
        values.setdefault("name", "Sample")
        with unit_of_work():
            return elements.create(db, sdef or samples, access_for(username), values)

    return make


@pytest.fixture
def guest(db: Any, users: dict[str, Any], crm_app: Any) -> User:
    """A user whose group may view samples but not modify them, and nothing else."""
    from crm_core.security.passwords import hash_password

    with unit_of_work():
        group = Group(name="Guests", description="view only")
        db.add(group)
        db.flush()
        db.add(Permission(group_id=group.id, session_name="samples", can_view=True))
        user = User(username="guest", full_name="Guest", password_hash=hash_password(PASSWORD), group_id=group.id)
        db.add(user)
    return user


@pytest.fixture
def guest_client(crm_app: Any, guest: User) -> Any:
    return crm_app.test_client(user=guest)


@pytest.fixture
def locked(make_sample: Callable[..., Any], crm_app: Any) -> Any:
    """A sample of the non-deletable ``locked_samples`` session, owned by ana."""
    from crm_core.app import crm_state

    return make_sample("ana", sdef=crm_state().registry.sdef("locked_samples"), name="Locked")
