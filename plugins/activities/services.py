"""Business rules of activities: complete, cancel, the linked element, generation by grouping.

Each function runs inside the caller's unit of work; nothing here commits. Permissions and
ownership go through ``crm_core.security.access`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import (
    Access,
    ActionContext,
    BusinessRuleError,
    Grouping,
    NotFound,
    PermissionDenied,
    SessionDef,
    crm_state,
    get_element,
    groupings,
    scoped,
    utcnow,
    visible_ids,
    workflow,
)
from plugins.activities.models import Activity

SESSION = "activities"


def activities_sdef() -> SessionDef:
    return crm_state().registry.sdef(SESSION)


def complete(ctx: ActionContext) -> Activity:
    """Mark a planned activity done now (ACT-02); the workflow refuses done or cancelled ones."""
    activity = ctx.element
    workflow.transition(ctx.db, ctx.sdef, activity, "done", ctx.user, action="complete")
    activity.done_at = utcnow()
    return activity


def cancel(ctx: ActionContext) -> Activity:
    """Cancel a planned activity (ACT-02); a cancelled activity stays for the record."""
    workflow.transition(ctx.db, ctx.sdef, ctx.element, "cancelled", ctx.user, action="cancel")
    return ctx.element


def check_links(db: DbSession, activities: Sequence[Activity], access: Access) -> None:
    """Each activity links to an element of another area that exists and ``access`` may see, or
    to nothing (a generic activity).

    Called from the created/changed events so screens, API and imports all obey it, with one
    query per linked area for a whole import batch; raising rolls the write back.
    """
    registry = crm_state().registry
    wanted: dict[str, set[int]] = {}
    for activity in activities:
        if not activity.session_name and activity.element_id is None:
            continue
        if not activity.session_name or activity.element_id is None:
            raise BusinessRuleError(_("Give both the area and the record, or neither."), field="element_id")
        sdef = registry.sessions.get(activity.session_name)
        if sdef is None or not sdef.has_grid or sdef.name == SESSION:
            raise BusinessRuleError(_("Activities can be linked only to records of another area."), field="session")
        wanted.setdefault(sdef.name, set()).add(activity.element_id)
    for name, ids in wanted.items():
        if ids - visible_ids(db, registry.sdef(name), access, ids):
            raise BusinessRuleError(_("The linked record does not exist or you may not see it."), field="element_id")


def linked_activities(db: DbSession, access: Access, element_type: str, element_id: int) -> list[Activity]:
    """Activities of one element that ``access`` may see, the latest first (detail tab)."""
    stmt = scoped(activities_sdef(), access, all_records=True).where(
        Activity.link_type == element_type, Activity.element_id == element_id
    )
    return list(db.scalars(stmt.order_by(Activity.starts_at.desc(), Activity.id.desc()).limit(200)))


@dataclass(frozen=True)
class Generated:
    """What "generate for a grouping" did, reported to the user and the API."""

    created: int
    skipped: int
    activities: tuple[Activity, ...] = ()

    def __str__(self) -> str:
        return _(
            "%(created)d activities created, %(skipped)d members skipped (not visible to you)",
            created=self.created,
            skipped=self.skipped,
        )

    def display_name(self) -> str:
        """How the screens report an action's result after it ran."""
        return str(self)


def _grouping(db: DbSession, access: Access, grouping_id: int) -> Grouping:
    """The grouping, loaded through the ownership rules of the core's groupings session."""
    try:
        return get_element(db, crm_state().registry.sdef(groupings.SESSION), access, grouping_id)
    except (KeyError, NotFound, PermissionDenied):
        raise BusinessRuleError(_("No such grouping."), field="grouping_id") from None


def generate(ctx: ActionContext) -> Generated:
    """Copy the activity for every visible member of a grouping, in the caller's transaction (ACT-03).

    Members the user may not see are left alone and counted as skipped. Each copy is owned by
    the member's owner when the user may change owners (a leader planning for the team), else
    by the user, and announced through ``crm_activity_scheduled``.
    """
    access = ctx.access
    template: Activity = ctx.element
    grouping = _grouping(ctx.db, access, ctx.data["grouping_id"])
    found = groupings.members(ctx.db, grouping, access)
    if not found.elements and not found.skipped:
        raise BusinessRuleError(_("The grouping has no members: nothing to generate."), field="grouping_id")
    may_assign = access.can(SESSION, "change_owner")
    copies = []
    for member in found.elements:
        copy = Activity(
            type=template.type,
            subject=template.subject,
            description=template.description,
            starts_at=template.starts_at,
            duration=template.duration,
            location=template.location,
            session_name=grouping.session_name,
            element_id=member.id,
            creator_id=ctx.user.id,
            owner_id=member.owner_id if may_assign else ctx.user.id,
        )
        ctx.db.add(copy)
        copies.append(copy)
    ctx.db.flush()
    hook = crm_state().pm.hook
    for copy in copies:
        hook.crm_activity_scheduled(activity=copy, user=ctx.user, db=ctx.db)
    hook.crm_activities_generated(grouping=grouping, activities=copies, user=ctx.user, db=ctx.db)
    return Generated(created=len(copies), skipped=found.skipped, activities=tuple(copies))


def unlink_deleted(db: DbSession, element: Any) -> int:
    """An element is being deleted: its activities stay (history, calendars) as generic ones.

    Every owner's activities are unlinked, not just the deleting user's, so no link is left
    pointing at nothing; each change is audited (at flush, as every change).
    """
    stmt = select(Activity).where(Activity.link_type == element.__element_type__, Activity.element_id == element.id)
    activities = list(db.scalars(stmt))
    for activity in activities:
        activity.session_name = None
        activity.element_id = None
    return len(activities)
