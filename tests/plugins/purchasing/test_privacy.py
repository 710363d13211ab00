"""A supplier's personal data is erased like a customer's (CORE-21): purchasing's sessions are
sales' tables with ``kind = "purchase"``, so sales' implementation of the erase hooks serves them."""

from __future__ import annotations

import pytest

from crm_core.db import unit_of_work
from crm_core.privacy import service
from crm_core.privacy.plan import ERASED
from crm_core.services import elements
from tests.core.privacy.client_data import grant_privacy, leftovers

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


def test_a_supplier_and_its_contacts_are_erased_through_the_suppliers_session(db, crm_app, access_for):
    grant_privacy(db)
    registry, ana = crm_app.extensions["crm"].registry, access_for("ana")
    with unit_of_work():
        supplier = elements.create(db, registry.sdef("suppliers"), ana,
                                   {"code": "SUP-77", "name": "Proveedora Íñiga Secreta", "email": "iniga@proveedora.example"})
    with unit_of_work():
        elements.create(db, registry.sdef("supplier_contacts"), ana,
                        {"account_id": supplier.id, "first_name": "Íñiga", "last_name": "Proveedora-Secreta"})
    assert "suppliers" in [s.name for s in service.client_sessions()]
    plan = service.preview(db, access_for("leader"), "suppliers", supplier.id)
    assert {i.key: i.number for i in plan.of("sales").items} == {"accounts": 1, "contacts": 1}
    with unit_of_work():
        service.erase(db, access_for("leader"), "suppliers", supplier.id)
    assert (supplier.name, supplier.kind) == (ERASED, "purchase")
    assert leftovers(db, ("Íñiga", "Proveedora-Secreta", "iniga@proveedora.example")) == []
