"""Exceptions raised by the calendars package.

The tree (under ``scheduler.errors``, whose ``KeyworkerError`` the CLI turns into exit
codes)::

    KeyworkerError
    └── ConfigError (ValueError)
        └── FeedKeyError                  the feed key file cannot be read, created or used

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
