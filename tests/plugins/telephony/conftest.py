"""Fixtures of the telephony tests: extensions for the test users, calls through the generic
element services (as the screens, the API and imports create them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crm_core.db import unit_of_work
from crm_core.services import elements
from plugins.telephony import services

pytestmark = pytest.mark.crm(plugins=["sales", "activities", "telephony"])


@pytest.fixture
def sdef(crm_app) -> Callable[[str], Any]:
    from crm_core.app import crm_state

    return lambda name: crm_state(crm_app).registry.sdef(name)


@pytest.fixture
def create(db, sdef, access_for) -> Callable[..., Any]:
    def make(area: str, username: str, /, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(db, sdef(area), access_for(username), data)

    return make


@pytest.fixture
def extensions(db, users) -> dict[str, str]:
    """ana at 201, bob at 202."""
    given = {"ana": "201", "bob": "202"}
    with unit_of_work():
        for username, extension in given.items():
            services.save_extension(db, users[username], extension)
    return given
