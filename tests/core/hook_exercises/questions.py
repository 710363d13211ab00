"""Exercises of the question hooks: the asking code uses the answer as the docstring says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from crm_core.errors import PluginError
from crm_core.models.auth import User
from crm_core.models.outbox import OutboxMessage
from crm_core.testing import make_plugin
from plugins.messaging.notifications import send_reminders
from tests.core.hook_exercises import Kit, exercise, record, start

PROBE_NUMBER = "+34 600 000 001"


def _find_by_phone(number: str, user: Any, db: Any) -> Any:
    return f"probe element for {user.username}" if number == PROBE_NUMBER else None


@exercise("crm_find_by_phone", _find_by_phone)
def find_by_phone_gives_the_first_answer(kit: Kit) -> None:
    ask = kit.app.extensions["crm"].pm.hook.crm_find_by_phone
    assert ask(number=PROBE_NUMBER, user=kit.users["ana"], db=kit.db) == "probe element for ana"
    assert ask(number="+34 600 000 999", user=kit.users["ana"], db=kit.db) is None
    rival = make_plugin("probe", crm_find_by_phone=_find_by_phone)
    with pytest.raises(PluginError, match="plugins probe and sales both answer crm_find_by_phone"):
        start("sales,probe", probe=rival)


NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _due(starts_from: datetime, starts_until: datetime, db: Any) -> list[Any]:
    record("crm_activities_due")((starts_from, starts_until))
    owner_id = db.scalar(select(User.id).where(User.username == "ana"))  # read through the asker's session
    return [SimpleNamespace(id=7, uid="probe-activity-7", element_type="probe_activity", owner_id=owner_id,
                            subject="Probe visit", starts_at=starts_from + timedelta(minutes=30))]


@exercise("crm_activities_due", _due, plugins=("messaging",))
def activities_due_feed_the_reminder_job(kit: Kit) -> None:
    assert send_reminders(NOW) == 1
    assert kit.calls("crm_activities_due") == [(NOW, NOW + timedelta(minutes=60))]
    message = kit.db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key.like("msg:reminder:%")))
    assert message.idempotency_key == f"msg:reminder:probe-activity-7:{(NOW + timedelta(minutes=30)).isoformat()}"
    assert message.payload["to"] == "ana@example.com" and "Probe visit" in message.payload["body"]
    assert send_reminders(NOW) == 0  # asked again, nothing is queued twice


def _core_call(req: Any) -> Any:
    from plugins.cases.core_actions import CoreAnswer, CoreRefused

    record("crm_case_core_actions")((req.case.subject, req.account.code, dict(req.data), req.key, req.user.username))
    if req.data.get("amount") == "0":
        raise CoreRefused("Nothing to move")
    if req.data.get("amount") == "boom":
        raise RuntimeError("adapter bug")
    return CoreAnswer(f"Moved {req.data['amount']}", reference="R-1", data={"ok": True})


def _core_actions() -> list[Any]:
    from marshmallow import Schema, fields

    from plugins.cases.core_actions import CoreAction

    schema = Schema.from_dict({"amount": fields.Str(required=True)})
    return [CoreAction("probe_move", "Probe move", _core_call, schema, money=True)]


@exercise("crm_case_core_actions", _core_actions, plugins=("sales", "cases"))
def case_core_actions_are_offered_run_and_recorded(kit: Kit) -> None:
    from plugins.cases import core_service
    from plugins.cases.models import CaseCoreCall

    account = kit.create("accounts", "ana", code="CORE-1", name="Probe client")
    case = kit.create("cases", "ana", subject="Probe case", type="billing", account_id=account.id)
    tab = kit.client_for("ana").get(f"/s/cases/{case.id}?tab=core").get_data(as_text=True)
    assert "Probe move" in tab and f"/cases/core/{case.id}/probe_move" in tab
    access = kit.access_for("ana")
    done = core_service.run(access, case.id, "probe_move", {"amount": "5"}, "probe-key-1")
    again = core_service.run(access, case.id, "probe_move", {"amount": "5"}, "probe-key-1")
    refused = core_service.run(access, case.id, "probe_move", {"amount": "0"}, "probe-key-2")
    broken = core_service.run(access, case.id, "probe_move", {"amount": "boom"}, "probe-key-3")
    assert [c.outcome for c in (done, again, refused, broken)] == ["done", "replayed", "refused", "failed"]
    assert kit.calls("crm_case_core_actions")[0] == ("Probe case", "CORE-1", {"amount": "5"}, "probe-key-1", "ana")
    assert len(kit.calls("crm_case_core_actions")) == 3  # the replay did not call the adapter
    assert refused.message == "Nothing to move" and "adapter bug" in broken.answer
    assert kit.db.query(CaseCoreCall).filter_by(case_id=case.id).count() == 4
    from crm_core.errors import NotFound

    with pytest.raises(NotFound):  # another executive's case: checked before any call
        core_service.run(kit.access_for("bob"), case.id, "probe_move", {"amount": "5"}, "probe-key-4")


def _sections_360(account: Any, related: dict[str, list[int]]) -> list[Any]:
    from crm_core.toolkit import Section

    record("crm_client_360_sections")((account.code, sorted(related)))

    def slow() -> list[Any]:
        import threading

        threading.Event().wait(2)  # a source that never answers in time
        return [{"x": "late"}]

    cols = (("x", "X"),)
    return [Section("probe_rows", "Probe rows", cols, ({"x": "in the CRM"},), order=90),
            Section("probe_fetch", "Probe fetch", cols, fetch=lambda: [{"x": "from outside"}], timeout=1, order=91),
            Section("probe_slow", "Probe slow", cols, fetch=slow, timeout=0.2, order=92),
            Section("probe_broken", "Probe broken", cols, fetch=lambda: 1 / 0, timeout=1, order=93)]


@exercise("crm_client_360_sections", _sections_360, plugins=("sales",))
def client_360_sections_fill_the_view(kit: Kit) -> None:
    from plugins.sales import client360

    account = kit.create("accounts", "ana", code="C360-1", name="Probe client")
    view = {s["name"]: s for s in client360.view(account, kit.access_for("ana"), kit.db)}
    assert kit.calls("crm_client_360_sections") == [("C360-1", ["accounts", "contacts", "opportunities"])]
    assert view["probe_rows"]["rows"] == [{"x": "in the CRM"}] and view["probe_fetch"]["rows"] == [{"x": "from outside"}]
    assert (view["probe_slow"]["state"], view["probe_broken"]["state"]) == ("slow", "failed")
    assert list(view)[0] == "client"
    page = kit.client_for("ana").get(f"/s/accounts/{account.id}?tab=client360").get_data(as_text=True)
    assert "Probe rows" in page and "from outside" in page
