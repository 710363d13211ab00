"""marshmallow's own error messages in the user's language (CORE-17, NF-02).

Session schemas are plain marshmallow schemas, whose built-in messages ("Not a valid email
address.", "Longer than maximum length 120.") are English and already formatted when a
``ValidationError`` reaches us. :func:`translated` recognises them by their templates and returns
the catalog's translation with the same values; any other message (ours are translated where
they are raised) passes unchanged. The detail form, the REST API's field errors and the import
report all go through it. ``tests/core/test_validation_messages.py`` checks that every message
marshmallow can raise on load is listed here.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask_babel import gettext


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it here."""
    return message


#: marshmallow's templates, ``{name}`` placeholders included (msgids of the core catalog).
TEMPLATES = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid input."),
    N_("Invalid input type."),
    N_("Invalid type."),
    N_("Unknown field."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid number."),
    N_("Not a valid integer."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid {obj_type}."),
    N_("Not a valid {awareness} {obj_type}."),
    N_("Not a valid period of time."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid list."),
    N_("Not a valid tuple."),
    N_("Not a valid mapping type."),
    N_("Not a valid IP address."),
    N_("Not a valid IPv4 address."),
    N_("Not a valid IPv6 address."),
    N_("Not a valid IP interface."),
    N_("Not a valid IPv4 interface."),
    N_("Not a valid IPv6 interface."),
    N_("Shorter than minimum length {min}."),
    N_("Longer than maximum length {max}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Must be greater than {min}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be less than {max}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be equal to {other}."),
    N_("Must be one of: {choices}."),
    N_("One or more of the choices you made was not in: {choices}."),
    N_("One or more of the choices you made was in: {values}."),
    N_("String does not match expected pattern."),
)


@cache
def _patterns() -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Templates without placeholders by text; the others as anchored patterns, longest first
    (so "Not a valid {awareness} {obj_type}." is tried before "Not a valid {obj_type}.")."""
    fixed = {t: t for t in TEMPLATES if "{" not in t}
    variable = sorted((t for t in TEMPLATES if "{" in t), key=len, reverse=True)
    compiled = []
    for template in variable:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        compiled.append((re.compile(regex + r"\Z", re.DOTALL), template))
    return fixed, tuple(compiled)


def translate(message: str) -> str:
    """``message`` in the current locale if it is one of marshmallow's, else unchanged."""
    fixed, variable = _patterns()
    if message in fixed:
        return gettext(message)
    for pattern, template in variable:
        match = pattern.match(message)
        if match:
            return gettext(template).format(**match.groupdict())
    return message


def flat(messages: Any) -> list[str]:
    """Every message of ``ValidationError.messages`` (dicts and lists, any depth), in order."""
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in flat(value)]
    if isinstance(messages, list | tuple):
        return [m for value in messages for m in flat(value)]
    return [str(messages)]


def translated(messages: Any) -> Any:
    """``ValidationError.messages`` (dicts and lists of strings, any depth) with every string
    passed through :func:`translate`."""
    if isinstance(messages, dict):
        return {key: translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translated(value) for value in messages]
    if isinstance(messages, str):
        return translate(messages)
    return messages
