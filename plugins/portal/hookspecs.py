"""The questions the portal asks (contract 2.0, owner: portal).

Whoever answers them — the knowledge plugin, a client's billing adapter — marks the
implementation ``@hookimpl(optionalhook=True)`` when it must also run without the portal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import hookspec


@hookspec(firstresult=True)
def crm_portal_billing(account_id: int, language: str, db: DbSession) -> list[tuple[str, str]] | None:
    """Billing information of one customer account for its portal users (EXT-13), asked when a
    portal user opens *Billing*: ``(label, value)`` rows, already translated and formatted, or
    None when this implementation has nothing for that account. The first answer wins; with no
    answer the portal shows no billing page or link. Called inside a request; an adapter that
    reaches an outside billing system keeps its own short timeout."""


@hookspec
def crm_portal_articles(text: str, language: str, limit: int, db: DbSession) -> list[dict[str, Any]]:
    """Knowledge articles customers may read (troubleshooting, EXT-13): only those marked
    public and published. Asked by the portal's help page with the customer's search ``text``
    ("" for the latest) and ``language``; returns up to ``limit`` dicts ``{"id", "title",
    "product", "updated_at"}``. Every implementation's answer is listed."""


@hookspec(firstresult=True)
def crm_portal_article(article_id: int, db: DbSession) -> dict[str, Any] | None:
    """One article for the portal, ``{"id", "title", "product", "html"}`` — ``html`` a
    ``markupsafe.Markup`` the answerer sanitised (a plain string is shown escaped) — or None when
    it does not exist or is not public and published: the portal then answers 404 either way.
    The first answer wins."""
