"""Account codes (SAL-02, SAL-07): the form, the API and imports run one code rule, an account
saves with its own code, and no stored code can stop the provisional "OP" series."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from crm_core.db import unit_of_work
from plugins.sales.models import PROVISIONAL_SERIES, Account, CodeCounter, Lead

pytestmark = pytest.mark.crm(plugins=["sales", "purchasing"])


def _form(account: Account, **changes: str) -> dict[str, str]:
    """The detail form as the browser posts it: every field, the code unchanged."""
    fields = ("code", "name", "tax_id", "email", "phone", "address", "city", "country")
    data = {name: getattr(account, name) or "" for name in fields}
    data.update(owner_id=str(account.owner_id), version=str(account.version), **changes)
    return data


def _qualified(create, action, username: str = "ana") -> Account:
    lead = create("leads", username, name="Espiga", company="Panadería La Espiga")
    return action("leads", lead, "qualify", username)


@pytest.mark.parametrize("username", ["ana", "leader"])
def test_account_detail_form_saves_with_its_own_code(create, client_for, db, username):
    create("accounts", "ana", code="C0002", name="Levante")
    account = create("accounts", "ana", code="C0003", name="Mediterráneo")
    response = client_for(username).post(f"/s/accounts/{account.id}", data=_form(account, city="Elche"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert (db.get(Account, account.id).code, db.get(Account, account.id).city) == ("C0003", "Elche")


def test_account_detail_form_refuses_another_accounts_code(create, client_for, db):
    create("accounts", "ana", code="C0002", name="Levante")
    account = create("accounts", "ana", code="C0003", name="Mediterráneo")
    response = client_for("ana").post(f"/s/accounts/{account.id}", data=_form(account, code="C0002", city="Elche"))
    assert response.status_code == 400
    assert "The code C0002 is already used." in response.get_data(as_text=True)
    db.expire_all()
    assert (db.get(Account, account.id).code, db.get(Account, account.id).city) == ("C0003", "")


def test_provisional_account_form_saves_keeping_its_op_code(create, action, client_for, db):
    account = _qualified(create, action)
    response = client_for("ana").post(f"/s/accounts/{account.id}", data=_form(account, city="Elche"))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.expire_all()
    assert (db.get(Account, account.id).code, db.get(Account, account.id).city) == ("OP000001", "Elche")


@pytest.mark.parametrize("code", ["OP999999", "op000042"])
def test_api_patch_refuses_a_provisional_code_like_the_form(create, client_for, db, code):
    account = create("accounts", "ana", code="C0003", name="Mediterráneo")
    response = client_for("ana").patch(f"/api/v1/accounts/{account.id}", json={"code": code})
    assert response.status_code == 400
    assert "reserved for provisional accounts" in response.json["error"]["fields"]["code"][0]
    db.expire_all()
    assert db.get(Account, account.id).code == "C0003"


def test_api_patch_refuses_another_accounts_code_and_accepts_its_own(create, client_for, db):
    create("accounts", "ana", code="C0002", name="Levante")
    account = create("accounts", "ana", code="C0003", name="Mediterráneo")
    ana = client_for("ana")
    taken = ana.patch(f"/api/v1/accounts/{account.id}", json={"code": "C0002"})
    assert taken.status_code == 400 and "code" in taken.json["error"]["fields"]
    own = ana.patch(f"/api/v1/accounts/{account.id}", json={"code": "C0003", "city": "Elche"})
    assert own.status_code == 200, own.json
    assert (own.json["code"], own.json["city"]) == ("C0003", "Elche")


def test_a_stored_code_at_the_end_of_the_range_does_not_stop_qualification(create, action, db, users):
    with unit_of_work():  # a code from before the rule (legacy data), written past the schema
        db.add(Account(code="OP999999", name="Legacy", kind="sale", owner_id=users["ana"].id,
                       creator_id=users["ana"].id))
    codes = [_qualified(create, action, user).code for user in ("ana", "bob", "leader")]
    assert codes == ["OP000001", "OP000002", "OP000003"]


def test_a_provisional_code_already_stored_is_skipped(create, action, db, users):
    with unit_of_work():
        db.add(Account(code="OP000001", name="Legacy", kind="sale", owner_id=users["ana"].id,
                       creator_id=users["ana"].id))
    assert _qualified(create, action).code == "OP000002"


def test_provisional_codes_grow_wider_past_the_sixth_digit(create, action, db):
    with unit_of_work():
        db.execute(update(CodeCounter).where(CodeCounter.series == PROVISIONAL_SERIES).values(value=999999))
    assert _qualified(create, action).code == "OP1000000"
    assert db.scalar(select(Lead.status).order_by(Lead.id.desc()).limit(1)) == "qualified"
