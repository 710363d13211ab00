"""The PBX link (``crm telephony listen``): one long-lived AMI connection that logs in, follows
call events and stores each finished call; it reconnects with exponential back-off.

Runs in its own process (the CLI command, next to ``crm worker``), never in a web process.
While the link is down nothing is silently lost: the time it was down is stored as a gap
(``tel_link_gap``), calls still up are taken up again from ``CoreShowChannels`` after the
reconnection, and calls made entirely inside the gap come back with the CDR import, which marks
the gap recovered. A refused login stops the command (retrying a wrong secret helps nobody).
Log lines name the host, port and user — never the secret.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from crm_core.toolkit import unit_of_work
from plugins.telephony import services
from plugins.telephony.ami import AmiClient, AmiError, AmiLoginError
from plugins.telephony.calltracker import CallTracker

log = logging.getLogger("crm.telephony")


def backoff(attempt: int, first: float, longest: float) -> float:
    """Seconds to wait before reconnection ``attempt`` (0, 1, …): doubling, capped."""
    return min(longest, first * (2**attempt))


class Listener:
    def __init__(self, settings: dict[str, Any], clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.tracker = CallTracker(self._store, self._ring, clock=clock)
        self.gap_id: int | None = None
        self.broke_at: float | None = None
        self.stored = 0

    def _store(self, values: dict[str, Any]) -> None:
        services.forget_extensions()  # a long-lived process: extensions may have changed since
        with unit_of_work() as db:
            if services.record_call(db, values) is not None:
                self.stored += 1

    def _ring(self, call: Any) -> None:
        services.forget_extensions()
        with unit_of_work() as db:
            services.ringing(db, call.call_id, call.number, call.extension)

    def _link_down(self, reason: str) -> None:
        if self.gap_id is not None:
            return
        self.broke_at = self.clock()
        with unit_of_work() as db:
            self.gap_id = services.open_gap(db, datetime.fromtimestamp(self.broke_at, UTC), reason).id

    def _link_up(self, client: AmiClient) -> None:
        channels = client.collect("CoreShowChannels", "CoreShowChannelsComplete")
        if self.gap_id is not None:
            with unit_of_work() as db:
                services.close_gap(db, self.gap_id, datetime.fromtimestamp(self.clock(), UTC))
            self.tracker.resume(channels, self.broke_at or self.clock())
            self.gap_id = None
        else:
            self.tracker.resume(channels, self.clock())

    def _feed(self, message: dict[str, str]) -> None:
        """Follow one event; a call that cannot be stored (the database is down, a rule refuses
        it) is logged with its id and the link goes on — the CDR import can still bring it."""
        try:
            self.tracker.feed(message)
        except AmiError:
            raise
        except Exception:
            log.exception("call %s could not be stored", message.get("Linkedid") or message.get("Uniqueid"))

    def run(self, stop: threading.Event) -> None:
        """Follow the PBX until ``stop`` is set; raises ``AmiLoginError`` on refused credentials."""
        s = self.settings
        host, port, user = s.get("ami_host", "127.0.0.1"), int(s.get("ami_port", 5038)), s.get("ami_username", "")
        attempt = 0
        while not stop.is_set():
            client = AmiClient(host, port)
            try:
                client.connect()
                client.login(user, s.get("ami_secret", ""))
                self._link_up(client)
            except AmiLoginError:
                client.close()
                log.error("AMI %s:%s refused the login of user %r; stopping", host, port, user)
                raise
            except AmiError as exc:
                client.close()
                self._link_down(str(exc))
                wait = backoff(attempt, float(s.get("reconnect_min", 1.0)), float(s.get("reconnect_max", 60.0)))
                attempt += 1
                log.warning("AMI link down (%s); reconnecting in %.1f s", exc, wait)
                stop.wait(wait)
                continue
            attempt = 0
            log.info("AMI link up: %s:%s as %r", host, port, user)
            try:
                while not stop.is_set():
                    message = client.read_message(timeout=0.2)
                    if message is not None:
                        self._feed(message)
            except AmiError as exc:
                self._link_down(str(exc))
                log.warning("AMI link lost (%s)", exc)
            finally:
                client.close()
