"""The E.164 form of a number already written in international form ("+34 912 345 678"), without
``phonenumbers.parse`` (issue 13 target 1).

Parsing a number and checking it with ``phonenumbers`` costs about a quarter of a millisecond,
the largest single cost of validating an imported lead or contact; imports and integrations
mostly carry numbers as "+", a country code and digits. For exactly that text — "+", then ASCII
digits and spaces — ``phonenumbers`` reads the country code, keeps every digit after it unless
the country's national prefix pattern matches there (it then strips it: "+44 07911…"), and the
number is valid when its country's general pattern and one of its type patterns (fixed line,
mobile, toll free…) match the remaining digits. :func:`plus_form` applies those same metadata
patterns, compiled once per country code, and answers only when it reads the same digits
(``"+"`` and the digits for a valid number, ``""`` for an invalid one); in every other case (a
national prefix or a leading zero after the country code, a non-geographic country code, other
separators or scripts) it returns ``None`` and the caller asks ``phonenumbers``.
``tests/core/test_phones_plus_form.py`` compares it with the full parse over every region's
example numbers, their variants and random digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata, country_code_for_region
from phonenumbers.phonemetadata import PhoneNumberDesc

#: "+", a non-zero digit, then digits and spaces (ASCII only: other scripts' digits are parsed).
_PLUS_FORM = re.compile(r"\+[1-9][0-9 ]{1,38}")
#: ``phonenumbers``' limits on a national significant number and a country code.
_MIN_NSN, _MAX_NSN, _MAX_CC = 2, 17, 3
#: The type patterns ``phonenumbers`` tries after the general one, in its order
#: (``_number_type_helper``); a number is valid when one of them matches.
_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "fixed_line",
)
_NON_GEO = "001"
#: The country calling codes as ``phonenumbers`` reads them at the start of the digits.
_CODES = frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)


@dataclass(frozen=True)
class _Region:
    """One region's patterns by length of the national number: the general pattern, and the type
    patterns whose possible lengths allow that length joined in one alternation (``fullmatch``
    of ``(?:A)|(?:B)`` is "A or B matches the whole number", the ``any`` of ``phonenumbers``)."""

    leading: re.Pattern[str] | None
    by_length: dict[int, tuple[re.Pattern[str], re.Pattern[str]]]

    def valid(self, nsn: str) -> bool:
        patterns = self.by_length.get(len(nsn))
        return patterns is not None and bool(patterns[0].fullmatch(nsn)) and bool(patterns[1].fullmatch(nsn))


@dataclass(frozen=True)
class _Country:
    #: the main region's ``national_prefix_for_parsing``: where it matches, ``phonenumbers`` may strip it.
    prefix: re.Pattern[str] | None
    regions: tuple[_Region, ...]

    def valid(self, nsn: str) -> bool:
        if len(self.regions) == 1:
            return self.regions[0].valid(nsn)
        for region in self.regions:  # as ``region_code_for_number``: the first region that claims it
            if region.leading is not None:
                if region.leading.match(nsn):
                    return region.valid(nsn)
            elif region.valid(nsn):
                return True
        return False


def _applies(desc: PhoneNumberDesc | None, length: int) -> bool:
    """Whether ``phonenumbers`` would try ``desc``'s pattern on a national number of ``length`` digits."""
    if desc is None or not desc.national_number_pattern:
        return False
    return not desc.possible_length or length in desc.possible_length


def _region(metadata: PhoneMetadata) -> _Region:
    names = _TYPES if metadata.same_mobile_and_fixed_line_pattern else (*_TYPES, "mobile")
    descs = [getattr(metadata, name) for name in names]
    general = metadata.general_desc
    by_length = {}
    for length in range(_MIN_NSN, _MAX_NSN + 1):
        types = [d.national_number_pattern for d in descs if _applies(d, length)]
        if _applies(general, length) and types:
            either = "|".join(f"(?:{pattern})" for pattern in types)
            by_length[length] = (re.compile(general.national_number_pattern), re.compile(either))
    leading = re.compile(metadata.leading_digits) if metadata.leading_digits is not None else None
    return _Region(leading, by_length)


@cache
def _country(code: int) -> _Country | None:
    """The patterns of the country calling code ``code``; ``None``: leave it to ``phonenumbers``."""
    names = COUNTRY_CODE_TO_REGION_CODE[code]
    if _NON_GEO in names or any(country_code_for_region(name) != code for name in names):
        return None
    regions = [PhoneMetadata.metadata_for_region(name.upper(), None) for name in names]
    main = regions[0]
    if main is None:
        return None
    prefix = re.compile(main.national_prefix_for_parsing) if main.national_prefix_for_parsing else None
    return _Country(prefix, tuple(_region(m) for m in regions if m is not None))


def _split(digits: str) -> tuple[int, str]:
    """The country code ``phonenumbers`` reads at the start of ``digits``, and the rest (0: none)."""
    for size in range(1, min(len(digits), _MAX_CC) + 1):
        if digits[:size] in _CODES:
            return int(digits[:size]), digits[size:]
    return 0, digits


def plus_form(text: str) -> str | None:
    """What ``phonenumbers`` makes of ``text`` when ``text`` is written as "+", the country code
    and the number (spaces allowed) and ``phonenumbers`` reads it as exactly those digits: ``"+"``
    and the digits when the number is valid, ``""`` when it is not; ``None`` when that reading
    is not certain (the caller parses the number)."""
    if _PLUS_FORM.fullmatch(text) is None:
        return None
    digits = text[1:].replace(" ", "")
    code, nsn = _split(digits)
    if not code or not _MIN_NSN <= len(nsn) <= _MAX_NSN or nsn[0] == "0":
        return None
    country = _country(code)
    if country is None or (country.prefix is not None and country.prefix.match(nsn)):
        return None
    # phonenumbers would read exactly (code, nsn): valid, its E.164 is "+" and the digits; not, "".
    return "+" + digits if country.valid(nsn) else ""
