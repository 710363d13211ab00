"""A throw-away plugin whose outbox handler records deliveries and fails on demand."""

from __future__ import annotations

from typing import Any

from crm_core.declarations import PeriodicJob
from crm_core.testing import make_plugin


class Recorder:
    """Stands in for a remote system: records (payload, key); ``failures`` makes it refuse."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, Any], str]] = []
        self.failures = 0
        self.job_runs = 0

    def deliver(self, payload: dict[str, Any], key: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("remote system is down")
        self.calls.append((payload, key))

    def job(self) -> int:
        self.job_runs += 1
        return 1


RECORDER = Recorder()
PLUGIN = make_plugin(
    "outbox_test",
    crm_register_outbox_handlers=lambda: {"test.echo": lambda p, k: RECORDER.deliver(p, k)},
    crm_register_periodic_jobs=lambda: [PeriodicJob("test.tick", 60, lambda: RECORDER.job())],
)
