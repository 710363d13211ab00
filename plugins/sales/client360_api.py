"""The client 360 view through the API (CAS-04): ``GET /api/v1/client360/<account id>`` — the
same sections, ownership rules and timeouts as the account's "Client 360" tab."""

from __future__ import annotations

from flask import Response, jsonify

from crm_core.toolkit import api_blueprint, current_access, get_element
from crm_core.toolkit import session as db_session
from plugins.sales import client360, services

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_SECTION = {"type": "object", "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "external": {"type": "boolean"},
    "state": {"type": "string", "enum": ["ok", "slow", "failed"]}, "message": {"type": "string"},
    "columns": {"type": "array", "items": {"type": "array", "items": {"type": "string"}}},
    "rows": {"type": "array", "items": {"type": "object"}}}}
PATHS = {"/{account_id}": {"get": {
    "tags": ["sales"], "summary": "A client's 360 view: CRM data and outside systems' data, by section",
    "parameters": [{"name": "account_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "The sections, in order", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"account_id": {"type": "integer"},
                                         "sections": {"type": "array", "items": _SECTION}}}}}},
                  **{str(c): {"description": "Error", "content": _ERROR} for c in (401, 403, 404)}}}}}

bp = api_blueprint("sales_client360_api", __name__, "client360", PATHS)


@bp.get("/<int:account_id>")
def show(account_id: int) -> Response:
    access = current_access()
    db = db_session()
    account = get_element(db, services.sdef_for("sale", "accounts"), access, account_id, "view")
    sections = client360.view(account, access, db)
    for section in sections:
        section["rows"] = [{k: str(v) for k, v in row.items()} for row in section["rows"]]
    return jsonify({"account_id": account.id, "sections": sections})
