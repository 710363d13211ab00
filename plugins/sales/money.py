"""Currencies of opportunities (issue 17 item 6: "currency required with the client's default").

An opportunity's amount always has a currency: the form requires it and starts it at the
client's default (``[settings.sales] currency`` in customer.toml, EUR when not set); the API and
imports may leave it out and get that default. Only ISO 4217 codes babel knows are accepted, so
every amount can be formatted for the user's locale (``format_currency``).
"""

from __future__ import annotations

from functools import cache

from babel.numbers import list_currencies
from flask_babel import gettext as _
from marshmallow import ValidationError

from crm_core.toolkit import crm_state

FALLBACK = "EUR"


@cache
def known_currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def check_currency(value: str) -> None:
    """Refuse anything but a known three-letter ISO 4217 code (upper case, as stored)."""
    if value not in known_currencies():
        raise ValidationError(_("Give a currency as its three-letter ISO code, e.g. EUR."))


def default_currency() -> str:
    """The client's currency (``[settings.sales] currency``), checked at start-up."""
    return str(crm_state().setting("sales", "currency") or FALLBACK)
