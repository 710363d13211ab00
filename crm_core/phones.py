"""Phone numbers in one form: E.164 (``+34912345678``), so a caller is found by an index lookup.

Numbers are typed in every national style ("912 345 678", "(020) 7946 0958", "0721 234 567");
the PBX reports them in yet another one. :func:`e164` parses a number with ``phonenumbers``
(Google's libphonenumber rules), reading national numbers in the client's default region
(``[settings.core] phone_region``, ISO 3166 alpha-2, "ES" when unset), and returns its E.164
form, or ``""`` for text that is not a valid number — a plugin stores that form in an indexed
column next to the typed number and compares E.164 with E.164 (TEL-01).
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from flask import has_app_context

from crm_core.extensions import crm_state
from crm_core.phones_plus_form import plus_form

#: The region national numbers are read in when the client sets none.
DEFAULT_REGION = "ES"
#: The longest E.164 number: "+" and 15 digits.
E164_LENGTH = 16


def phone_region() -> str:
    """The client's default region for national numbers (``[settings.core] phone_region``)."""
    if not has_app_context():
        return DEFAULT_REGION
    return crm_state().setting("core", "phone_region", DEFAULT_REGION)


def e164(number: str | None, region: str | None = None) -> str:
    """``number`` in E.164, or ``""`` when it is empty or not a valid number of any region.

    ``region`` (default: :func:`phone_region`) is how a number without a country code is read;
    a number starting with ``+`` or an international prefix ("00" from Spain) keeps its own.
    """
    text = (number or "").strip()
    if not text:
        return ""
    # Most imported numbers are already "+<country code> <digits>": read without a parse (the same
    # answer, crm_core/phones_plus_form.py); the rest are parsed, a recent few remembered.
    read = plus_form(text)
    return read if read is not None else _e164(text, (region or phone_region()).upper())


@lru_cache(maxsize=4096)
def _e164(text: str, region: str) -> str:
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_region(code: str) -> bool:
    """Whether ``code`` is a region ``phonenumbers`` knows (for the settings check)."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS
