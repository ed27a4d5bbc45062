"""Engines, sessions and schema migrations for SQLite and PostgreSQL."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.exc import ArgumentError, OperationalError

from scheduler.errors import DatabaseError
from scheduler.private_files import create_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig
    from sqlalchemy.orm import Session, sessionmaker

# alembic is loaded only to migrate (``init``): every other command checks the schema
# with one query and the revision ids written in the migration files. The ORM is loaded
# by the first session: the read views on Core (``show workers``, ``alerts``) start
# without it (start-up time, bench/STARTUP.md).

MIGRATIONS = Path(__file__).parent / "migrations"
WRITER_OPTION = "keyworker_writer"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys and a busy timeout."""
    try:
        if url.startswith("sqlite"):
            create_sqlite_file(url)  # owner-only: it holds children's data
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
            # pysqlite's own transaction handling defers BEGIN; emit it ourselves so a
            # transaction really is one (and a killed process leaves nothing half done).
            # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred
            # transaction that reads and then writes fails at once under a concurrent
            # writer instead of waiting for the busy timeout.
            event.listen(engine, "begin", _sqlite_begin)
            return engine
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise DatabaseError(f"cannot use database URL {url!r}: {exc}") from exc


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITER_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def alembic_config(engine: Engine) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig  # noqa: PLC0415 - start-up time

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> str | None:
    """Create or upgrade the schema to the newest revision; returns that revision."""
    from alembic import command  # noqa: PLC0415 - start-up time

    try:
        command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach the database: {exc.orig}") from exc
    return current_revision(engine)


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (alembic's ``alembic_version``), or None."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    if len(versions) > 1:
        raise DatabaseError("the database has several schema revisions; run 'keyworker init'")
    return versions[0][0] if versions else None


_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest revision of the migration files: the one no other revises. Read from
    the files' ``revision =`` and ``down_revision =`` lines (alembic's own loader
    imports every migration: tests/scheduler/test_migrations.py checks they agree)."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        revised.update([down] if isinstance(down, str) else down or ())
    heads = revisions - revised
    if len(heads) != 1:
        from alembic.script import ScriptDirectory  # noqa: PLC0415 - rare: a branched history

        return ScriptDirectory(str(MIGRATIONS)).get_current_head()
    return heads.pop()


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database that is missing or behind; say how to fix it."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise DatabaseError(f"cannot reach the database: {exc.orig}") from exc
    if current is None:
        raise DatabaseError("the database has no keyworker schema yet; run 'keyworker init' first")
    if current != head_revision():
        raise DatabaseError(
            f"the database schema is at revision {current}, this version needs "
            f"{head_revision()}; run 'keyworker init' to upgrade it"
        )


class Database:
    """An engine and its session factories; the one handle passed around."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factories: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None

    def _sessionmakers(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        """(readers, writers), made on first use: they import the ORM."""
        if self._factories is None:
            from sqlalchemy.orm import sessionmaker  # noqa: PLC0415 - start-up time

            self._factories = (
                sessionmaker(self.engine, expire_on_commit=False),
                sessionmaker(
                    self.engine.execution_options(**{WRITER_OPTION: True}),
                    expire_on_commit=False,
                ),
            )
        return self._factories

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any exception."""
        with self._sessionmakers()[1]() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessionmakers()[0]() as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection for reading, without the ORM; rolled back when done."""
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
