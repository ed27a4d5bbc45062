"""Settings from ``keyworker.toml``, validated with messages a manager can act on.

Example::

    [database]
    url = "sqlite:///keyworker.db"

    [planning]
    timezone = "Europe/London"
    horizon_weeks = 4
    freeze_hours = 48
    time_limit_seconds = 30
    closed_on_bank_holidays = true
    bank_holidays = "GB-ENG"  # default: the time zone's country (GB: England and Wales)

    [nightly]
    time = "02:00"
    enabled = true

    [feeds]
    base_url = "https://keyworker.example.org"
    show_location = false
    key_file = "/etc/keyworker/feed.key"   # default: the user's data directory

    [alerts]
    email_to = ["team.manager@example.org"]
    webhooks = ["https://hooks.example.org/keyworker"]
    notify_workers = true

    [smtp]
    host = "localhost"
    port = 25
    sender = "keyworker@example.org"
    starttls = false
    username = ""
    password_env = "KEYWORKER_SMTP_PASSWORD"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///keyworker.db"
DEFAULT_CONFIG = "keyworker.toml"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    sender: str = "keyworker@localhost"
    starttls: bool = False
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    timezone: str = "Europe/London"
    horizon_weeks: int = 4
    freeze_hours: int = 48
    time_limit_seconds: float = 30.0
    nightly_time: time = time(2, 0)
    nightly_enabled: bool = True
    feed_base_url: str = "http://127.0.0.1:8080"
    show_location: bool = False
    # None: the default place (calendars.keyfile); a relative path in the file is read
    # from the config file's folder, never from the current one
    feed_key_file: Path | None = None
    alert_email_to: tuple[str, ...] = ()
    alert_webhooks: tuple[str, ...] = ()
    notify_workers: bool = True
    smtp: SmtpSettings | None = None  # None: no [smtp] section, so no email at all
    closed_on_bank_holidays: bool = True
    bank_holidays: str | None = None  # "GB-ENG"; None: the time zone's country

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def holiday_region(self) -> str | None:
        """The region whose bank holidays close every team; None when they do not."""
        if not self.closed_on_bank_holidays:
            return None
        from scheduler.closures import bank_holiday_region  # noqa: PLC0415 - start-up time

        return bank_holiday_region(self.timezone, self.bank_holidays)


_SECTIONS: dict[str, set[str]] = {
    "database": {"url"},
    "planning": {
        "timezone",
        "horizon_weeks",
        "freeze_hours",
        "time_limit_seconds",
        "closed_on_bank_holidays",
        "bank_holidays",
    },
    "nightly": {"time", "enabled", "timezone"},
    "feeds": {"base_url", "show_location", "key_file"},
    "alerts": {"email_to", "webhooks", "notify_workers"},
    "smtp": {"host", "port", "sender", "starttls", "username", "password_env"},
}


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    """Read ``path`` (or ``./keyworker.toml`` when it exists); defaults otherwise.

    ``environ`` is passed in rather than read here so that tests and the CLI decide it.
    """
    explicit = path is not None
    path = path or Path(DEFAULT_CONFIG)
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: configuration file not found")
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file: {exc.strerror}") from exc
    return parse_settings(data, str(path), environ)


def parse_settings(data: Mapping[str, Any], source: str, environ: Mapping[str, str]) -> Settings:  # noqa: PLR0912 - one branch per setting of the config file
    reader = _Reader(data, source)
    for section, value in data.items():
        if section not in _SECTIONS:
            raise ConfigError(
                f"{source}: unknown section [{section}]; known: {', '.join(sorted(_SECTIONS))}"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        for key in value:
            if key not in _SECTIONS[section]:
                raise ConfigError(
                    f"{source}: unknown setting {section}.{key}; known: "
                    f"{', '.join(sorted(_SECTIONS[section]))}"
                )

    timezone = reader.text("planning", "timezone", "Europe/London")
    nightly_zone = reader.text("nightly", "timezone", timezone)
    for key, zone in (("planning.timezone", timezone), ("nightly.timezone", nightly_zone)):
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(
                f"{source}: {key} = {zone!r} is not a time zone name such as 'Europe/London'"
            ) from exc
    if nightly_zone != timezone:
        raise ConfigError(
            f"{source}: nightly.timezone ({nightly_zone}) must equal planning.timezone "
            f"({timezone}); one team works in one time zone"
        )
    nightly_text = reader.text("nightly", "time", "02:00")
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", nightly_text)
    if not match:
        raise ConfigError(f"{source}: nightly.time = {nightly_text!r} must be HH:MM, e.g. '02:00'")
    base_url = reader.text("feeds", "base_url", "http://127.0.0.1:8080").rstrip("/")
    if not re.match(r"https?://[^/\s]+", base_url):
        raise ConfigError(f"{source}: feeds.base_url = {base_url!r} must start with https://")

    key_file = reader.optional_text("feeds", "key_file")
    key_path = None
    if key_file is not None:
        key_path = Path(key_file).expanduser()
        if not key_path.is_absolute():
            key_path = (Path(source).parent / key_path).absolute()
    password_env = reader.text("smtp", "password_env", "")
    smtp = (
        None
        if "smtp" not in data
        else SmtpSettings(
            host=reader.text("smtp", "host", "localhost"),
            port=reader.integer("smtp", "port", 25, 1, 65535),
            sender=reader.text("smtp", "sender", "keyworker@localhost"),
            starttls=reader.boolean("smtp", "starttls", False),
            username=reader.text("smtp", "username", ""),
            password=environ.get(password_env, "") if password_env else "",
        )
    )
    emails = reader.text_list("alerts", "email_to")
    for email in emails:
        if "@" not in email:
            raise ConfigError(f"{source}: alerts.email_to has {email!r}, not an email address")
    if emails and smtp is None:
        raise ConfigError(f"{source}: alerts.email_to needs an [smtp] section to send through")
    hooks = reader.text_list("alerts", "webhooks")
    for hook in hooks:
        if not re.match(r"https?://", hook):
            raise ConfigError(f"{source}: alerts.webhooks has {hook!r}, not an http(s) URL")
    closed_on_bank_holidays = reader.boolean("planning", "closed_on_bank_holidays", True)
    holiday_override = reader.optional_text("planning", "bank_holidays")
    if closed_on_bank_holidays or holiday_override is not None:
        from scheduler.closures import bank_holiday_region  # noqa: PLC0415 - start-up time

        try:
            bank_holiday_region(timezone, holiday_override)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from exc
    return Settings(
        database_url=reader.optional_text("database", "url"),
        timezone=timezone,
        horizon_weeks=reader.integer("planning", "horizon_weeks", 4, 1, 26),
        freeze_hours=reader.integer("planning", "freeze_hours", 48, 0, 24 * 14),
        time_limit_seconds=reader.number("planning", "time_limit_seconds", 30.0, 1.0, 3600.0),
        nightly_time=time(int(match.group(1)), int(match.group(2))),
        nightly_enabled=reader.boolean("nightly", "enabled", True),
        feed_base_url=base_url,
        show_location=reader.boolean("feeds", "show_location", False),
        feed_key_file=key_path,
        alert_email_to=emails,
        alert_webhooks=hooks,
        notify_workers=reader.boolean("alerts", "notify_workers", True),
        smtp=smtp,
        closed_on_bank_holidays=closed_on_bank_holidays,
        bank_holidays=holiday_override,
    )


@dataclass(frozen=True, slots=True)
class _Reader:
    data: Mapping[str, Any]
    source: str

    def _get(self, section: str, key: str) -> Any:
        table = self.data.get(section, {})
        return table.get(key) if isinstance(table, dict) else None

    def _bad(self, section: str, key: str, value: Any, wanted: str) -> ConfigError:
        return ConfigError(f"{self.source}: {section}.{key} = {value!r} must be {wanted}")

    def optional_text(self, section: str, key: str) -> str | None:
        value = self._get(section, key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._bad(section, key, value, "a non-empty string")
        return value.strip()

    def text(self, section: str, key: str, default: str) -> str:
        value = self._get(section, key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self._bad(section, key, value, "a string")
        return value.strip()

    def text_list(self, section: str, key: str) -> tuple[str, ...]:
        value = self._get(section, key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(section, key, value, "a list of strings")
        return tuple(v.strip() for v in value if v.strip())

    def integer(self, section: str, key: str, default: int, low: int, high: int) -> int:
        value = self._get(section, key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._bad(section, key, value, f"a whole number from {low} to {high}")
        return value

    def number(self, section: str, key: str, default: float, low: float, high: float) -> float:
        value = self._get(section, key)
        if value is None:
            return default
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
        ):
            raise self._bad(section, key, value, f"a number from {low:g} to {high:g}")
        return float(value)

    def boolean(self, section: str, key: str, default: bool) -> bool:
        value = self._get(section, key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._bad(section, key, value, "true or false")
        return value


def resolve_database_url(option: str | None, environ: Mapping[str, str], settings: Settings) -> str:
    """``--db``, else ``KEYWORKER_DB``, else the config file, else SQLite in the cwd."""
    return option or environ.get("KEYWORKER_DB") or settings.database_url or DEFAULT_DB_URL
