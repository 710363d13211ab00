"""The published OpenAPI document describes the API, and the API survives it (CORE-16, NF-02).

The property test lets schemathesis generate requests from the document (bounded, seeded, so
the run is deterministic and short) and requires that none of them makes the server fail (5xx).
It covers every operation of the document (checked: schemathesis finds them all and each runs
examples), split in shards that ``pytest -n`` runs in parallel.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from crm_core.api.auth import create_token
from crm_core.db import unit_of_work
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
#: Examples per operation: 25 in CI (about 2,300 requests in all); more on demand, e.g.
#: ``CRM_SCHEMATHESIS_EXAMPLES=500`` (docs/api.md).
EXAMPLES_PER_OPERATION = int(os.environ.get("CRM_SCHEMATHESIS_EXAMPLES", "25"))
#: The operations are split in this many tests, so ``pytest -n`` runs them side by side.
SHARDS = 4
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def test_document_lists_every_session_operation_action_and_the_error_schema(crm_app):
    doc = crm_app.test_client().get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) >= {
        "/api/v1/samples",
        "/api/v1/samples/{element_id}",
        "/api/v1/samples/{element_id}/actions/close",
        "/api/v1/locked_samples/{element_id}",
    }
    assert set(doc["paths"]["/api/v1/samples/{element_id}"]) >= {"get", "patch", "delete", "parameters"}


def test_the_sort_enum_lists_only_the_sorts_an_index_serves(crm_app):
    doc = crm_app.test_client().get("/api/v1/openapi.json").get_json()
    sort = next(p for p in doc["paths"]["/api/v1/samples"]["get"]["parameters"] if p["name"] == "sort")
    assert set(sort["schema"]["enum"]) == {"amount", "-amount", "id", "-id", "name", "-name"}
    schemas = doc["components"]["schemas"]
    assert schemas["samples.close"]["required"] == ["reason"]
    assert schemas["samples"]["properties"]["version"]["readOnly"] is True
    assert "Error" in schemas
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_a_caller_gets_the_document_as_they_may_use_the_api(crm_app, db, users):
    """Field-level access and rights shape the document of an authenticated caller: a hidden field
    is absent, a read-only one is ``readOnly``, a session without the right is left out; the
    public document (no credentials) describes the whole API; a bad token is a 401."""
    from crm_core.admin.services import set_permissions
    from crm_core.models.auth import FieldAccess

    group = users["ana"].group_id
    db.add_all([FieldAccess(group_id=group, session_name="samples", field_name="company", mode="hidden"),
                FieldAccess(group_id=group, session_name="samples", field_name="email", mode="read_only")])
    set_permissions(db, users["ana"].group, ["locked_samples"], {"locked_samples": set()})
    with unit_of_work():
        _token, secret = create_token(db, users["ana"], "docs")
    client = crm_app.test_client()
    public = client.get("/api/v1/openapi.json").get_json()
    assert "company" in public["components"]["schemas"]["samples"]["properties"]
    assert "/api/v1/locked_samples/{element_id}" in public["paths"]
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {secret}"})
    assert response.headers["Cache-Control"] == "private, no-store"
    mine = response.get_json()
    properties = mine["components"]["schemas"]["samples"]["properties"]
    assert "company" not in properties and "company" not in mine["components"]["schemas"]["samples.patch"]["properties"]
    assert properties["email"]["readOnly"] is True
    assert not any(path.startswith("/api/v1/locked_samples") for path in mine["paths"])
    assert client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer nope"}).status_code == 401
    # the reference page's signed-in session gets the same document as the token
    assert crm_app.test_client(user=users["ana"]).get("/api/v1/openapi.json").get_json() == mine


@pytest.mark.parametrize("shard", range(SHARDS))
def test_generated_requests_never_cause_a_server_error(crm_app, db, users, make_element, shard):
    make_element("ana", name="Seed")
    with unit_of_work():
        _token, secret = create_token(db, users["ana"], "schemathesis")
    auth = {"Authorization": f"Bearer {secret}"}
    document = crm_app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", crm_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(operation_key(op) for op in operations) == document_operations(document)
    mine = operations[shard::SHARDS]
    called: set[tuple[str, str]] = set()
    failures = []
    for operation in mine:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=auth)
            called.add(operation_key(case.operation))
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
            assert response.status_code < 500

        no_server_error()
    assert failures == []
    assert called == {operation_key(op) for op in mine}  # no operation ran zero examples


def operation_key(operation: Any) -> tuple[str, str]:
    """A schemathesis operation as (METHOD, path), the way the document spells it."""
    return operation.method.upper(), operation.path


def document_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (method, path) of the OpenAPI document, as schemathesis should find them."""
    return sorted((method.upper(), path) for path, item in document["paths"].items()
                  for method in item if method in HTTP_METHODS)
