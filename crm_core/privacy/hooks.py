"""The core's part of the privacy erase (CORE-21), registered like a plugin before any plugin:
the ``privacy`` permission and its screen, API and command, and what the core itself holds
about a client — notes and their files, outbox messages no plugin erases itself, the files and
reports of imports. (The audit trail is redacted by the service after every plugin erased.)
"""

from __future__ import annotations

from typing import Any

import click
from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session as DbSession

from crm_core.declarations import SessionDef
from crm_core.plugins import hookimpl
from crm_core.privacy import api, stores, views
from crm_core.privacy import cli as privacy_cli
from crm_core.privacy.plan import ErasedItem, ErasurePlan, PersonalData
from crm_core.privacy.service import SESSION

PLUGIN = "core"


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [SessionDef(SESSION, "configuration", _l("Privacy erase"), endpoint="privacy.index", order=60)]


@hookimpl
def crm_register_blueprints(app: Flask) -> list[Blueprint]:
    return [views.bp, api.bp]


@hookimpl
def crm_register_cli(cli: click.Group) -> None:
    cli.add_command(privacy_cli.privacy)


def _found(db: DbSession, plan: ErasurePlan) -> dict[str, list[Any]]:
    return {
        "notes": stores.notes_on(db, plan),
        "notes_mentioning": stores.notes_mentioning(db, plan),
        "outbox": stores.outbox_messages(db, plan, exclude=plan.outbox_topics),
        "import_files": stores.import_jobs(db, plan),
    }


LABELS = {
    "notes": _l("Notes and files of the client's records"),
    "notes_mentioning": _l("Other notes naming the client"),
    "outbox": _l("Outbox messages"),
    "import_files": _l("Import files and reports"),
}


@hookimpl
def crm_personal_data_find(plan: ErasurePlan, db: DbSession) -> PersonalData:
    found = _found(db, plan)
    return PersonalData(
        PLUGIN,
        items=tuple(ErasedItem(key, LABELS[key], len(rows)) for key, rows in found.items() if rows),
        # A note's text and file name are erased with it, and so are they in its history rows.
        fields={"crm_note": frozenset({"text", "filename"})},
    )


@hookimpl
def crm_personal_data_erase(plan: ErasurePlan, db: DbSession) -> None:
    found = _found(db, plan)
    stores.erase_notes(db, plan, found["notes"], found["notes_mentioning"])
    stores.erase_outbox(plan, found["outbox"])
    stores.erase_import_jobs(plan, found["import_files"])
