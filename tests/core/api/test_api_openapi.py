"""The published OpenAPI document describes the API, and the API survives it (CORE-16, NF-02).

The property test lets schemathesis generate requests from the document (bounded, seeded, so
the run is deterministic and short) and requires that none of them makes the server fail (5xx).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from crm_core.api.auth import create_token
from crm_core.db import unit_of_work
from tests.support import sample

pytestmark = pytest.mark.crm(extra_plugins={"sample": sample})
EXAMPLES_PER_OPERATION = 25


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
    schemas = doc["components"]["schemas"]
    assert schemas["samples.close"]["required"] == ["reason"]
    assert schemas["samples"]["properties"]["version"]["readOnly"] is True
    assert "Error" in schemas
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_generated_requests_never_cause_a_server_error(crm_app, db, users, make_element):
    make_element("ana", name="Seed")
    with unit_of_work():
        _token, secret = create_token(db, users["ana"], "schemathesis")
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", crm_app)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

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
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")
            assert response.status_code < 500

        no_server_error()
    assert failures == []
