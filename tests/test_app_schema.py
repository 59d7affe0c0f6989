"""The ``app`` schema, introspected from a real database, matches PRODUCT.md's contract."""

from __future__ import annotations

import psycopg
import pytest

from boardroom.sources.app_db import APP_TABLES, create_app_schema

# PRODUCT.md, "Sources" 2: table -> {column: type}; every table also has updated_at.
CONTRACT: dict[str, dict[str, str]] = {
    "tenants": {
        "tenant_id": "text",
        "name": "text",
        "plan": "text",
        "mrr": "numeric",
        "locale": "text",
        "timezone": "text",
        "status": "text",
        "created_at": "timestamp with time zone",
    },
    "executive_recipients": {
        "recipient_id": "text",
        "tenant_id": "text",
        "email": "text",
        "full_name": "text",
        "role": "text",
        "mfa_verified": "boolean",
        "active": "boolean",
    },
    "deals": {
        "deal_id": "text",
        "tenant_id": "text",
        "name": "text",
        "value": "numeric(14,2)",
        "currency": "text",
        "status": "text",
        "created_at": "timestamp with time zone",
        "closed_at": "timestamp with time zone",
    },
    "approval_requests": {
        "approval_id": "text",
        "tenant_id": "text",
        "category": "text",
        "priority": "text",
        "status": "text",
        "created_at": "timestamp with time zone",
        "sla_deadline_at": "timestamp with time zone",
        "decided_at": "timestamp with time zone",
        "escalation_level": "integer",
    },
    "integration_sync_states": {
        "tenant_id": "text",
        "connector": "text",
        "status": "text",
        "last_success_at": "timestamp with time zone",
        "last_error": "text",
    },
    "compliance_controls": {
        "tenant_id": "text",
        "control_id": "text",
        "framework": "text",
        "status": "text",
        "checked_at": "timestamp with time zone",
    },
    "consents": {
        "consent_id": "text",
        "tenant_id": "text",
        "subject_id": "text",
        "purpose": "text",
        "granted": "boolean",
        "recorded_at": "timestamp with time zone",
    },
    "contradictions": {
        "contradiction_id": "text",
        "tenant_id": "text",
        "severity": "text",
        "status": "text",
        "detected_at": "timestamp with time zone",
    },
    "strategic_deals": {"strategic_deal_id": "text", "tenant_id": "text", "status": "text"},
    "evidence_packs": {"evidence_pack_id": "text", "tenant_id": "text", "status": "text"},
    "infra_usage": {
        "usage_id": "text",
        "tenant_id": "text",
        "provider": "text",
        "service": "text",
        "usage_date": "date",
        "units": "numeric",
        "unit_cost_estimate": "numeric",
    },
}

PRIMARY_KEYS = {
    "tenants": ["tenant_id"],
    "executive_recipients": ["recipient_id"],
    "deals": ["deal_id"],
    "approval_requests": ["approval_id"],
    "integration_sync_states": ["tenant_id", "connector"],
    "compliance_controls": ["tenant_id", "control_id"],
    "consents": ["consent_id"],
    "contradictions": ["contradiction_id"],
    "strategic_deals": ["strategic_deal_id"],
    "evidence_packs": ["evidence_pack_id"],
    "infra_usage": ["usage_id"],
}

# (table, column) -> every allowed value; anything else must be refused by a CHECK.
ENUMS = {
    ("tenants", "plan"): ["starter", "growth", "enterprise"],
    ("tenants", "locale"): ["en", "ar"],
    ("tenants", "status"): ["active", "suspended", "churned"],
    ("executive_recipients", "role"): ["ceo", "cfo", "coo", "cto", "executive_assistant"],
    ("deals", "status"): ["open", "negotiating", "won", "lost"],
    ("approval_requests", "category"): ["deal", "message", "integration", "billing", "compliance"],
    ("approval_requests", "priority"): ["critical", "high", "normal", "low"],
    ("approval_requests", "status"): ["pending", "approved", "rejected", "expired"],
    ("integration_sync_states", "connector"): [
        "whatsapp",
        "stripe",
        "hubspot",
        "salesforce",
        "smtp",
    ],
    ("integration_sync_states", "status"): ["healthy", "degraded", "failing", "disconnected"],
    ("compliance_controls", "framework"): ["PDPL", "NCA-ECC"],
    ("compliance_controls", "status"): ["passing", "failing", "not_assessed"],
    ("contradictions", "severity"): ["low", "medium", "high"],
    ("contradictions", "status"): ["detected", "reviewing", "resolved"],
    ("strategic_deals", "status"): ["active", "paused", "closed"],
    ("evidence_packs", "status"): ["draft", "ready", "exported"],
}

NULLABLE = {
    ("tenants", "mrr"),
    ("executive_recipients", "tenant_id"),
    ("deals", "closed_at"),
    ("approval_requests", "decided_at"),
    ("integration_sync_states", "last_success_at"),
    ("integration_sync_states", "last_error"),
    ("compliance_controls", "checked_at"),
}


@pytest.fixture
def app_conn(app_db_url: str):
    with psycopg.connect(app_db_url) as conn:
        yield conn


def test_every_table_and_column_matches_the_contract(app_conn):
    rows = app_conn.execute(
        """
        SELECT c.table_name, c.column_name,
               format_type(a.atttypid, a.atttypmod), c.is_nullable = 'YES'
        FROM information_schema.columns c
        JOIN pg_attribute a
          ON a.attrelid = format('app.%I', c.table_name)::regclass AND a.attname = c.column_name
        WHERE c.table_schema = 'app'
        """
    ).fetchall()
    found: dict[str, dict[str, str]] = {}
    nullable = set()
    for table, column, data_type, is_nullable in rows:
        found.setdefault(table, {})[column] = data_type
        if is_nullable:
            nullable.add((table, column))
    assert set(found) == set(CONTRACT) == set(APP_TABLES)
    for table, columns in CONTRACT.items():
        assert found[table] == {**columns, "updated_at": "timestamp with time zone"}, table
    assert nullable == NULLABLE


def test_primary_keys(app_conn):
    rows = app_conn.execute(
        """
        SELECT tc.table_name, array_agg(k.column_name::text ORDER BY k.ordinal_position)
        FROM information_schema.table_constraints tc
        JOIN information_schema.key_column_usage k
          ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
        WHERE tc.table_schema = 'app' AND tc.constraint_type = 'PRIMARY KEY'
        GROUP BY tc.table_name
        """
    ).fetchall()
    assert dict(rows) == PRIMARY_KEYS


def test_every_tenant_scoped_table_references_tenants(app_conn):
    rows = app_conn.execute(
        """
        SELECT conrelid::regclass::text, confrelid::regclass::text
        FROM pg_constraint WHERE contype = 'f' AND connamespace = 'app'::regnamespace
        """
    ).fetchall()
    referencing = {child.removeprefix("app.") for child, parent in rows if parent == "app.tenants"}
    assert referencing == set(APP_TABLES) - {"tenants"}


@pytest.mark.parametrize(("table_column", "allowed"), list(ENUMS.items()))
def test_enumerated_values_are_checked(app_conn, table_column, allowed):
    table, column = table_column
    row = app_conn.execute(
        """
        SELECT pg_get_constraintdef(oid) FROM pg_constraint
        WHERE contype = 'c' AND conrelid = format('app.%%I', %s::text)::regclass
          AND pg_get_constraintdef(oid) LIKE %s
        """,
        (table, f"%({column} %"),
    ).fetchone()
    assert row is not None, f"no CHECK on app.{table}.{column}"
    definition = row[0]
    for value in allowed:
        assert f"'{value}'::text" in definition
    assert definition.count("'::text") == len(allowed)


def test_a_value_outside_the_contract_is_refused(app_conn):
    with pytest.raises(psycopg.errors.CheckViolation):
        app_conn.execute(
            "INSERT INTO app.tenants VALUES ('t1', 'Acme', 'platinum', 10, 'en', 'UTC', "
            "'active', now(), now())"
        )


def test_schema_file_is_idempotent(app_conn):
    create_app_schema(app_conn)
    create_app_schema(app_conn)
    count = app_conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'app'"
    ).fetchone()[0]
    assert count == len(APP_TABLES)
