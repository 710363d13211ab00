"""Toolkit namespace ``privacy``: what a plugin needs to take part in the privacy erase (CORE-21).

A plugin answers ``crm_personal_data_find`` with a ``PersonalData`` (its ``ErasedItem`` counts,
the records about the client, their personal values and erased fields) and erases them in
``crm_personal_data_erase``: personal fields become ``ERASED`` (``erased(value)``) or empty, free
text is redacted with ``plan.redact``. A plugin whose messages go through the outbox erases them
with ``outbox_messages`` and ``erase_outbox`` and names their topics in ``outbox_topics``.
"""

from __future__ import annotations

from crm_core.privacy.plan import ERASED, ErasedItem, ErasurePlan, PersonalData, erased, found_values
from crm_core.privacy.stores import erase_outbox, outbox_messages

__all__ = [
    "ERASED",
    "ErasedItem",
    "ErasurePlan",
    "PersonalData",
    "erase_outbox",
    "erased",
    "found_values",
    "outbox_messages",
]
