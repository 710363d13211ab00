"""Marshmallow schemas of the sales sessions and actions, built per kind (sale / purchase).

The schemas are the one validation of every path (forms, API, imports). Rules that need the
database — an opportunity's account must be of the session's kind (SAL-04, PUR-01), account
codes unique — call :mod:`plugins.sales.services` from ``validates_schema`` so forms and the
API show them as field errors before anything is written.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from crm_core.toolkit import e164, edited_element
from plugins.sales import money, services
from plugins.sales.names import session_names

#: The languages a client's stage labels are given in (``[settings.sales.stage_labels]``).
LANGUAGES = ("en", "es")

_valid_email = validate.Email()


def _optional_email(value: str) -> str:
    return value if value == "" else _valid_email(value)


def _email(label: Any) -> fields.Field:
    """An optional e-mail: empty is allowed (imports and forms often have none)."""
    return fields.Str(validate=[validate.Length(max=255), _optional_email], metadata={"label": label})


class WithE164(Schema):
    """Adds ``phone_e164`` (the E.164 form of ``phone``) to what a lead, account or contact schema
    loads, so every write path — imports write without the ORM — keeps the indexed caller
    number in step with the typed one (models.CallerNumber)."""

    @post_load
    def with_e164(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
        if "phone" in data:
            data["phone_e164"] = e164(data["phone"])
        return data


def _text(label: Any, max_len: int, required: bool = False, **meta: Any) -> fields.Field:
    return fields.Str(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=max_len),
        metadata={"label": label, **meta},
    )


class AssignmentSettings(Schema):
    """``[settings.sales.assignment]``: who gets a campaign load's opportunities (plugins/sales/assignment.py)."""

    rule = fields.Str(required=True, validate=validate.OneOf(("round_robin", "by_branch")))
    group = fields.Str(load_default="Executives", validate=validate.Length(min=1, max=80))
    #: city (as stored on the account) → usernames of the group's members serving it.
    branches = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()), load_default=dict)


class SalesSettings(Schema):
    """``[settings.sales]`` of customer.toml: the pipeline stages in order (SAL-10)."""

    #: The client's currency: new opportunities start with it (plugins/sales/money.py).
    currency = fields.Str(load_default=money.FALLBACK, validate=money.check_currency)

    stages = fields.List(
        fields.Str(validate=validate.Length(min=1, max=40)),
        load_default=lambda: ["prospecting", "proposal", "negotiation"],
        validate=validate.Length(min=1),
    )
    #: visible name → stage, like ``[statuses.<session>]`` (CORE-14).
    stage_names = fields.Dict(
        keys=fields.Str(validate=validate.Length(min=1, max=60)), values=fields.Str(), load_default=dict
    )
    #: stage → its name per language, ``{ en = "Won", es = "Ganada" }``; wins over ``stage_names``.
    stage_labels = fields.Dict(
        keys=fields.Str(),
        values=fields.Dict(
            keys=fields.Str(validate=validate.OneOf(LANGUAGES)),
            values=fields.Str(validate=validate.Length(min=1, max=60)),
        ),
        load_default=dict,
    )

    #: Campaign loads: the opportunities an import adds to a campaign go to a group's members.
    assignment = fields.Nested(AssignmentSettings, load_default=None)

    #: Won amount per month each user aims at (username → amount) and the team (one
    #: amount for the team a leader sees): the goals of the home dashboard (EXT-07).
    monthly_goals = fields.Dict(
        keys=fields.Str(validate=validate.Length(min=1, max=80)),
        values=fields.Decimal(places=2, validate=validate.Range(min=0)),
        load_default=dict,
    )
    team_monthly_goal = fields.Decimal(places=2, validate=validate.Range(min=0), load_default=None, allow_none=True)

    #: stage → the stages an opportunity may move on to from it; none given: any to any (SAL-10).
    stage_transitions = fields.Dict(
        keys=fields.Str(), values=fields.List(fields.Str(validate=validate.Length(min=1, max=40))), load_default=dict
    )

    @validates_schema
    def _named_stages_exist(self, data: dict[str, Any], **_kwargs: Any) -> None:
        unknown = sorted(set(data.get("stage_names", {}).values()) - set(data["stages"]))
        if unknown:
            raise ValidationError(
                {"stage_names": [_("Unknown stages: %(s)s.", s=", ".join(unknown))]}
            )

    @validates_schema
    def _stage_labels_are_complete(self, data: dict[str, Any], **_kwargs: Any) -> None:
        labels = data.get("stage_labels", {})
        unknown = sorted(set(labels) - set(data["stages"]))
        if unknown:
            raise ValidationError({"stage_labels": [_("Unknown stages: %(s)s.", s=", ".join(unknown))]})
        for stage, texts in labels.items():
            missing = [lang for lang in LANGUAGES if lang not in texts]
            if missing:
                message = _("Missing the name in: %(l)s.", l=", ".join(missing))
                raise ValidationError({"stage_labels": {stage: [message]}})

    @validates_schema
    def _transitions_use_stages(self, data: dict[str, Any], **_kwargs: Any) -> None:
        known = data["stages"]
        problems = [
            _("%(key)s: unknown stage %(stage)s; stages: %(known)s.", key=source, stage=stage, known=", ".join(known))
            for source, targets in data.get("stage_transitions", {}).items()
            for stage in [source, *targets]
            if stage not in known
        ]
        if problems:
            raise ValidationError({"stage_transitions": list(dict.fromkeys(problems))})


@cache
def lead_schema(kind: str) -> type[Schema]:
    class LeadSchema(WithE164):
        id = fields.Int(dump_only=True)
        name = _text(_l("Name"), 120, required=True)
        company = _text(_l("Company"), 120)
        contact_person = _text(_l("Contact person"), 120)
        email = _email(_l("Email"))
        phone = _text(_l("Phone"), 40, widget="phone")
        address = _text(_l("Address"), 255)
        city = _text(_l("City"), 80)
        country = _text(_l("Country"), 80)
        source = _text(_l("Source"), 80)
        status = fields.Str(dump_only=True, metadata={"label": _l("Status")})
        disqualify_reason = fields.Str(dump_only=True, metadata={"label": _l("Disqualification reason")})
        qualified_at = fields.AwareDateTime(dump_only=True, metadata={"label": _l("Qualified at")})
        kind = fields.Str(dump_only=True)
        owner_id = fields.Int(metadata={"label": _l("Owner")})
        version = fields.Int(dump_only=True)

    LeadSchema.__name__ = f"LeadSchema_{kind}"
    return LeadSchema


@cache
def account_schema(kind: str) -> type[Schema]:
    class AccountSchema(WithE164):
        id = fields.Int(dump_only=True)
        code = _text(_l("Code"), 40, required=True)
        name = _text(_l("Name"), 120, required=True)
        tax_id = _text(_l("Tax id"), 40)
        email = _email(_l("Email"))
        phone = _text(_l("Phone"), 40, widget="phone")
        address = _text(_l("Address"), 255)
        city = _text(_l("City"), 80)
        country = _text(_l("Country"), 80)
        #: Seed 000: only consenting clients go to the marketing system's feed.
        marketing_consent = fields.Bool(load_default=False, metadata={"label": _l("Marketing consent")})
        status = fields.Str(dump_only=True, metadata={"label": _l("Status")})
        kind = fields.Str(dump_only=True)
        owner_id = fields.Int(metadata={"label": _l("Owner")})
        version = fields.Int(dump_only=True)

        @validates_schema
        def _code_rules(self, data: dict[str, Any], **_kw: Any) -> None:
            # One rule for the form, the API (create and PATCH) and imports: "OP" codes come
            # only from qualifying a lead, and the account being saved keeps its own code.
            if "code" in data:
                services.check_account_code(data["code"], account=edited_element())

    AccountSchema.__name__ = f"AccountSchema_{kind}"
    return AccountSchema


@cache
def contact_schema(kind: str) -> type[Schema]:
    accounts = session_names(kind)["accounts"]

    class ContactSchema(WithE164):
        id = fields.Int(dump_only=True)
        account_id = fields.Int(required=True, metadata={"label": _l("Account"), "lookup": accounts})
        first_name = _text(_l("First name"), 80)
        last_name = _text(_l("Last name"), 80, required=True)
        email = _email(_l("Email"))
        phone = _text(_l("Phone"), 40, widget="phone")
        position = _text(_l("Position"), 80)
        kind = fields.Str(dump_only=True)
        owner_id = fields.Int(metadata={"label": _l("Owner")})
        version = fields.Int(dump_only=True)

        @validates_schema
        def _account_of_kind(self, data: dict[str, Any], **_kw: Any) -> None:
            if "account_id" in data:
                services.check_account_kind(data["account_id"], kind)

    ContactSchema.__name__ = f"ContactSchema_{kind}"
    return ContactSchema


@cache
def opportunity_schema(kind: str) -> type[Schema]:
    names = session_names(kind)

    class OpportunitySchema(Schema):
        id = fields.Int(dump_only=True)
        name = _text(_l("Name"), 120, required=True)
        #: Required, but an import may give ``account_code`` instead: checked after loading.
        account_id = fields.Int(metadata={"label": _l("Account"), "lookup": names["accounts"]})
        #: Imports give the account by its code instead of its id.
        account_code = fields.Str(load_only=True, metadata={"label": _l("Account code")})
        lead_id = fields.Int(dump_only=True, metadata={"label": _l("Lead"), "lookup": names["leads"]})
        campaign_id = fields.Int(allow_none=True, metadata={"label": _l("Campaign"), "lookup": "campaigns"})
        #: Bulk loads into a campaign give its code (SAL-09).
        campaign_code = fields.Str(load_only=True, metadata={"label": _l("Campaign code")})
        amount = fields.Decimal(places=2, allow_none=True, as_string=True,
                                metadata={"label": _l("Amount"), "currency": "currency"})
        #: The form requires it and starts it at the client's currency; the API and imports may
        #: leave it out for that default (plugins/sales/money.py).
        currency = fields.Str(load_default=money.default_currency, validate=money.check_currency,
                              metadata={"label": _l("Currency"), "required": True})
        #: The import key of campaign loads (SAL-09): the row's reference in the loaded file.
        external_ref = fields.Str(allow_none=True, validate=validate.Length(max=80),
                                  metadata={"label": _l("External reference")})
        expected_close = fields.Date(allow_none=True, metadata={"label": _l("Expected close date")})
        probability = fields.Int(
            allow_none=True, validate=validate.Range(0, 100), metadata={"label": _l("Probability (%)")}
        )
        stage = fields.Str(dump_only=True, metadata={"label": _l("Stage"), "choices": services.stage_choices})
        status = fields.Str(dump_only=True, metadata={"label": _l("Status")})
        close_reason = fields.Str(dump_only=True, metadata={"label": _l("Close reason")})
        close_date = fields.Date(dump_only=True, metadata={"label": _l("Close date")})
        kind = fields.Str(dump_only=True)
        owner_id = fields.Int(metadata={"label": _l("Owner")})
        version = fields.Int(dump_only=True)

        @post_load
        def _resolve_codes(self, data: dict[str, Any], **_kw: Any) -> dict[str, Any]:
            account_code = data.pop("account_code", None)
            if account_code:  # found among the accounts of ``kind``: no kind check needed
                data["account_id"] = services.account_id_by_code(account_code, kind)
            campaign_code = data.pop("campaign_code", None)
            if campaign_code:
                data["campaign_id"] = services.campaign_id_by_code(campaign_code)
            if not _kw.get("partial") and "account_id" not in data:
                raise ValidationError({"account_id": [_("Missing data for required field.")]})
            if "account_id" in data and not account_code:
                services.check_account_kind(data["account_id"], kind)
            if data.get("campaign_id") is not None and not campaign_code:
                services.check_campaign(data["campaign_id"])
            if edited_element() is None:  # a new opportunity enters the pipeline at its first stage
                data["stage"] = services.stages()[0]
            return data

    OpportunitySchema.__name__ = f"OpportunitySchema_{kind}"
    if kind == "sale":
        return OpportunitySchema

    class PurchaseOpportunitySchema(OpportunitySchema):
        """Campaigns are marketing: purchase opportunities have none."""

        class Meta:
            exclude = ("campaign_id", "campaign_code")

    return PurchaseOpportunitySchema


class CampaignSchema(Schema):
    id = fields.Int(dump_only=True)
    code = _text(_l("Code"), 40, required=True)
    name = _text(_l("Name"), 120, required=True)
    start = fields.Date(allow_none=True, metadata={"label": _l("Start")})
    end = fields.Date(allow_none=True, metadata={"label": _l("End")})
    status = fields.Str(
        validate=validate.OneOf(["planned", "active", "finished"]), metadata={"label": _l("Status")}
    )
    budget = fields.Decimal(places=2, allow_none=True, as_string=True, metadata={"label": _l("Budget")})
    description = fields.Str(metadata={"label": _l("Description"), "widget": "textarea"})
    owner_id = fields.Int(metadata={"label": _l("Owner")})
    version = fields.Int(dump_only=True)

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_kw: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError({"end": [_("The end cannot be before the start.")]})


# --- action inputs ---------------------------------------------------------------------------


class QualifySchema(Schema):
    create_opportunity = fields.Bool(load_default=False, metadata={"label": _l("Create an opportunity")})
    opportunity_name = _text(_l("Opportunity name"), 120)
    opportunity_amount = fields.Decimal(
        places=2, allow_none=True, as_string=True, load_default=None, metadata={"label": _l("Amount")}
    )
    create_contact = fields.Bool(load_default=False, metadata={"label": _l("Create a contact")})
    contact_first_name = _text(_l("Contact first name"), 80)
    contact_last_name = _text(_l("Contact last name"), 80)
    contact_email = _email(_l("Contact email"))
    contact_phone = _text(_l("Contact phone"), 40)
    contact_position = _text(_l("Contact position"), 80)


class DisqualifySchema(Schema):
    reason = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=2000),
        metadata={"label": _l("Reason"), "widget": "textarea"},
    )


class CloseWonSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000), metadata={"label": _l("Reason")})
    close_date = fields.Date(load_default=None, metadata={"label": _l("Close date")})
    account_code = _text(_l("Definitive account code"), 40)


class CloseLostSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000), metadata={"label": _l("Reason")})
    close_date = fields.Date(load_default=None, metadata={"label": _l("Close date")})


class ChangeStageSchema(Schema):
    stage = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=40),
        metadata={"label": _l("Stage"), "choices": services.stage_choices},
    )


class AssignOpportunitySchema(Schema):
    opportunity_id = fields.Int(required=True, metadata={"label": _l("Opportunity"), "lookup": "opportunities"})
