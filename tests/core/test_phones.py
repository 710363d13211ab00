"""Phone numbers in E.164 (crm_core/phones.py, TEL-01): national numbers read in the client's
region, international ones kept, anything that is not a valid number gives ""."""

from __future__ import annotations

import pytest

from crm_core.app import create_app
from crm_core.phones import e164, phone_region
from crm_core.testing.plugin import base_settings


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        # Spain: landline and mobile, national and international forms
        ("912 345 678", "ES", "+34912345678"),
        ("+34 912-345-678", "ES", "+34912345678"),
        ("0034 (912) 345 678", "ES", "+34912345678"),
        ("612.345.678", "ES", "+34612345678"),
        # United Kingdom: London landline with the trunk 0, a mobile
        ("020 7946 0958", "GB", "+442079460958"),
        ("07911 123456", "GB", "+447911123456"),
        ("+44 (0)20 7946 0958", "ES", "+442079460958"),
        # United States
        ("(202) 555-0143", "US", "+12025550143"),
        ("1-202-555-0143", "US", "+12025550143"),
        ("+1 202 555 0143", "GB", "+12025550143"),
        # Romania: Bucharest landline and a mobile
        ("021 312 3456", "RO", "+40213123456"),
        ("0721 234 567", "RO", "+40721234567"),
        ("+40 721 234 567", "ES", "+40721234567"),
    ],
)
def test_numbers_of_every_region_come_out_in_e164(typed, region, expected):
    assert e164(typed, region) == expected


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("", "ES"),
        ("   ", "ES"),
        ("not a number", "ES"),
        ("123", "ES"),
        ("123456789", "ES"),  # Spanish numbers never start with 1
        ("020 7946 095", "GB"),  # one digit short
        ("(202) 555-01434", "US"),  # one digit too many
        ("0721 234", "RO"),
        ("+99 123 456 789", "ES"),  # no such country code
    ],
)
def test_what_is_not_a_valid_number_gives_nothing(typed, region):
    assert e164(typed, region) == ""


def test_a_national_number_reads_differently_per_region():
    assert e164("0721 234 567", "RO") == "+40721234567"
    assert e164("0721 234 567", "ES") == ""


def test_the_client_region_is_the_default(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "customer.toml").write_text('[settings.core]\nphone_region = "GB"\n')
    app = create_app(base_settings("sqlite://", CRM_PLUGINS=(), CRM_OVERRIDES_DIR=str(tmp_path), CRM_CUSTOMER="acme"))
    with app.app_context():
        assert phone_region() == "GB"
        assert e164("020 7946 0958") == "+442079460958"


@pytest.mark.crm(plugins=[])
def test_spain_is_the_region_when_the_client_sets_none(crm_app):
    with crm_app.app_context():
        assert phone_region() == "ES"
        assert e164("912 345 678") == "+34912345678"
