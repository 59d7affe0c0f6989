-- Reader roles of the published marts (cluster-wide, created once; NOLOGIN group roles).
-- Applied by boardroom.gate.security.ensure_roles; a publisher without CREATEROLE skips this
-- and expects the roles to exist (deploy creates them as a superuser).
--
-- boardroom_bi_reader        tenant readers: each login sees the tenants mapped to it in
--                            access.reader_tenants, nothing else
-- boardroom_platform_reader  the platform's own executives: platform_overview, metric_catalog
-- boardroom_tenant_app       a trusted application serving many tenants through one pool: its
--                            logins assume one tenant per transaction (access.assume_tenant)
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'boardroom_bi_reader') THEN
        CREATE ROLE boardroom_bi_reader NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'boardroom_platform_reader') THEN
        CREATE ROLE boardroom_platform_reader NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'boardroom_tenant_app') THEN
        CREATE ROLE boardroom_tenant_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
END
$roles$;
