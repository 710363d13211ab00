"""Fixtures for the REST API tests: a way to create owned samples without going through HTTP."""

from __future__ import annotations

import pytest

from crm_core.db import unit_of_work
from crm_core.services import elements


@pytest.fixture
def make_element(db, access_for):
    """``make_element("ana", name="Acme")``: a sample owned by that user, committed."""
    from crm_core.app import crm_state

    def make(username: str, session_name: str = "samples", **data):
        sdef = crm_state().registry.sdef(session_name)
        with unit_of_work():
            return elements.create(db, sdef, access_for(username), {"name": "Acme", **data})

    return make
