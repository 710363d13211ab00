"""Banco BP's hook implementations, registered after every plugin, and its client settings.

Split by what they hold: ``core_system`` (the HTTP adapter to the Core system), ``case_actions``
(the Core actions on cases, CAS-03), ``client360`` (the Core system's sections of the client 360
view, CAS-04), ``reporting`` (views for outside tools), ``marketing_feed`` (the nightly feed of
consenting clients), ``demo`` (demo data). The core is reached only through ``crm_core.toolkit``.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from crm_core.toolkit import DemoUser, PeriodicJob, PluginMeta, User, crm_state, hookimpl

from . import case_actions, client360, demo, marketing_feed, reporting


class ClientSettings(Schema):
    """``[settings.client]`` of customer.toml, checked at start-up."""

    core_url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False)
    timeout_seconds = fields.Float(load_default=5.0, validate=validate.Range(min=0.1, max=5.0))
    retries = fields.Int(load_default=2, validate=validate.Range(min=0, max=5))
    #: Per Core source of the client 360 view, and how long its answer is reused.
    source_timeout_seconds = fields.Float(load_default=2.0, validate=validate.Range(min=0.1, max=5.0))
    cache_seconds = fields.Float(load_default=30.0, validate=validate.Range(min=0, max=3600))
    #: The nightly feed of consenting clients (marketing_feed.py).
    marketing_url = fields.Url(load_default="", schemes={"http", "https"}, require_tld=False)
    feed_hour = fields.Int(load_default=2, validate=validate.Range(min=0, max=23))
    feed_check_seconds = fields.Int(load_default=3600, validate=validate.Range(min=60, max=86400))


meta = PluginMeta(
    description="Banco BP: Core-system adapter, case actions, demo data",
    requires_contract=">=2.1,<3",
    settings_schema=ClientSettings,
)


@hookimpl
def crm_case_core_actions() -> list[Any]:
    return list(case_actions.ACTIONS)


@hookimpl
def crm_client_360_sections(account: Any) -> list[Any]:
    return client360.sections(account)


@hookimpl
def crm_reporting_views() -> list[Any]:
    return list(reporting.VIEWS)


@hookimpl
def crm_register_periodic_jobs() -> list[PeriodicJob]:
    every = int(crm_state().setting("client", "feed_check_seconds", 3600))
    return [PeriodicJob("banco_bp.marketing_feed", every, marketing_feed.run)]


@hookimpl
def crm_register_outbox_handlers() -> dict[str, Any]:
    return {marketing_feed.TOPIC: marketing_feed.deliver}


@hookimpl
def crm_demo_users() -> list[DemoUser]:
    return list(demo.USERS)


@hookimpl
def crm_demo_data(db: Any, users: dict[str, User]) -> None:
    demo.load(db, users)
