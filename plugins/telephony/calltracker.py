"""From AMI events to call records: follows each call (its ``Linkedid``) from ``Newchannel``
through ``DialBegin`` (ringing at an extension) and ``BridgeEnter`` (answered) to the ``Hangup``
of its first channel, then hands the finished call to ``on_end``.

After a reconnection the listener passes the PBX's ``CoreShowChannels`` list to :meth:`resume`:
calls still up go on being followed (their hangup is recorded as usual); calls followed before
the break and gone from the list ended while the link was down — they are recorded with what is
known, ending at the break, and a note saying so.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plugins.telephony.ami import Message
from plugins.telephony.schemas import EXTENSION

#: The extension in a channel name: "PJSIP/201-00000003", "SIP/201-0000000a".
CHANNEL = re.compile(r"^[A-Za-z0-9]+/(\d{2,6})-")
#: Q.850 hangup causes of a call nobody answered: busy, or never reached.
BUSY = {"17"}
UNREACHABLE = {"1", "2", "3", "20", "27", "28", "34", "38", "41", "42"}
LOST_NOTE = "Ended while the PBX link was down: the end time is when the link broke."


def channel_extension(channel: str) -> str:
    match = CHANNEL.match(channel or "")
    return match[1] if match else ""


@dataclass
class LiveCall:
    call_id: str
    started_at: float
    direction: str
    number: str
    extension: str
    answered_at: float | None = None

    def finished(self, ended_at: float, cause: str = "", note: str = "") -> dict[str, Any]:
        if self.answered_at is not None:
            result = "answered"
        elif cause in BUSY:
            result = "busy"
        elif cause in UNREACHABLE:
            result = "unreachable"
        else:
            result = "missed"
        rang_until = self.answered_at if self.answered_at is not None else ended_at
        values = {
            "call_id": self.call_id,
            "direction": self.direction,
            "number": self.number,
            "extension": self.extension,
            "result": result,
            "started_at": datetime.fromtimestamp(self.started_at, UTC),
            "ring_seconds": max(0, round(rang_until - self.started_at)),
            "talk_seconds": max(0, round(ended_at - self.answered_at)) if self.answered_at is not None else 0,
        }
        if note:
            values["notes"] = note
        return values


class CallTracker:
    def __init__(
        self,
        on_end: Callable[[dict[str, Any]], None],
        on_ring: Callable[[LiveCall], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.on_end, self.on_ring, self.clock = on_end, on_ring, clock
        self.live: dict[str, LiveCall] = {}

    def _at(self, message: Message) -> float:
        try:
            return float(message["Timestamp"])
        except (KeyError, ValueError):
            return self.clock()

    def feed(self, message: Message) -> None:
        handler = {
            "Newchannel": self._new_channel,
            "DialBegin": self._dial_begin,
            "BridgeEnter": self._bridge_enter,
            "Hangup": self._hangup,
        }.get(message.get("Event", ""))
        if handler is not None:
            handler(message)

    def _new_channel(self, m: Message) -> None:
        uid = m.get("Uniqueid", "")
        if not uid or m.get("Linkedid", uid) != uid or uid in self.live:
            return  # a second leg of a call already followed
        caller, exten = m.get("CallerIDNum", ""), m.get("Exten", "")
        own = channel_extension(m.get("Channel", ""))
        if own and EXTENSION.match(caller or own) and not EXTENSION.match(exten):
            self.live[uid] = LiveCall(uid, self._at(m), "outbound", exten, own)
        else:
            self.live[uid] = LiveCall(uid, self._at(m), "inbound", caller, "")

    def _dial_begin(self, m: Message) -> None:
        call = self.live.get(m.get("Linkedid", m.get("Uniqueid", "")))
        if call is None:
            return
        if call.direction == "inbound" and not call.extension:
            call.extension = channel_extension(m.get("DestChannel", "")) or m.get("DestExten", "")
            if self.on_ring is not None:
                self.on_ring(call)
        elif call.direction == "outbound" and not call.number:
            call.number = m.get("DestCallerIDNum", "") or m.get("DialString", "")

    def _bridge_enter(self, m: Message) -> None:
        call = self.live.get(m.get("Linkedid", m.get("Uniqueid", "")))
        if call is not None and call.answered_at is None:
            call.answered_at = self._at(m)

    def _hangup(self, m: Message) -> None:
        uid = m.get("Uniqueid", "")
        if m.get("Linkedid", uid) != uid:
            return  # an agent's leg; the call ends with its first channel
        call = self.live.pop(uid, None)
        if call is not None:
            self.on_end(call.finished(self._at(m), m.get("Cause", "")))

    def resume(self, channels: list[Message], broke_at: float) -> None:
        """Take up the calls the PBX still has after a reconnection; record those it has not."""
        up = {c.get("Linkedid", c.get("Uniqueid", "")) for c in channels}
        for call_id in [cid for cid in self.live if cid not in up]:
            self.on_end(self.live.pop(call_id).finished(broke_at, note=LOST_NOTE))
        now = self.clock()
        for c in channels:
            uid = c.get("Uniqueid", "")
            if not uid or c.get("Linkedid", uid) != uid or uid in self.live:
                continue
            self._new_channel({**c, "Timestamp": str(now - _seconds(c.get("Duration", "")))})
            call = self.live.get(uid)
            if call is not None and c.get("BridgeId"):
                call.answered_at = now  # answered before the break: the ring time is not known better


def _seconds(duration: str) -> float:
    """``CoreShowChannel``'s ``Duration`` ("00:01:05") in seconds."""
    try:
        hours, minutes, seconds = (int(part) for part in duration.split(":"))
    except ValueError:
        return 0.0
    return float(hours * 3600 + minutes * 60 + seconds)
