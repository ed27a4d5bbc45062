"""Shared fixtures: a clean, migrated database per test, on SQLite and PostgreSQL.

PostgreSQL runs whenever 127.0.0.1:5432 answers; under ``CI=true`` an unreachable
server fails the run instead of skipping. Each test process gets its own database
(``kw_test_<pid>``) so parallel runs and the product database never meet; tables
are emptied between tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, text

from scheduler.db import Database, upgrade
from scheduler.models import Base

PG_SERVER = os.environ.get("KEYWORKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(f"{PG_SERVER}/test", connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:  # any failure to connect means "not reachable"
        return str(exc).splitlines()[0]
    return None


@pytest.fixture(autouse=True)
def _own_user_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test its own user data directory: the feed key's default home (platformdirs).

    Subprocesses inherit it, so no test reads or writes the real ~/.local/share.
    """
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
    monkeypatch.delenv("KEYWORKER_SECRET_FILE", raising=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = _postgres_reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {problem}")
        pytest.skip(f"PostgreSQL not reachable: {problem}")
    name = f"kw_test_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        _drop_orphans(conn)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = f"{PG_SERVER}/{name}"
    migrated = Database(url)
    upgrade(migrated.engine)
    migrated.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _drop_orphans(conn: Connection) -> None:
    """Drop test databases left by test processes that were killed (their pid is gone)."""
    names = conn.execute(
        text("SELECT datname FROM pg_database WHERE datname LIKE 'kw\\_test\\_%'")
    ).scalars()
    for stale in names:
        pid = stale.removeprefix("kw_test_")
        if pid.isdigit() and not _alive(int(pid)):
            conn.execute(text(f"DROP DATABASE IF EXISTS {stale} WITH (FORCE)"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    upgrade(database.engine)
    database.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A clean, migrated database URL, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "keyworker.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(text("DROP TABLE IF EXISTS apscheduler_jobs"))
    engine.dispose()
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()
