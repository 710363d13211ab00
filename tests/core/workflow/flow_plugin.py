"""A test-only session with a declared workflow over the sample table ("flows"): its status is
editable in the form, so the core's guard on direct edits is exercised too.

active --close--> closed --archive--> archived, and closed --(direct edit)--> active.
"""

from __future__ import annotations

from marshmallow import fields, validate

from crm_core.declarations import Action, Module, PluginMeta, SessionDef, Status, Transition, Workflow
from crm_core.plugins import hookimpl
from crm_core.services import workflow
from tests.support.sample import Sample, SampleSchema

meta = PluginMeta(description="test-only workflow session", requires_contract=">=2.1,<3")


class FlowSchema(SampleSchema):
    status = fields.Str(
        validate=validate.OneOf(["active", "closed", "archived"]), metadata={"label": "Status"}
    )
    parent_id = fields.Int(allow_none=True, metadata={"label": "Parent"})


def close(ctx) -> None:  # type: ignore[no-untyped-def]
    workflow.transition(ctx.db, ctx.sdef, ctx.element, "closed", ctx.user, action="close")


def archive(ctx) -> None:  # type: ignore[no-untyped-def]
    workflow.transition(ctx.db, ctx.sdef, ctx.element, "archived", ctx.user, action="archive")


def touch(ctx) -> None:  # type: ignore[no-untyped-def]
    """An action no transition names: the workflow leaves it available in every state."""
    ctx.element.comments = "touched"


FLOW = Workflow(
    initial="active",
    transitions=(
        Transition("active", "closed", action="close"),
        Transition("closed", "archived", action="archive"),
        Transition("closed", "active"),
    ),
)

FLOWS = SessionDef(
    name="flows",
    module="flowing",
    label="Flows",
    singular="Flow",
    model=Sample,
    schema=FlowSchema,
    columns=("name", "status"),
    search=("name",),
    statuses=(Status("active", "Open"), Status("closed", "Closed"), Status("archived", "Archived", open=False)),
    where={"kind": "flow"},
    actions=(
        Action("close", "Close", close),
        Action("archive", "Archive", archive),
        Action("touch", "Touch", touch),
    ),
    workflow=FLOW,
)


@hookimpl
def crm_register_modules() -> list[Module]:
    return [Module("flowing", "Flowing", order=600)]


@hookimpl
def crm_register_sessions() -> list[SessionDef]:
    return [FLOWS]
