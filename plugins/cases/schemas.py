"""Marshmallow schemas of the cases session, its actions and ``[settings.cases]``.

The case schema is the one validation of the form, the API and imports. Its vocabularies (type,
product) are the customer's, read when a value is validated; references the user may not see
are refused by the core's lookup check, and a contact or opportunity of another account by
``services.check_links`` once the row exists.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holiday_calendars
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates, validates_schema
from sqlalchemy import select

from crm_core.toolkit import Group, User, edited_element, lookups, session
from plugins.cases import services
from plugins.cases.business_time import parse_duration
from plugins.cases.models import AGREEMENT_CHANNELS, ORIGINS, PRIORITIES
from plugins.cases.triage_scripts import triage_field
from plugins.sales import services as sales_services


def _text(label: Any, max_len: int, required: bool = False, **meta: Any) -> fields.Field:
    return fields.Str(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_len),
        metadata={"label": label, **meta},
    )


def _vocabulary(label: Any, max_len: int) -> fields.Field:
    return fields.Dict(
        keys=fields.Str(validate=validate.Length(min=1, max=max_len)),
        values=fields.Str(validate=validate.Length(min=1, max=120)),
        metadata={"label": label},
    )


def _duration(value: Any) -> None:
    try:
        parse_duration(value, 60)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class CalendarSettings(Schema):
    """``[settings.cases.calendar]``: the business time SLA clocks run in (sla.py)."""

    time_zone = fields.Str(load_default="UTC")
    working_days = fields.List(fields.Int(validate=validate.Range(1, 7)), validate=validate.Length(min=1))
    working_hours = fields.List(fields.Str(), validate=validate.Length(equal=2))
    holidays = fields.Str()
    holidays_subdivision = fields.Str()
    extra_holidays = fields.List(fields.Date())

    @validates_schema
    def _known(self, data: dict[str, Any], **_kw: Any) -> None:
        try:
            ZoneInfo(data.get("time_zone", "UTC"))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(_("Unknown time zone “%(zone)s”.", zone=data.get("time_zone")), "time_zone") from exc
        hours = data.get("working_hours")
        if hours:
            try:
                start, end = (time.fromisoformat(h) for h in hours)
            except ValueError as exc:
                message = _("Write the hours as %(example)s.", example='["09:00", "18:00"]')
                raise ValidationError(message, "working_hours") from exc
            if start >= end:
                raise ValidationError(_("The working day must end after it starts."), "working_hours")
        if data.get("holidays"):
            try:
                holiday_calendars.country_holidays(data["holidays"], subdiv=data.get("holidays_subdivision") or None)
            except NotImplementedError as exc:
                raise ValidationError(str(exc), "holidays") from exc


class StepSettings(Schema):
    """One rung of an escalation ladder: ``after`` a business duration, to a ``group`` (its name)
    or a ``user`` (a username)."""

    after = fields.Str(required=True, validate=_duration)
    group = fields.Str()
    user = fields.Str()

    @validates_schema
    def _one_target(self, data: dict[str, Any], **_kw: Any) -> None:
        if bool(data.get("group")) == bool(data.get("user")):
            raise ValidationError(_("Name either a group or a user."), "group")


class RuleSettings(Schema):
    """``[[settings.cases.sla]]``: the times of one case type (product, symptom, priority
    optional: a more specific rule wins)."""

    type = fields.Str(required=True, validate=validate.Length(min=1, max=40))
    product = fields.Str()
    symptom = fields.Str()
    priority = fields.Str(validate=validate.OneOf(("", *PRIORITIES)))
    response = fields.Str(validate=_duration)
    resolution = fields.Str(validate=_duration)
    ladder = fields.List(fields.Nested(StepSettings))

    @validates("ladder")
    def _ascending(self, value: list[dict[str, Any]], **_kw: Any) -> None:
        minutes = [parse_duration(step["after"], 24 * 60) for step in value]
        if any(b <= a for a, b in zip(minutes, minutes[1:], strict=False)):
            raise ValidationError(_("Each step must come later than the one before."))


class CasesSettings(Schema):
    """``[settings.cases]`` of customer.toml: the case types and, optionally, the products
    (tables of code = visible name). Without ``types`` the defaults apply (billing, sales,
    defect, complaint); without ``products`` the product is free text. ``triage``: the triage
    scripts of defects by product (EXT-14, :mod:`plugins.cases.triage_scripts`). ``calendar`` and
    ``sla`` are the SLA clocks and escalation ladders (plugins/cases/sla.py)."""


    types = _vocabulary(_l("Types"), 40)
    products = _vocabulary(_l("Products"), 120)
    triage = triage_field()
    #: Email-to-case (plugins/cases/mailin.py): the address customers write to, the user the
    #: received cases and notes are recorded as, the type of a new case, and the largest message.
    mailbox_address = fields.Email(metadata={"label": _l("Mailbox address")})
    mailbox_user = fields.Str(validate=validate.Length(min=1, max=150), metadata={"label": _l("Mailbox user")})
    mailbox_type = fields.Str(validate=validate.Length(min=1, max=40), metadata={"label": _l("Type of mailed cases")})
    mailbox_max_bytes = fields.Int(
        validate=validate.Range(min=1024, max=100 * 1024 * 1024), metadata={"label": _l("Largest message (bytes)")}
    )
    calendar = fields.Nested(CalendarSettings)
    sla = fields.List(fields.Nested(RuleSettings))
    escalate_every_seconds = fields.Int(validate=validate.Range(min=10))
    escalation_batch = fields.Int(validate=validate.Range(min=1, max=100_000))

    @validates_schema
    def _types_known(self, data: dict[str, Any], **_kw: Any) -> None:
        known = set(data.get("types") or services.DEFAULT_TYPES)
        for i, rule in enumerate(data.get("sla") or ()):
            if rule["type"] not in known:
                message = _("“%(type)s” is not a case type.", type=rule["type"])
                raise ValidationError({str(i): {"type": [message]}}, "sla")

    @validates("types")
    def _some_types(self, value: dict[str, str], **_kw: Any) -> None:
        if not value:
            raise ValidationError(_("List at least one case type."))


def user_choices() -> list[tuple[int, str]]:
    """Active users by name: who a case can be assigned to."""
    users = session().scalars(select(User).where(User.active).order_by(User.full_name, User.username))
    return [(u.id, u.display_name()) for u in users]


def group_choices() -> list[tuple[int, str]]:
    """Every group: whose queue a case can be put in."""
    return [(g.id, g.name) for g in session().scalars(select(Group).order_by(Group.name))]


def _active_users(ids: set[Any]) -> dict[int, bool]:
    return dict.fromkeys(session().scalars(select(User.id).where(User.id.in_(ids), User.active)), True)


def _groups(ids: set[Any]) -> dict[int, bool]:
    return dict.fromkeys(session().scalars(select(Group.id).where(Group.id.in_(ids))), True)


class CaseSchema(Schema):
    id = fields.Int(dump_only=True)
    number = fields.Str(dump_only=True, metadata={"label": _l("Number")})
    #: Required, but an import may give ``account_code`` instead: checked after loading.
    account_id = fields.Int(metadata={"label": _l("Account"), "lookup": "accounts"})
    account_code = fields.Str(load_only=True, metadata={"label": _l("Account code")})
    contact_id = fields.Int(allow_none=True, metadata={"label": _l("Contact"), "lookup": "contacts"})
    opportunity_id = fields.Int(allow_none=True, metadata={"label": _l("Opportunity"), "lookup": "opportunities"})
    subject = _text(_l("Subject"), 200, required=True)
    description = fields.Str(metadata={"label": _l("Description"), "widget": "textarea"})
    type = fields.Str(
        required=True, metadata={"label": _l("Type"), "choices": services.type_choices}
    )
    priority = fields.Str(
        validate=validate.OneOf(PRIORITIES), metadata={"label": _l("Priority"), "choices": services.priority_choices}
    )
    origin = fields.Str(
        validate=validate.OneOf(ORIGINS), metadata={"label": _l("Origin"), "choices": services.origin_choices}
    )
    product = _text(_l("Product"), 120, choices=services.product_choices)
    symptom = _text(_l("Symptom"), 120)
    assignee_id = fields.Int(
        allow_none=True, metadata={"label": _l("Assignee"), "user": True, "choices": user_choices}
    )
    group_id = fields.Int(allow_none=True, metadata={"label": _l("Group"), "choices": group_choices})
    due_at = fields.AwareDateTime(allow_none=True, metadata={"label": _l("Due")})
    respond_by = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Respond by")})
    sla_state = fields.Str(dump_only=True, metadata={"label": _l("SLA"), "choices": services.sla_choices})
    escalation_step = fields.Int(dump_only=True, metadata={"label": _l("Escalation step")})
    status = fields.Str(dump_only=True, metadata={"label": _l("Status")})
    resolution = fields.Str(dump_only=True, metadata={"label": _l("Resolution")})
    resolved_at = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Resolved at")})
    agreed_by = fields.Str(dump_only=True, metadata={"label": _l("Agreed by")})
    agreed_at = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Agreed at")})
    agreed_via = fields.Str(
        dump_only=True, metadata={"label": _l("Agreed by way of"), "choices": services.channel_choices}
    )
    closed_at = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Closed at")})
    cancel_reason = fields.Str(dump_only=True, metadata={"label": _l("Cancellation reason")})
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)

    @validates("type")
    def _known_type(self, value: str, **_kw: Any) -> None:
        known = [code for code, _name in services.type_choices()]
        if value not in known:
            raise ValidationError(_("Unknown type; types: %(types)s.", types=", ".join(known)))

    @validates("product")
    def _known_product(self, value: str, **_kw: Any) -> None:
        known = [code for code, _name in services.product_choices()]
        if known and value and value not in known:
            raise ValidationError(_("Unknown product; products: %(products)s.", products=", ".join(known)))

    @validates_schema
    def _people_exist(self, data: dict[str, Any], **_kw: Any) -> None:
        assignee, group = data.get("assignee_id"), data.get("group_id")
        if assignee is not None and not lookups.lookup("cases.user", assignee, _active_users, "assignee_id", int):
            raise ValidationError({"assignee_id": [_("Unknown or inactive user.")]})
        if group is not None and not lookups.lookup("cases.group", group, _groups, "group_id", int):
            raise ValidationError({"group_id": [_("No such group.")]})

    @post_load
    def _account(self, data: dict[str, Any], **kw: Any) -> dict[str, Any]:
        code = data.pop("account_code", None)
        if code:  # among the customers (sales accounts): a supplier's code is not found
            data["account_id"] = sales_services.account_id_by_code(code, "sale")
        # A case that came by e-mail from an unknown sender waits "to triage" without an account
        # (plugins/cases/mailin.py); the workflow refuses to open it until one is set.
        triage = data.get("origin") == "email"
        if not kw.get("partial") and "account_id" not in data and edited_element() is None and not triage:
            raise ValidationError({"account_id": [_("Missing data for required field.")]})
        return data


class ResolveSchema(Schema):
    resolution = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=4000),
        metadata={"label": _l("Resolution"), "widget": "textarea"},
    )


class CloseSchema(Schema):
    """The customer's agreement that closes the case (CAS-02)."""

    agreed_by = _text(_l("Who agreed"), 120, required=True)
    agreed_via = fields.Str(
        required=True,
        validate=validate.OneOf(AGREEMENT_CHANNELS),
        metadata={"label": _l("How"), "choices": services.channel_choices},
    )
    agreed_at = fields.AwareDateTime(load_default=None, allow_none=True, metadata={"label": _l("When (empty: now)")})


class CancelSchema(Schema):
    reason = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"label": _l("Reason"), "widget": "textarea"},
    )


class ReplySchema(Schema):
    """A reply by e-mail to the customer's last message on the case (mailout.py)."""

    body = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=10_000),
        metadata={"label": _l("Reply"), "widget": "textarea"},
    )
