"""Toolkit namespace ``groupings``: the core's groupings session, the members a user may see,
and putting an element in a grouping (checked like the detail screen's groupings tab)."""

from __future__ import annotations

from crm_core.services.groupings import SESSION, add_member, members

__all__ = ["SESSION", "add_member", "members"]
