"""What a case may hold (CAS-01): an account the user may use, a contact and an opportunity of
that same account, a type from the customer's vocabulary, a real assignee and group. Every
refusal is a field error on the form, the API and the import, and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crm_core.errors import BusinessRuleError
from crm_core.importing import engine
from crm_core.models.auth import Group
from plugins.cases.models import Case

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing", "cases"])
ACME = pytest.mark.crm(
    plugins=["sales", "cases"], customer="acme", settings={"CRM_OVERRIDES_DIR": str(Path(__file__).parent / "customers")}
)


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Case))


@pytest.fixture
def other_account(create):
    account = create("accounts", "ana", code="C0300", name="Otra S.L.")
    contact = create("contacts", "ana", account_id=account.id, last_name="Pérez")
    opportunity = create("opportunities", "ana", name="Otra venta", account_id=account.id)
    return {"account": account, "contact": contact, "opportunity": opportunity}


def test_a_case_holds_its_customer_contact_and_opportunity(new_case, customer):
    case = new_case(contact_id=customer["contact"].id, opportunity_id=customer["opportunity"].id)
    assert (case.account_id, case.contact_id, case.opportunity_id) == (
        customer["account"].id, customer["contact"].id, customer["opportunity"].id
    )
    assert (case.status, case.priority, case.origin) == ("gathering", "normal", "phone")


@pytest.mark.parametrize("field", ["contact_id", "opportunity_id"])
def test_a_contact_or_opportunity_of_another_account_is_refused_on_the_api(
    client_for, customer, other_account, db, field
):
    target = other_account["contact" if field == "contact_id" else "opportunity"]
    response = client_for("ana").post(
        "/api/v1/cases",
        json={"account_id": customer["account"].id, "subject": "X", "type": "billing", field: target.id},
    )
    assert response.status_code in (409, 422), response.get_json()
    message = response.get_json()["error"]["message"]
    assert "belongs to another account" in message
    assert count(db) == 0


def test_the_form_shows_the_other_account_contact_as_a_field_error(client_for, customer, other_account, db):
    response = client_for("ana").post(
        "/s/cases/new",
        data={"account_id": customer["account"].id, "subject": "X", "type": "billing",
              "contact_id": other_account["contact"].id, "priority": "normal", "origin": "phone"},
    )
    assert response.status_code == 400
    assert "This contact belongs to another account." in response.get_data(as_text=True)
    assert count(db) == 0


def test_moving_a_case_to_another_account_keeps_its_contact_consistent(client_for, new_case, customer,
                                                                       other_account, db):
    case = new_case(contact_id=customer["contact"].id)
    response = client_for("ana").patch(f"/api/v1/cases/{case.id}", json={"account_id": other_account["account"].id})
    assert response.status_code in (409, 422)
    db.expire_all()
    assert db.get(Case, case.id).account_id == customer["account"].id
    moved = client_for("ana").patch(
        f"/api/v1/cases/{case.id}",
        json={"account_id": other_account["account"].id, "contact_id": other_account["contact"].id},
    )
    assert moved.status_code == 200, moved.get_json()


def test_another_users_account_reads_like_a_missing_one(client_for, create, db):
    bobs = create("accounts", "bob", code="C0400", name="De Bob")
    for account_id in (bobs.id, 999_999):
        response = client_for("ana").post("/api/v1/cases", json={"account_id": account_id, "subject": "X",
                                                                  "type": "billing"})
        assert response.status_code == 400
        assert response.get_json()["error"]["fields"]["account_id"] == ["No such record, or not one you may use."]
    assert count(db) == 0


def test_a_supplier_is_not_a_customer_with_cases(client_for, create, db):
    supplier = create("suppliers", "ana", code="P0001", name="Papelera")
    response = client_for("ana").post("/api/v1/cases", json={"account_id": supplier.id, "subject": "X",
                                                              "type": "billing"})
    assert response.status_code == 400 and "account_id" in response.get_json()["error"]["fields"]
    assert count(db) == 0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"type": "unknown"}, "type"),
        ({"priority": "whenever"}, "priority"),
        ({"origin": "pigeon"}, "origin"),
        ({"assignee_id": 999_999}, "assignee_id"),
        ({"group_id": 999_999}, "group_id"),
        ({"subject": ""}, "subject"),
        ({"due_at": "tomorrow"}, "due_at"),
    ],
)
def test_bad_values_are_field_errors_and_write_nothing(client_for, customer, db, values, field):
    data = {"account_id": customer["account"].id, "subject": "X", "type": "billing", **values}
    response = client_for("ana").post("/api/v1/cases", json=data)
    assert response.status_code == 400
    assert field in response.get_json()["error"]["fields"]
    assert count(db) == 0


def test_an_inactive_user_cannot_be_assigned(client_for, customer, users, db):
    users["bob"].active = False
    db.commit()
    response = client_for("ana").post("/api/v1/cases", json={
        "account_id": customer["account"].id, "subject": "X", "type": "billing", "assignee_id": users["bob"].id})
    assert response.get_json()["error"]["fields"]["assignee_id"] == ["Unknown or inactive user."]


def test_a_case_goes_to_a_user_and_a_group_queue(new_case, users, db, client_for):
    group = db.scalar(select(Group).where(Group.name == "Executives"))
    case = new_case(assignee_id=users["bob"].id, group_id=group.id, due_at="2030-01-31T17:00:00+01:00")
    assert (case.assignee_id, case.group_id) == (users["bob"].id, group.id)
    db.expire_all()
    assert db.get(Case, case.id).due_at == datetime(2030, 1, 31, 16, tzinfo=UTC)
    html = client_for("ana").get("/s/cases").get_data(as_text=True)
    assert users["bob"].display_name() in html  # the assignee column shows the name


def test_default_types_on_the_form(client_for):
    html = client_for("ana").get("/s/cases/new").get_data(as_text=True)
    for name in ("Billing", "Sales", "Defect", "Complaint"):
        assert f">{name}</option>" in html
    assert 'name="product" ' in html and '<select name="product"' not in html  # free text without a vocabulary


@ACME
def test_a_customer_names_its_own_types_and_products(client_for, customer, db):
    ana = client_for("ana")
    html = ana.get("/s/cases/new").get_data(as_text=True)
    assert ">Avería</option>" in html and ">Fibra 1 Gb</option>" in html and ">Billing<" not in html
    refused = ana.post("/api/v1/cases", json={"account_id": customer["account"].id, "subject": "X",
                                              "type": "billing", "product": "tv"})
    assert set(refused.get_json()["error"]["fields"]) == {"type", "product"}
    created = ana.post("/api/v1/cases", json={"account_id": customer["account"].id, "subject": "X",
                                              "type": "fault", "product": "fiber"})
    assert created.status_code == 201
    grid = ana.get("/s/cases").get_data(as_text=True)
    assert "Avería" in grid


def test_empty_types_in_the_customer_file_stop_start_up(tmp_path):
    from crm_core.app import create_app
    from crm_core.errors import ConfigError
    from crm_core.testing.plugin import base_settings

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "customer.toml").write_text('[plugins]\nenabled = ["sales", "cases"]\n[settings.cases]\ntypes = {}\n')
    with pytest.raises(ConfigError, match="settings.cases.types"):
        create_app(base_settings("sqlite://", CRM_PLUGINS=None, CRM_CUSTOMER="bad", CRM_OVERRIDES_DIR=str(tmp_path)))


def test_an_import_reports_the_line_of_a_contact_of_another_account(crm_app, db, access_for, sdef, customer,
                                                                   other_account):
    code = customer["account"].code
    text = f"{code};Bien;billing;\n{code};Mal;billing;{other_account['contact'].id}\n"
    spec = engine.ImportSpec(columns=("account_code", "subject", "type", "contact_id"), separator=";", header=False)
    result = engine.run_import(sdef("cases"), access_for("ana"), text, spec)
    assert [line for line, _f, _r in result.errors] == [2]
    assert result.created == 0 and count(db) == 0


def test_check_links_is_a_business_rule(db, crm_app, new_case, customer, other_account):
    from plugins.cases import services

    case = new_case()
    case.contact_id = other_account["contact"].id
    with pytest.raises(BusinessRuleError) as refused:
        services.check_links(db, [case])
    assert refused.value.field == "contact_id"
    db.rollback()
