"""Fixtures of the inbox tests."""

from __future__ import annotations

import pytest

from tests.plugins.inboxes.support import EVENTS


@pytest.fixture(autouse=True)
def _clear_events() -> None:
    EVENTS.clear()
