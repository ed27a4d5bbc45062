"""The database lease: one holder at a time, expiry, renewal, takeover from a dead process."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta

from scheduler import lease
from scheduler.db import Database
from tests.factories import NOW

TTL = timedelta(minutes=2)


def test_a_free_lease_is_taken_once(database: Database) -> None:
    assert lease.acquire(database, "job", "host:1:a", now=NOW, ttl=TTL)
    assert not lease.acquire(database, "job", "host:2:b", now=NOW, ttl=TTL)
    assert not lease.acquire(database, "job", "host:1:c", now=NOW, ttl=TTL)  # not re-entrant
    assert lease.current_holder(database, "job", now=NOW) == "host:1:a"


def test_an_expired_lease_is_taken_by_the_next(database: Database) -> None:
    assert lease.acquire(database, "job", "host:1:a", now=NOW, ttl=TTL)
    later = NOW + TTL + timedelta(seconds=1)
    assert not lease.acquire(database, "job", "host:2:b", now=NOW + TTL - timedelta(seconds=1))
    assert lease.acquire(database, "job", "host:2:b", now=later, ttl=TTL)
    assert not lease.renew(database, "job", "host:1:a", now=later)  # the old holder lost it


def test_renewal_keeps_it_and_release_frees_it(database: Database) -> None:
    assert lease.acquire(database, "job", "host:1:a", now=NOW, ttl=TTL)
    assert lease.renew(database, "job", "host:1:a", now=NOW + timedelta(minutes=1), ttl=TTL)
    assert not lease.acquire(
        database, "job", "host:2:b", now=NOW + timedelta(minutes=2, seconds=30)
    )
    lease.release(database, "job", "host:2:b")  # not the holder: nothing happens
    assert lease.current_holder(database, "job", now=NOW) == "host:1:a"
    lease.release(database, "job", "host:1:a")
    assert lease.current_holder(database, "job", now=NOW) is None
    assert lease.acquire(database, "job", "host:2:b", now=NOW, ttl=TTL)


def test_a_lease_held_by_a_dead_process_on_this_host_is_taken_at_once(database: Database) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = f"{lease.new_holder().rsplit(':', 2)[0]}:{dead.pid}:dead"
    assert lease.acquire(database, "job", holder, now=NOW, ttl=TTL)
    assert lease.acquire(database, "job", lease.new_holder(), now=NOW, ttl=TTL)


def test_a_lease_held_by_a_live_process_or_another_host_is_not_taken(database: Database) -> None:
    alive = lease.new_holder()  # this very process
    assert lease.acquire(database, "job", alive, now=NOW, ttl=TTL)
    assert not lease.acquire(database, "job", lease.new_holder(), now=NOW, ttl=TTL)
    assert lease.acquire(database, "other", "elsewhere.example:1:x", now=NOW, ttl=TTL)
    assert not lease.acquire(database, "other", lease.new_holder(), now=NOW, ttl=TTL)


def test_many_threads_racing_for_a_new_lease_one_wins(database: Database) -> None:
    start = threading.Barrier(6)
    won: list[str] = []

    def contend(n: int) -> None:
        holder = f"elsewhere.example:{n}:x"
        start.wait()
        if lease.acquire(database, "race", holder, now=NOW, ttl=TTL):
            won.append(holder)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1
    assert lease.current_holder(database, "race", now=NOW) == won[0]


def test_the_heartbeat_renews_and_notices_when_the_lease_is_lost(database: Database) -> None:
    clock = [NOW]
    assert lease.acquire(database, "job", "host:1:a", now=NOW, ttl=TTL)
    beat = lease.Heartbeat(
        database, "job", "host:1:a", lambda: clock[0], ttl=TTL, every=timedelta(seconds=0.05)
    ).start()
    try:
        clock[0] = NOW + timedelta(minutes=10)
        threading.Event().wait(0.3)
        assert lease.current_holder(database, "job", now=clock[0]) == "host:1:a"  # renewed
        assert not beat.lost.is_set()
        lease.release(database, "job", "host:1:a")
        assert lease.acquire(database, "job", "host:2:b", now=clock[0], ttl=TTL)
        assert beat.lost.wait(2)
    finally:
        beat.stop()
