"""The ``keyworker`` application: global options, command groups, exit codes.

Exit status: 0 success, 2 bad input or usage, 1 any other failure, 3 for
``plan --fail-on`` when the plan has an alert of that severity or above.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

# Only cheap modules here: each command imports what it needs when it runs, so that
# 'keyworker --help' and the read commands start fast (bench/STARTUP.md;
# tests/cli/test_startup.py keeps OR-Tools, alembic and the server stack out).
from cli import (
    alerts_cmd,
    data_cmd,
    everyday_cmd,
    pins_cmd,
    plan_cmd,
    record_cmd,
    report_cmd,
    serve_cmd,
    whatif_cmd,
)
from cli.context import AppContext
from cli.feeds_cmd import calendars_app, feeds_app
from scheduler import KeyworkerError, load_settings, resolve_database_url


class _KeyworkerGroup(TyperGroup):
    """Turns domain errors into a one-line message and an exit code, nowhere else."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except KeyworkerError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        finally:
            obj = ctx.obj
            if isinstance(obj, AppContext) and ctx.parent is None:
                obj.close()


def _option_placeholder(param: TyperOption, ctx: Any = None) -> str | None:
    """An option that takes a value shows its metavar (``--start DATE``), else its own
    name (``--note NOTE``); a flag shows nothing."""
    if param.is_flag or param.count:
        return None
    return param.metavar or max(param.opts, key=len).lstrip("-").upper().replace("-", "_")


def _argument_placeholder(param: TyperArgument, ctx: Any = None) -> str | None:
    return None  # its name (REF, SESSION) is shown already


# Help without type placeholders (``<str>``, ``<bool>``): Typer asks each parameter for
# the text of its type column; these say what the value is instead, or nothing.
TyperOption.display_type_rich = _option_placeholder  # type: ignore[method-assign,assignment]
TyperArgument.display_type_rich = _argument_placeholder  # type: ignore[method-assign,assignment]


class _DeferredCoercion:
    """Typer's coercion of a parameter, built only when a value needs it.

    Typer 0.29 converts every parameter through a pydantic ``TypeAdapter`` that it
    builds the first time the parameter is processed, also for an option that was not
    given: the first one imports pydantic, 0.08 s of a read command's start-up
    (bench/STARTUP.md). Two values need no adapter, and get from this exactly what
    Typer's own coercion gives them: None, an option not given (``()`` for a repeatable
    one), and a text for a plain ``str`` parameter (Typer's ``str`` adapter returns it
    as it is). Anything else goes to the real coercion, built then.
    """

    __slots__ = ("_build", "_plain_text")

    def __init__(self, build: Any, descriptor: Any) -> None:
        self._build = build
        self._plain_text = (
            descriptor.annotation is str
            and descriptor.parameter_info.parser is None
            and descriptor.file_annotation is None
        )

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:
            return () if param.multiple or param.nargs == -1 else None
        if self._plain_text and type(value) is str:
            return value
        return self._build().coerce(value, param=param, ctx=ctx)


def _defer_coercion() -> None:
    parameter = getattr(typer.core, "_TyperParameter", None)
    build = getattr(parameter, "get_runtime_param", None)
    if parameter is None or build is None:
        return  # a Typer without the pydantic layer: nothing to defer

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is not None:
            return self._runtime_param
        return _DeferredCoercion(lambda: build(self), self.type_descriptor)

    parameter.get_runtime_param = get_runtime_param


_defer_coercion()


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"keyworker {version('keyworker')}")
        except PackageNotFoundError:
            typer.echo("keyworker (not installed: no version)")
        raise typer.Exit()


app = typer.Typer(
    cls=_KeyworkerGroup,
    help="Key-worker relationship continuity scheduler for children's services teams.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion (Typer's own)
    pretty_exceptions_enable=False,
)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", metavar="URL", help="Database URL (else KEYWORKER_DB, config, SQLite)."
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", metavar="FILE", help="Settings file (default ./keyworker.toml)."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--as", metavar="NAME", help="Name recorded in the audit log (default: you)."),
    ] = None,
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the installed version and exit.",
        ),
    ] = False,
) -> None:
    """Key-worker relationship continuity scheduler for children's services teams."""
    environ = dict(os.environ)
    try:
        settings = load_settings(config, environ)
    except KeyworkerError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    ctx.obj = AppContext(
        settings=settings,
        db_url=resolve_database_url(db, environ, settings),
        actor=actor or _os_user(),
        now=datetime.now(UTC),
        environ=environ,
    )


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


data_cmd.register(app)
plan_cmd.register(app)
pins_cmd.register(app)
whatif_cmd.register(app)
plan_cmd.register_export(app)
alerts_cmd.register(app)
record_cmd.register(app)
serve_cmd.register(app)
report_cmd.register(app)
everyday_cmd.register(app)
app.add_typer(feeds_app, name="feeds")
app.add_typer(calendars_app, name="calendars")


def main() -> None:
    app(prog_name="keyworker")
