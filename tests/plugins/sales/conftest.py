"""Fixtures for the sales and purchasing tests: sessions by name and element factories that go
through the generic create service, like the screens, the API and imports do."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crm_core.db import unit_of_work
from crm_core.services import elements


@pytest.fixture
def sdef(crm_app) -> Callable[[str], Any]:
    from crm_core.app import crm_state

    return lambda name: crm_state(crm_app).registry.sdef(name)


@pytest.fixture
def create(db, sdef, access_for) -> Callable[..., Any]:
    """``create("leads", "ana", name=...)``: one element through ``elements.create``, committed."""

    def make(session_name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(db, sdef(session_name), access_for(username), data)

    return make


@pytest.fixture
def action(db, sdef, access_for) -> Callable[..., Any]:
    """``action("leads", lead, "qualify", "ana", **input)`` through ``elements.run_action``."""

    def run(session_name: str, element: Any, name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.run_action(db, sdef(session_name), access_for(username), element, name, data)

    return run


def requires_route(crm_app: Any, endpoint: str) -> None:
    """Skip an HTTP test when the generic screen or API route is not registered yet."""
    if endpoint not in crm_app.view_functions:
        pytest.skip(f"generic screens not registered ({endpoint})")
