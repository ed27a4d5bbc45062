"""Exceptions raised by the calendars package.

The tree (under ``scheduler.errors``, whose ``KeyworkerError`` the CLI turns into exit
codes)::

    KeyworkerError
    └── ConfigError (ValueError)
        └── FeedKeyError                  the feed key file is missing, unreadable or bad
            └── FeedKeyMismatch           live URLs were issued with another key

Unknown workers and teams raise ``scheduler.errors.NotFound``. The feed server never
raises to its clients: every failure there is a plain 404 or 500 page.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.errors import ConfigError


class FeedKeyError(ConfigError):
    """Raised when the secret key that feed tokens are derived from cannot be used."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"feed key file {path}: {problem}")


class FeedKeyMismatch(FeedKeyError):
    """Raised when a live subscribe URL was derived with another key than the one at hand.

    The URL cannot be shown again; issuing a new one silently would kill the calendar
    the worker subscribed to, so this is an error (the CLI adds the key's path).
    """

    def __init__(self, owner: str, path: Path | None = None) -> None:
        self.owner = owner
        super().__init__(
            path or Path("?"),
            f"does not reproduce the live subscribe URL of {owner}: it is not the key the "
            "URLs were issued with. Restore the original key file (or point [feeds] "
            "key_file at it); only if it is lost for good, 'keyworker feeds rotate' "
            "issues a new URL",
        )
