"""Declarations of the activities module: the activities session and the calendar page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm_core.toolkit import Action, Module, SessionDef, Status, Transition, Workflow
from plugins.activities.models import SEARCH, Activity
from plugins.activities.schemas import ActivitySchema, GenerateSchema
from plugins.activities.services import SESSION, cancel, complete, generate

MODULE = Module("activities", _l("Activities"), order=30)

STATUSES = (
    Status("planned", _l("Planned")),
    Status("done", _l("Done"), open=False, tone="won"),
    Status("cancelled", _l("Cancelled"), open=False),
)

#: A planned activity is done or cancelled once (ACT-02); generating copies works in any state.
WORKFLOW = Workflow(
    initial="planned",
    transitions=(
        Transition("planned", "done", action="complete"),
        Transition("planned", "cancelled", action="cancel"),
    ),
)

ACTIVITIES = SessionDef(
    name=SESSION,
    module=MODULE.name,
    label=_l("Activities"),
    singular=_l("Activity"),
    model=Activity,
    schema=ActivitySchema,
    columns=("starts_at", "type", "subject", "duration", "status", "location", "owner_id"),
    search=SEARCH,
    statuses=STATUSES,
    importable=True,
    default_sort="-starts_at",
    order=10,
    actions=(
        Action("complete", _l("Complete"), complete),
        Action("cancel", _l("Cancel"), cancel, confirm=_l("Cancel this activity?")),
        Action("generate", _l("Generate for a grouping"), generate, schema=GenerateSchema),
    ),
    workflow=WORKFLOW,
)

CALENDAR = SessionDef(
    name="calendar",
    module=MODULE.name,
    label=_l("Calendar"),
    endpoint="activities.calendar",
    order=20,
)
