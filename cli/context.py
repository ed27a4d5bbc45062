"""What every command needs: settings, the database, who is acting, and the time.

Cheap to import: the database layer (SQLAlchemy, the models) is loaded on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

import scheduler
from scheduler import DatabaseError, Settings

if TYPE_CHECKING:
    from scheduler import Database


@dataclass
class AppContext:
    settings: Settings
    db_url: str
    actor: str
    now: datetime
    environ: Mapping[str, str] = field(default_factory=dict)
    _database: Database | None = field(default=None, repr=False)

    @property
    def database(self) -> Database:
        """The database, checked to have the current schema (``init`` creates it).

        A SQLite file that is not there is not created: a command other than ``init``
        (or ``demo``) in a folder without a database says so and leaves nothing behind.
        """
        if self._database is None:
            path = scheduler.sqlite_file(self.db_url)
            if path is not None and not path.exists():
                shown_path = path if path.is_absolute() else f"./{path}"
                raise DatabaseError(
                    f"no database at {shown_path}; run 'keyworker init' to create it "
                    "(or give the one to use with --db or KEYWORKER_DB)"
                )
            database = scheduler.Database(self.db_url)
            try:
                scheduler.check_schema(database.engine)
            except BaseException:
                database.dispose()
                raise
            self._database = database
        return self._database

    def raw_database(self) -> Database:
        """The database without the schema check, for ``init``."""
        if self._database is None:
            self._database = scheduler.Database(self.db_url)
        return self._database

    def audit(self, action: str, *, as_of: datetime | None = None, **detail: Any) -> None:
        """Record ``action`` now (wall clock), ``as_of`` beside it: for exports of
        children's data and secret URLs, which change nothing else in the database."""
        scheduler.record_audit(
            self.database, actor=self.actor, action=action, at=self.now, as_of=as_of, **detail
        )

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the main callback sets the context"
    return obj
