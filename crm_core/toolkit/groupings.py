"""Toolkit namespace ``groupings``: the core's groupings session and the members a user may see."""

from __future__ import annotations

from crm_core.services.groupings import SESSION, members

__all__ = ["SESSION", "members"]
