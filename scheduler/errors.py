"""Exceptions raised by the scheduler package.

The tree::

    KeyworkerError (Exception)            base: every error a manager can act on
    ├── ConfigError (ValueError)          keyworker.toml or an option is invalid
    ├── DatabaseError (RuntimeError)      the database cannot be reached or is not initialised
    ├── ImportFailed (ValueError)         a CSV import had errors; carries every InputError
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
class InputError:
    """One problem in one cell of one input file."""

    file: str
    line: int
    column: str
    value: str
    message: str
    # ``file`` already names the place (a workbook's sheet and cell): print it as it is
    located: bool = False

    def __str__(self) -> str:
        where = self.file if self.located else f"{self.file}:{self.line}"
        if self.column:
            where += f": column {self.column!r}"
        shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        return f"{where}: {self.message} (value: {shown!r})"


class ImportFailed(KeyworkerError, ValueError):
    """Raised when an import finds errors; nothing has been written."""

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        count = len(errors)
        super().__init__(
            f"{count} error{'s' if count != 1 else ''} found; nothing was imported:\n"
            + "\n".join(str(e) for e in errors)
        )


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
