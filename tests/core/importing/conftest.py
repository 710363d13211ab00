"""Fixtures shared by the import tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def sdef(app_ctx):  # type: ignore[no-untyped-def]
    """The test-only ``samples`` session (importable, duplicate key ``email``)."""
    from crm_core.app import crm_state

    return crm_state().registry.sdef("samples")
