"""The delivery log (``delivery.pack_deliveries``): one row per pack version and recipient.

A row's key is (tenant, period, recipient, content hash). Its ``state`` moves
``pending -> sending -> sent`` (or ``failed``), committed at each step, so a re-run sends
exactly what is not ``sent`` yet. The ``delivery`` schema is private: PUBLIC (and so every
BI reader role) has no privilege on it. Failed deliveries raise a row in
``delivery.delivery_alerts``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import psycopg

from boardroom.packs.periods import Period

SCHEMA = "delivery"
_DDL = """
CREATE SCHEMA IF NOT EXISTS delivery;
REVOKE ALL ON SCHEMA delivery FROM PUBLIC;
CREATE TABLE IF NOT EXISTS delivery.pack_deliveries (
    delivery_key  text PRIMARY KEY,
    pack_kind     text NOT NULL CHECK (pack_kind IN ('tenant', 'platform')),
    tenant_id     text,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    recipient_id  text NOT NULL,
    email         text NOT NULL,
    role          text NOT NULL,
    scope         text NOT NULL,
    content_hash  text NOT NULL,
    state         text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    message_id    text NOT NULL,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    sent_at       timestamptz
);
CREATE INDEX IF NOT EXISTS pack_deliveries_period_idx
    ON delivery.pack_deliveries (period_end, period_start, state);
CREATE TABLE IF NOT EXISTS delivery.delivery_alerts (
    alert_id      bigserial PRIMARY KEY,
    raised_at     timestamptz NOT NULL DEFAULT now(),
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    failed        integer NOT NULL,
    message       text NOT NULL,
    details       jsonb NOT NULL
);
REVOKE ALL ON ALL TABLES IN SCHEMA delivery FROM PUBLIC;
"""
_LOCK_NAMESPACE = 0x426F6172  # "Boar": advisory locks of pack deliveries


@dataclass(frozen=True)
class LogEntry:
    delivery_key: str
    state: str
    attempts: int
    message_id: str


def delivery_key(
    tenant_id: str | None, period: Period, recipient_id: str, content_hash: str
) -> str:
    """The log key: equal for the same pack version, recipient and period."""
    parts = ["platform" if tenant_id is None else f"tenant:{tenant_id}", period.key, recipient_id]
    return hashlib.sha256("\x1f".join([*parts, content_hash]).encode()).hexdigest()


def ensure_log(conn: psycopg.Connection) -> None:
    """Create the private schema and tables (idempotent, serialised by an advisory lock)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_LOCK_NAMESPACE,))
        conn.execute(_DDL)


def lock_period(conn: psycopg.Connection, period: Period) -> None:
    """Hold a session lock on the period so two deliveries of it never run at once."""
    key = int(hashlib.sha256(period.key.encode()).hexdigest()[:7], 16)
    conn.execute("SELECT pg_advisory_lock(%s, %s)", (_LOCK_NAMESPACE, key))


def unlock_period(conn: psycopg.Connection, period: Period) -> None:
    key = int(hashlib.sha256(period.key.encode()).hexdigest()[:7], 16)
    conn.execute("SELECT pg_advisory_unlock(%s, %s)", (_LOCK_NAMESPACE, key))


def claim(
    conn: psycopg.Connection,
    *,
    key: str,
    pack_kind: str,
    tenant_id: str | None,
    period: Period,
    recipient_id: str,
    email: str,
    role: str,
    scope: str,
    content_hash: str,
    message_id: str,
) -> LogEntry:
    """The row of this delivery, inserted as ``pending`` the first time it is seen."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO delivery.pack_deliveries (delivery_key, pack_kind, tenant_id, "
            "period_start, period_end, recipient_id, email, role, scope, content_hash, state, "
            "message_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'pending', %s) "
            "ON CONFLICT (delivery_key) DO NOTHING",
            (
                key,
                pack_kind,
                tenant_id,
                period.start,
                period.end,
                recipient_id,
                email,
                role,
                scope,
                content_hash,
                message_id,
            ),
        )
        row = conn.execute(
            "SELECT state, attempts, message_id FROM delivery.pack_deliveries "
            "WHERE delivery_key = %s",
            (key,),
        ).fetchone()
    assert row is not None
    return LogEntry(key, row[0], row[1], row[2])


def mark(conn: psycopg.Connection, key: str, state: str, error: str | None = None) -> None:
    """Move a delivery to ``state`` (committed at once); ``sending`` counts an attempt."""
    with conn.transaction():
        conn.execute(
            "UPDATE delivery.pack_deliveries SET state = %s, last_error = %s, "
            "attempts = attempts + CASE WHEN %s = 'sending' THEN 1 ELSE 0 END, "
            "sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END, updated_at = now() "
            "WHERE delivery_key = %s",
            (state, error, state, state, key),
        )


def raise_alert(
    conn: psycopg.Connection, period: Period, failed: dict[str, str], message: str
) -> None:
    """Record a delivery alert (failed recipients and their last errors)."""
    with conn.transaction():
        conn.execute(
            "INSERT INTO delivery.delivery_alerts (period_start, period_end, failed, message, "
            "details) VALUES (%s, %s, %s, %s, %s::jsonb)",
            (period.start, period.end, len(failed), message, json.dumps({"failed": failed})),
        )
