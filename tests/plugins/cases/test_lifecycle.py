"""The case life cycle (CAS-02, seed 002) as a declared workflow: gathering information → open →
resolved → closed with the customer's agreement; reopen from resolved; cancel with a reason
while the case is worked on. Illegal moves are refused with the visible states named and write
nothing; every move is audited under its action and shown on the record's history tab."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from crm_core.errors import BusinessRuleError
from crm_core.models.types import utcnow
from plugins.cases.models import Case
from tests.support.audit import audit_rows

pytestmark = pytest.mark.crm(plugins=["sales", "cases"])

AGREEMENT = {"agreed_by": "Rosa Ferrer", "agreed_via": "phone"}


def statuses(db, case) -> list[tuple[str, list[str]]]:
    rows = audit_rows(db, case)
    return [(action, changes["status"]) for action, changes in rows if "status" in changes and action != "create"]


def test_a_case_goes_from_gathering_to_closed_with_the_agreement_recorded(new_case, action, db):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Abono de la factura duplicada")
    action(case, "close", "ana", **AGREEMENT)
    db.expire_all()
    closed = db.get(Case, case.id)
    assert closed.status == "closed"
    assert (closed.agreed_by, closed.agreed_via) == ("Rosa Ferrer", "phone")
    assert closed.agreed_at is not None and closed.closed_at is not None
    assert closed.resolution == "Abono de la factura duplicada"
    assert statuses(db, case) == [
        ("open", ["gathering", "open"]),
        ("resolve", ["open", "resolved"]),
        ("close", ["resolved", "closed"]),
    ]


def test_the_agreement_time_is_kept_as_given_and_never_in_the_future(new_case, action, db):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Hecho")
    with pytest.raises(BusinessRuleError, match="future"):
        action(case, "close", "ana", **AGREEMENT, agreed_at=(utcnow() + timedelta(hours=1)).isoformat())
    when = utcnow()
    action(case, "close", "ana", agreed_by="Rosa", agreed_via="email", agreed_at=when.isoformat())
    db.expire_all()
    closed = db.get(Case, case.id)
    assert (closed.agreed_at, closed.agreed_via) == (when, "email")


def test_closing_needs_who_and_how_on_the_api(new_case, action, client_for, db):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Hecho")
    ana = client_for("ana")
    response = ana.post(f"/api/v1/cases/{case.id}/actions/close", json={})
    assert response.status_code == 400
    assert {"agreed_by", "agreed_via"} <= set(response.get_json()["error"]["fields"])
    bad_channel = ana.post(f"/api/v1/cases/{case.id}/actions/close", json={"agreed_by": "Rosa", "agreed_via": "fax"})
    assert "agreed_via" in bad_channel.get_json()["error"]["fields"]
    db.expire_all()
    assert db.get(Case, case.id).status == "resolved"
    done = ana.post(f"/api/v1/cases/{case.id}/actions/close", json=AGREEMENT)
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["item"]["status"] == "closed"
    assert done.get_json()["item"]["agreed_by"] == "Rosa Ferrer"


def test_an_agreement_before_the_resolution_is_refused(new_case, action, db):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Hecho")
    before = (utcnow() - timedelta(days=1)).isoformat()
    with pytest.raises(BusinessRuleError, match="before the case was resolved"):
        action(case, "close", "ana", **AGREEMENT, agreed_at=before)
    db.expire_all()
    assert db.get(Case, case.id).status == "resolved"


@pytest.mark.parametrize(
    ("steps", "refused", "message"),
    [
        ((), "resolve", "“Resolve” is not possible: the Case is Gathering information."),
        (("open",), "close", "“Close with the customer's agreement” is not possible: the Case is Open."),
        (("open",), "reopen", "“Reopen” is not possible: the Case is Open."),
        (("open", "resolve"), "cancel", "“Cancel case” is not possible: the Case is Resolved."),
        (("open", "resolve", "close"), "reopen", "“Reopen” is not possible: the Case is Closed."),
    ],
)
def test_illegal_moves_are_refused_by_name_and_write_nothing(new_case, action, client_for, db, steps, refused,
                                                             message):
    case = new_case()
    inputs = {"resolve": {"resolution": "Hecho"}, "close": AGREEMENT, "cancel": {"reason": "Duplicado"}}
    for step in steps:
        action(case, step, "ana", **inputs.get(step, {}))
    before = audit_rows(db, case)
    response = client_for("ana").post(f"/api/v1/cases/{case.id}/actions/{refused}", json=inputs.get(refused, {}))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == message
    screen = client_for("ana").post(f"/s/cases/{case.id}/action/{refused}", data=inputs.get(refused, {}))
    assert screen.status_code == 409
    db.expire_all()
    assert audit_rows(db, case) == before


def test_a_resolved_case_the_customer_rejects_is_reopened(new_case, action, db):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Primera solución")
    action(case, "reopen", "ana")
    db.expire_all()
    reopened = db.get(Case, case.id)
    assert reopened.status == "open" and reopened.resolved_at is None
    assert statuses(db, case)[-1] == ("reopen", ["resolved", "open"])


@pytest.mark.parametrize("steps", [(), ("open",)])
def test_a_case_being_worked_on_is_cancelled_with_a_reason(new_case, action, client_for, db, steps):
    case = new_case()
    for step in steps:
        action(case, step, "ana")
    ana = client_for("ana")
    missing = ana.post(f"/api/v1/cases/{case.id}/actions/cancel", json={"reason": ""})
    assert missing.status_code == 400 and "reason" in missing.get_json()["error"]["fields"]
    done = ana.post(f"/api/v1/cases/{case.id}/actions/cancel", json={"reason": "Abierto dos veces"})
    assert done.status_code == 200
    db.expire_all()
    cancelled = db.get(Case, case.id)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Abierto dos veces")


def test_the_status_moves_only_through_actions(new_case, client_for, db):
    case = new_case()
    response = client_for("ana").patch(f"/api/v1/cases/{case.id}", json={"status": "closed"})
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Case, case.id).status == "gathering"


def test_the_detail_screen_offers_only_the_actions_possible_now(new_case, action, client_for):
    case = new_case()
    url = f"/s/cases/{case.id}"

    def offered() -> set[str]:
        return set(re.findall(r'data-action="([a-z_]+)"', client_for("ana").get(url).get_data(as_text=True)))

    assert offered() == {"open", "cancel"}
    action(case, "open", "ana")
    assert offered() == {"resolve", "cancel"}
    action(case, "resolve", "ana", resolution="Hecho")
    assert offered() == {"close", "reopen"}
    action(case, "close", "ana", **AGREEMENT)
    assert offered() == set()


def test_the_history_tab_shows_each_move_by_its_visible_names(new_case, action, client_for):
    case = new_case()
    action(case, "open", "ana")
    action(case, "resolve", "ana", resolution="Hecho")
    action(case, "close", "ana", **AGREEMENT)
    html = client_for("ana").get(f"/s/cases/{case.id}?tab=history").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    assert any(">Resolved<" in r and ">Closed<" in r for r in rows)
    assert any("Agreed by" in r and "Rosa Ferrer" in r for r in rows)
    assert any(">Gathering information<" in r and ">Open<" in r for r in rows)


def test_the_life_cycle_through_the_screens(new_case, client_for, db):
    case = new_case()
    ana = client_for("ana")
    assert ana.post(f"/s/cases/{case.id}/action/open").status_code == 302
    assert ana.post(f"/s/cases/{case.id}/action/resolve", data={"resolution": "Hecho"}).status_code == 302
    form = ana.get(f"/s/cases/{case.id}/action/close").get_data(as_text=True)
    assert 'name="agreed_by"' in form and ">In person</option>" in form
    agreed_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M")
    missing = ana.post(f"/s/cases/{case.id}/action/close", data={"agreed_via": "portal"})
    assert missing.status_code == 400
    done = ana.post(f"/s/cases/{case.id}/action/close",
                    data={"agreed_by": "Rosa Ferrer", "agreed_via": "in_person", "agreed_at": ""})
    assert done.status_code == 302, done.get_data(as_text=True)
    db.expire_all()
    closed = db.get(Case, case.id)
    assert (closed.status, closed.agreed_via) == ("closed", "in_person")
    assert agreed_at[:10] == closed.agreed_at.strftime("%Y-%m-%d")
