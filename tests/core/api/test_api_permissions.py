"""The API applies the same permission and ownership rules as the screens (CORE-04, CORE-05,
CORE-16, NF-03). The matrix is generated from the registry: every grid session, every operation."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, fields, validate

from crm_core.admin.services import set_permissions
from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.services import elements
from tests.support import sample

#: The app runs the core and the sample session only, the same set :func:`matrix` reads.
pytestmark = pytest.mark.crm(plugins=["sample"], extra_plugins={"sample": sample})

#: operation → (permission it needs, HTTP method, URL suffix template)
OPERATIONS = {
    "list": ("view", "GET", ""),
    "read": ("view", "GET", "/{id}"),
    "create": ("modify", "POST", ""),
    "update": ("modify", "PATCH", "/{id}"),
    "delete": ("modify", "DELETE", "/{id}"),
    "change_owner": ("change_owner", "PATCH", "/{id}"),
}
#: what a group keeps when one permission is taken away (modify needs view, change owner needs modify)
WITHOUT = {"view": set(), "modify": {"view"}, "change_owner": {"view", "modify"}}
SAMPLE_VALUES = {fields.Email: "x@example.test", fields.Int: 1, fields.Decimal: "1.00", fields.Date: "2026-01-01"}


def first_choice(field: fields.Field) -> Any:
    """The first allowed value when a field declares choices (``OneOf`` or ``metadata["choices"]``)."""
    for check in field.validators:
        if isinstance(check, validate.OneOf):
            return next(iter(check.choices))
    choices = field.metadata.get("choices")
    if choices is None:
        return None
    first = next(iter(choices() if callable(choices) else choices))
    return first[0] if isinstance(first, tuple) else first


def example(schema: type[Schema] | None, text: str = "x") -> dict[str, Any]:
    """A minimal valid input for a schema: its required fields with plain values."""
    if schema is None:
        return {}
    out = {}
    for name, field in schema().fields.items():
        if field.required and not field.dump_only:
            value = first_choice(field)
            if value is None:
                value = next((v for t, v in SAMPLE_VALUES.items() if isinstance(field, t)), text)
            out[name] = value
    return out


def matrix() -> list[tuple[str, str]]:
    """(session, operation) for the sessions this test app registers (built once at collection)."""
    from crm_core.customer import CustomerConfig
    from crm_core.plugins import build_plugin_manager
    from crm_core.registry import build_registry

    pm, _plugins = build_plugin_manager(("sample",), CustomerConfig(name="default"), {"sample": sample})
    registry = build_registry(pm, CustomerConfig(name="default"))
    cases = []
    for sdef in registry.grid_sessions():
        ops = [op for op in OPERATIONS if op != "delete" or sdef.deletable]
        ops += [f"action:{a.name}" for a in sdef.actions]
        cases += [(sdef.name, op) for op in ops]
    return cases


def request_for(sdef, op: str, element: Any, users: dict[str, Any]) -> tuple[str, str, str, dict[str, Any] | None]:
    """(needed permission, method, url, json body) of one operation on one element."""
    base = f"/api/v1/{sdef.name}"
    if op.startswith("action:"):
        action = sdef.action(op.split(":", 1)[1])
        return action.permission, "POST", f"{base}/{element.id}/actions/{action.name}", example(action.schema)
    perm, method, suffix = OPERATIONS[op]
    body = {
        "create": example(sdef.schema, text="y"),  # unlike the existing element (unique keys)
        "update": {},
        "change_owner": {"owner_id": users["bob"].id},
    }.get(op)
    if op == "update":
        first = next(n for n in example(sdef.schema))
        body = {first: example(sdef.schema)[first]}
    return perm, method, base + suffix.format(id=element.id), body


def set_group(db, users, session_name: str, actions: set[str]) -> None:
    with unit_of_work():
        set_permissions(db, users["ana"].group, [session_name], {session_name: actions})


@pytest.mark.parametrize("session_name, op", matrix())
def test_operation_needs_its_permission(client_for, access_for, db, users, session_name, op):
    sdef = crm_state().registry.sdef(session_name)
    with unit_of_work():
        element = elements.create(db, sdef, access_for("ana"), example(sdef.schema))
    perm, method, url, body = request_for(sdef, op, element, users)

    set_group(db, users, session_name, WITHOUT[perm])
    refused = client_for("ana").open(url, method=method, json=body)
    assert refused.status_code == 403, refused.get_json()
    assert refused.get_json()["error"]["code"] == "forbidden"

    set_group(db, users, session_name, {"view", "modify", "change_owner"} if perm == "change_owner" else {"view", perm})
    allowed = client_for("ana").open(url, method=method, json=body)
    assert allowed.status_code in (200, 201, 204), allowed.get_json()


@pytest.mark.parametrize(
    "method, suffix, body",
    [
        ("GET", "", None),
        ("PATCH", "", {"company": "Hijacked"}),
        ("DELETE", "", None),
        ("POST", "/actions/close", {"reason": "mine now"}),
    ],
)
def test_ana_never_touches_bobs_element(client_for, make_element, db, method, suffix, body):
    element = make_element("bob", company="Bob's")
    response = client_for("ana").open(f"/api/v1/samples/{element.id}{suffix}", method=method, json=body)
    assert response.status_code == 404
    db.refresh(element)
    assert element.company == "Bob's" and element.status == "active"


def test_lists_show_only_own_elements_even_when_asking_for_all(client_for, make_element):
    make_element("ana", name="Ana's")
    make_element("bob", name="Bob's")
    names = [i["name"] for i in client_for("ana").get("/api/v1/samples?all=true").get_json()["items"]]
    assert names == ["Ana's"]
    leader = [i["name"] for i in client_for("leader").get("/api/v1/samples?all=true&sort=name").get_json()["items"]]
    assert leader == ["Ana's", "Bob's"]
    assert client_for("leader").get("/api/v1/samples").get_json()["items"] == []
