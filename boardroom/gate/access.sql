-- Who may read which tenant, per warehouse database. Applied by
-- boardroom.gate.security.apply_security (idempotent) as the publishing role, which owns it all.
--
-- Every tenant that has BI readers gets a NOLOGIN group role, boardroom_tenant_<hash> (a hash,
-- so pg_roles names no tenant), registered in access.tenant_roles. A reader login is a member
-- of boardroom_bi_reader (SELECT on the marts) and of its tenants' roles. Each tenant table has
-- one policy per tenant role:
--     CREATE POLICY boardroom_tenant_<hash> ... TO boardroom_tenant_<hash>
--         USING (tenant_id = access.tenant_of_role('boardroom_tenant_<hash>'))
-- access.tenant_of_role is IMMUTABLE, so the planner folds it into a constant: the policy is
-- `tenant_id = 't_001'`, which the planner combines with the reader's own conditions (an index
-- condition, or "One-Time Filter: false" for another tenant's id). EXPLAIN ANALYZE therefore
-- never counts rows of another tenant. No setting takes part, so SET, set_config, RESET,
-- SET ROLE and row_security widen nothing.
CREATE SCHEMA IF NOT EXISTS access;
REVOKE ALL ON SCHEMA access FROM PUBLIC;
COMMENT ON SCHEMA access IS
    'Boardroom tenant roles and the functions row-level security calls. '
    'Readers have no access; manage it with `boardroom bi`.';

CREATE TABLE IF NOT EXISTS access.tenant_roles (
    role_name  name PRIMARY KEY,
    tenant_id  text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON access.tenant_roles FROM PUBLIC;
COMMENT ON TABLE access.tenant_roles IS
    'One NOLOGIN group role per tenant with BI readers; membership grants that tenant''s rows.';

-- The tenant of a tenant role, for a session that is a member of it (NULL otherwise, so the
-- function tells nobody else which tenant a role stands for). A role's tenant never changes,
-- which is what makes IMMUTABLE true in practice and lets the planner fold it.
CREATE OR REPLACE FUNCTION access.tenant_of_role(role text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role)
       OR NOT pg_has_role(session_user, role, 'MEMBER') THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT t.tenant_id FROM access.tenant_roles AS t WHERE t.role_name = role::name);
END
$fn$;
REVOKE ALL ON FUNCTION access.tenant_of_role(text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION access.transaction_stamp()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$ SELECT (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text $fn$;
REVOKE ALL ON FUNCTION access.transaction_stamp() FROM PUBLIC;

-- The trusted application's door: scope the current transaction to one tenant. Only members
-- of boardroom_tenant_app may call it; the scope ends with the transaction, so a pooled
-- connection never carries one tenant into another's query.
CREATE OR REPLACE FUNCTION access.assume_tenant(tenant text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF NOT pg_has_role(session_user, 'boardroom_tenant_app', 'MEMBER') THEN
        RAISE EXCEPTION 'only members of boardroom_tenant_app may assume a tenant'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF tenant IS NULL OR tenant = '' THEN
        RAISE EXCEPTION 'assume_tenant needs a tenant id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('boardroom.assumed_tenant', access.transaction_stamp() || ':' || tenant, true);
    RETURN tenant;
END
$fn$;
REVOKE ALL ON FUNCTION access.assume_tenant(text) FROM PUBLIC;

-- The tenant assumed in this transaction, for members of boardroom_tenant_app; NULL otherwise
-- (a copy of the setting made by anyone else, or kept past its transaction, is worthless).
CREATE OR REPLACE FUNCTION access.assumed_tenant()
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    scope text := current_setting('boardroom.assumed_tenant', true);
    sep integer := strpos(coalesce(scope, ''), ':');
BEGIN
    IF sep > 1 AND pg_has_role(session_user, 'boardroom_tenant_app', 'MEMBER')
       AND left(scope, sep - 1) = access.transaction_stamp() THEN
        RETURN substr(scope, sep + 1);
    END IF;
    RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION access.assumed_tenant() FROM PUBLIC;
