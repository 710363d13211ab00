"""Tasks on cases (ACT-06): the activities plugin's tab on a case lists its tasks, a new task is
prefilled with the case, and tasks are completed or cancelled there — cases need nothing from
activities but the generic links."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from plugins.activities.models import Activity

pytestmark = pytest.mark.crm(plugins=["sales", "cases", "activities"])


def test_tasks_are_created_on_a_case_and_completed_or_cancelled(new_case, client_for, db):
    case = new_case()
    ana = client_for("ana")
    tab = ana.get(f"/s/cases/{case.id}?tab=activities").get_data(as_text=True)
    href = re.search(r'id="new-linked-activity" href="([^"]+)"', tab).group(1).replace("&amp;", "&")
    assert "session_name=cases" in href and f"element_id={case.id}" in href
    for subject in ("Llamar al cliente", "Pedir la factura"):
        created = ana.post("/api/v1/activities", json={
            "type": "task", "subject": subject, "starts_at": "2030-01-10T09:00:00+00:00",
            "session_name": "cases", "element_id": case.id,
        })
        assert created.status_code == 201, created.get_json()
    call, invoice = db.scalars(select(Activity).order_by(Activity.id)).all()
    assert call.link_type == "case"
    assert ana.post(f"/api/v1/activities/{call.id}/actions/complete", json={}).status_code == 200
    assert ana.post(f"/api/v1/activities/{invoice.id}/actions/cancel", json={}).status_code == 200
    tab = ana.get(f"/s/cases/{case.id}?tab=activities").get_data(as_text=True)
    assert "Llamar al cliente" in tab and "Pedir la factura" in tab
    assert ">Done<" in tab and ">Cancelled<" in tab


def test_a_task_on_someone_elses_case_is_refused(create, client_for, db):
    account = create("accounts", "bob", code="C0950", name="De Bob")
    bobs = create("cases", "bob", account_id=account.id, subject="De Bob", type="billing")
    response = client_for("ana").post("/api/v1/activities", json={
        "type": "task", "subject": "Curiosear", "starts_at": "2030-01-10T09:00:00+00:00",
        "session_name": "cases", "element_id": bobs.id,
    })
    assert response.status_code in (400, 409, 422)
    assert db.scalar(select(Activity.id)) is None
