"""Fixtures for the cases tests: a customer with a contact and an opportunity, and cases
created and moved through the generic element services, as the screens, API and imports do."""

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
    """``create("cases", "ana", subject=...)``: one element through ``elements.create``, committed."""

    def make(session_name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(db, sdef(session_name), access_for(username), data)

    return make


@pytest.fixture
def action(db, sdef, access_for) -> Callable[..., Any]:
    """``action(case, "resolve", "ana", resolution=...)`` through ``elements.run_action``."""

    def run(element: Any, name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.run_action(db, sdef("cases"), access_for(username), element, name, data)

    return run


@pytest.fixture
def customer(create) -> dict[str, Any]:
    """Ana's customer with a contact and an opportunity."""
    account = create("accounts", "ana", code="C0100", name="Hoteles Sol S.A.")
    contact = create("contacts", "ana", account_id=account.id, first_name="Rosa", last_name="Ferrer")
    opportunity = create("opportunities", "ana", name="Renovación", account_id=account.id)
    return {"account": account, "contact": contact, "opportunity": opportunity}


@pytest.fixture
def new_case(create, customer) -> Callable[..., Any]:
    def make(username: str = "ana", **data: Any) -> Any:
        values = {"account_id": customer["account"].id, "subject": "Factura duplicada", "type": "billing", **data}
        return create("cases", username, **values)

    return make
