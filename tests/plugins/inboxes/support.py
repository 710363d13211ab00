"""Shared pieces of the inbox tests: the plugin set, a recorder of the inbox events, helpers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from crm_core.extensions import crm_state
from crm_core.models.auth import Group
from crm_core.testing import make_plugin
from tests.support import sample

EVENTS: list[tuple[str, Any, Any]] = []

recorder = make_plugin(
    "recorder",
    crm_inbox_item_sent=lambda item, element, user: EVENTS.append(("sent", item, user)),
    crm_inbox_item_taken=lambda item, element, user: EVENTS.append(("taken", item, user)),
)
#: Inboxes alone, on the test-only "samples" session, with the event recorder.
INBOXES = pytest.mark.crm(
    plugins=["inboxes", "sample", "recorder"], extra_plugins={"sample": sample, "recorder": recorder}
)


def samples() -> Any:
    return crm_state().registry.sdef("samples")


def group_id(db: Any, name: str) -> int:
    return db.scalar(select(Group.id).where(Group.name == name))


def add_sample(db: Any, owner: Any, name: str = "Acme") -> Any:
    element = sample.Sample(name=name, kind="sale", owner_id=owner.id, creator_id=owner.id)
    db.add(element)
    db.commit()
    return element
