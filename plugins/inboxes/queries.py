"""What the inbox screens, the home panel and the API read (EXT-12).

Two boxes: ``mine`` (open items whose holder is the user: sent to them or taken by them) and
``group`` (open items of the user's group nobody has taken). Each row says what the element is
only as far as the viewer may see it: the display name and the link come from the element's
session through the one ownership rule (``scoped``, one query per area on the page); an element
the viewer may not see (or that is gone) shows its area and number, without name or link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session as DbSession

from crm_core.toolkit import Access, NotFound, User, crm_state, scoped, session_label
from plugins.inboxes.models import InboxItem
from plugins.inboxes.services import GROUP, MINE
from plugins.inboxes.settings import vocabulary

BOXES = {"mine": MINE, "group": GROUP}
#: Sort keys users may pick → columns; ``-key`` is descending. Ties fall back to the id.
SORTS = {
    "received": InboxItem.received_at,
    "type": InboxItem.session_name,
    "action": InboxItem.requested_action,
    "sender": InboxItem.sender_id,
}
DEFAULT_SORT = "-received"
#: Inboxes are counted up to this many items (screens show "more than 10,000").
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Row:
    item: InboxItem
    area: str
    name: str | None  # None: the viewer may not see the element (no name, no link)
    visible: bool
    action: str
    sender: str
    holder: str | None

    def as_json(self) -> dict[str, Any]:
        item = self.item
        return {
            "id": item.id,
            "session": item.session_name,
            "type": self.area,
            "element_id": item.element_id,
            "name": self.name,
            "visible": self.visible,
            "requested_action": item.requested_action,
            "requested_action_label": self.action,
            "action_text": item.action_text,
            "note": item.note,
            "received_at": item.received_at.isoformat(),
            "sender": self.sender,
            "group_id": item.group_id,
            "taken_at": item.taken_at.isoformat() if item.taken_at else None,
            "state": item.state,
        }


def box_query(access: Access, box: str) -> Select:
    """Open items of ``box`` for the user; the box's own permission is required."""
    if box not in BOXES:
        raise NotFound(box)
    access.require(BOXES[box], "view")
    # The literal inline (not a bound parameter): the boxes' partial indexes (models.box_indexes)
    # are then usable by a prepared, generic plan too.
    stmt = select(InboxItem).where(InboxItem.state == literal_column("'open'"))
    if box == "mine":
        return stmt.where(InboxItem.user_id == access.user.id)
    return stmt.where(InboxItem.group_id == access.user.group_id, InboxItem.user_id.is_(None))


def sort_key(raw: str | None) -> str:
    """A known sort key (``received``, ``-type`` …) or the default."""
    return raw if raw and raw.lstrip("-") in SORTS else DEFAULT_SORT


def count(db: DbSession, stmt: Select) -> int:
    """How many rows ``stmt`` has, counted up to :data:`COUNT_CAP` + 1 (an index range scan that
    stops there), so a crowded group inbox costs no full count; above the cap the screens say
    "more than 10,000"."""
    capped = stmt.with_only_columns(literal_column("1").label("one")).limit(COUNT_CAP + 1).subquery()
    return db.scalar(select(func.count()).select_from(capped)) or 0


def page_of(db: DbSession, access: Access, box: str, sort: str, page: int, size: int) -> tuple[list[Row], int]:
    """One page of ``box`` sorted by ``sort``, and the number of items in the box (capped, see
    :func:`count`)."""
    stmt = box_query(access, box)
    total = count(db, stmt)
    key = sort_key(sort)
    column = SORTS[key.lstrip("-")]
    order = (column.desc(), InboxItem.id.desc()) if key.startswith("-") else (column.asc(), InboxItem.id.asc())
    offset = (max(page, 1) - 1) * size
    if offset == 0:
        items = list(db.scalars(stmt.order_by(*order).limit(size)))
    else:
        # Pages after the first: the page's ids off the index first (no table visit for the
        # skipped items), then those rows by primary key — as the core's grids do.
        ids = list(db.scalars(stmt.with_only_columns(InboxItem.id).order_by(*order).limit(size).offset(offset)))
        found = {i.id: i for i in db.scalars(select(InboxItem).where(InboxItem.id.in_(ids)))} if ids else {}
        items = [found[i] for i in ids if i in found]
    return rows(db, access, items), total


def counts(db: DbSession, access: Access) -> dict[str, int]:
    """Open items per box the user may use (for the home panel)."""
    found = {}
    for box, sdef_name in BOXES.items():
        if access.can(sdef_name, "view"):
            found[box] = count(db, box_query(access, box))
    return found


def rows(db: DbSession, access: Access, items: list[InboxItem]) -> list[Row]:
    """Display rows; element names only where ``access`` may see the element."""
    registry = crm_state().registry
    wanted: dict[str, set[int]] = defaultdict(set)
    for item in items:
        wanted[item.session_name].add(item.element_id)
    names: dict[tuple[str, int], str] = {}
    for session_name, ids in wanted.items():
        sdef = registry.sessions.get(session_name)
        if sdef is None or sdef.model is None or not access.can(sdef, "view"):
            continue
        stmt = scoped(sdef, access, True, select(sdef.model).where(sdef.model.id.in_(ids)))
        names.update({(session_name, e.id): e.display_name() for e in db.scalars(stmt)})
    users = _user_names(db, {i.sender_id for i in items} | {i.user_id for i in items if i.user_id})
    actions = vocabulary()  # translated once per page, not once per row
    areas: dict[str, str] = {}
    result = []
    for item in items:
        if item.session_name not in areas:
            sdef = registry.sessions.get(item.session_name)
            areas[item.session_name] = session_label(sdef) if sdef is not None else item.session_name
        area = areas[item.session_name]
        name = names.get((item.session_name, item.element_id))
        result.append(Row(item, area, name, name is not None, actions.get(item.requested_action, item.requested_action),
                          users.get(item.sender_id, ""), users.get(item.user_id) if item.user_id else None))
    return result


def _user_names(db: DbSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {u.id: u.display_name() for u in db.scalars(select(User).where(User.id.in_(ids)))}
