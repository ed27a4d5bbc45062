"""Exceptions raised by the scheduler package.

The tree::

    KeyworkerError (Exception)            base: every error a manager can act on
    ├── ConfigError (ValueError)          keyworker.toml or an option is invalid
    ├── DatabaseError (RuntimeError)      the database cannot be reached or is not initialised
    ├── ImportFailed (ValueError)         a CSV import had errors: the roots, and a count of
    │                                     the errors that only follow from them
    ├── NotFound (LookupError)            a ref or id names nothing stored
    ├── RefusedAction (ValueError)        a manager action breaks a planning rule (pin, lock)
    └── PlanningFailed (RuntimeError)     the solver returned no plan, or the plan failed validation

Only ``cli/`` turns these into exit codes: input errors (``ConfigError``,
``ImportFailed``, ``NotFound``, ``RefusedAction``) exit 2, the rest exit 1.
"""

from __future__ import annotations

from dataclasses import dataclass


class KeyworkerError(Exception):
    """Base of every error with a message a team manager can act on."""

    exit_code = 1


class ConfigError(KeyworkerError, ValueError):
    """Raised when the configuration file or an option value is invalid."""

    exit_code = 2


class DatabaseError(KeyworkerError, RuntimeError):
    """Raised when the database cannot be reached or its schema is not current."""


@dataclass(frozen=True, slots=True)
class Cause:
    """The root error another error follows from: a row that failed, or a file none of
    whose rows could be read (``line`` 1, its header; ``what`` is ``"file"``)."""

    file: str
    line: int
    what: str  # what the failed row would have added: "worker", "child"; or "file"
    located: bool = False  # ``file`` names a workbook's sheet

    def __str__(self) -> str:
        if self.located:
            return f"{self.file}!{f'A{self.line}' if self.line > 1 else '1:1'}"
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class InputError:
    """One problem in one cell of one input file.

    An error with ``caused_by`` exists only because of an earlier one (a child naming a
    worker whose row failed): fixing the root fixes it, so it is counted, not listed.
    """

    file: str
    line: int
    column: str
    value: str
    message: str
    # ``file`` already names the place (a workbook's sheet and cell): print it as it is
    located: bool = False
    caused_by: Cause | None = None

    @property
    def source(self) -> str:
        """The file (or workbook sheet) the error is in, without line or cell."""
        return self.file.rsplit("!", 1)[0] if self.located else self.file

    def __str__(self) -> str:
        where = self.file if self.located else f"{self.file}:{self.line}"
        if self.column:
            where += f": column {self.column!r}"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        cause = f"; see {self.caused_by}" if self.caused_by else ""
        return f"{where}: {self.message}{cause} (value: {shown!r})"


_PLURAL = {"worker": "workers", "child": "children"}


class ImportFailed(KeyworkerError, ValueError):
    """Raised when an import finds errors; nothing has been written.

    ``errors`` are the root causes, every one listed; ``consequences`` the errors that
    follow only from one of them, which ``summary_lines`` counts in one line per cause.
    """

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        roots = [e for e in errors if e.caused_by is None]
        self.errors = roots or list(errors)
        self.consequences = [e for e in errors if e.caused_by is not None] if roots else []
        super().__init__(
            f"{self.count} error{'s' if self.count != 1 else ''} found; nothing was imported:\n"
            + "\n".join([*(str(e) for e in self.errors), *self.summary_lines()[:-1]])
        )

    @property
    def count(self) -> int:
        return len(self.errors) + len(self.consequences)

    def summary_lines(self) -> list[str]:
        """One line per file and cause counting the consequences, then the total:
        ``and 37 more errors in plans.csv caused by the 2 children above whose rows
        failed``, ``93 error(s); nothing was imported.``"""
        groups: dict[tuple[str, str, str], tuple[int, set[tuple[str, int]]]] = {}
        for error in self.consequences:
            cause = error.caused_by
            assert cause is not None
            key = (error.source, cause.file if cause.what == "file" else "", cause.what)
            count, roots = groups.get(key, (0, set()))
            groups[key] = (count + 1, roots | {(cause.file, cause.line)})
        lines = []
        for (file, root_file, what), (count, roots) in groups.items():
            more = f"and {count} more error{'s' if count != 1 else ''} in {file} caused by"
            if what == "file":
                lines.append(f"{more} {root_file} above, whose rows could not be read")
            elif len(roots) == 1:
                lines.append(f"{more} the {what} above whose row failed")
            else:
                noun = _PLURAL.get(what, what + "s")
                lines.append(f"{more} the {len(roots)} {noun} above whose rows failed")
        lines.append(f"{self.count} error(s); nothing was imported.")
        return lines


class NotFound(KeyworkerError, LookupError):
    """Raised when a worker, child, session or alert reference names nothing stored."""

    exit_code = 2

    def __init__(self, what: str, ref: str) -> None:
        self.what = what
        self.ref = ref
        super().__init__(f"no {what} with reference {ref!r}")

    def __str__(self) -> str:
        return str(self.args[0])


class RefusedAction(KeyworkerError, ValueError):
    """Raised when a manager action would break a planning rule."""

    exit_code = 2


class PlanningFailed(KeyworkerError, RuntimeError):
    """Raised when no valid plan could be produced."""
