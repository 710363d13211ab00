"""Core-system actions on cases (CAS-03): run a client adapter's ``CoreAction`` and record it.

The call to the Core system is not a CRM transaction and never runs inside one: the plugin
records the call ``pending`` (checks first, one short transaction), calls the adapter with no
transaction open, then completes the record with the answer or the error (a second short
transaction). A refusal or an outage therefore changes nothing in the CRM but the record itself,
and a crash between the two leaves a ``pending`` record whose key makes a retry safe.

Idempotency: every operation carries a key — the form's (made when the form is shown, kept when
it is shown again after an error), or the API client's ``Idempotency-Key``. A key already
``done`` on this case is answered from its record without calling the Core system again; any
other retry calls it with the same key, and the adapter passes the key on so that the Core
system executes a money-changing operation once.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BusinessRuleError, NotFound, crm_state, get_element, unit_of_work, utcnow
from plugins.cases import services
from plugins.cases.core_actions import CoreAction, CoreAnswer, CoreRefused, CoreRequest, CoreSystemError
from plugins.cases.models import WORKING_STATES, Case, CaseCoreCall
from plugins.sales.models import Account

#: Letters, digits and ``-_.:``, up to the column's 80 characters (what the API accepts).
KEY_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{8,80}$")
#: How many calls the case's tab and the API list, newest first.
HISTORY_LIMIT = 50


def core_actions() -> dict[str, CoreAction]:
    """The Core actions the enabled adapters offer, by name (a duplicate name is an error)."""
    found: dict[str, CoreAction] = {}
    for part in crm_state().pm.hook.crm_case_core_actions():
        for action in part or []:
            if action.name in found:
                raise RuntimeError(f"Core action {action.name!r} is offered twice (crm_case_core_actions)")
            found[action.name] = action
    return found


def offered(case: Case) -> list[CoreAction]:
    """The actions shown on ``case``: only while it is worked on, and where the adapter says."""
    if case.status not in WORKING_STATES:
        return []
    return [a for a in core_actions().values() if a.available(case)]


def new_key() -> str:
    return uuid.uuid4().hex


def _action(case: Case, name: str) -> CoreAction:
    action = core_actions().get(name)
    if action is None:
        raise NotFound(_("Unknown action."))
    if case.status not in WORKING_STATES:
        raise BusinessRuleError(_("Core-system actions are only possible on cases still being worked on."))
    if not action.available(case):
        raise BusinessRuleError(_("This action is not available on this case."))
    return action


def _json(data: Mapping[str, Any]) -> str:
    return json.dumps(dict(data), default=str, sort_keys=True, ensure_ascii=False)


def validate(action: CoreAction, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The action's input through its schema (``marshmallow.ValidationError`` on bad input)."""
    return dict(action.schema().load(dict(raw))) if action.schema else {}


def _prepare(
    db: DbSession, access: Access, case_id: int, name: str, raw: Mapping[str, Any], key: str
) -> tuple[CaseCoreCall, CoreAction, CoreRequest | None]:
    """Checks, then the pending record (or a replay of a key already done). Writes nothing
    before every check has passed."""
    case = get_element(db, services.cases_sdef(), access, case_id, "modify")
    action = _action(case, name)
    if not KEY_PATTERN.match(key or ""):
        raise BusinessRuleError(_("The idempotency key must be 8 to 80 letters, digits or . _ : -"))
    data = validate(action, raw)
    request = _json(data)
    earlier = list(db.scalars(select(CaseCoreCall).where(CaseCoreCall.idempotency_key == key)))
    if any(c.case_id != case.id or c.action != name or c.request != request for c in earlier):
        raise BusinessRuleError(_("This idempotency key was already used for another request."))
    done = next((c for c in earlier if c.outcome in ("done", "replayed")), None)
    call = CaseCoreCall(
        case_id=case.id, action=name, idempotency_key=key, money=action.money, request=request,
        user_id=access.user.id, created_at=utcnow(),
    )
    if done is not None:  # a retry of an operation already executed: never twice
        call.outcome, call.answer, call.reference = "replayed", done.answer, done.reference
        call.message, call.answered_at, call.duration_ms = done.message, utcnow(), 0
        db.add(call)
        return call, action, None
    db.add(call)
    account = db.get(Account, case.account_id) if case.account_id else None
    return call, action, CoreRequest(case=case, account=account, data=data, key=key, user=access.user)


def run(access: Access, case_id: int, name: str, raw: Mapping[str, Any], key: str) -> CaseCoreCall:
    """Run Core action ``name`` on the case, recorded; returns the completed record, whose
    ``outcome`` says what happened (done, replayed, refused, failed). Raises ``NotFound``,
    ``PermissionDenied``, ``BusinessRuleError`` or ``marshmallow.ValidationError`` — having
    written nothing — when the call may not be made."""
    with unit_of_work() as db:
        call, action, request = _prepare(db, access, case_id, name, raw, key)
    if request is None:
        return call
    started = time.monotonic()
    try:
        answer = action.call(request)
        if not isinstance(answer, CoreAnswer):
            raise TypeError(f"Core action {name!r} returned {type(answer).__name__}, not CoreAnswer")
        outcome, message, reference, body = "done", answer.summary, answer.reference, dict(answer.data)
    except CoreRefused as exc:
        outcome, message, reference, body = "refused", exc.message, "", exc.answer
    except CoreSystemError as exc:
        outcome, message, reference, body = "failed", exc.message, "", exc.answer
    except Exception as exc:  # noqa: BLE001 - an adapter bug reads as an outage, and is recorded
        outcome, reference, body = "failed", "", {"error": repr(exc)}
        message = _("The Core system's adapter failed; nothing was changed. Tell your administrator.")
    elapsed = int((time.monotonic() - started) * 1000)
    with unit_of_work() as db:
        row = db.get(CaseCoreCall, call.id)
        assert row is not None
        row.outcome, row.message, row.reference, row.answer = outcome, str(message), reference[:80], _json(body)
        row.answered_at, row.duration_ms = utcnow(), elapsed
    return row


def history(db: DbSession, case: Case, limit: int = HISTORY_LIMIT) -> list[CaseCoreCall]:
    """The case's calls, newest first (the caller has checked that the viewer may see it)."""
    stmt = select(CaseCoreCall).where(CaseCoreCall.case_id == case.id).order_by(CaseCoreCall.id.desc())
    return list(db.scalars(stmt.limit(limit)))


def as_dict(call: CaseCoreCall) -> dict[str, Any]:
    """A call as the API shows it."""
    return {
        "id": call.id, "case_id": call.case_id, "action": call.action, "outcome": call.outcome,
        "money": call.money, "idempotency_key": call.idempotency_key, "request": json.loads(call.request),
        "answer": json.loads(call.answer), "message": call.message, "reference": call.reference,
        "user_id": call.user_id, "created_at": call.created_at.isoformat(),
        "answered_at": call.answered_at.isoformat() if call.answered_at else None, "duration_ms": call.duration_ms,
    }
