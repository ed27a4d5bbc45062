"""The nightly solve in a child process: a crash in OR-Tools kills the child, not ``serve``.

A native CHECK failure inside CP-SAT aborts the whole process it runs in. ``keyworker
serve`` holds the feed server and the scheduler in one process, so a crash there took
every worker's calendar down with it. :func:`solve_in_child` runs ``solver.solve`` in
a fresh process and hands back its :class:`solver.Solution` through a pipe; the
parent keeps serving and turns a dead child into :class:`SolverCrashed`, which the
nightly run records (``keyworker runs``) like any failure, with its reason.

Start method: ``spawn``. The parent has threads (uvicorn's event loop, APScheduler's
executor, the lease heartbeat) and open database connections; a ``fork`` would copy
them mid-state (locks held by threads that do not exist in the child, sockets shared
with the parent). A spawned child starts a clean interpreter, imports the solver, gets
the instance (plain frozen dataclasses) and the parameters, and touches nothing of the
parent's. That costs about a second per nightly run. The child is not a daemon, so the
solver may still fork its own workers (``solver.parallel``).

Only the solve moves: loading, validating, diffing and the commit stay in the parent,
in the same code as ``plan --commit``. The solver is deterministic for a given
instance and parameters, so the plan is the one the parent would have made.

While it waits the parent calls ``poll`` every :data:`POLL_SECONDS` (the nightly run
raises there to abandon on SIGTERM or a lost lease); whatever it raises, the child is
stopped first.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

import solver
from scheduler.errors import PlanningFailed

log = logging.getLogger("keyworker.solve")

Progress = Callable[[str], None]

POLL_SECONDS = 0.2
# A test hook, and only that: with this variable set to 1 the child aborts (as a native
# CHECK failure in OR-Tools does) instead of solving. tests/nightly uses it.
CRASH_HOOK_ENV = "KEYWORKER_TEST_CRASH_SOLVER"
STOP_GRACE_SECONDS = 2.0


class SolverCrashed(PlanningFailed):
    """Raised when the solver's child process died or hung before returning a plan."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"the solver process {reason} before it returned a plan (a crash inside "
            "OR-Tools?); nothing was committed"
        )


def solve_in_child(
    instance: solver.Instance,
    params: solver.SolverParams,
    progress: Progress | None = None,
    *,
    poll: Callable[[], None] | None = None,
    deadline_seconds: float | None = None,
) -> solver.Solution:
    """``solver.solve(instance, params, progress)``, run in a spawned child process.

    ``progress`` gets the child's progress messages; ``poll`` is called while waiting
    (what it raises stops the child and propagates). ``deadline_seconds`` (default:
    three times the time limit plus two minutes) bounds a child that hangs.
    """
    say = progress or (lambda _message: None)
    limit = deadline_seconds or 3 * params.time_limit_seconds + 120
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_main,
        args=(sender, instance, params),
        name="keyworker-solve",
        daemon=False,  # the solver may start worker processes of its own
    )
    child.start()
    sender.close()  # the child holds the only writing end: EOF when it dies
    started = time.monotonic()
    try:
        while True:
            if receiver.poll(POLL_SECONDS):
                try:
                    kind, payload = receiver.recv()
                except EOFError:
                    child.join(5)
                    raise SolverCrashed(_death(child.exitcode)) from None
                if kind == "progress":
                    say(payload)
                    continue
                child.join(10)
                if kind == "solution":
                    assert isinstance(payload, solver.Solution)
                    return payload
                raise _rebuilt(payload)
            if poll is not None:
                poll()
            if time.monotonic() - started > limit:
                raise SolverCrashed(f"did not finish within {limit:.0f} s and was stopped")
    finally:
        receiver.close()
        _stop(child)


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"died of {name}"
    return f"exited with status {exitcode}"


def _stop(child: Any) -> None:
    """Make sure the child is gone: SIGTERM, then SIGKILL."""
    if child.exitcode is None and child.is_alive():
        child.terminate()
        child.join(STOP_GRACE_SECONDS)
        if child.is_alive():
            child.kill()
            child.join(STOP_GRACE_SECONDS)
    child.close()


def _rebuilt(payload: tuple[str, str, str, str]) -> Exception:
    """The child's exception, as close to the original as the parent needs it."""
    kind, stage, detail, text = payload
    if kind == "SolverError":
        return solver.SolverError(stage, detail)
    if kind == "InfeasibleInput":
        return PlanningFailed(f"the solver refused the input: {text}")
    return PlanningFailed(f"the solver failed: {kind}: {text}")


def _child_main(sender: Connection, instance: solver.Instance, params: solver.SolverParams) -> None:
    """The child: solve, send the solution (or the error) back, exit.

    If the parent dies (``kill -9``), the child ends within a second instead of solving
    on for nobody.
    """
    if os.environ.get(CRASH_HOOK_ENV) == "1":
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file for a test
        os.abort()
    parent = os.getppid()

    def orphaned() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()

    def send(message: tuple[str, Any]) -> None:
        try:
            sender.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            os._exit(0)  # the parent stopped listening: nobody wants the plan

    try:
        solution = solver.solve(instance, params, progress=lambda text: send(("progress", text)))
    except solver.SolverError as exc:
        send(("error", ("SolverError", exc.stage, exc.detail, str(exc))))
    except Exception as exc:  # everything reaches the parent as a message, never a hang
        send(("error", (type(exc).__name__, "", "", str(exc))))
    else:
        send(("solution", solution))
    finally:
        sender.close()
