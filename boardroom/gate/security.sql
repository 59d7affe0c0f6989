-- Reader roles of the published marts (cluster-wide, created once; NOLOGIN group roles).
-- Applied by boardroom.gate.security.ensure_roles; a publisher without CREATEROLE skips this
-- and expects the roles to exist (deploy creates them as a superuser).
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'boardroom_bi_reader') THEN
        CREATE ROLE boardroom_bi_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'boardroom_platform_reader') THEN
        CREATE ROLE boardroom_platform_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
    END IF;
END
$roles$;
