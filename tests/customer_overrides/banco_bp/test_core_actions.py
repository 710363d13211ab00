"""Banco BP's Core-system actions on cases (CAS-03) against the loopback double: recorded on
the case (request, answer, who, when), clear errors when the Core system refuses, hangs or
fails, nothing half-done in the CRM, and money-changing calls executed once per operation."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from plugins.cases.models import Case, CaseCoreCall

pytestmark = pytest.mark.crm(customer="banco_bp")

TX = {"product": "1002003001", "kind": "credit", "amount": "120.50", "concept": "Devolución comisión"}


def _calls(db, case):
    return list(db.scalars(select(CaseCoreCall).where(CaseCoreCall.case_id == case.id).order_by(CaseCoreCall.id)))


def _form(client, case, name, key="k" * 8 + "0001", confirm=True, **data):
    form = {"idempotency_key": key, **data}
    if confirm:
        form["confirm"] = "yes"
    return client.post(f"/cases/core/{case.id}/{name}", data=form)


def test_modify_client_data_is_called_and_recorded(core, bank_case, client_for, db, users):
    client = client_for("ana")
    page = client.get(f"/cases/core/{bank_case.id}/modify_client")
    assert page.status_code == 200 and 'name="idempotency_key"' in page.get_data(as_text=True)
    resp = _form(client, bank_case, "modify_client", confirm=False, field="email", value="c.mendoza@example.com")
    assert resp.status_code == 302
    [call] = _calls(db, bank_case)
    assert call.outcome == "done" and call.user_id == users["ana"].id and call.answered_at is not None
    assert json.loads(call.request) == {"field": "email", "value": "c.mendoza@example.com"}
    assert json.loads(call.answer)["email"] == "c.mendoza@example.com"
    assert core.requests[-1][:2] == ("PATCH", "/clients/0912345678")
    tab = client.get(f"/s/cases/{bank_case.id}?tab=core").get_data(as_text=True)
    assert "Modify client data" in tab and "email of client 0912345678 changed" in tab


def test_a_transaction_submitted_twice_executes_once(core, bank_case, client_for, db):
    client = client_for("ana")
    assert _form(client, bank_case, "execute_transaction", **TX).status_code == 302
    assert _form(client, bank_case, "execute_transaction", **TX).status_code == 302
    assert core.money_executions() == 1
    first, second = _calls(db, bank_case)
    assert (first.outcome, second.outcome) == ("done", "replayed")
    assert first.reference == second.reference == "TX000001"
    assert len(core.requests) == 1  # the repeat was answered from the record


def test_a_lost_answer_retried_with_the_same_key_executes_once(core, bank_case, client_for, db):
    client = client_for("ana")
    core.delay = 5  # the Core system executes, but its answer comes after the 0.5 s timeout
    started = time.monotonic()
    resp = _form(client, bank_case, "execute_transaction", **TX)
    assert time.monotonic() - started < 3
    assert resp.status_code == 502
    assert "did not answer" in resp.get_data(as_text=True)
    core.delay = 0
    assert _form(client, bank_case, "execute_transaction", **TX).status_code == 302
    assert core.money_executions() == 1
    assert [c.outcome for c in _calls(db, bank_case)] == ["failed", "done"]


def test_a_refusal_is_shown_and_changes_nothing_else(core, bank_case, client_for, db):
    core.mode = "refuse"
    version = db.get(Case, bank_case.id).version
    resp = _form(client_for("ana"), bank_case, "execute_transaction", **TX)
    assert resp.status_code == 422
    assert "The Core system refused: Insufficient funds" in resp.get_data(as_text=True)
    [call] = _calls(db, bank_case)
    assert call.outcome == "refused" and json.loads(call.answer) == {"error": "Insufficient funds"}
    db.expire_all()
    assert db.get(Case, bank_case.id).version == version


@pytest.mark.parametrize(("mode", "words"), [
    ("hang", "did not answer in 0.5 seconds"),
    ("fail", "The Core system failed (HTTP 500)"),
    ("garble", "cannot be read"),
])
def test_an_outage_is_a_clear_error(core, bank_case, client_for, db, mode, words):
    core.mode = mode
    resp = _form(client_for("ana"), bank_case, "modify_client", confirm=False, field="phone", value="+593 99 000 0000")
    assert resp.status_code == 502
    text = resp.get_data(as_text=True)
    assert words in text and "Nothing was changed in the CRM" in text
    [call] = _calls(db, bank_case)
    assert call.outcome == "failed" and words in call.message
    assert core.money_executions() == 0


def test_a_busy_core_is_retried_once_with_the_same_key(core, bank_case, client_for, db):
    core.mode = "flaky"
    assert _form(client_for("ana"), bank_case, "execute_transaction", **TX).status_code == 302
    assert core.money_executions() == 1
    assert [r[2] for r in core.requests] == ["k" * 8 + "0001"] * 2


def test_bad_input_and_missing_confirmation_call_nothing(core, bank_case, client_for, db):
    client = client_for("ana")
    bad = _form(client, bank_case, "execute_transaction", **{**TX, "amount": "-3"})
    assert bad.status_code == 400
    unconfirmed = _form(client, bank_case, "execute_transaction", confirm=False, **TX)
    assert unconfirmed.status_code == 400 and "Confirm the operation" in unconfirmed.get_data(as_text=True)
    assert core.requests == [] and _calls(db, bank_case) == []


def test_only_who_may_modify_the_case_calls_and_not_on_closed_cases(core, bank_case, client_for, db):
    assert _form(client_for("bob"), bank_case, "execute_transaction", **TX).status_code == 404
    db.get(Case, bank_case.id).status = "closed"
    db.flush()
    assert client_for("ana").get(f"/cases/core/{bank_case.id}/execute_transaction").status_code == 404
    assert core.requests == [] and db.scalar(select(func.count()).select_from(CaseCoreCall)) == 0


def test_api_runs_and_lists_calls_idempotently(core, bank_case, client_for, db):
    client = client_for("ana")
    url = f"/api/v1/case-core/{bank_case.id}/execute_transaction"
    assert client.post(url, json=TX).status_code == 400  # a money action needs its key
    headers = {"Idempotency-Key": "api-key-0001"}
    first = client.post(url, json=TX, headers=headers)
    again = client.post(url, json=TX, headers=headers)
    assert first.status_code == again.status_code == 200
    assert (first.json["outcome"], again.json["outcome"]) == ("done", "replayed")
    assert core.money_executions() == 1
    other = client.post(url, json={**TX, "amount": "9.99"}, headers=headers)
    assert other.status_code == 422  # one key, another request: refused by the CRM
    core.mode = "refuse"
    refused = client.post(url, json=TX, headers={"Idempotency-Key": "api-key-0002"})
    assert refused.status_code == 422 and refused.json["outcome"] == "refused"
    listing = client.get(f"/api/v1/case-core/{bank_case.id}").json
    assert [c["outcome"] for c in listing["calls"]] == ["refused", "replayed", "done"]
    assert {a["name"] for a in listing["actions"]} == {"modify_client", "execute_transaction", "reverse_transaction"}


def test_reversal_of_an_executed_transaction(core, bank_case, client_for, db):
    client = client_for("ana")
    _form(client, bank_case, "execute_transaction", **TX)
    resp = _form(client, bank_case, "reverse_transaction", key="reverse-0001", reference="TX000001", reason="Error")
    assert resp.status_code == 302
    assert _calls(db, bank_case)[-1].message == "Transaction TX000001 reversed: RV000002"


@pytest.mark.parametrize("key", ["", "a\x00b", "\x1b[31m", "x" * 5000, str(2**64), "%_\\"])
def test_a_bad_idempotency_key_is_refused_or_used_never_a_server_error(core, bank_case, client_for, db, key):
    """The bad-input sweep cannot reach this form (it needs a client's adapter): attacked here."""
    response = _form(client_for("ana"), bank_case, "execute_transaction", key=key, **TX)
    assert response.status_code < 500
    assert core.money_executions() <= 1 and len(_calls(db, bank_case)) <= 1
