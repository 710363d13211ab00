"""GL7's part of the privacy erase (CORE-21): the messages to GL7 about the client's records
(entity and contact data waiting in, or sent through, the outbox) lose their content; one not
delivered yet is cancelled. The link rows keep only ids and GL7's code, no personal data, and
stay so that a later change of the record still reaches the right GL7 entity.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import privacy
from plugins.erp_gl7.services import HANDLERS

PLUGIN = "erp_gl7"
TOPICS = frozenset(HANDLERS)


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData:
    messages = privacy.outbox_messages(db, plan, TOPICS)
    items = (privacy.ErasedItem("messages", _l("Messages to GL7"), len(messages)),) if messages else ()
    return privacy.PersonalData(PLUGIN, items=items, outbox_topics=TOPICS)


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    privacy.erase_outbox(plan, privacy.outbox_messages(db, plan, TOPICS))
