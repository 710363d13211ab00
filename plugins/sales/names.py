"""Session names per kind, from the registered viewpoints (PUR-01)."""

from __future__ import annotations

from plugins.sales.kinds import viewpoint


def session_names(kind: str) -> dict[str, str]:
    """``{"leads": ..., "opportunities": ..., "accounts": ..., "contacts": ..., "module": ...}``."""
    seen = viewpoint(kind)
    return {"module": seen.module, **seen.names}
