"""Deliver rendered packs by SMTP: scoped per recipient, logged, retried, never sent twice.

``deliver_packs`` reads a period's manifest, picks each eligible recipient's pack variant,
and for each (recipient, pack version) not yet ``sent`` in the delivery log sends one
message, retrying transient failures (4xx replies, dropped connections) with exponential
backoff. What still fails is marked ``failed``, an alert row is raised and the report lists
it; a re-run then sends exactly the missing messages. ``dry_run_dir`` writes ``.eml`` files
instead of sending (the log is not touched). The SMTP password is only handed to
``smtplib`` and never logged.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from boardroom.database import connect
from boardroom.packs import delivery_log
from boardroom.packs.message import build_message
from boardroom.packs.periods import Period
from boardroom.packs.recipients import DomainAllowList, JsonOptIn, Recipient, exclusion_reason
from boardroom.packs.render import PackFile, read_manifest
from boardroom.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: str = "none"
    sender: str = "boardroom@localhost"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings:
        if not settings.smtp_host:
            raise ConfigurationError(
                "BOARDROOM_SMTP_HOST is not set: set it (and BOARDROOM_SMTP_PORT, _SECURITY, "
                "_USERNAME, _PASSWORD, _FROM) to send packs, or use the dry run."
            )
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password,
            security=settings.smtp_security,
            sender=settings.smtp_from,
        )


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per message and the exponential backoff between them (seconds)."""

    attempts: int = 4
    initial_wait: float = 2.0
    max_wait: float = 60.0


@dataclass
class DeliveryReport:
    period: Period
    sent: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    no_pack: list[str] = field(default_factory=list)
    dry_run_files: list[str] = field(default_factory=list)
    attempts: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return (
            f"{self.period.key}: {len(self.sent)} sent, {len(self.already_sent)} already sent, "
            f"{len(self.failed)} failed, {len(self.excluded)} excluded, "
            f"{len(self.no_pack)} without a pack, {len(self.dry_run_files)} written (dry run)"
        )


class DeliveryFailed(RuntimeError):
    """Some messages could not be sent after their retries (the report says which)."""

    def __init__(self, report: DeliveryReport) -> None:
        failed = ", ".join(f"{r}: {e}" for r, e in sorted(report.failed.items()))
        super().__init__(f"Board-pack delivery incomplete ({report.summary()}). {failed}")
        self.report = report


def _transient(exc: BaseException) -> bool:
    """Worth retrying: a 4xx reply, a dropped connection or a network error."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"recipient refused: {code} {text.decode(errors='replace')[:200]}"
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"SMTP {exc.smtp_code} {text[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"


class _Connection:
    """One SMTP session, opened on first use and reopened after a failure."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self._conn: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.smtp
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                conn.starttls(context=ssl.create_default_context())
        if s.username:
            conn.login(s.username, s.password or "")
        return conn

    def send(self, message, recipient: str) -> None:
        if self._conn is None:
            self._conn = self._open()
        try:
            self._conn.send_message(message, from_addr=self.smtp.sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused:
            self._reset()
            raise
        except Exception:
            self.close()
            raise

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except Exception:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except Exception:
                with contextlib.suppress(Exception):
                    self._conn.close()
            self._conn = None


def plan(
    packs: list[PackFile],
    recipients: list[Recipient],
    allow_list: DomainAllowList,
    report: DeliveryReport,
) -> list[tuple[Recipient, PackFile]]:
    """Each eligible recipient with its pack variant (exclusions go to the report)."""
    by_key = {(p.tenant_id, p.scope): p for p in packs}
    planned = []
    for recipient in recipients:
        reason = exclusion_reason(recipient, allow_list)
        if reason:
            report.excluded[recipient.recipient_id] = reason
            continue
        pack = by_key.get((recipient.tenant_id, recipient.scope))
        if pack is None:
            report.no_pack.append(recipient.recipient_id)
            continue
        planned.append((recipient, pack))
    return planned


def _message_id(key: str) -> str:
    return f"<{key[:40]}@boardroom.packs>"


def _dry_run(
    planned: list[tuple[Recipient, PackFile]],
    folder: Path,
    period: Period,
    sender: str,
    target: Path,
    report: DeliveryReport,
    json_opt_in: JsonOptIn,
) -> None:
    out = target / period.key
    out.mkdir(parents=True, exist_ok=True)
    for recipient, pack in planned:
        key = delivery_log.delivery_key(
            pack.tenant_id, period, recipient.recipient_id, pack.content_hash
        )
        message = build_message(
            pack,
            folder,
            recipient,
            sender=sender,
            message_id=_message_id(key),
            period_start=period.start.isoformat(),
            period_end=period.end.isoformat(),
            attach_json=json_opt_in.wants_json(recipient),
        )
        path = out / f"{key[:16]}_{pack.scope}.eml"
        path.write_bytes(bytes(message))
        report.dry_run_files.append(str(path))


def deliver_packs(
    folder: Path,
    warehouse_url: str | None,
    recipients: list[Recipient],
    *,
    allow_list: DomainAllowList,
    smtp: SmtpSettings | None = None,
    dry_run_dir: Path | None = None,
    retry: RetryPolicy | None = None,
    sender: str = "boardroom@localhost",
    json_opt_in: JsonOptIn | None = None,
) -> DeliveryReport:
    """Send (or, with ``dry_run_dir``, write) the packs of the period folder ``folder``.

    Raises :class:`DeliveryFailed` after recording everything when a message could not be
    sent; its ``report`` lists the failures. ``warehouse_url`` holds the delivery log.
    ``json_opt_in`` (default: ``BOARDROOM_PACK_JSON_RECIPIENTS``) says who also gets the
    JSON export attached.
    """
    json_opt_in = JsonOptIn.from_env() if json_opt_in is None else json_opt_in
    started = time.perf_counter()
    packs = read_manifest(folder)
    period = _period_of(folder)
    report = DeliveryReport(period)
    planned = plan(packs, recipients, allow_list, report)
    if dry_run_dir is not None:
        _dry_run(
            planned,
            folder,
            period,
            smtp.sender if smtp else sender,
            dry_run_dir,
            report,
            json_opt_in,
        )
        report.seconds = time.perf_counter() - started
        return report
    if smtp is None or warehouse_url is None:
        raise ConfigurationError("Sending packs needs SMTP settings and the warehouse URL.")
    retry = retry or RetryPolicy()
    connection = _Connection(smtp)
    with connect(warehouse_url, autocommit=True) as conn:
        delivery_log.ensure_log(conn)
        delivery_log.lock_period(conn, period)
        try:
            for recipient, pack in planned:
                _deliver_one(
                    conn,
                    connection,
                    recipient,
                    pack,
                    folder,
                    period,
                    smtp,
                    retry,
                    report,
                    json_opt_in.wants_json(recipient),
                )
        finally:
            connection.close()
            if report.failed:
                delivery_log.raise_alert(
                    conn,
                    period,
                    report.failed,
                    f"{len(report.failed)} board-pack message(s) for {period.key} not delivered",
                )
            delivery_log.unlock_period(conn, period)
    report.seconds = time.perf_counter() - started
    log.info(report.summary())
    if report.failed:
        raise DeliveryFailed(report)
    return report


def _deliver_one(
    conn,
    connection: _Connection,
    recipient: Recipient,
    pack: PackFile,
    folder: Path,
    period: Period,
    smtp: SmtpSettings,
    retry: RetryPolicy,
    report: DeliveryReport,
    attach_json: bool,
) -> None:
    key = delivery_log.delivery_key(
        pack.tenant_id, period, recipient.recipient_id, pack.content_hash
    )
    entry = delivery_log.claim(
        conn,
        key=key,
        pack_kind=pack.pack_kind,
        tenant_id=pack.tenant_id,
        period=period,
        recipient_id=recipient.recipient_id,
        email=recipient.email,
        role=recipient.role,
        scope=pack.scope,
        content_hash=pack.content_hash,
        message_id=_message_id(key),
    )
    if entry.state == "sent":
        report.already_sent.append(recipient.recipient_id)
        return
    message = build_message(
        pack,
        folder,
        recipient,
        sender=smtp.sender,
        message_id=entry.message_id,
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
        attach_json=attach_json,
    )
    retrying = Retrying(
        stop=stop_after_attempt(max(1, retry.attempts)),
        wait=wait_exponential(multiplier=retry.initial_wait, max=retry.max_wait),
        retry=retry_if_exception(_transient),
        reraise=False,
    )
    try:
        for attempt in retrying:
            with attempt:
                delivery_log.mark(conn, key, "sending")
                report.attempts += 1
                connection.send(message, recipient.email)
    except RetryError as exc:
        error = _describe(exc.last_attempt.exception() or exc)
        delivery_log.mark(conn, key, "failed", error)
        report.failed[recipient.recipient_id] = error
        return
    except Exception as exc:  # a permanent refusal: not retried
        error = _describe(exc)
        delivery_log.mark(conn, key, "failed", error)
        report.failed[recipient.recipient_id] = error
        return
    delivery_log.mark(conn, key, "sent")
    report.sent.append(recipient.recipient_id)


def _period_of(folder: Path) -> Period:
    import json

    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["period"]
    return Period(date.fromisoformat(data["end"]), int(data["days"]))
