"""What every command needs: settings, the database, who is acting, and the time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import typer

from scheduler import audit
from scheduler.db import Database, check_schema
from scheduler.settings import Settings


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
        """The database, checked to have the current schema (``init`` creates it)."""
        if self._database is None:
            database = Database(self.db_url)
            try:
                check_schema(database.engine)
            except BaseException:
                database.dispose()
                raise
            self._database = database
        return self._database

    def raw_database(self) -> Database:
        """The database without the schema check, for ``init``."""
        if self._database is None:
            self._database = Database(self.db_url)
        return self._database

    def audit(self, action: str, *, as_of: datetime | None = None, **detail: Any) -> None:
        """Record ``action`` now (wall clock), ``as_of`` beside it: for exports of
        children's data and secret URLs, which change nothing else in the database."""
        with self.database.transaction() as session:
            audit.record(
                session, actor=self.actor, action=action, at=self.now, as_of=as_of, **detail
            )

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def app_context(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert isinstance(obj, AppContext), "the main callback sets the context"
    return obj
