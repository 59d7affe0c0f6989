-- PostHog events in the warehouse (schema `raw`): loaded events, quarantined events, the
-- ingestion watermark, and the SQL helpers the loader classifies events with.
-- Idempotent: run at the start of every load (see boardroom/ingest/event_load.py).

CREATE SCHEMA IF NOT EXISTS raw;

-- One row per event uuid: the first copy received (earliest created_at) of every valid event.
CREATE TABLE IF NOT EXISTS raw.posthog_events (
    uuid uuid PRIMARY KEY,
    event text NOT NULL,
    distinct_id text,
    tenant_id text NOT NULL,          -- properties.$groups.tenant, a known raw.app_tenants id
    timestamp timestamptz NOT NULL,   -- the client's event time: what metrics window on
    created_at timestamptz NOT NULL,  -- PostHog's ingestion time: decides which copy wins
    properties jsonb NOT NULL,
    _loaded_at timestamptz NOT NULL   -- when this copy was written (unchanged by re-runs)
);
CREATE INDEX IF NOT EXISTS posthog_events_timestamp_idx ON raw.posthog_events (timestamp);
CREATE INDEX IF NOT EXISTS posthog_events_tenant_timestamp_idx
    ON raw.posthog_events (tenant_id, timestamp);
-- Late data: every incremental dbt run reads the events loaded since the previous run
-- (int_as_of_days); without this it would scan the whole history each day.
CREATE INDEX IF NOT EXISTS posthog_events_loaded_at_idx ON raw.posthog_events (_loaded_at);

-- Events that cannot be counted, with the reason of PRODUCT.md ("Events"): missing_tenant,
-- unknown_tenant, unparseable_timestamp, wrong_type:<property>. Values are kept as received
-- (`properties` holds the JSON text as a JSON string when it is not JSON at all).
CREATE TABLE IF NOT EXISTS raw.posthog_events_quarantine (
    uuid text COLLATE "C" NOT NULL,   -- byte order: fast lookups by uuid
    event text,
    distinct_id text,
    tenant_id text,                   -- the tenant the event names, if any
    raw_timestamp text,
    created_at timestamptz,
    properties jsonb,
    reason text NOT NULL,
    _loaded_at timestamptz NOT NULL,
    PRIMARY KEY (uuid, reason)
);
CREATE INDEX IF NOT EXISTS posthog_events_quarantine_reason_idx
    ON raw.posthog_events_quarantine (reason, tenant_id);

-- Ingestion watermarks: every event PostHog ingested before `watermark` has been loaded.
CREATE TABLE IF NOT EXISTS raw.ingest_state (
    stream text PRIMARY KEY,
    watermark timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    details jsonb
);

-- A timestamp as PostHog's query API returns it, or NULL when it is not one. PostHog renders
-- a DateTime64 as ISO 8601 in UTC ("2026-11-01T10:00:00.123456Z") and returns the client's raw
-- text when it did not parse (ClickHouse's parse...OrZero also yields 1970-01-01 00:00:00,
-- which counts as unparseable too). Only an ISO 8601 date and time ("YYYY-MM-DD" then "T" or
-- a space) that Postgres reads is accepted, so words Postgres would take ('now', 'today',
-- 'infinity', 'epoch') are refused. A value without an offset is read in the session's time
-- zone: the loader's sessions run in UTC. (A cheap prefix test, not a full regex: this runs
-- for every event.)
DO $do$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        CREATE OR REPLACE FUNCTION raw.posthog_timestamp(value text) RETURNS timestamptz
        LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN value ~ '^\d{4}-\d\d-\d\d[T ]'
                     AND pg_input_is_valid(value, 'timestamptz')
                THEN nullif(value::timestamptz, 'epoch'::timestamptz)
            END
        $fn$;
    ELSE
        CREATE OR REPLACE FUNCTION raw.posthog_timestamp(value text) RETURNS timestamptz
        LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
        DECLARE
            parsed timestamptz;
        BEGIN
            IF value !~ '^\d{4}-\d\d-\d\d[T ]' THEN
                RETURN NULL;
            END IF;
            BEGIN
                parsed := value::timestamptz;
            EXCEPTION WHEN others THEN
                RETURN NULL;
            END;
            RETURN NULLIF(parsed, 'epoch'::timestamptz);
        END
        $fn$;
    END IF;
END
$do$;

-- Text as jsonb, or NULL when it is not JSON (the slow path: the loader first tries a plain
-- cast for a whole page and only falls back to this when some row is not JSON). jsonb cannot
-- hold the character U+0000, valid as "\u0000" in JSON: it becomes U+FFFD.
DO $do$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        CREATE OR REPLACE FUNCTION raw.posthog_jsonb(value text) RETURNS jsonb
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
            SELECT CASE
                WHEN pg_input_is_valid(value, 'jsonb') THEN value::jsonb
                WHEN pg_input_is_valid(replace(value, '\u0000', '\ufffd'), 'jsonb')
                THEN replace(value, '\u0000', '\ufffd')::jsonb
            END
        $fn$;
    ELSE
        CREATE OR REPLACE FUNCTION raw.posthog_jsonb(value text) RETURNS jsonb
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
        BEGIN
            RETURN replace(value, '\u0000', '\ufffd')::jsonb;
        EXCEPTION WHEN others THEN
            RETURN NULL;
        END
        $fn$;
    END IF;
END
$do$;

-- The tenant an event names: properties.$groups.tenant when it is a non-empty string (or a
-- number, as PostHog's group keys may be), else NULL.
CREATE OR REPLACE FUNCTION raw.posthog_tenant(properties jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE
        WHEN jsonb_typeof(properties -> '$groups' -> 'tenant') IN ('string', 'number')
        THEN NULLIF(properties -> '$groups' ->> 'tenant', '')
    END
$fn$;

-- The first catalogue property (PRODUCT.md, "Sources" 1) that is missing or of the wrong JSON
-- type, as 'wrong_type:<property>', or NULL when the event is fine or not in the catalogue.
-- Numbers: amount, latency_ms. Integer (a JSON number without fraction): status_code.
-- Strings: every id and name (message_id, otp_id, invoice_id, endpoint), channel, currency,
-- bounce_type, failure_code.
CREATE OR REPLACE FUNCTION raw.posthog_wrong_type(event text, p jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE
        WHEN event IN ('message_sent', 'message_delivered', 'message_bounced', 'message_complaint')
        THEN CASE
            WHEN jsonb_typeof(p -> 'message_id') IS DISTINCT FROM 'string' THEN 'wrong_type:message_id'
            WHEN jsonb_typeof(p -> 'channel') IS DISTINCT FROM 'string' THEN 'wrong_type:channel'
            WHEN event = 'message_bounced'
                 AND jsonb_typeof(p -> 'bounce_type') IS DISTINCT FROM 'string'
                THEN 'wrong_type:bounce_type'
        END
        WHEN event IN ('otp_sent', 'otp_verified')
        THEN CASE
            WHEN jsonb_typeof(p -> 'otp_id') IS DISTINCT FROM 'string' THEN 'wrong_type:otp_id'
            WHEN jsonb_typeof(p -> 'channel') IS DISTINCT FROM 'string' THEN 'wrong_type:channel'
        END
        WHEN event IN ('payment_succeeded', 'payment_failed')
        THEN CASE
            WHEN jsonb_typeof(p -> 'invoice_id') IS DISTINCT FROM 'string' THEN 'wrong_type:invoice_id'
            WHEN jsonb_typeof(p -> 'amount') IS DISTINCT FROM 'number' THEN 'wrong_type:amount'
            WHEN jsonb_typeof(p -> 'currency') IS DISTINCT FROM 'string' THEN 'wrong_type:currency'
            WHEN event = 'payment_failed'
                 AND jsonb_typeof(p -> 'failure_code') IS DISTINCT FROM 'string'
                THEN 'wrong_type:failure_code'
        END
        WHEN event = 'api_request'
        THEN CASE
            WHEN jsonb_typeof(p -> 'endpoint') IS DISTINCT FROM 'string' THEN 'wrong_type:endpoint'
            WHEN jsonb_typeof(p -> 'status_code') IS DISTINCT FROM 'number'
                 OR (p ->> 'status_code') !~ '^-?\d+$'
                THEN 'wrong_type:status_code'
            WHEN jsonb_typeof(p -> 'latency_ms') IS DISTINCT FROM 'number' THEN 'wrong_type:latency_ms'
        END
    END
$fn$;
