"""A missing customer is created from the account picker (issue 17 item 6, SAL-02, SAL-07): a
potential account under the next provisional code, owned by the user, with the user's rights;
bad input or no right changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from crm_core.events import handles
from crm_core.models.audit import AuditEntry
from crm_core.models.auth import Group, Permission
from crm_core.testing import make_plugin
from plugins.sales.models import Account

pytestmark = pytest.mark.crm(plugins=["sales", "activities"])


def _accounts(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(Account))


def test_the_account_picker_offers_a_new_customer(client_for):
    html = client_for("ana").get("/s/opportunities/new").get_data(as_text=True)
    assert 'data-lookup-url="/s/accounts/lookup" data-create-label="New customer"' in html
    contact_form = client_for("ana").get("/s/contacts/new").get_data(as_text=True)
    assert 'data-create-label="New customer"' in contact_form
    assert 'data-lookup-url="/s/leads/lookup" data-create' not in html  # leads declare no quick create


def test_a_new_customer_from_the_picker_is_a_potential_account_of_the_user(client_for, db, users):
    response = client_for("ana").post("/s/accounts/lookup", data={"q": "  Nueva   Óptica  "})
    assert response.status_code == 201
    answer = response.get_json()
    account = db.get(Account, answer["id"])
    assert (account.name, account.status, account.kind) == ("Nueva Óptica", "potential", "sale")
    assert account.code.startswith("OP") and account.owner_id == users["ana"].id
    assert answer["label"] == account.display_name()
    second = client_for("ana").post("/s/accounts/lookup", data={"q": "Otra"}).get_json()
    assert db.get(Account, second["id"]).code != account.code


def test_the_new_customer_is_picked_for_the_opportunity(client_for, db):
    ana = client_for("ana")
    account_id = ana.post("/s/accounts/lookup", data={"q": "Recién Llegada"}).get_json()["id"]
    saved = ana.post("/s/opportunities/new", data={"name": "Primer pedido", "account_id": str(account_id),
                                                     "amount": "500", "currency": "EUR"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    grid = ana.get("/s/opportunities").get_data(as_text=True)
    assert f'<a href="/s/accounts/{account_id}">' in grid and "Recién Llegada" in grid


@pytest.mark.parametrize("text", ["", "   ", "x" * 121])
def test_a_blank_or_too_long_name_is_refused_and_changes_nothing(client_for, db, text):
    before = _accounts(db)
    response = client_for("ana").post("/s/accounts/lookup", data={"q": text})
    assert response.status_code == 400 and response.get_json()["errors"]["name"]
    assert _accounts(db) == before


def test_a_user_who_may_not_add_accounts_gets_no_entry_and_a_refusal(client_for, db):
    executives = db.scalar(select(Group).where(Group.name == "Executives"))
    db.execute(update(Permission).where(Permission.group_id == executives.id, Permission.session_name == "accounts")
               .values(can_modify=False))
    db.flush()
    ana = client_for("ana")
    assert "data-create-label" not in ana.get("/s/opportunities/new").get_data(as_text=True)
    before = _accounts(db)
    assert ana.post("/s/accounts/lookup", data={"q": "Sin permiso"}).status_code == 403
    assert _accounts(db) == before


def test_sessions_without_quick_create_refuse_it(client_for, db):
    response = client_for("ana").post("/s/leads/lookup", data={"q": "Lead"})
    assert response.status_code == 400 and response.get_json()["errors"]["_form"]


CREATED: list[tuple[str, str, str]] = []


@handles(sessions=("accounts",))
def _account_created(sdef, element, access, user):  # type: ignore[no-untyped-def]
    CREATED.append((sdef.name, element.name, user.username))


@pytest.mark.crm(plugins=["sales", "activities", "listener"],
                 extra_plugins={"listener": make_plugin("listener", requires=("sales",),
                                                        crm_element_created=_account_created)})
def test_a_new_customer_from_the_picker_fires_element_created_and_is_audited(client_for, db, users):
    CREATED.clear()
    answer = client_for("ana").post("/s/accounts/lookup", data={"q": "Óptica Oída"}).get_json()
    assert CREATED == [("accounts", "Óptica Oída", "ana")]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.element_type == Account.__element_type__,
                                               AuditEntry.element_id == answer["id"]))
    assert entry is not None and entry.user_id == users["ana"].id
    CREATED.clear()
    refused = client_for("ana").post("/s/accounts/lookup", data={"q": "   "})
    assert refused.status_code == 400 and CREATED == []
