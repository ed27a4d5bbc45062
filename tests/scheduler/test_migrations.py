"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL,
and a database without the schema is refused with a pointer to ``keyworker init``."""

from __future__ import annotations

import gc
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, inspect, text
from typer.testing import CliRunner

from cli.main import app
from scheduler.db import Database, alembic_config, current_revision, head_revision, upgrade
from scheduler.models import Base

FOREIGN_TABLES = {"apscheduler_jobs"}  # as in scheduler/migrations/env.py
PG_SERVER = os.environ.get("KEYWORKER_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def _differences(database: Database) -> list[object]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": _include_object},
        )
        return list(compare_metadata(context, Base.metadata))


def test_the_migrated_schema_matches_the_models(database: Database) -> None:
    assert current_revision(database.engine) == head_revision()
    # A library's own table beside ours is not a difference.
    Table("apscheduler_jobs", MetaData(), Column("id", Integer, primary_key=True)).create(
        database.engine
    )
    try:
        assert _differences(database) == []
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("DROP TABLE apscheduler_jobs"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    request.getfixturevalue("postgres_url")  # skips when PostgreSQL is not reachable
    name = f"kw_empty_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    yield f"{PG_SERVER}/{name}"
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _collect_leaked_connections() -> list[warnings.WarningMessage]:
    """Collect what a refused command left behind; return the ResourceWarnings it caused."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gc.collect()
    return [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_command_on_an_uninitialised_database_says_to_run_init(empty_url: str) -> None:
    runner = CliRunner()
    for args in (["show", "workers"], ["audit"], ["import", "."]):
        result = runner.invoke(app, ["--db", empty_url, *args])
        assert result.exit_code == 1, result.output
        assert "keyworker init" in result.output, result.output
        del result
        # Collected here, so the leak below does not fail some later test instead.
        _collect_leaked_connections()


def test_refusing_an_uninitialised_database_closes_its_connection(postgres_url: str) -> None:
    name = f"kw_empty_{os.getpid()}"
    admin = create_engine(f"{PG_SERVER}/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        result = CliRunner().invoke(app, ["--db", f"{PG_SERVER}/{name}", "show", "workers"])
        assert result.exit_code == 1, result.output
        del result
        assert _collect_leaked_connections() == []
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def test_init_twice_is_fine_and_makes_the_schema(empty_url: str) -> None:
    runner = CliRunner()
    for _ in range(2):
        result = runner.invoke(app, ["--db", empty_url, "init"])
        assert result.exit_code == 0, result.output
        assert f"revision {head_revision()}" in result.output
    database = Database(empty_url)
    try:
        assert _differences(database) == []
        result = runner.invoke(app, ["--db", empty_url, "show", "workers"])
        assert result.exit_code == 0, result.output
    finally:
        database.dispose()


def test_downgrade_removes_every_table_and_upgrade_rebuilds_them(empty_url: str) -> None:
    database = Database(empty_url)
    try:
        upgrade(database.engine)
        command.downgrade(alembic_config(database.engine), "base")
        assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
        assert current_revision(database.engine) is None
        upgrade(database.engine)
        assert _differences(database) == []
    finally:
        database.dispose()


def test_init_on_a_current_database_keeps_its_data(db_url: str, tmp_path: Path) -> None:
    from tests.factories import make_worker, write_files

    runner = CliRunner()
    write_files(tmp_path, workers=[make_worker()])
    assert runner.invoke(app, ["--db", db_url, "import", str(tmp_path)]).exit_code == 0
    result = runner.invoke(app, ["--db", db_url, "init"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--db", db_url, "show", "workers"])
    assert "W001" in result.output


def test_the_head_read_from_the_files_is_alembics() -> None:
    """``head_revision`` reads the migration files without alembic (start-up time)."""
    from alembic.script import ScriptDirectory

    from scheduler.db import MIGRATIONS

    assert head_revision() == ScriptDirectory(str(MIGRATIONS)).get_current_head()
