"""Delivering alerts and session changes: email (SMTP) and webhooks (HTTP POST).

The standard library's ``smtplib`` and ``urllib`` are enough for the two channels
we support and keep the dependency list short. Delivery happens after the plan is
committed; a failure loses nothing: the alert stays stored without
``delivered_at`` and is retried after the next commit.
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select

from scheduler.db import Database
from scheduler.models import Alert, Worker
from scheduler.settings import Settings, SmtpSettings

TIMEOUT_SECONDS = 10


@dataclass
class DeliveryReport:
    delivered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # alert id -> error
    workers_told: list[str] = field(default_factory=list)
    worker_failures: dict[str, str] = field(default_factory=dict)


def _alert_payload(alert: Alert) -> dict[str, object]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "child": alert.child_ref,
        "worker": alert.worker_ref,
        "session": alert.session_id,
        "start": alert.start.isoformat(),
        "end": alert.end.isoformat(),
        "message": alert.message,
    }


def send_email(smtp: SmtpSettings, to: Sequence[str], subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_SECONDS) as client:
        if smtp.starttls:
            client.starttls()
        if smtp.username:
            client.login(smtp.username, smtp.password)
        client.send_message(message)


def post_webhook(url: str, payload: object) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "keyworker"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def deliver_alerts(database: Database, settings: Settings, *, now: datetime) -> DeliveryReport:
    """Send every open, undelivered alert to every configured channel; record the outcome.

    An alert counts as delivered only when every channel took it.
    """
    report = DeliveryReport()
    with database.reading() as session:
        pending = list(
            session.scalars(
                select(Alert)
                .where(Alert.status == "open", Alert.delivered_at.is_(None))
                .order_by(Alert.created_at, Alert.id)
            )
        )
    if not pending or not (settings.alert_email_to or settings.alert_webhooks):
        return report
    errors: dict[str, list[str]] = {a.id: [] for a in pending}
    if settings.alert_email_to and settings.smtp is not None:
        lines = [
            f"[{a.severity}] {a.kind} {a.child_ref or a.worker_ref}: {a.message}" for a in pending
        ]
        try:
            send_email(
                settings.smtp,
                settings.alert_email_to,
                f"keyworker: {len(pending)} new alert(s)",
                "New alerts in the committed plan:\n\n" + "\n".join(lines) + "\n",
            )
        except (OSError, smtplib.SMTPException) as exc:
            for a in pending:
                errors[a.id].append(f"email: {exc}")
    for url in settings.alert_webhooks:
        try:
            post_webhook(url, {"alerts": [_alert_payload(a) for a in pending]})
        except (OSError, urllib.error.URLError) as exc:
            for a in pending:
                errors[a.id].append(f"webhook {url}: {exc}")
    with database.transaction() as session:
        for a in pending:
            row = session.get(Alert, a.id)
            if row is None:
                continue
            row.delivery_attempts += 1
            if errors[a.id]:
                row.delivery_error = "; ".join(errors[a.id])[:2000]
                report.failed[a.id] = row.delivery_error
            else:
                row.delivered_at = now
                row.delivery_error = None
                report.delivered.append(a.id)
    return report


def tell_workers(
    database: Database,
    settings: Settings,
    messages: dict[str, list[str]],
    report: DeliveryReport,
) -> None:
    """Email each worker the changes to their own sessions in the next 7 days."""
    if not messages or not settings.notify_workers or settings.smtp is None:
        return
    smtp = settings.smtp
    with database.reading() as session:
        emails = dict(
            session.execute(select(Worker.ref, Worker.email).where(Worker.ref.in_(list(messages))))
            .tuples()
            .all()
        )
    for ref, lines in sorted(messages.items()):
        email = emails.get(ref)
        if not email:
            continue
        try:
            send_email(
                smtp,
                [email],
                "keyworker: your sessions in the next 7 days have changed",
                "Your calendar will update on its own; these changed just now:\n\n"
                + "\n".join(f"- {line}" for line in lines)
                + "\n",
            )
            report.workers_told.append(ref)
        except (OSError, smtplib.SMTPException) as exc:
            report.worker_failures[ref] = str(exc)
