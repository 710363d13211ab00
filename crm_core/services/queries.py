"""The one list query behind the grid, the API list, listings and exports.

Everything runs in SQL: the ownership filter (``crm_core.security.access``), the status
filter, a text filter over the session's ``search`` fields, listing criteria and sorting.
Pages are fetched with ``LIMIT per_page + 1`` to know whether a next page exists, so no
``COUNT(*)`` runs on every page (counts are capped and asked for only when shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import String, Table, and_, cast, false, func, or_, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from crm_core.custom_fields.storage import expression
from crm_core.declarations import SessionDef
from crm_core.errors import BusinessRuleError
from crm_core.extensions import crm_state
from crm_core.indexes import indexed_sorts, search_document
from crm_core.models.auth import User, shown_name
from crm_core.security.access import Access, ownership_condition, scoped
from crm_core.security.field_access import declared, restricted

MAX_PER_PAGE = 500
COUNT_CAP = 10_000
OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "between", "contains", "startswith", "empty")


@dataclass(frozen=True)
class Criterion:
    """One listing condition: ``field op value`` (``value`` is a pair for ``between``)."""

    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class ListQuery:
    """What a grid, API list, listing or export asks for."""

    all_records: bool = False
    status: Sequence[str] = ()
    text: str = ""
    criteria: Sequence[Criterion] = ()
    match: str = "all"  # "all" = AND, "any" = OR between criteria
    #: names of the session's ``named_filters`` (unknown names are refused by the callers).
    only: Sequence[str] = ()
    sort: str = ""
    page: int = 1
    per_page: int = 50
    #: only the rows whose id this ``SELECT`` yields (e.g. a grouping's members,
    #: :func:`crm_core.services.groupings.member_ids`); ``None``: no such restriction.
    members: Select | None = None
    #: ``(column, session)`` of reference columns whose records the page reads in its own
    #: statement (``Page.referenced``), as far as the user may see them (the grid's names:
    #: :func:`crm_core.services.display.reference_targets`).
    references: Sequence[tuple[str, SessionDef]] = ()
    #: columns holding a user id (the owner …) whose users' display names the page reads in its
    #: own statement (``Page.user_names``): a grid of several owners' records pays no query more.
    user_columns: Sequence[str] = ()


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    #: column → id → the referenced record, for ``ListQuery.references`` (visible ones only).
    referenced: dict[str, dict[int, Any]] = field(default_factory=dict)
    #: column → user id → display name, for ``ListQuery.user_columns``.
    user_names: dict[str, dict[int, str]] = field(default_factory=dict)

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def column(sdef: SessionDef, name: str) -> Any:
    """The mapped column ``name`` of the session's model, or the SQL value of its custom field
    ``name`` (:func:`crm_core.custom_fields.storage.expression`); refuses anything else."""
    decl = sdef.custom_field(name)
    if decl is not None:
        return expression(sdef.model, decl)  # type: ignore[arg-type]
    attr = getattr(sdef.model, name, None)
    if attr is None or not hasattr(attr, "property") or not hasattr(attr.property, "columns"):
        raise BusinessRuleError(_("Unknown field “%(f)s”.", f=name), field=name)
    return attr


def column_type(col: Any) -> Any:
    """The SQL type of what :func:`column` gave (a mapped column or an expression)."""
    prop = getattr(col, "property", None)
    return prop.columns[0].type if prop is not None and hasattr(prop, "columns") else col.type


def is_column(sdef: SessionDef, name: str) -> bool:
    """Whether ``name`` is something :func:`column` accepts."""
    if sdef.custom_field(name) is not None:
        return True
    attr = getattr(sdef.model, name, None)
    return attr is not None and hasattr(getattr(attr, "property", None), "columns")


def as_text(col: Any) -> Any:
    """Text columns as they are (so ``lower(col)`` matches a trigram index), others cast."""
    return col if isinstance(col.type, String) else cast(col, String)


def like_text(expr: Any, text: str, where: str = "contains") -> ColumnElement[bool]:
    """``expr`` contains (or ``startswith``, ``endswith``) ``text`` taken literally: ``%``, ``_``
    and ``\\`` typed by a user are escaped, so they match themselves and never act as
    wildcards. ``text`` is lower-cased; pass a lower-cased ``expr`` for a case-insensitive match.
    Every ``LIKE`` built from user input goes through here (grids, listings, lookups, the API,
    admin searches)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    pattern = {"contains": f"%{escaped}%", "startswith": f"{escaped}%", "endswith": f"%{escaped}"}[where]
    return expr.like(pattern, escape="\\")


def text_condition(sdef: SessionDef, text: str) -> ColumnElement[bool] | None:
    """Every word must match one of the ``search`` fields (case-insensitive ``LIKE``).

    The text fields are tested as one :func:`~crm_core.indexes.search_document`, which
    PostgreSQL serves from one pg_trgm GIN index (or checks inside a covering btree); fields of
    other types are cast and tested one by one. SQLite checks the words row by row after the
    owner and status indexes have narrowed the rows (docs/performance.md).
    """
    words = [w for w in text.split() if w][:8]
    if not words or not sdef.search:
        return None
    fields = [column(sdef, f) for f in sdef.search if sdef.custom_field(f) is None]
    texts = [f for f in fields if isinstance(f.type, String)]
    targets = [search_document(texts)] if texts else []
    targets += [func.lower(cast(f, String)) for f in fields if not isinstance(f.type, String)]
    # custom fields (EXT-16) are read from the JSON document, one by one
    targets += [func.lower(cast(column(sdef, f), String)) for f in sdef.search if sdef.custom_field(f) is not None]
    return and_(*[or_(*[like_text(t, word) for t in targets]) for word in words])


def criterion_condition(sdef: SessionDef, c: Criterion) -> ColumnElement[bool]:
    col = column(sdef, c.field)
    if c.op not in OPERATORS:
        raise BusinessRuleError(_("Unknown operator “%(o)s”.", o=c.op), field=c.field)
    if c.op == "empty":
        return col.is_(None)
    if c.op == "between":
        low, high = c.value
        return col.between(low, high)
    if c.op in ("contains", "startswith"):
        return like_text(func.lower(as_text(col)), str(c.value), c.op)
    return {
        "=": col.__eq__,
        "!=": col.__ne__,
        "<": col.__lt__,
        "<=": col.__le__,
        ">": col.__gt__,
        ">=": col.__ge__,
    }[c.op](c.value)


def sortable(sdef: SessionDef) -> frozenset[str]:
    """The fields the grid (column headers, saved views) and the API (``sort=``, the OpenAPI
    enum) offer as sorts: those a declared list index serves (or the session's ``sorts``), the
    default sort, and the sortable custom fields (whose expression index ``crm fields index``
    makes). A sort that no index serves would read and sort every row of the owner, or of the
    table, for one page (issue 13 target 4: a 154 ms column header at 1M rows)."""
    assert sdef.model is not None
    if sdef.sorts is not None:
        served = frozenset(sdef.sorts)
    else:
        served = _indexed(sdef.model.__table__, tuple(sorted(sdef.where)))
    return served | {sdef.default_sort.lstrip("-")} | {f.name for f in sdef.custom_fields if f.sortable}


@lru_cache(maxsize=256)
def _indexed(table: Table, fixed: tuple[str, ...]) -> frozenset[str]:
    return indexed_sorts(table, fixed)


def order_by(sdef: SessionDef, sort: str) -> list[Any]:
    """``"name"`` ascending, ``"-name"`` descending; the id breaks ties for stable paging."""
    spec = sort or sdef.default_sort
    desc = spec.startswith("-")
    col = column(sdef, spec.lstrip("-"))
    first = col.desc() if desc else col.asc()
    tie = sdef.model.id.desc() if desc else sdef.model.id.asc()
    return [first] if spec.lstrip("-") == "id" else [first, tie]


def _refuse_hidden(sdef: SessionDef, access: Access, q: ListQuery) -> None:
    """A field the user's group may not see is no filter and no sort for them: refused as the
    unknown field it is to them, whichever path asks (grid, API, listing, export, search)."""
    hidden = access.field_rules(sdef).hidden
    if not hidden:
        return
    for name in [c.field for c in q.criteria] + [q.sort.lstrip("-")]:
        if name in hidden:
            raise BusinessRuleError(_("Unknown field “%(f)s”.", f=name), field=name)


def build(sdef: SessionDef, access: Access, q: ListQuery) -> Select:
    """The filtered, sorted ``SELECT`` (no paging) for ``q``; raises on unknown fields and on
    fields hidden from the user (field-level access), whose values a filter would reveal."""
    _refuse_hidden(sdef, access, q)
    searched = bool(declared(sdef).search)  # ``sdef`` may already be the user's restricted view
    sdef = restricted(sdef, access)  # the text filter searches only the fields the user sees
    stmt = scoped(sdef, access, q.all_records)
    if q.text.split() and searched and not sdef.search:
        stmt = stmt.where(false())  # every searched field is hidden from the user: nothing matches
    if q.status:
        stmt = stmt.where(column(sdef, sdef.status_field).in_(list(q.status)))
    cond = text_condition(sdef, q.text)
    if cond is not None:
        stmt = stmt.where(cond)
    for name in q.only:
        named = sdef.named_filter(name)
        if named is None:
            raise BusinessRuleError(_("Unknown filter “%(f)s”.", f=name))
        stmt = stmt.where(named.condition())
    if q.criteria:
        conds = [criterion_condition(sdef, c) for c in q.criteria]
        stmt = stmt.where(or_(*conds) if q.match == "any" else and_(*conds))
    if q.members is not None:
        stmt = stmt.where(sdef.model.id.in_(q.members))
    return stmt.order_by(*order_by(sdef, q.sort))


def page_statement(sdef: SessionDef, access: Access, q: ListQuery) -> Select:
    """The ``SELECT`` of one page (and one row more, to know whether a next page exists).

    One statement, two steps: find the page's ids (an index-only scan where a covering index
    serves the filter and the order, skipping over ids only on deep pages), then load those
    rows by primary key — instead of reading every candidate or skipped row (NF-01). The
    records of ``q.references`` come in the same statement, outer-joined on the page's rows
    under the target session's own rules (:func:`joined_references`), and so do the names of
    the users in ``q.user_columns`` (:func:`joined_users`).
    """
    per_page = max(1, min(q.per_page, MAX_PER_PAGE))
    model = sdef.model
    stmt = build(sdef, access, q).limit(per_page + 1)
    ids = stmt.with_only_columns(model.id).offset((max(1, q.page) - 1) * per_page).subquery()
    page = select(model).where(model.id.in_(select(ids.c.id)))
    for name, target in joined_references(sdef, access, q.references):
        seen = and_(target.model.id == column(sdef, name), ownership_condition(target, access, all_records=True))
        page = page.add_columns(target.model).outerjoin(target.model, seen)
    for name in joined_users(sdef, q.user_columns):
        user = aliased(User, name=f"page_user_{name}")
        page = page.add_columns(user.id, user.full_name, user.username).outerjoin(user, user.id == column(sdef, name))
    return page.order_by(*order_by(sdef, q.sort))


def joined_users(sdef: SessionDef, names: Sequence[str]) -> list[str]:
    """The user columns a page statement can join: mapped columns of the session, once each."""
    return [name for name in dict.fromkeys(names) if sdef.custom_field(name) is None and is_column(sdef, name)]


def joined_references(
    sdef: SessionDef, access: Access, references: Sequence[tuple[str, SessionDef]]
) -> list[tuple[str, SessionDef]]:
    """The references a page statement can join: a session the user may view, a model other
    than the page's and not joined already (a second column to the same table, or a record
    pointing at its own kind, is read by :func:`crm_core.services.display.value_names`)."""
    joined: list[tuple[str, SessionDef]] = []
    models = {sdef.model}
    for name, target in references:
        if target.model in models or not access.can(target, "view") or not is_column(sdef, name):
            continue
        models.add(target.model)
        joined.append((name, target))
    return joined


def fetch_page(db: DbSession, sdef: SessionDef, access: Access, q: ListQuery) -> Page:
    per_page = max(1, min(q.per_page, MAX_PER_PAGE))
    stmt = page_statement(sdef, access, q)
    joined = [name for name, _target in joined_references(sdef, access, q.references)]
    users = joined_users(sdef, q.user_columns)
    if not joined and not users:
        rows = list(db.scalars(stmt))
        return Page(rows[:per_page], max(1, q.page), per_page, len(rows) > per_page)
    found = db.execute(stmt).all()
    referenced: dict[str, dict[int, Any]] = {name: {} for name in joined}
    user_names: dict[str, dict[int, str]] = {name: {} for name in users}
    after = 1 + len(joined)
    for row in found[:per_page]:
        for name, record in zip(joined, row[1:after], strict=True):
            if record is not None:
                referenced[name][record.id] = record
        for i, name in enumerate(users):
            user_id, full_name, username = row[after + 3 * i: after + 3 * i + 3]
            if user_id is not None:
                user_names[name][user_id] = shown_name(full_name, username)
    return Page([r[0] for r in found[:per_page]], max(1, q.page), per_page, len(found) > per_page, referenced,
                user_names)


def capped_count(db: DbSession, sdef: SessionDef, access: Access, q: ListQuery, cap: int = COUNT_CAP) -> int:
    """How many rows match, counting at most ``cap`` (shown as "10,000+")."""
    inner = build(sdef, access, q).order_by(None).with_only_columns(sdef.model.id).limit(cap)
    return db.scalar(select(func.count()).select_from(inner.subquery())) or 0


def status_filter(sdef: SessionDef, wanted: list[str]) -> tuple[list[str], list[str]]:
    """Visible status names (or internal codes) → internal codes (CORE-14); unknown names are
    returned separately so the screen can say so instead of silently showing everything."""
    registry = crm_state().registry
    by_name = {str(label): code for label, code in registry.visible_statuses(sdef)}
    codes = {st.code for st in sdef.statuses}
    chosen, unknown = [], []
    for value in wanted:
        if value in by_name:
            chosen.append(by_name[value])
        elif value in codes:
            chosen.append(value)
        else:
            unknown.append(value)
    return sorted(set(chosen)), unknown
