"""Toolkit namespace ``audit``: who acts for changes made outside the element services.

The core records every change flushed to an audited model; plugin code running outside a
request or ``elements.*`` (a worker job, demo data) only says who acts and under which action.
"""

from __future__ import annotations

from crm_core.services.audit import audit_context, record_same_update, record_updates

__all__ = ["audit_context", "record_same_update", "record_updates"]
