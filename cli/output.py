"""Where the CLI's output goes: tables, messages, ``--json FILE`` and the solve progress.

* Tables go to stdout: through ``rich`` on a terminal (fitted to its width, severity in
  colour unless ``NO_COLOR`` is set), as plain aligned text otherwise, so that a pipe
  or a file gets every cell whole on one line.
* ``--json FILE`` writes JSON to FILE (owner-only: it holds children's data); ``-`` is
  stdout, and then stdout carries the JSON and nothing else: every message of the
  command goes to stderr (:class:`Printer`), so ``keyworker plan --json - | jq`` works.
* Stage messages of a solve go to stderr: a live status line with the elapsed time on a
  terminal once the solve has taken a second, plain ``... stage`` lines otherwise.

``rich`` is imported only where a terminal is there to draw on (start-up time).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import typer

from cli.tables import render, rich_table, shown

if TYPE_CHECKING:
    from rich.console import Console

    from scheduler import ImportFailed, InputError

STDOUT = "-"


def is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def console(*, stderr: bool = False) -> Console:
    """A rich console on the real stream; colour off under ``NO_COLOR`` (rich reads it)."""
    from rich.console import Console

    return Console(file=sys.stderr if stderr else sys.stdout, highlight=False, soft_wrap=False)


@dataclass(frozen=True, slots=True)
class Printer:
    """Prints a command's human-readable output: to stdout, or to stderr when stdout
    carries JSON (``--json -``)."""

    to_stderr: bool = False

    def line(self, text: str = "") -> None:
        typer.echo(text, err=self.to_stderr)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        print_table(headers, rows, err=self.to_stderr)


def printer_for(json_target: Path | None) -> Printer:
    return Printer(to_stderr=json_target is not None and str(json_target) == STDOUT)


def print_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], *, err: bool = False
) -> None:
    """One table: rich on a terminal, plain text otherwise; every cell through ``shown``."""
    stream = sys.stderr if err else sys.stdout
    if is_terminal(stream):
        console(stderr=err).print(rich_table(headers, rows))
    else:
        typer.echo(render(headers, rows), err=err)


def print_import_failure(
    failure: ImportFailed,
    *,
    where: Callable[[InputError], str] = str,
    outcome: str = "nothing was imported.",
) -> None:
    """An import's errors on stderr, as ``import`` prints them: every root cause (through
    ``where``), then one line per file and cause counting the errors that follow only
    from them, then the total and ``outcome``."""
    for error in failure.errors:
        typer.echo(where(error), err=True)
    for line in failure.summary_lines()[:-1]:
        typer.echo(line, err=True)
    typer.echo(f"{failure.count} error(s); {outcome}", err=True)


# --- JSON ---------------------------------------------------------------------------


def jsonable(value: object) -> object:
    """Dates and times ISO 8601 (times with their offset), sets as sorted lists."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(jsonable(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def key(header: str) -> str:
    """A table header as a JSON key: ``"from (outgoing)"`` -> ``"from_outgoing"``."""
    out = "".join(c if c.isalnum() else "_" for c in header.lower())
    return "_".join(part for part in out.split("_") if part)


def records(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[dict[str, Any]]:
    """A table as a list of objects, one per row, the columns as snake_case keys."""
    keys = [key(h) for h in headers]
    return [{k: jsonable(v) for k, v in zip(keys, row, strict=True)} for row in rows]


def write_json(target: Path, data: object) -> None:
    """``data`` as JSON to ``target`` (``-``: stdout), owner-only as a file."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if str(target) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        import scheduler

        scheduler.write_private(target, text)  # children's data: owner-only


def emit_json(target: Path, data: object) -> None:
    """A read command's ``--json FILE``: the JSON, and for a file a line on stderr."""
    write_json(target, data)
    if str(target) != STDOUT:
        typer.echo(f"wrote {target}", err=True)


# --- progress -----------------------------------------------------------------------


class StageDisplay:
    """The solve's stage messages on stderr.

    On a terminal a status line ("solving for 80 children ... 12 s") appears once the
    work has taken ``delay`` seconds and disappears when it ends; elsewhere (a pipe, a
    log file, a test) each stage is one plain line ``... stage``, as it comes.
    """

    def __init__(self, *, terminal: bool | None = None, delay: float = 1.0) -> None:
        self.terminal = is_terminal(sys.stderr) if terminal is None else terminal
        self.delay = delay
        self.stage = "starting"
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._live: Any = None
        self._task: Any = None
        self._timer: threading.Timer | None = None
        self._closed = False

    def __call__(self, message: str) -> None:
        if not self.terminal:
            typer.echo(f"... {shown(message)}", err=True)
            return
        with self._lock:
            self.stage = message
            if self._live is not None:
                self._live.update(self._task, description=shown(message))

    def start(self) -> None:
        self._started = time.monotonic()
        if self.terminal:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()

    def _show(self) -> None:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            progress = Progress(
                SpinnerColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}", markup=False),
                console=console(stderr=True),
                transient=True,
            )
            self._task = progress.add_task(shown(self.stage), total=None)
            # the elapsed time counts from the start of the command, not from the display
            progress.tasks[0].start_time = progress.get_time() - (time.monotonic() - self._started)
            progress.start()
            self._live = progress

    def stop(self) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._live is not None:
                self._live.stop()
                self._live = None


@contextmanager
def stages(*, terminal: bool | None = None) -> Iterator[StageDisplay]:
    display = StageDisplay(terminal=terminal)
    display.start()
    try:
        yield display
    finally:
        display.stop()
