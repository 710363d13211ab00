"""A reference to someone else's record answers exactly like a reference to no record, by id
or by code (CORE-05, NF-03): the answer must not reveal which accounts exist."""

from __future__ import annotations

import pytest

from tests.plugins.sales.conftest import requires_route

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])
MISSING_ID = 10**9


@pytest.fixture
def ana(crm_app, client_for):
    requires_route(crm_app, "api.run_action")
    return client_for("ana")


def refusals(ana, path: str, hidden: dict, missing: dict):
    one = ana.post(path, json=hidden)
    other = ana.post(path, json=missing)
    assert one.status_code == other.status_code == 400
    assert b"No such record, or not one you may use." in one.data
    return one.data, other.data


def test_another_owners_account_code_reads_like_a_missing_code(ana, create):
    create("accounts", "bob", code="C0777", name="Cliente de Bob")
    hidden, missing = refusals(ana, "/api/v1/opportunities",
                               {"name": "Reforma", "account_code": "C0777"},
                               {"name": "Reforma", "account_code": "C9999"})
    assert hidden == missing


def test_another_owners_account_id_reads_like_a_missing_id(ana, create):
    bobs = create("accounts", "bob", code="C0778", name="Otro cliente de Bob")
    for path, data in (("/api/v1/opportunities", {"name": "Reforma"}), ("/api/v1/contacts", {"last_name": "Soler"})):
        hidden, missing = refusals(ana, path, {**data, "account_id": bobs.id}, {**data, "account_id": MISSING_ID})
        assert hidden == missing


def test_an_account_of_the_other_side_reads_like_a_missing_one(ana, create):
    supplier = create("suppliers", "bob", code="P0001", name="Proveedor de Bob")
    hidden, missing = refusals(ana, "/api/v1/opportunities",
                               {"name": "Reforma", "account_id": supplier.id},
                               {"name": "Reforma", "account_id": MISSING_ID})
    assert hidden == missing


def test_another_owners_campaign_code_reads_like_a_missing_code(ana, create):
    mine = create("accounts", "ana", code="C0779", name="Cliente de Ana")
    create("campaigns", "bob", code="SPRING", name="Primavera")
    base = {"name": "Reforma", "account_id": mine.id}
    hidden, missing = refusals(ana, "/api/v1/opportunities",
                               {**base, "campaign_code": "SPRING"}, {**base, "campaign_code": "AUTUMN"})
    assert hidden == missing
