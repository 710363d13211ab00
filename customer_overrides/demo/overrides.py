"""Demo Corp's hook adjustments, registered after every plugin: a home panel and a row filter.

A wrapper adjusts what the plugins answer instead of copying their code: here the home page
gets the client's sales-target reminder as its first panel.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from crm_core.toolkit import Panel, PluginMeta, hookimpl

meta = PluginMeta(description="Demo Corp's home panel and lead filter", requires_contract=">=2.1,<3")


def _targets(user: Any) -> str:
    name = escape(getattr(user, "full_name", "") or getattr(user, "username", ""))
    return f'<p class="mb-0" id="demo-targets">{name}: Demo Corp\'s quarterly target is 40 new accounts.</p>'


@hookimpl(wrapper=True)
def crm_home_panels(user: Any):  # type: ignore[no-untyped-def]
    panels = yield
    return [[Panel("demo_targets", "Demo Corp targets", _targets, order=0)], *panels]


@hookimpl
def crm_row_filters(sdef: Any, user: Any) -> list[Any]:
    """Demo Corp keeps leads bought from competitor lists for its leaders: executives do not
    see them on any path (grid, search, listings, exports, API, imports, calendar)."""
    from sqlalchemy import or_

    if sdef.name != "leads" or user.is_admin or (user.group and user.group.sees_all):
        return []
    source = sdef.model.source
    return [or_(source.is_(None), source != "competitor-list")]
