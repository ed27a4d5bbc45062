"""Alerts reach people: a real SMTP server in-process and a real HTTP receiver."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Alert
from tests.pipeline.conftest import Run
from tests.pipeline.team import AS_OF, START, WORKERS, write_team

PLAN = ("plan", "--as-of", AS_OF, "--start", START, "--weeks", "2", "--commit")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Any]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Mailbox]]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, mailbox
    finally:
        controller.stop()


class _Receiver(BaseHTTPRequestHandler):
    received: list[Any]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[Any]]]:
    received: list[Any] = []
    handler = type("Handler", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def _config(tmp_path: Path, smtp_port: int, hook: str) -> Path:
    path = tmp_path / "delivery.toml"
    path.write_text(
        f"""
[planning]
time_limit_seconds = 5

[alerts]
email_to = ["manager@example.org"]
webhooks = ["{hook}"]

[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "keyworker@example.org"
""",
        encoding="utf-8",
    )
    return path


def _leaver_team(tmp_path: Path) -> Path:
    workers = [dict(w) for w in WORKERS]
    workers[0]["end_date"] = "2027-01-08"
    return write_team(tmp_path / "team", workers=workers)


def test_commit_delivers_new_alerts_by_email_and_webhook(
    kw: Run,
    tmp_path: Path,
    database: Database,
    smtp_server: tuple[int, _Mailbox],
    webhook: tuple[str, list[Any]],
) -> None:
    port, mailbox = smtp_server
    hook, received = webhook
    config = _config(tmp_path, port, hook)
    kw("import", str(_leaver_team(tmp_path)), config=config)
    result = kw(*PLAN, config=config)
    assert "delivered" in result.output
    manager = [m for to, m in mailbox.messages if to == ["manager@example.org"]]
    assert len(manager) == 1
    assert "KEYWORKER_CHANGE" in manager[0].get_payload()
    assert len(received) == 1
    kinds = {a["kind"] for a in received[0]["alerts"]}
    assert {"KEYWORKER_CHANGE", "WORKER_LEAVING"} <= kinds
    with database.reading() as session:
        assert all(a.delivered_at is not None for a in session.scalars(select(Alert)))
    # Workers whose sessions in the next 7 days changed are told directly.
    told = {to[0] for to, _ in mailbox.messages if to != ["manager@example.org"]}
    assert "amira@example.org" in told


def test_failed_delivery_is_kept_shown_and_retried(
    kw: Run,
    tmp_path: Path,
    database: Database,
    smtp_server: tuple[int, _Mailbox],
    webhook: tuple[str, list[Any]],
) -> None:
    port, mailbox = smtp_server
    hook, _received = webhook
    dead = _config(tmp_path, _free_port(), hook)  # nothing listens on this SMTP port
    kw("import", str(_leaver_team(tmp_path)), config=dead)
    result = kw(*PLAN, config=dead)
    assert "could not be delivered" in result.output
    with database.reading() as session:
        alerts = list(session.scalars(select(Alert)))
    assert alerts and all(a.delivered_at is None and a.delivery_error for a in alerts)
    listing = kw("alerts", config=dead).output
    assert "NO" in listing
    good = _config(tmp_path, port, hook)
    kw(*PLAN, config=good)
    with database.reading() as session:
        alerts = list(session.scalars(select(Alert).where(Alert.status == "open")))
    assert alerts and all(a.delivered_at is not None for a in alerts)
    assert any(to == ["manager@example.org"] for to, _ in mailbox.messages)


def test_acknowledged_alert_stays_quiet_on_replan(
    kw: Run, tmp_path: Path, database: Database
) -> None:
    kw("import", str(_leaver_team(tmp_path)))
    kw(*PLAN)
    with database.reading() as session:
        leaving = session.scalars(select(Alert).where(Alert.kind == "WORKER_LEAVING")).one()
    assert leaving.id in kw("alerts").output
    kw("alerts", "ack", leaving.id)
    assert leaving.id not in kw("alerts").output
    kw(*PLAN)
    with database.reading() as session:
        again = session.get(Alert, leaving.id)
        assert again is not None and again.status == "acknowledged"
    assert "not open" in kw("alerts", "ack", leaving.id, expect=2).output
    assert "no alert" in kw("alerts", "ack", "A-nothing", expect=2).output
    assert "alerts.ack" in kw("audit").output
