"""Messaging's part of the privacy erase (CORE-21): the e-mails and text messages about the
client's records or addressed to it, which messaging keeps in the outbox until (and after)
delivery. Their content goes; one not sent yet is cancelled, never sent.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import privacy
from plugins.messaging.mail import EMAIL_TOPIC
from plugins.messaging.sms import SMS_TOPIC

PLUGIN = "messaging"
TOPICS = frozenset({EMAIL_TOPIC, SMS_TOPIC})


def find(plan: privacy.ErasurePlan, db: Any) -> privacy.PersonalData:
    messages = privacy.outbox_messages(db, plan, TOPICS)
    items = (privacy.ErasedItem("messages", _l("E-mails and text messages"), len(messages)),) if messages else ()
    # The topics are claimed even when nothing is found: the core must leave them to messaging.
    return privacy.PersonalData(PLUGIN, items=items, outbox_topics=TOPICS)


def erase(plan: privacy.ErasurePlan, db: Any) -> None:
    privacy.erase_outbox(plan, privacy.outbox_messages(db, plan, TOPICS))
