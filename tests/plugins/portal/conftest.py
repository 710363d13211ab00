"""Fixtures for the portal tests: two customer accounts (A and B) with a contact each, the
portal settings, an SMTP server on loopback (aiosmtpd) and helpers that read the links and codes
from the mail the worker delivered."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crm_core.app import crm_state
from crm_core.db import unit_of_work
from crm_core.outbox import DeliveryPolicy, process_batch
from crm_core.services import elements
from plugins.portal.settings import PortalSettings
from tests.plugins.messaging.doubles import Inbox, configure, smtp_server

PLUGINS = ["sales", "cases", "messaging", "knowledge", "portal"]
STRONG = "violet tractor harbour 42"
FAST = DeliveryPolicy(max_attempts=3, base_delay=0.0001, max_delay=0.001, lease_seconds=60)
LINK = re.compile(r"https://crm\.example\.com(/portal/(?:welcome|reset)/[A-Za-z0-9_-]+)")
CODE = re.compile(r"^\s*(\d{6})\s*$", re.M)


def portal_settings(app: Any, **values: Any) -> None:
    crm_state(app).settings["portal"] = PortalSettings().load(
        {"intake_user": "ana", "base_url": "https://crm.example.com", "form_min_seconds": 2, **values}
    )


@pytest.fixture
def smtp(crm_app) -> Iterator[Inbox]:
    with smtp_server() as (inbox, port):
        configure(crm_app, smtp_port=port)
        portal_settings(crm_app)
        yield inbox


@pytest.fixture
def deliver(crm_app) -> Callable[[], None]:
    def run() -> None:
        process_batch(policy=FAST)

    return run


@pytest.fixture
def sdef(crm_app) -> Callable[[str], Any]:
    return lambda name: crm_state(crm_app).registry.sdef(name)


@pytest.fixture
def create(db, sdef, access_for) -> Callable[..., Any]:
    def make(session_name: str, username: str, **data: Any) -> Any:
        with unit_of_work():
            return elements.create(db, sdef(session_name), access_for(username), data)

    return make


@pytest.fixture
def accounts(create) -> dict[str, dict[str, Any]]:
    """Account A (Rosa) and account B (Pau), each with a contact and a case, owned by ana."""
    out = {}
    for key, code, name, first, last, email in (
        ("A", "C0100", "Hoteles Sol S.A.", "Rosa", "Ferrer", "rosa@hotelessol.example"),
        ("B", "C0200", "Talleres Mar S.L.", "Pau", "Vidal", "pau@talleresmar.example"),
    ):
        account = create("accounts", "ana", code=code, name=name)
        contact = create("contacts", "ana", account_id=account.id, first_name=first, last_name=last, email=email)
        case = create("cases", "ana", account_id=account.id, contact_id=contact.id, subject=f"Factura {key}",
                      type="billing")
        out[key] = {"account": account, "contact": contact, "case": case}
    return out


def link_in(message: Any) -> str:
    found = LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


def code_in(message: Any) -> str:
    found = CODE.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)


@pytest.fixture
def invite(client_for, accounts, smtp, deliver) -> Callable[[str], str]:
    """Invite the contact of account ``key`` from its detail screen; the link of the mail."""

    def run(key: str) -> str:
        contact = accounts[key]["contact"]
        before = len(smtp.messages)
        response = client_for("ana").post(f"/s/contacts/{contact.id}/action/portal_invite", data={})
        assert response.status_code in (200, 302), response.get_data(as_text=True)
        deliver()
        assert len(smtp.messages) == before + 1
        return link_in(smtp.messages[-1])

    return run


@pytest.fixture
def customer(crm_app, invite) -> Callable[[str], Any]:
    """A signed-in portal client of account ``key`` (invited, password set, signed in)."""

    def make(key: str) -> Any:
        link = invite(key)
        client = crm_app.test_client()
        assert client.post(link, data={"password": STRONG, "confirm": STRONG}).status_code == 302
        email = {"A": "rosa@hotelessol.example", "B": "pau@talleresmar.example"}[key]
        response = client.post("/portal/login", data={"email": email, "password": STRONG})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
