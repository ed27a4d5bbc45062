"""Bank holidays (issue #12): the region comes from ``[planning] bank_holidays`` or the
time zone's country, its days from the ``holidays`` library, never a typed list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler.closures import bank_holidays
from scheduler.errors import ConfigError
from scheduler.settings import Settings, load_settings


def _load(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "keyworker.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, {})


def test_europe_london_closes_on_the_bank_holidays_of_england_and_wales() -> None:
    settings = Settings()
    assert settings.closed_on_bank_holidays and settings.holiday_region == "GB-ENG"
    assert bank_holidays("GB-ENG", date(2026, 12, 1), date(2027, 1, 31)) == {
        date(2026, 12, 25): "Christmas Day",
        date(2026, 12, 26): "Boxing Day",
        date(2026, 12, 28): "Boxing Day (observed)",
        date(2027, 1, 1): "New Year's Day",
    }


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ('[planning]\ntimezone = "Europe/Dublin"', "IE"),
        ('[planning]\ntimezone = "America/New_York"', "US"),
        ('[planning]\nbank_holidays = "gb-sct"', "GB-SCT"),
        ('[planning]\ntimezone = "UTC"\nbank_holidays = "GB-NIR"', "GB-NIR"),
        ('[planning]\ntimezone = "UTC"\nclosed_on_bank_holidays = false', None),
        ("[planning]\nclosed_on_bank_holidays = false", None),
    ],
)
def test_the_region_is_the_setting_else_the_time_zones_country(
    tmp_path: Path, text: str, region: str | None
) -> None:
    assert _load(tmp_path, text).holiday_region == region


def test_scotland_differs_from_england() -> None:
    scotland = bank_holidays("GB-SCT", date(2027, 1, 1), date(2027, 1, 31))
    england = bank_holidays("GB-ENG", date(2027, 1, 1), date(2027, 1, 31))
    assert set(england) < set(scotland)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[planning]\ntimezone = "UTC"', "planning.bank_holidays"),
        ('[planning]\nbank_holidays = "XX"', "planning.bank_holidays"),
        ('[planning]\nbank_holidays = "GB-XYZ"', "planning.bank_holidays"),
        ('[planning]\nbank_holidays = ""', "planning.bank_holidays"),
        ('[planning]\nclosed_on_bank_holidays = "yes"', "planning.closed_on_bank_holidays"),
    ],
)
def test_a_region_that_cannot_be_told_is_a_config_error(
    tmp_path: Path, text: str, named: str
) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert named in str(info.value) and str(tmp_path / "keyworker.toml") in str(info.value)
