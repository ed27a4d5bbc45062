"""Where the feed key lives, and creating it: never the current folder.

Subscribe URLs are derived from the key (:mod:`calendars.tokens`), so a key that
moves with the working directory silently changes every worker's URL (issue #12:
``feeds url`` run from another folder made a new key there, and the URL the worker
had subscribed to died). The key's place is configuration:

1. ``$KEYWORKER_SECRET_FILE``, else
2. ``[feeds] key_file`` (a relative path is read from the config file's folder), else
3. the user's data directory (``platformdirs``; ``~/.local/share/keyworker/`` on
   Linux) under a name derived from the database's identity (the SQLite file's
   absolute path; PostgreSQL's host, port and database name), so every folder that
   names the same database finds the same key, and two databases never share one.

The default is deliberately *not* beside the SQLite database: a plain copy of the
database folder (a backup, a file handed to a colleague) must not carry both the
hashes and the key that turns them back into live URLs. Teams that want the key
there say so with ``key_file``.

Only :func:`create_secret_key` writes a key (``keyworker init``, ``keyworker feeds
init-key``); reading a missing key is an error that says where it was expected.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from calendars.errors import FeedKeyError

KEY_BYTES = 32
KEY_FILE_ENV = "KEYWORKER_SECRET_FILE"
APP_NAME = "keyworker"


@dataclass(frozen=True, slots=True)
class KeyLocation:
    """The key's path and what chose it (said in every error about the key)."""

    path: Path
    source: str  # "$KEYWORKER_SECRET_FILE", "[feeds] key_file" or "default"


def key_location(
    database_url: str, configured: Path | None, environ: Mapping[str, str]
) -> KeyLocation:
    """Where the feed key of the database at ``database_url`` is (see the module doc)."""
    from_env = environ.get(KEY_FILE_ENV)
    if from_env:
        return KeyLocation(Path(from_env).expanduser().absolute(), f"${KEY_FILE_ENV}")
    if configured is not None:
        return KeyLocation(configured, "[feeds] key_file")
    return KeyLocation(default_key_path(database_url), "default")


def default_key_path(database_url: str) -> Path:
    """``<user data dir>/feed-keys/<database name>-<hash of its identity>.key``.

    ``platformdirs`` honours ``$XDG_DATA_HOME`` (the tests give each test its own).
    """
    name, identity = database_identity(database_url)
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40] or "database"
    return (
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
        / "feed-keys"
        / (f"{stem}-{digest}.key")
    )


def database_identity(database_url: str) -> tuple[str, str]:
    """A short name and a stable identity of the database a URL names, whatever the cwd.

    SQLite: the file's resolved absolute path (a relative URL is read from the current
    folder, as SQLAlchemy does). Others: backend, host, port and database name, without
    the user or password, so every manager's URL for one server finds one key.
    """
    try:
        url = make_url(database_url)
    except ArgumentError:
        return "database", database_url
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            return "memory", "sqlite::memory:"
        path = Path(url.database).expanduser()
        return path.stem, f"sqlite:{path.resolve()}"
    host = url.host or "localhost"
    port = url.port or ""
    return url.database or backend, f"{backend}://{host}:{port}/{url.database or ''}"


def create_secret_key(path: Path) -> bool:
    """Write a new key to ``path`` (mode 0600; folders 0700) unless one is there.

    Returns True when it created the key, False when a key was already there (it is
    never overwritten).
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise FeedKeyError(path, f"cannot create it ({exc.strerror})") from exc
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise FeedKeyError(path, f"cannot create it ({exc.strerror})") from exc
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return True


def read_secret_key(location: KeyLocation, *, urls_issued: int) -> bytes:
    """The key at ``location``; a missing key is an error saying where and what to do.

    ``urls_issued``: how many live subscribe URLs the database holds (the advice for a
    lost key differs: restore it, or the URLs cannot be shown again).
    """
    path = location.path
    if not path.exists():
        where = f"expected at {path} ({location.source})"
        if urls_issued:
            raise FeedKeyError(
                path,
                f"missing: {where}; {urls_issued} subscribe URL(s) were issued with it. "
                "Restore the file from your backup (or point [feeds] key_file or "
                f"${KEY_FILE_ENV} at it) to keep every URL working. Only if it is lost "
                "for good: 'keyworker feeds init-key' makes a new key, and 'keyworker "
                "feeds rotate REF' then gives each worker a new URL",
            )
        raise FeedKeyError(
            path,
            f"missing: {where}; run 'keyworker init' (or 'keyworker feeds init-key') to create it",
        )
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except OSError as exc:
        raise FeedKeyError(path, f"cannot read it ({exc.strerror})") from exc
    except ValueError as exc:
        raise FeedKeyError(path, "not a keyworker feed key (expected hex digits)") from exc
    if len(key) < 16:
        raise FeedKeyError(path, f"key too short ({len(key)} bytes, need at least 16)")
    return key
