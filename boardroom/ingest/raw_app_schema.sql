-- Warehouse mirrors of the operational tables (schema `raw`), one per `app` table, kept by
-- boardroom/ingest/app_tables.py. Same columns and types as boardroom/sources/app_schema.sql,
-- primary keys only (the source enforces the rest), plus `_extracted_at`: the source snapshot
-- time of the extraction that last wrote the row. A row deleted at the source is deleted here.

CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.app_tenants (
    tenant_id text PRIMARY KEY,
    name text,
    plan text,
    mrr numeric,
    locale text,
    timezone text,
    status text,
    created_at timestamptz,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_executive_recipients (
    recipient_id text PRIMARY KEY,
    tenant_id text,
    email text,
    full_name text,
    role text,
    mfa_verified boolean,
    active boolean,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_deals (
    deal_id text PRIMARY KEY,
    tenant_id text,
    name text,
    value numeric(14, 2),
    currency text,
    status text,
    created_at timestamptz,
    closed_at timestamptz,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_approval_requests (
    approval_id text PRIMARY KEY,
    tenant_id text,
    category text,
    priority text,
    status text,
    created_at timestamptz,
    sla_deadline_at timestamptz,
    decided_at timestamptz,
    escalation_level integer,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_integration_sync_states (
    tenant_id text,
    connector text,
    status text,
    last_success_at timestamptz,
    last_error text,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connector)
);

CREATE TABLE IF NOT EXISTS raw.app_compliance_controls (
    tenant_id text,
    control_id text,
    framework text,
    status text,
    checked_at timestamptz,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, control_id)
);

CREATE TABLE IF NOT EXISTS raw.app_consents (
    consent_id text PRIMARY KEY,
    tenant_id text,
    subject_id text,
    purpose text,
    granted boolean,
    recorded_at timestamptz,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_contradictions (
    contradiction_id text PRIMARY KEY,
    tenant_id text,
    severity text,
    status text,
    detected_at timestamptz,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_strategic_deals (
    strategic_deal_id text PRIMARY KEY,
    tenant_id text,
    status text,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_evidence_packs (
    evidence_pack_id text PRIMARY KEY,
    tenant_id text,
    status text,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS raw.app_infra_usage (
    usage_id text PRIMARY KEY,
    tenant_id text,
    provider text,
    service text,
    usage_date date,
    units numeric,
    unit_cost_estimate numeric,
    updated_at timestamptz,
    _extracted_at timestamptz NOT NULL
);

-- Incremental extraction starts from each mirror's newest updated_at.
CREATE INDEX IF NOT EXISTS app_tenants_updated_at_idx ON raw.app_tenants (updated_at);
CREATE INDEX IF NOT EXISTS app_executive_recipients_updated_at_idx
    ON raw.app_executive_recipients (updated_at);
CREATE INDEX IF NOT EXISTS app_deals_updated_at_idx ON raw.app_deals (updated_at);
CREATE INDEX IF NOT EXISTS app_approval_requests_updated_at_idx
    ON raw.app_approval_requests (updated_at);
CREATE INDEX IF NOT EXISTS app_integration_sync_states_updated_at_idx
    ON raw.app_integration_sync_states (updated_at);
CREATE INDEX IF NOT EXISTS app_compliance_controls_updated_at_idx
    ON raw.app_compliance_controls (updated_at);
CREATE INDEX IF NOT EXISTS app_consents_updated_at_idx ON raw.app_consents (updated_at);
CREATE INDEX IF NOT EXISTS app_contradictions_updated_at_idx ON raw.app_contradictions (updated_at);
CREATE INDEX IF NOT EXISTS app_strategic_deals_updated_at_idx
    ON raw.app_strategic_deals (updated_at);
CREATE INDEX IF NOT EXISTS app_evidence_packs_updated_at_idx ON raw.app_evidence_packs (updated_at);
CREATE INDEX IF NOT EXISTS app_infra_usage_updated_at_idx ON raw.app_infra_usage (updated_at);
