"""SMS through a provider adapter (MSG-01). One implementation: a JSON-over-HTTP provider.

A partner adds another provider by implementing :class:`SmsProvider`; the outbox handler
only sees the interface.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from crm_core.toolkit import crm_state

SMS_TOPIC = "messaging.sms"


class SmsError(Exception):
    """The provider refused the SMS or could not be reached (the outbox retries)."""


class SmsProvider(Protocol):
    def send(self, to: str, text: str, key: str) -> None:
        """Send ``text`` to ``to``; ``key`` lets the provider drop a repeated request."""


@dataclass(frozen=True)
class HttpSmsProvider:
    """``POST <url>`` with ``{"to", "from", "text"}``, a bearer token and ``Idempotency-Key``."""

    url: str
    token: str = ""
    sender: str = "CRM"
    timeout: float = 10.0

    def send(self, to: str, text: str, key: str) -> None:
        headers = {"Content-Type": "application/json", "Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = json.dumps({"to": to, "from": self.sender, "text": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise SmsError(f"SMS provider answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise SmsError(f"SMS provider unreachable: {exc}") from exc


def provider() -> SmsProvider:
    s = crm_state().settings.get("messaging", {})
    if not s.get("sms_url"):
        raise SmsError("SMS is not configured: set sms_url in [settings.messaging]")
    return HttpSmsProvider(s["sms_url"], s.get("sms_token", ""), s.get("sms_sender", "CRM"), s.get("sms_timeout", 10.0))


def deliver_sms(payload: dict[str, Any], key: str) -> None:
    """Outbox handler for ``messaging.sms``."""
    provider().send(payload["to"], payload["text"], key)
