"""Declarations of the telephony module: the calls session (grid, detail, listing, import of
Asterisk CDR files, export, API) and its menu module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Module, SessionDef, Status
from plugins.telephony.models import SEARCH, Call
from plugins.telephony.schemas import RESULT_LABELS, CallSchema
from plugins.telephony.services import SESSION

MODULE = Module("telephony", _l("Telephony"), order=35)

CALLS = SessionDef(
    name=SESSION,
    module=MODULE.name,
    label=_l("Calls"),
    singular=_l("Call"),
    model=Call,
    schema=CallSchema,
    columns=("started_at", "direction", "number", "result", "ring_seconds", "talk_seconds", "owner_id"),
    search=SEARCH,
    statuses=tuple(Status(code, label) for code, label in RESULT_LABELS.items()),
    status_field="result",
    importable=True,
    import_keys=("call_id",),
    deletable=False,
    default_sort="-started_at",
    order=10,
)

FIGURES = SessionDef(
    name="call_figures",
    module=MODULE.name,
    label=_l("Call figures"),
    endpoint="telephony.figures",
    order=20,
)
