"""The E.164 reading without a parse (crm_core/phones_plus_form.py) gives what ``phonenumbers``
gives, for every country's numbers written in international form, and answers for most of them."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from crm_core.phones import e164
from crm_core.phones_plus_form import plus_form


def _parsed(text: str) -> str:
    """What :func:`crm_core.phones.e164` gave before the fast path: the full parse and check."""
    try:
        number = phonenumbers.parse(text, "ES")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _examples() -> list[phonenumbers.PhoneNumber]:
    out = []
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    for region in regions:
        for kind in PhoneNumberType.values():
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                out.append(number)
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            out.append(number)
    return out


def _texts() -> list[str]:
    """Every example number in E.164 and international form, with digits changed, added and
    removed at the end, a zero or the trunk prefix after the country code, and random digits."""
    rnd = random.Random(13)
    texts: list[str] = []
    for number in _examples():
        plain = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        spaced = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
        code = str(number.country_code)
        nsn = plain[1 + len(code):]
        texts += [plain, spaced, spaced.replace("-", " "), f"+{code} 0{nsn}", f"+{code} {nsn[:-1]}", f"+{code}{nsn}1"]
        for _ in range(12):
            at = rnd.randrange(len(nsn))
            texts.append(f"+{code} {nsn[:at]}{rnd.randrange(10)}{nsn[at + 1:]}")
        texts.append(f"+{code} " + "".join(str(rnd.randrange(10)) for _ in nsn))
    for _ in range(5_000):
        texts.append("+" + str(rnd.randrange(1, 10)) + "".join(str(rnd.randrange(10)) for _ in range(rnd.randrange(2, 18))))
    return texts


def test_it_gives_what_the_parse_gives_or_leaves_it_to_the_parse():
    texts = _texts()
    answered = valid = invalid = 0
    for text in texts:
        expected = _parsed(text)
        fast = plus_form(text)
        if fast is not None:
            assert fast == expected, text
            answered += bool(expected)
            invalid += not expected
        valid += bool(expected)
        assert e164(text, "ES") == expected, text
    # Not a path that never answers: most valid numbers of the world are read without a parse.
    assert len(texts) > 20_000
    assert answered > 0.9 * valid, (answered, valid)
    assert invalid > 0.6 * (len(texts) - valid), (invalid, len(texts) - valid)  # the rest: a zero, a trunk prefix…


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+34912345678", "+34912345678"),
        ("+34 912 345 678", "+34912345678"),
        ("+34 612345678", "+34612345678"),
        ("+1 202 555 0143", "+12025550143"),  # a country code of several regions (NANPA)
        ("+44 7911 123456", "+447911123456"),
        ("+7 912 345 67 89", "+79123456789"),
    ],
)
def test_international_numbers_are_read_without_a_parse(text, expected):
    assert plus_form(text) == expected
    assert _parsed(text) == expected


@pytest.mark.parametrize("text", ["+34 112 345 678", "+34 912 345 67", "+1 202 555 01434", "+7 012"])
def test_invalid_numbers_read_the_same_digits_give_nothing_without_a_parse(text):
    assert _parsed(text) == ""
    assert plus_form(text) == ("" if text != "+7 012" else None)  # "+7 012": a zero after the code


@pytest.mark.parametrize(
    "text",
    [
        "+44 07911 123456",  # the trunk 0 after the country code: phonenumbers strips it
        "+39 06 1234 5678",  # Italy's leading zero, kept by phonenumbers
        "+375 8105224522",  # Belarus's trunk 8 matches: phonenumbers strips it (and finds no valid number)
        "+800 1234 5678",  # a non-geographic entity
        "+99 123 456 789",  # no such country code
        "+34 912-345-678",  # other separators: the parse reads them
        "+34 ９１２３４５６７８",  # other scripts' digits: the parse reads them
        "912 345 678",  # national form
        "0034 912 345 678",  # international prefix
        "+34 912 345 678 ext. 12",
    ],
)
def test_anything_else_is_left_to_the_parse(text):
    assert plus_form(text) is None
