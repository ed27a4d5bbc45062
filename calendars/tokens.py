"""Secret feed tokens: derived with a key kept outside the database, stored as hashes.

``keyworker feeds url REF`` must print a worker's subscribe URL again and again, yet
nothing in the database alone may give a token away (SPEC "Calendars"). So a token
is not stored: it is *derived*::

    token = base64url(HMAC-SHA256(key, "worker:W007" | generation | issued_at))

where ``key`` is 32 random bytes in a file outside the database (mode 0600, created
only by ``keyworker init`` or ``feeds init-key``; its place is configuration, see
:mod:`calendars.keyfile`), ``generation`` counts
the owner's revoked tokens and ``issued_at`` is the row's creation time. The
``feed_tokens`` row stores only the token's SHA-256, so the server needs no key: it
hashes what it is given and looks the hash up (a unique index; the found hash is
compared again with :func:`hmac.compare_digest`). Rotating revokes the row (the old
URL dies at once: it no longer matches a live row) and issues the next generation.
A live token that the key at hand does not reproduce (the key was lost and made
anew, or another file was pointed at) is an error, never a silent new URL: ``feeds
rotate`` is the only way to change a URL.

Tokens are 256 bits (43 base64url characters); anything else is refused before any
database lookup.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from calendars.errors import FeedKeyMismatch
from calendars.keyfile import KeyLocation, read_secret_key
from scheduler.errors import NotFound
from scheduler.models import Child, FeedToken, Worker

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


@dataclass(frozen=True, slots=True)
class FeedOwner:
    """Whose feed a token opens: one worker's, or a manager's whole team."""

    kind: Literal["worker", "team"]
    name: str

    @property
    def key(self) -> str:
        """The ``feed_cache.owner`` value, e.g. ``worker:W007`` or ``team:North``."""
        return f"{self.kind}:{self.name}"


def load_secret_key(path: Path) -> bytes:
    """The key in ``path``; missing or unreadable is a :class:`FeedKeyError`.

    Keys are created only by :func:`calendars.keyfile.create_secret_key`.
    """
    return read_secret_key(KeyLocation(path, "given"), urls_issued=0)


def live_token_count(session: Session) -> int:
    """How many subscribe URLs are live (issued and not revoked)."""
    return session.scalar(select(func.count()).where(FeedToken.revoked_at.is_(None))) or 0


def derive_token(key: bytes, owner: FeedOwner, generation: int, issued_at: datetime) -> str:
    message = "\x00".join(
        (owner.key, str(generation), issued_at.astimezone(UTC).isoformat(timespec="microseconds"))
    )
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def is_well_formed(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


def feed_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/feeds/{token}.ics"


def worker_owner(session: Session, ref: str) -> FeedOwner:
    """The owner for worker ``ref``; :class:`NotFound` when there is no such worker."""
    if session.scalar(select(Worker.id).where(Worker.ref == ref)) is None:
        raise NotFound("worker", ref)
    return FeedOwner("worker", ref)


def team_owner(session: Session, team: str) -> FeedOwner:
    """The owner for ``team``; :class:`NotFound` unless a worker or child belongs to it."""
    known = session.scalar(select(Worker.id).where(Worker.team == team).limit(1)) or session.scalar(
        select(Child.id).where(Child.team == team).limit(1)
    )
    if known is None:
        raise NotFound("team", team)
    return FeedOwner("team", team)


def current_token(session: Session, owner: FeedOwner, *, key: bytes, now: datetime) -> str:
    """The owner's live token, issued on first use (or when the key file changed)."""
    row = session.scalar(_rows(session, owner).where(FeedToken.revoked_at.is_(None)))
    if row is not None:
        token = derive_token(key, owner, _generation(session, owner), row.created_at)
        if hmac.compare_digest(hash_token(token), row.token_hash):
            return token
        # Derived with another key. Issuing a new one here would silently kill the URL
        # the worker subscribed to (issue #12); only ``feeds rotate`` changes a URL.
        raise FeedKeyMismatch(owner.key)
    return _issue(session, owner, key=key, now=now)


def rotate_token(session: Session, owner: FeedOwner, *, key: bytes, now: datetime) -> str:
    """Revoke the live token (its URL is dead from this commit on) and issue the next."""
    for row in session.scalars(_rows(session, owner).where(FeedToken.revoked_at.is_(None))):
        row.revoked_at = now
    session.flush()
    return _issue(session, owner, key=key, now=now)


def lookup(session: Session, token: str) -> FeedOwner | None:
    """The owner of a live token, or None (unknown, revoked or malformed alike)."""
    if not is_well_formed(token):
        return None
    wanted = hash_token(token)
    row = session.execute(
        select(FeedToken.token_hash, Worker.ref, FeedToken.team)
        .outerjoin(Worker, Worker.id == FeedToken.worker_id)
        .where(FeedToken.token_hash == wanted, FeedToken.revoked_at.is_(None))
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    if row.ref is not None:
        return FeedOwner("worker", row.ref)
    if row.team is not None:
        return FeedOwner("team", row.team)
    return None


def _issue(session: Session, owner: FeedOwner, *, key: bytes, now: datetime) -> str:
    generation = _generation(session, owner)
    issued_at = now.astimezone(UTC)
    token = derive_token(key, owner, generation, issued_at)
    row = FeedToken(token_hash=hash_token(token), created_at=issued_at, revoked_at=None)
    if owner.kind == "worker":
        row.worker_id = session.scalar(select(Worker.id).where(Worker.ref == owner.name))
    else:
        row.team = owner.name
    session.add(row)
    session.flush()
    return token


def _generation(session: Session, owner: FeedOwner) -> int:
    """How many of the owner's tokens were revoked: the next token's generation."""
    revoked = _rows(session, owner).where(FeedToken.revoked_at.is_not(None)).subquery()
    return session.scalar(select(func.count()).select_from(revoked)) or 0


def _rows(session: Session, owner: FeedOwner) -> Select[tuple[FeedToken]]:
    query = select(FeedToken)
    if owner.kind == "worker":
        worker_id = session.scalar(select(Worker.id).where(Worker.ref == owner.name))
        if worker_id is None:
            raise NotFound("worker", owner.name)
        return query.where(FeedToken.worker_id == worker_id)
    return query.where(FeedToken.worker_id.is_(None), FeedToken.team == owner.name)
