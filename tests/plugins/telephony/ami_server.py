"""A loopback Asterisk Manager Interface for the tests: a real TCP server speaking AMI's text
protocol (banner, ``Key: Value`` blocks ended by an empty line, ``ActionID`` echoed), driven by
one script function per accepted connection. It can be stopped and started again on the same
port, as a restarting PBX is."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from typing import Any

BANNER = b"Asterisk Call Manager/9.0.0\r\n"


class Peer:
    """One accepted connection, as the PBX sees it."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""
        self.actions: list[dict[str, str]] = []
        sock.sendall(BANNER)

    def expect(self, name: str, timeout: float = 5.0) -> dict[str, str]:
        """The next action, which must be ``name``."""
        self.sock.settimeout(timeout)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the client closed the link")
            self.buffer += chunk
        block, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        action = dict(line.split(": ", 1) for line in block.decode().split("\r\n"))
        self.actions.append(action)
        assert action["Action"] == name, action
        return action

    def send(self, **fields: Any) -> None:
        self.sock.sendall(("".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n").encode())

    def respond(self, action: dict[str, str], **fields: Any) -> None:
        self.send(Response=fields.pop("Response", "Success"), ActionID=action["ActionID"], **fields)

    def accept_login(self, secret: str = "pbx-secret") -> dict[str, str]:
        login = self.expect("Login")
        if login.get("Secret") == secret:
            self.respond(login, Message="Authentication accepted")
        else:
            self.respond(login, Response="Error", Message="Authentication failed")
        return login

    def show_channels(self, *channels: dict[str, Any]) -> None:
        action = self.expect("CoreShowChannels")
        self.respond(action, EventList="start", Message="Channels will follow")
        for channel in channels:
            self.send(Event="CoreShowChannel", ActionID=action["ActionID"], **channel)
        self.send(Event="CoreShowChannelsComplete", ActionID=action["ActionID"], EventList="Complete",
                  ListItems=len(channels))

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the client may have gone already
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


class AmiServer:
    def __init__(self, port: int = 0) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(5)
        self.port = self.listener.getsockname()[1]
        self.errors: list[BaseException] = []

    def serve(self, *scripts: Callable[[Peer], None]) -> threading.Thread:
        """Run one script per accepted connection, in order, in a background thread."""

        def run() -> None:
            try:
                for script in scripts:
                    sock, _addr = self.listener.accept()
                    peer = Peer(sock)
                    try:
                        script(peer)
                    finally:
                        peer.close()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.errors.append(exc)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.listener.close()
