"""Click-to-call (TEL-01): a phone number clicked in the CRM rings the agent's extension, then
the number. The request checks and enqueues; the worker's outbox handler sends the AMI
``Originate`` (never from a web request), and the call then follows the same path as any call.
"""

from __future__ import annotations

import time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, BusinessRuleError, PermissionDenied, crm_state, e164, enqueue
from plugins.telephony import services
from plugins.telephony.ami import AmiClient, AmiError

TOPIC = "telephony.originate"
#: Two clicks on one number within this many seconds are one call.
SAME_CLICK_SECONDS = 10


def request_call(db: DbSession, access: Access, number: str) -> str:
    """Check and queue a call from ``access.user``'s extension to ``number``; returns the E.164
    number dialled. Refuses without the right to make calls, without an extension, or for text
    that is not a valid phone number — nothing is queued then."""
    if not access.can(services.SESSION, "modify"):
        raise PermissionDenied(_("You may not make calls."))
    extension = services.user_extension(db, access.user)
    if not extension:
        raise BusinessRuleError(_("Set your telephone extension in My account first."), field="number")
    dialled = e164(number)
    if not dialled:
        raise BusinessRuleError(_("“%(n)s” is not a valid phone number.", n=number), field="number")
    key = f"originate:{access.user.id}:{dialled}:{int(time.time() // SAME_CLICK_SECONDS)}"
    enqueue(db, TOPIC, {"extension": extension, "number": dialled, "user_id": access.user.id}, key)
    return dialled


def deliver_originate(payload: dict[str, Any], key: str) -> None:
    """The outbox handler: log in to the AMI and send ``Originate``; an error retries later."""
    settings = crm_state().settings.get("telephony", {})
    client = AmiClient(settings.get("ami_host", "127.0.0.1"), settings.get("ami_port", 5038))
    try:
        client.connect()
        client.login(settings.get("ami_username", ""), settings.get("ami_secret", ""))
        response = client.action(
            "Originate",
            Channel=settings.get("originate_channel", "PJSIP/{extension}").format(extension=payload["extension"]),
            Context=settings.get("originate_context", "from-internal"),
            Exten=payload["number"],
            Priority="1",
            CallerID=payload["number"],
            Timeout=str(int(settings.get("originate_timeout", 30)) * 1000),
            Async="false",
            ActionID=key,
        )
        if response.get("Response") != "Success":
            raise AmiError(f"Originate refused: {response.get('Message', '')}")
    finally:
        client.close()
