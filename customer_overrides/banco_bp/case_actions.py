"""Banco BP's Core-system actions on cases (CAS-03): modify the client's contact data in the
Core system, execute a transaction, reverse one. The cases plugin records each call, checks
permissions and gives the idempotency key; these functions only talk to the Core system."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields, validate

from plugins.cases.core_actions import CoreAction, CoreAnswer, CoreRefused, CoreRequest, CoreUnavailable

from . import core_system

FIELDS = ("email", "phone", "address")
KINDS = ("credit", "debit")
CURRENCIES = ("USD",)


class ModifySchema(Schema):
    field = fields.Str(required=True, validate=validate.OneOf(FIELDS), metadata={"label": "Field"})
    value = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "New value"})


class TransactionSchema(Schema):
    product = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                         metadata={"label": "Account number", "description": "The client's account in the Core system"})
    kind = fields.Str(required=True, validate=validate.OneOf(KINDS), metadata={"label": "Kind"})
    amount = fields.Decimal(required=True, places=2, as_string=True,
                            validate=validate.Range(min=Decimal("0.01"), max=Decimal("100000")),
                            metadata={"label": "Amount"})
    currency = fields.Str(load_default="USD", validate=validate.OneOf(CURRENCIES), metadata={"label": "Currency"})
    concept = fields.Str(required=True, validate=validate.Length(min=1, max=120), metadata={"label": "Concept"})


class ReversalSchema(Schema):
    reference = fields.Str(required=True, validate=validate.Length(min=1, max=40),
                           metadata={"label": "Transaction reference"})
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={"label": "Reason"})


def _client_code(req: CoreRequest) -> str:
    if req.account is None or not req.account.code:
        raise CoreRefused("The case has no client with a Core-system code.")
    return str(req.account.code)


def _call(method: str, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
    try:
        return core_system.request(method, path, body, key=key)
    except core_system.CoreError as exc:
        raise (CoreRefused if exc.refused else CoreUnavailable)(exc.message, exc.answer) from None


def modify_client(req: CoreRequest) -> CoreAnswer:
    code = _client_code(req)
    answer = _call("PATCH", core_system.client_path(code), {req.data["field"]: req.data["value"]}, req.key)
    return CoreAnswer(f"{req.data['field']} of client {code} changed in the Core system",
                      str(answer.get("version", "")), answer)


def execute_transaction(req: CoreRequest) -> CoreAnswer:
    body = {"client": _client_code(req), **req.data}
    answer = _call("POST", "/transactions", body, req.key)
    reference = str(answer.get("reference", ""))
    return CoreAnswer(f"{req.data['kind'].capitalize()} of {req.data['amount']} {req.data['currency']} "
                      f"executed: {reference}", reference, answer)


def reverse_transaction(req: CoreRequest) -> CoreAnswer:
    ref = str(req.data["reference"])
    body = {"client": _client_code(req), "reason": req.data["reason"]}
    answer = _call("POST", f"/transactions/{core_system.quote(ref, safe='')}/reversal", body, req.key)
    reference = str(answer.get("reference", ""))
    return CoreAnswer(f"Transaction {ref} reversed: {reference}", reference, answer)


def _has_client(case: Any) -> bool:
    return case.account_id is not None


ACTIONS = [
    CoreAction("modify_client", "Modify client data", modify_client, ModifySchema, available=_has_client,
               description="Changes the client's e-mail, phone or address in the Core system."),
    CoreAction("execute_transaction", "Execute transaction", execute_transaction, TransactionSchema, money=True,
               available=_has_client, description="Credits or debits the client's account in the Core system."),
    CoreAction("reverse_transaction", "Reverse transaction", reverse_transaction, ReversalSchema, money=True,
               available=_has_client, description="Reverses a transaction executed in the Core system."),
]
