-- Boardroom operational source contract: schema `app`.
--
-- This is what Boardroom reads from the SaaS application's operational database
-- (read-only). Point BOARDROOM_APP_DATABASE_URL at a database that has these tables,
-- names and types; the embedded demo creates them from this very file.
-- Every table carries `updated_at timestamptz`, used for incremental extraction.
-- Ids are text. Enumerated values are enforced with CHECK constraints.

CREATE SCHEMA IF NOT EXISTS app;

CREATE TABLE IF NOT EXISTS app.tenants (
    tenant_id   text PRIMARY KEY,
    name        text NOT NULL,
    plan        text NOT NULL CHECK (plan IN ('starter', 'growth', 'enterprise')),
    mrr         numeric,
    locale      text NOT NULL CHECK (locale IN ('en', 'ar')),
    timezone    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('active', 'suspended', 'churned')),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- tenant_id NULL marks a platform executive (receives the platform pack).
CREATE TABLE IF NOT EXISTS app.executive_recipients (
    recipient_id  text PRIMARY KEY,
    tenant_id     text REFERENCES app.tenants (tenant_id),
    email         text NOT NULL,
    full_name     text NOT NULL,
    role          text NOT NULL
                  CHECK (role IN ('ceo', 'cfo', 'coo', 'cto', 'executive_assistant')),
    mfa_verified  boolean NOT NULL,
    active        boolean NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.deals (
    deal_id     text PRIMARY KEY,
    tenant_id   text NOT NULL REFERENCES app.tenants (tenant_id),
    name        text NOT NULL,
    value       numeric(14, 2) NOT NULL,
    currency    text NOT NULL,
    status      text NOT NULL CHECK (status IN ('open', 'negotiating', 'won', 'lost')),
    created_at  timestamptz NOT NULL,
    closed_at   timestamptz,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.approval_requests (
    approval_id       text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES app.tenants (tenant_id),
    category          text NOT NULL
                      CHECK (category IN (
                          'deal', 'message', 'integration', 'billing', 'compliance'
                      )),
    priority          text NOT NULL CHECK (priority IN ('critical', 'high', 'normal', 'low')),
    status            text NOT NULL
                      CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
    created_at        timestamptz NOT NULL,
    sla_deadline_at   timestamptz NOT NULL,
    decided_at        timestamptz,
    escalation_level  integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.integration_sync_states (
    tenant_id        text NOT NULL REFERENCES app.tenants (tenant_id),
    connector        text NOT NULL
                     CHECK (connector IN ('whatsapp', 'stripe', 'hubspot', 'salesforce', 'smtp')),
    status           text NOT NULL
                     CHECK (status IN ('healthy', 'degraded', 'failing', 'disconnected')),
    last_success_at  timestamptz,
    last_error       text,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connector)
);

CREATE TABLE IF NOT EXISTS app.compliance_controls (
    tenant_id   text NOT NULL REFERENCES app.tenants (tenant_id),
    control_id  text NOT NULL,  -- e.g. PDPL-C01, NCA-ECC-2-1
    framework   text NOT NULL CHECK (framework IN ('PDPL', 'NCA-ECC')),
    status      text NOT NULL CHECK (status IN ('passing', 'failing', 'not_assessed')),
    checked_at  timestamptz,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, control_id)
);

CREATE TABLE IF NOT EXISTS app.consents (
    consent_id   text PRIMARY KEY,
    tenant_id    text NOT NULL REFERENCES app.tenants (tenant_id),
    subject_id   text NOT NULL,
    purpose      text NOT NULL,
    granted      boolean NOT NULL,
    recorded_at  timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.contradictions (
    contradiction_id  text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES app.tenants (tenant_id),
    severity          text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    status            text NOT NULL CHECK (status IN ('detected', 'reviewing', 'resolved')),
    detected_at       timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.strategic_deals (
    strategic_deal_id  text PRIMARY KEY,
    tenant_id          text NOT NULL REFERENCES app.tenants (tenant_id),
    status             text NOT NULL CHECK (status IN ('active', 'paused', 'closed')),
    updated_at         timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.evidence_packs (
    evidence_pack_id  text PRIMARY KEY,
    tenant_id         text NOT NULL REFERENCES app.tenants (tenant_id),
    status            text NOT NULL CHECK (status IN ('draft', 'ready', 'exported')),
    updated_at        timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS app.infra_usage (
    usage_id            text PRIMARY KEY,
    tenant_id           text NOT NULL REFERENCES app.tenants (tenant_id),
    provider            text NOT NULL,
    service             text NOT NULL,
    usage_date          date NOT NULL,
    units               numeric NOT NULL,
    unit_cost_estimate  numeric NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- Indexes that incremental extraction (by updated_at) relies on.
CREATE INDEX IF NOT EXISTS tenants_updated_at_idx ON app.tenants (updated_at);
CREATE INDEX IF NOT EXISTS executive_recipients_updated_at_idx
    ON app.executive_recipients (updated_at);
CREATE INDEX IF NOT EXISTS deals_updated_at_idx ON app.deals (updated_at);
CREATE INDEX IF NOT EXISTS approval_requests_updated_at_idx ON app.approval_requests (updated_at);
CREATE INDEX IF NOT EXISTS integration_sync_states_updated_at_idx
    ON app.integration_sync_states (updated_at);
CREATE INDEX IF NOT EXISTS compliance_controls_updated_at_idx
    ON app.compliance_controls (updated_at);
CREATE INDEX IF NOT EXISTS consents_updated_at_idx ON app.consents (updated_at);
CREATE INDEX IF NOT EXISTS contradictions_updated_at_idx ON app.contradictions (updated_at);
CREATE INDEX IF NOT EXISTS strategic_deals_updated_at_idx ON app.strategic_deals (updated_at);
CREATE INDEX IF NOT EXISTS evidence_packs_updated_at_idx ON app.evidence_packs (updated_at);
CREATE INDEX IF NOT EXISTS infra_usage_updated_at_idx ON app.infra_usage (updated_at);
