"""Exercises of the privacy erase hooks (CORE-21): a throw-away plugin holding a client's
nickname in a table of its own, found for the preview and erased in the erasure's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm_core.db import unit_of_work
from crm_core.models.auth import Group, Permission
from crm_core.models.notes import Note
from crm_core.privacy import service
from crm_core.privacy.plan import ErasedItem, PersonalData
from tests.core.hook_exercises import Kit, exercise, record

#: The probe's "table": nicknames by account id, as a plugin's own rows would be.
NICKNAMES: dict[int, str] = {}


def _find(plan: Any, db: Any) -> PersonalData | None:
    record("crm_personal_data_find")((sorted(plan.elements), sorted(plan.values)))
    nickname = NICKNAMES.get(plan.client.id)
    if nickname is None:
        return None
    return PersonalData("probe", items=(ErasedItem("nicknames", "Nicknames", 1),), values=frozenset({nickname}))


def _erase(plan: Any, db: Any) -> None:
    record("crm_personal_data_erase")(sorted(plan.values))
    NICKNAMES.pop(plan.client.id, None)


def _client(kit: Kit) -> Any:
    with unit_of_work():
        group = kit.db.scalar(select(Group).where(Group.name == "Leaders"))
        kit.db.add(Permission(group_id=group.id, session_name=service.SESSION, can_view=True, can_modify=True))
    account = kit.create("accounts", "ana", code="HX01", name="Probe Client SA")
    NICKNAMES[account.id] = "Pepita la del barrio"
    with unit_of_work():
        kit.db.add(Note(element_type=account.element_type, element_id=account.id, creator_id=kit.users["ana"].id,
                        text="Llamar a Pepita la del barrio"))
    return account


@exercise("crm_personal_data_find", _find, plugins=("sales",))
def find_is_asked_until_the_plan_stops_growing(kit: Kit) -> None:
    account = _client(kit)
    plan = service.preview(kit.db, kit.access_for("leader"), "accounts", account.id)
    assert plan.of("probe").items == (ErasedItem("nicknames", "Nicknames", 1),)
    seen = kit.calls("crm_personal_data_find")
    assert len(seen) >= 2  # asked again once the other plugins had answered
    assert "Probe Client SA" in seen[-1][1] and ("sales_account", account.id) in seen[-1][0]
    assert "Pepita la del barrio" in plan.values  # the probe's value is looked for in the core's notes
    assert plan.of("core").items[0].key == "notes"
    assert NICKNAMES[account.id]  # a preview erases nothing


@exercise("crm_personal_data_erase", _erase, plugins=("sales",), crm_personal_data_find=_find)
def erase_is_called_once_with_the_whole_plan(kit: Kit) -> None:
    account = _client(kit)
    with unit_of_work():
        service.erase(kit.db, kit.access_for("leader"), "accounts", account.id)
    assert kit.calls("crm_personal_data_erase") == [["Pepita la del barrio", "Probe Client SA"]]
    assert account.id not in NICKNAMES
    notes = select(Note).where(Note.element_id == account.id, Note.element_type == account.element_type)
    assert kit.db.scalar(notes) is None
