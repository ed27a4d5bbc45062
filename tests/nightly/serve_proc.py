"""``keyworker`` as a child process for the real-process tests.

It is the real command line with one test hook, set by environment variables:
``KW_TEST_PAUSE_IN_COMMIT=FILE`` makes every run, once inside its commit transaction
(while the feeds are being refreshed), create FILE and sleep ``KW_TEST_PAUSE_SECONDS``
(default 60) there, so a test can ``kill -9`` or SIGTERM the process with the plan's
transaction open; with ``KW_TEST_PAUSE_AT=solved`` it holds the run after solving,
before the transaction begins (on SQLite an open transaction would stop every other
process from writing at all).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for tests.*

import calendars
import scheduler.replan
from cli import serve_cmd
from cli.main import app, main

if not any(command.name == "serve" for command in app.registered_commands):
    serve_cmd.register(app)

_marker = os.environ.get("KW_TEST_PAUSE_IN_COMMIT")
_pause = float(os.environ.get("KW_TEST_PAUSE_SECONDS", "60"))


def _hold() -> None:
    assert _marker is not None
    Path(_marker).write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(_pause)


if _marker and os.environ.get("KW_TEST_PAUSE_AT", "commit") == "commit":
    # The commit's after-commit hook (cli.plan_cmd.after_commit_hook) imports
    # calendars.refresh_feeds when it runs: patched here, the pause lands inside the commit.
    _real_refresh = calendars.refresh_feeds

    def _paused_refresh(session: Any, **options: Any) -> Any:
        _hold()
        return _real_refresh(session, **options)

    calendars.refresh_feeds = _paused_refresh  # type: ignore[assignment]
elif _marker:  # "solved": the plan is made, its transaction not yet begun
    _real_propose = scheduler.replan.propose

    def _paused_propose(*args: Any, **options: Any) -> Any:
        proposal = _real_propose(*args, **options)
        _hold()
        return proposal

    scheduler.replan.propose = _paused_propose  # type: ignore[assignment]

if __name__ == "__main__":
    main()
