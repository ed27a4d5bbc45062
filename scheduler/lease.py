"""A named lease in the database: at most one process holds it at a time, on any backend.

Taking the lease is one conditional ``UPDATE`` (free, or expired) or, the first time,
one ``INSERT`` that the primary key lets only one process win; both are atomic on
SQLite and PostgreSQL alike, so two ``keyworker serve`` processes sharing a database
can never both hold it. The holder renews it while it works (:class:`Heartbeat`) and
releases it at the end.

A holder that dies without releasing (``kill -9``, a power cut) leaves the lease to
expire after ``ttl``. On the same host we need not wait: the holder string names the
host and process id, and a lease whose process no longer exists is taken over at once
with a compare-and-swap on the old holder string, so a service restarted by systemd
completes the interrupted run straight away.

Expiry compares times written by different hosts: keep their clocks in sync (NTP); the
ttl (minutes) dwarfs any sane skew.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.db import Database
from scheduler.models import Lease

log = logging.getLogger("keyworker.lease")

Clock = Callable[[], datetime]

DEFAULT_TTL = timedelta(minutes=2)
HEARTBEAT = timedelta(seconds=20)


def new_holder() -> str:
    """``host:pid:nonce``: who holds a lease, unique per attempt even within one process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_host_pid(holder: str) -> tuple[str, int] | None:
    host_pid = holder.rpartition(":")[0]
    host, _, pid = host_pid.rpartition(":")
    if not host or not pid.isdigit():
        return None
    return host, int(pid)


def process_gone(holder: str) -> bool:
    """True only when ``holder`` names a process on this host that no longer exists."""
    parsed = holder_host_pid(holder)
    if parsed is None or parsed[0] != socket.gethostname():
        return False
    try:
        os.kill(parsed[1], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, under another user
    return False


def _rowcount(session: Session, statement: Executable) -> int:
    """Rows an UPDATE matched: the whole point of a conditional UPDATE."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def acquire(
    database: Database, name: str, holder: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> bool:
    """Take lease ``name`` for ``holder`` if it is free, expired or held by a dead local process."""
    expires = now + ttl
    with database.transaction() as session:
        taken = _rowcount(
            session,
            update(Lease)
            .where(
                Lease.name == name,
                or_(Lease.holder.is_(None), Lease.expires_at.is_(None), Lease.expires_at < now),
            )
            .values(holder=holder, expires_at=expires),
        )
    if taken == 1:
        return True
    with database.reading() as session:
        row = session.get(Lease, name)
        exists, current = row is not None, row.holder if row is not None else None
    if not exists:
        try:
            with database.transaction() as session:
                session.execute(insert(Lease).values(name=name, holder=holder, expires_at=expires))
        except IntegrityError:
            return False  # another process inserted it first: theirs
        return True
    if current is not None and process_gone(current):
        with database.transaction() as session:
            taken = _rowcount(
                session,
                update(Lease)
                .where(Lease.name == name, Lease.holder == current)
                .values(holder=holder, expires_at=expires),
            )
        if taken == 1:
            log.warning("lease %s: took over from %s, which is no longer running", name, current)
            return True
    return False


def renew(
    database: Database, name: str, holder: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> bool:
    """Extend the lease; False when ``holder`` no longer holds it."""
    with database.transaction() as session:
        renewed = _rowcount(
            session,
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=now + ttl),
        )
    return bool(renewed == 1)


def release(database: Database, name: str, holder: str) -> None:
    """Give the lease back (a no-op when ``holder`` no longer holds it)."""
    with database.transaction() as session:
        _rowcount(
            session,
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(holder=None, expires_at=None),
        )


def current_holder(database: Database, name: str, *, now: datetime) -> str | None:
    """Who holds lease ``name`` now (None when free or expired)."""
    with database.reading() as session:
        row = session.get(Lease, name)
        if row is None or row.holder is None or row.expires_at is None or row.expires_at < now:
            return None
        return row.holder


@dataclass
class Heartbeat:
    """Renews a held lease every ``every`` in a daemon thread until stopped.

    ``lost`` is set when a renewal finds the lease taken by someone else (it expired
    while this process was stalled): the holder must then stop before committing.
    """

    database: Database
    name: str
    holder: str
    clock: Clock
    ttl: timedelta = DEFAULT_TTL
    every: timedelta = HEARTBEAT

    def __post_init__(self) -> None:
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.name}", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every.total_seconds()):
            try:
                held = renew(self.database, self.name, self.holder, now=self.clock(), ttl=self.ttl)
            except Exception as exc:  # the database is briefly unreachable: try again
                log.warning("lease %s: renewal failed: %s", self.name, exc)
                continue
            if not held:
                log.error("lease %s: lost to another process", self.name)
                self.lost.set()
                return
