"""The events the sales plugin fires, specified here because sales owns them (plugin contract 2.0).

Registered through ``PluginMeta(hookspecs=...)`` before any plugin, so a listener (erp_gl7,
loyalty …) validates against them whatever its load order; a plugin implementing one while
sales is not enabled is refused at start-up. Called inside the unit of work, like core events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import User, hookspec


@hookspec
def crm_lead_qualified(
    lead: Any, account: Any, opportunity: Any, contact: Any, user: User, db: DbSession
) -> None:
    """A lead was qualified; ``account`` is the provisional account, the others may be None."""


@hookspec
def crm_opportunity_won(opportunity: Any, account: Any, user: User, db: DbSession) -> None:
    """An opportunity was closed as won; ``account`` now holds its definitive code."""


@hookspec
def crm_opportunity_lost(opportunity: Any, user: User, db: DbSession) -> None:
    """An opportunity was closed as lost."""


@hookspec
def crm_contact_created(contact: Any, account: Any, user: User, db: DbSession) -> None:
    """A contact was created for ``account``."""


@hookspec
def crm_client_360_sections(account: Any, related: dict[str, list[int]], access: Any, db: DbSession) -> list[Any]:
    """Return ``Section``s (toolkit) of ``account``'s client 360 view (CAS-04): what this plugin
    holds about the client, or what an outside system knows (a section with ``fetch``).

    Called when the view is shown (screen tab, API), inside the request, with the viewer's
    resolved ``access``; list only rows the viewer may see (``scoped``). ``related`` gives the
    ids of the client's own records by session name (``accounts``, ``contacts``,
    ``opportunities`` …), so a plugin linking its rows to elements (activities, calls) finds the
    client's history without importing sales. Fetches run in parallel, each within its timeout;
    a slow or failing one shows a placeholder while the rest renders. Plugins other than sales
    mark the implementation ``optionalhook=True``.
    """
