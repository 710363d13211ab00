"""The Asterisk Manager Interface's text protocol (TCP, port 5038): a banner line, then messages
of ``Key: Value`` lines each ended by an empty line — actions from us, responses and events from
the PBX.

Why not a library: panoramisk, the maintained-looking AMI client, last released in 2021 and is
asyncio-only, while the CRM's worker and CLI are synchronous; the protocol needs a banner check,
one framing rule and ``ActionID`` matching — this module, under 150 lines, tested against a
loopback server that speaks the same text. The secret is sent in the ``Login`` action only and
never appears in an exception, a log line or a ``repr``.
"""

from __future__ import annotations

import itertools
import socket
from collections import deque

BANNER = "Asterisk Call Manager"
Message = dict[str, str]


class AmiError(Exception):
    """The link failed (closed, timed out, not an AMI server, an unexpected answer)."""


class AmiLoginError(AmiError):
    """The PBX refused the user name or secret: retrying would not help."""


class AmiClient:
    """One AMI connection. ``read_message`` returns the next event (or response nobody waits for)."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.pending: deque[Message] = deque()
        self.ids = itertools.count(1)
        self.banner = ""

    def __repr__(self) -> str:
        return f"AmiClient({self.host}:{self.port})"

    def connect(self) -> None:
        try:
            self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as exc:
            raise AmiError(f"cannot reach the AMI at {self.host}:{self.port}: {exc.strerror or exc}") from None
        self.banner = self._read_line()
        if not self.banner.startswith(BANNER):
            self.close()
            raise AmiError(f"{self.host}:{self.port} is not an Asterisk manager interface")

    def login(self, username: str, secret: str) -> None:
        response = self.action("Login", Username=username, Secret=secret, Events="call")
        if response.get("Response") != "Success":
            raise AmiLoginError(f"the AMI refused the login of user {username!r}: {response.get('Message', '')}")

    def send(self, name: str, **fields: str) -> str:
        """Send an action; returns its ``ActionID``."""
        action_id = fields.pop("ActionID", None) or f"crm-{next(self.ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}", *(f"{k}: {v}" for k, v in fields.items())]
        self._write(("\r\n".join(lines) + "\r\n\r\n").encode())
        return action_id

    def action(self, name: str, **fields: str) -> Message:
        """Send an action and wait for its response; events read meanwhile are kept for later."""
        action_id = self.send(name, **fields)
        while True:
            message = self._read_message(self.timeout)
            if message is None:
                raise AmiError(f"no answer to {name}")
            if message.get("ActionID") == action_id and "Response" in message:
                return message
            self.pending.append(message)

    def collect(self, name: str, complete_event: str, **fields: str) -> list[Message]:
        """Send a list action (``CoreShowChannels``) and gather its events up to ``complete_event``."""
        response = self.action(name, **fields)
        if response.get("Response") != "Success":
            raise AmiError(f"{name} refused: {response.get('Message', '')}")
        action_id = response["ActionID"]
        found: list[Message] = []
        while True:
            message = self._read_message(self.timeout)
            if message is None:
                raise AmiError(f"{name} did not complete")
            if message.get("ActionID") != action_id:
                self.pending.append(message)
            elif message.get("Event") == complete_event:
                return found
            else:
                found.append(message)

    def read_message(self, timeout: float) -> Message | None:
        """The next message, or None when none arrives within ``timeout`` seconds."""
        if self.pending:
            return self.pending.popleft()
        return self._read_message(timeout)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None

    # --- framing ---------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.sock is None:
            raise AmiError("not connected")
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise AmiError(f"the AMI link broke: {exc.strerror or exc}") from None

    def _fill(self, timeout: float) -> bool:
        """Read more bytes; False on timeout, AmiError when the PBX closed the link."""
        if self.sock is None:
            raise AmiError("not connected")
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except TimeoutError:
            return False
        except OSError as exc:
            raise AmiError(f"the AMI link broke: {exc.strerror or exc}") from None
        if not chunk:
            raise AmiError("the PBX closed the AMI link")
        self.buffer += chunk
        return True

    def _read_line(self) -> str:
        while b"\r\n" not in self.buffer:
            if not self._fill(self.timeout):
                raise AmiError("no AMI banner")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def _read_message(self, timeout: float) -> Message | None:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill(timeout):
                return None
        block, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        message: Message = {}
        for line in block.decode("utf-8", "replace").split("\r\n"):
            key, sep, value = line.partition(":")
            if sep:
                message[key.strip()] = value.strip()
        return message
