"""The privacy erase (CORE-21): after erasing a client, no table and no stored file holds any of
its values; what is not personal stays; the erase is permission-gated, previewed, one
transaction, and logged without values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm_core.db import unit_of_work
from crm_core.errors import BusinessRuleError, NotFound, PermissionDenied
from crm_core.models.audit import AuditEntry
from crm_core.models.outbox import OutboxMessage
from crm_core.models.privacy import Erasure
from crm_core.privacy import service
from crm_core.privacy.plan import ERASED
from tests.core.privacy.client_data import (
    NAME,
    OTHER_EMAIL,
    OTHER_NAME,
    PLUGINS,
    VALUES,
    grant_privacy,
    leftovers,
    make_client,
)

pytestmark = pytest.mark.crm(plugins=PLUGINS)


@pytest.fixture
def registry(crm_app):
    return crm_app.extensions["crm"].registry


@pytest.fixture
def client(db, registry, access_for, users):
    grant_privacy(db)
    return make_client(db, registry, access_for, users)


def test_the_preview_counts_per_plugin_and_changes_nothing(db, client, access_for):
    before = leftovers(db)
    plan = service.preview(db, access_for("leader"), "accounts", client["account"].id)
    counts = {f.plugin: {i.key: i.number for i in f.items} for f in plan.found}
    assert counts["sales"] == {"accounts": 1, "contacts": 1, "leads": 1, "opportunities": 1}
    assert counts["cases"] == {"cases": 1, "case_mails": 1}
    assert counts["activities"] == {"activities": 1, "activities_mentioning": 1}
    assert counts["telephony"] == {"calls": 2}
    assert counts["inboxes"] == {"items": 1}
    assert counts["knowledge"] == {"articles": 1}
    assert counts["loyalty"] == {"points": 1}
    assert counts["messaging"] == {"messages": 1}
    assert counts["erp_gl7"]["messages"] >= 1
    assert counts["core"] == {"notes": 2, "outbox": 1, "import_files": 1}
    assert leftovers(db) == before and before  # the values are everywhere, and still there


def test_after_the_erase_no_table_and_no_file_holds_a_value_of_the_client(db, client, access_for):
    with unit_of_work():
        log = service.erase(db, access_for("leader"), "accounts", client["account"].id)
    db.expire_all()
    assert leftovers(db) == []
    assert leftovers(db, (OTHER_NAME, OTHER_EMAIL)), "someone else's data stays"
    account, opportunity, case = client["account"], client["opportunity"], client["case"]
    assert (account.name, account.email, account.phone, account.code) == (ERASED, "", "", "PRV001")
    assert (opportunity.amount, opportunity.status) == (Decimal("250000.00"), "active")
    assert (case.number is not None, case.type, case.status) == (True, "billing", "gathering")
    from plugins.knowledge.search import search

    leader = access_for("leader")
    assert search(db, leader, "Zuzanna") == [] and search(db, leader, "reclamaciones")  # the index follows
    assert log.counts["sales"]["contacts"] == 1 and log.user_id == access_for("leader").user.id
    assert (log.session_name, log.element_id) == ("accounts", account.id)


def test_the_erase_is_in_the_history_and_the_log_without_values(db, client, access_for):
    with unit_of_work():
        service.erase(db, access_for("leader"), "accounts", client["account"].id)
    rows = db.scalars(select(AuditEntry).where(AuditEntry.element_type == "sales_account",
                                               AuditEntry.element_id == client["account"].id,
                                               AuditEntry.action == "erase", AuditEntry.object_type.is_(None))).all()
    assert rows and rows[0].changes["name"] == [ERASED, ERASED]
    assert db.scalar(select(func.count()).select_from(Erasure)) == 1
    mail = db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "privacy-test-mail"))
    assert (mail.status, mail.payload) == ("cancelled", {"erased": True})


def test_an_executive_without_the_permission_can_neither_preview_nor_erase(db, client, access_for):
    with pytest.raises(PermissionDenied):
        service.preview(db, access_for("ana"), "accounts", client["account"].id)
    with pytest.raises(PermissionDenied), unit_of_work():
        service.erase(db, access_for("ana"), "accounts", client["account"].id)
    assert client["account"].name == NAME


def test_previewing_is_not_erasing(db, registry, access_for, users):
    grant_privacy(db, modify=False)
    client = make_client(db, registry, access_for, users)
    assert service.preview(db, access_for("leader"), "accounts", client["account"].id).found
    with pytest.raises(PermissionDenied), unit_of_work():
        service.erase(db, access_for("leader"), "accounts", client["account"].id)


def test_only_clients_of_a_client_session_can_be_erased(db, client, access_for):
    with pytest.raises(BusinessRuleError, match="holds no clients"):
        service.preview(db, access_for("leader"), "contacts", client["contact"].id)
    with pytest.raises(NotFound):
        service.preview(db, access_for("leader"), "no_such_session", 1)
    with pytest.raises(NotFound):
        service.preview(db, access_for("leader"), "accounts", 987654)


def test_a_failing_plugin_leaves_everything_as_it_was(db, client, access_for, crm_app, monkeypatch):
    from plugins.cases import privacy as cases_privacy

    def broken(plan, db):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cases_privacy, "erase", broken)
    before = leftovers(db)
    with pytest.raises(RuntimeError), unit_of_work():
        service.erase(db, access_for("leader"), "accounts", client["account"].id)
    db.expire_all()
    assert leftovers(db) == before
    assert db.scalar(select(func.count()).select_from(Erasure)) == 0
    assert set(VALUES)
