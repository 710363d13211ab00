"""Exercises of the portal's questions: the portal shows what the answers hold, for the signed-in
customer's account only, and nothing when no one answers."""

from __future__ import annotations

from typing import Any

from crm_core.db import unit_of_work
from crm_core.toolkit import logins
from plugins.portal.models import PortalUser
from tests.core.hook_exercises import Kit, exercise, record

PORTAL = ("sales", "cases", "messaging", "portal")
PASSWORD = "violet tractor harbour 42"


def _customer(kit: Kit) -> tuple[Any, Any]:
    """A signed-in portal client of a new account, and that account."""
    account = kit.create("accounts", "ana", code="P0001", name="Probe Customer S.A.")
    contact = kit.create("contacts", "ana", account_id=account.id, last_name="Probe", email="probe@example.com")
    with unit_of_work():
        kit.db.add(PortalUser(contact_id=contact.id, account_id=account.id, email="probe@example.com",
                              full_name="Probe", password_hash=logins.hash_password(PASSWORD)))
    client = kit.app.test_client()
    assert client.post("/portal/login", data={"email": "probe@example.com", "password": PASSWORD}).status_code == 302
    return client, account


def _billing(account_id: int, language: str, db: Any) -> list[tuple[str, str]] | None:
    record("crm_portal_billing")((account_id, language))
    return [("Probe balance", f"{account_id}-EUR")]


@exercise("crm_portal_billing", _billing, plugins=PORTAL)
def portal_billing_is_shown_for_the_customers_account(kit: Kit) -> None:
    client, account = _customer(kit)
    assert 'id="nav-billing"' in client.get("/portal/").get_data(as_text=True)
    page = client.get("/portal/billing").get_data(as_text=True)
    assert "Probe balance" in page and f"{account.id}-EUR" in page
    assert kit.calls("crm_portal_billing") == [(account.id, "en")]


ARTICLE = {"id": 7, "title": "Probe article", "product": "Router", "updated_at": None}


def _articles(text: str, language: str, limit: int, db: Any) -> list[dict[str, Any]]:
    record("crm_portal_articles")((text, language, limit))
    return [ARTICLE] if "nothing" not in text else []


@exercise("crm_portal_articles", _articles, plugins=PORTAL)
def portal_articles_list_every_answer(kit: Kit) -> None:
    client, _account = _customer(kit)
    assert "Probe article" in client.get("/portal/help").get_data(as_text=True)
    assert "Probe article" not in client.get("/portal/help?q=nothing").get_data(as_text=True)
    assert kit.calls("crm_portal_articles") == [("", "en", 20), ("nothing", "en", 20)]


def _article(article_id: int, db: Any) -> dict[str, Any] | None:
    record("crm_portal_article")(article_id)
    return {**ARTICLE, "html": "<p>Probe text</p>"} if article_id == 7 else None


@exercise("crm_portal_article", _article, plugins=PORTAL)
def portal_article_is_shown_or_is_a_404(kit: Kit) -> None:
    client, _account = _customer(kit)
    assert "Probe text" in client.get("/portal/help/7").get_data(as_text=True)
    assert client.get("/portal/help/8").status_code == 404
    assert kit.calls("crm_portal_article") == [7, 8]
