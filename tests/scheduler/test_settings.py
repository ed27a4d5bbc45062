"""``keyworker.toml``: defaults, every bad value named, and where the database URL comes from."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from scheduler.errors import ConfigError
from scheduler.settings import (
    DEFAULT_DB_URL,
    Settings,
    SmtpSettings,
    load_settings,
    resolve_database_url,
)

FULL = """
[database]
url = "postgresql+psycopg://kw@db.example.org/keyworker"

[planning]
timezone = "Europe/Dublin"
horizon_weeks = 6
freeze_hours = 24
time_limit_seconds = 12.5

[nightly]
time = "03:30"
enabled = false

[feeds]
base_url = "https://keyworker.example.org/"
show_location = true

[alerts]
email_to = ["manager@example.org", "deputy@example.org"]
webhooks = ["https://hooks.example.org/keyworker"]
notify_workers = false

[smtp]
host = "smtp.example.org"
port = 587
sender = "keyworker@example.org"
starttls = true
username = "kw"
password_env = "KW_SMTP_PASSWORD"
"""


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "keyworker.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ or {})


def test_no_file_gives_the_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {})
    assert settings == Settings()
    assert settings.database_url is None
    assert (settings.timezone, settings.horizon_weeks, settings.freeze_hours) == (
        "Europe/London",
        4,
        48,
    )
    assert settings.nightly_time == time(2, 0) and settings.nightly_enabled
    assert settings.show_location is False
    assert settings.alert_email_to == () and settings.alert_webhooks == ()


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert _load(tmp_path, "") == Settings()


def test_keyworker_toml_in_the_current_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keyworker.toml").write_text("[planning]\nhorizon_weeks = 2\n")
    assert load_settings(None, {}).horizon_weeks == 2


def test_every_setting_is_read(tmp_path: Path) -> None:
    settings = _load(tmp_path, FULL, {"KW_SMTP_PASSWORD": "s3cret"})
    assert settings == Settings(
        database_url="postgresql+psycopg://kw@db.example.org/keyworker",
        timezone="Europe/Dublin",
        horizon_weeks=6,
        freeze_hours=24,
        time_limit_seconds=12.5,
        nightly_time=time(3, 30),
        nightly_enabled=False,
        feed_base_url="https://keyworker.example.org",
        show_location=True,
        alert_email_to=("manager@example.org", "deputy@example.org"),
        alert_webhooks=("https://hooks.example.org/keyworker",),
        notify_workers=False,
        smtp=SmtpSettings(
            host="smtp.example.org",
            port=587,
            sender="keyworker@example.org",
            starttls=True,
            username="kw",
            password="s3cret",
        ),
    )


def test_the_smtp_password_comes_only_from_the_named_variable(tmp_path: Path) -> None:
    settings = _load(tmp_path, '[smtp]\nhost = "mail"\npassword_env = "KW_PW"\n', {})
    assert settings.smtp is not None and settings.smtp.password == ""


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[planning]\ntimezone = "Mars/Olympus"', "planning.timezone"),
        ("[planning]\ntimezone = 1", "planning.timezone"),
        ("[planning]\nhorizon_weeks = 0", "planning.horizon_weeks"),
        ("[planning]\nhorizon_weeks = 27", "planning.horizon_weeks"),
        ('[planning]\nhorizon_weeks = "4"', "planning.horizon_weeks"),
        ("[planning]\nhorizon_weeks = true", "planning.horizon_weeks"),
        ("[planning]\nhorizon_weeks = 4.0", "planning.horizon_weeks"),
        ("[planning]\nfreeze_hours = -1", "planning.freeze_hours"),
        ("[planning]\ntime_limit_seconds = 0.5", "planning.time_limit_seconds"),
        ("[planning]\ntime_limit_seconds = false", "planning.time_limit_seconds"),
        ('[nightly]\ntime = "2am"', "nightly.time"),
        ('[nightly]\ntime = "24:00"', "nightly.time"),
        ('[nightly]\ntime = "0\u0662:00"', "nightly.time"),  # ARABIC-INDIC DIGIT TWO
        ("[nightly]\ntime = 02:00:00", "nightly.time"),
        ('[nightly]\nenabled = "yes"', "nightly.enabled"),
        ('[nightly]\ntimezone = "Europe/Paris"', "nightly.timezone"),
        ('[nightly]\ntimezone = "Nowhere/Town"', "nightly.timezone"),
        ('[feeds]\nbase_url = "ftp://example.org"', "feeds.base_url"),
        ("[feeds]\nshow_location = 1", "feeds.show_location"),
        ('[alerts]\nemail_to = ["nobody"]\n[smtp]\nhost = "x"', "alerts.email_to"),
        ('[alerts]\nemail_to = ["a@example.org"]', "alerts.email_to"),
        ("[alerts]\nemail_to = [1]", "alerts.email_to"),
        ('[alerts]\nwebhooks = ["hooks.example.org"]', "alerts.webhooks"),
        ('[alerts]\nnotify_workers = "no"', "alerts.notify_workers"),
        ("[smtp]\nport = 0", "smtp.port"),
        ("[smtp]\nport = 70000", "smtp.port"),
        ('[smtp]\nstarttls = "true"', "smtp.starttls"),
        ("[smtp]\nhost = 25", "smtp.host"),
        ('[database]\nurl = ""', "database.url"),
        ("[database]\nurl = 5", "database.url"),
    ],
)
def test_a_bad_value_names_its_setting(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    message = str(info.value)
    assert named in message, message
    assert str(tmp_path / "keyworker.toml") in message


def test_an_unknown_section_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown section \[planing\]"):
        _load(tmp_path, "[planing]\nhorizon_weeks = 2\n")


def test_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown setting planning\.horizon\b"):
        _load(tmp_path, "[planning]\nhorizon = 2\n")


def test_a_section_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[planning\] must be a table"):
        _load(tmp_path, "planning = 3\n")


def test_a_file_that_is_not_toml_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        _load(tmp_path, "[planning\nhorizon_weeks = 2\n")


def test_a_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "keyworker.toml"
    path.write_bytes(b'[smtp]\nhost = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(path, {})


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", {})


def test_a_named_file_that_is_a_directory_is_an_error(tmp_path: Path) -> None:
    """regression: reading a directory raised IsADirectoryError, a crash, not exit 2."""
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path, {})


def test_database_url_precedence() -> None:
    configured = Settings(database_url="sqlite:///from-config.db")
    env = {"KEYWORKER_DB": "sqlite:///from-env.db"}
    assert resolve_database_url("sqlite:///option.db", env, configured) == "sqlite:///option.db"
    assert resolve_database_url(None, env, configured) == "sqlite:///from-env.db"
    assert resolve_database_url(None, {}, configured) == "sqlite:///from-config.db"
    assert resolve_database_url(None, {}, Settings()) == DEFAULT_DB_URL == "sqlite:///keyworker.db"
    # An empty variable counts as not set.
    assert resolve_database_url(None, {"KEYWORKER_DB": ""}, configured) == (
        "sqlite:///from-config.db"
    )
