"""Sample rows for listing and export tests: three of ana's, one of bob's."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from crm_core.db import unit_of_work
from crm_core.services import elements

ROWS = {
    "ana": [
        {"name": "Alpha", "company": "Acme", "amount": "10.00", "due": "2026-01-10"},
        {"name": "Beta", "company": "Zeta Ltd", "amount": "20.00", "due": "2026-02-10"},
        {"name": "Gamma", "company": "Acme Corp", "amount": "30.00"},
    ],
    "bob": [{"name": "Bobs deal", "company": "Acme", "amount": "15.00", "due": "2026-01-20"}],
}


@pytest.fixture
def samples(db, access_for) -> dict[str, Any]:
    from crm_core.app import crm_state

    sdef = crm_state().registry.sdef("samples")
    made = {}
    with unit_of_work():
        for user, rows in ROWS.items():
            for row in rows:
                made[row["name"]] = elements.create(db, sdef, access_for(user), row)
    return made


def parse_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def listing_names(client_for) -> Callable[..., list[str]]:
    """Names a user's CSV listing returns for the given query arguments."""

    def run(user: str = "ana", **args: Any) -> list[str]:
        response = client_for(user).get("/s/samples/listing", query_string={"run": "1", "format": "csv", **args})
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.mimetype == "text/csv"
        rows = parse_csv(response)
        return sorted(r[0] for r in rows[1:])

    return run


__all__ = ["date", "parse_csv"]
