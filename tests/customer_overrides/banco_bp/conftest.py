from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.customer_overrides.banco_bp.core_double import CoreDouble, running


@pytest.fixture
def core(crm_app: Any) -> Iterator[CoreDouble]:
    """The Core-system double, with the client's settings pointing at it (short timeout)."""
    with running() as double:
        crm_app.extensions["crm"].settings["client"] = {"core_url": double.url, "timeout_seconds": 0.5, "retries": 2}
        yield double


@pytest.fixture
def bank_case(db: Any, access_for: Any, users: Any) -> Any:
    """A client of ana's with a Core code and a case of hers on it."""
    from crm_core.toolkit import create_element, crm_state, unit_of_work

    registry = crm_state().registry
    with unit_of_work() as s:
        access = access_for("ana")
        account = create_element(s, registry.sdef("accounts"), access, {"code": "0912345678", "name": "Carlos Mendoza"})
        case = create_element(s, registry.sdef("cases"), access, {
            "subject": "Cobro duplicado", "type": "claim", "account_id": account.id})
    return case
