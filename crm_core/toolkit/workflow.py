"""Toolkit namespace ``workflow``: state changes through a session's declared ``Workflow``.

The rules live in ``crm_core.services.workflow``; plugins reach them only through these names
so the refusal messages, the audit of the change and the start-up checks stay in one place.
"""

from __future__ import annotations

from crm_core.services.workflow import check_action, move_refusal, transition

__all__ = ["check_action", "move_refusal", "transition"]
