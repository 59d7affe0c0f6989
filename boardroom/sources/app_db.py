"""The operational source contract (schema ``app``), applied from ``app_schema.sql``."""

from __future__ import annotations

from importlib.resources import files

import psycopg

APP_TABLES = (
    "tenants",
    "executive_recipients",
    "deals",
    "approval_requests",
    "integration_sync_states",
    "compliance_controls",
    "consents",
    "contradictions",
    "strategic_deals",
    "evidence_packs",
    "infra_usage",
)


def schema_sql() -> str:
    """The DDL of the ``app`` schema: the readable contract users point Boardroom at."""
    return files("boardroom.sources").joinpath("app_schema.sql").read_text(encoding="utf-8")


def create_app_schema(conn: psycopg.Connection) -> None:
    """Create schema ``app`` and its tables if they do not exist (idempotent)."""
    conn.execute(schema_sql())
