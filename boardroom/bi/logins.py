"""BI logins of the warehouse: tenant readers, platform readers and trusted applications.

A login is a Postgres role with a password, member of one of the group roles of
:mod:`boardroom.gate.security`. A tenant reader is also a member of its tenants' roles
(``boardroom_tenant_<hash>``), which is all row-level security looks at: nothing the login
runs can widen it.

Passwords never travel or get logged in clear: the SCRAM-SHA-256 verifier is computed by
libpq on this side (``PQencryptPasswordConn``) and only the verifier is sent.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

import psycopg
from psycopg import sql

from boardroom.gate.evaluate import known_tenants
from boardroom.gate.security import (
    BI_READER,
    GROUP_ROLES,
    PLATFORM_READER,
    TENANT_APP,
    TENANT_ROLE_PREFIX,
    apply_security,
    ensure_tenant_role,
)

log = logging.getLogger(__name__)

#: What a login is for, by the group role it is a member of.
KINDS = {BI_READER: "tenant", PLATFORM_READER: "platform", TENANT_APP: "app"}

#: Login names Boardroom creates: plain, unquoted-safe identifiers, as BI tools expect.
LOGIN_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class LoginError(ValueError):
    """A BI login request cannot be carried out; the message says why and what to do."""


@dataclass(frozen=True)
class Login:
    name: str
    kind: str
    tenants: tuple[str, ...]
    can_login: bool


def generate_password() -> str:
    """A random password (24 URL-safe characters, about 143 bits)."""
    return secrets.token_urlsafe(18)


def _check_name(conn: psycopg.Connection, login: str) -> None:
    if not LOGIN_PATTERN.match(login) or login.startswith("pg_"):
        raise LoginError(
            f"{login!r} is not a usable login name: use 1-63 lower-case letters, digits and "
            "underscores, starting with a letter or underscore (not pg_)."
        )
    if login in GROUP_ROLES or login.startswith(TENANT_ROLE_PREFIX):
        raise LoginError(f"{login!r} is one of Boardroom's group roles, not a login.")
    if conn.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", (login,)).fetchone():
        raise LoginError(
            f"The login {login!r} already exists. Choose another name, or remove it first "
            f"with `boardroom bi revoke --login {login}`."
        )


def _check_tenants(conn: psycopg.Connection, tenants: list[str]) -> None:
    if not tenants:
        raise LoginError("Name at least one tenant with --tenant.")
    known = set(known_tenants(conn))
    unknown = [t for t in tenants if t not in known]
    if unknown:
        shown = ", ".join(sorted(known)[:10]) + (" ..." if len(known) > 10 else "")
        raise LoginError(
            f"Unknown tenant {', '.join(repr(t) for t in unknown)}: the warehouse knows "
            f"{len(known)} tenant(s){': ' + shown if known else ''}. Tenants come from the "
            "app database's tenants table after ingestion (`boardroom run`)."
        )


def _create_login(conn: psycopg.Connection, login: str, password: str, group: str) -> None:
    if not password:
        raise LoginError("The password is empty.")
    verifier = conn.pgconn.encrypt_password(
        password.encode(), login.encode(), b"scram-sha-256"
    ).decode()
    conn.execute(
        sql.SQL(
            "CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS PASSWORD {} IN ROLE {}"
        ).format(sql.Identifier(login), sql.Literal(verifier), sql.Identifier(group))
    )


def _prepare(conn: psycopg.Connection) -> None:
    """Group roles, the access schema and the marts' security, before any login is made."""
    apply_security(conn)
    if conn.execute("SELECT to_regclass('access.tenant_roles')").fetchone()[0] is None:
        raise LoginError(
            "The warehouse has no access schema: the connected role cannot create the group "
            "roles (CREATEROLE). Run boardroom/gate/security.sql as a superuser first."
        )


def add_reader(conn: psycopg.Connection, login: str, tenants: list[str], password: str) -> None:
    """Create a tenant reader that sees ``tenants`` (and nothing else) in every tenant mart."""
    _prepare(conn)
    with conn.transaction():
        _check_name(conn, login)
        _check_tenants(conn, tenants)
        _create_login(conn, login, password, BI_READER)
        for tenant in dict.fromkeys(tenants):
            conn.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(ensure_tenant_role(conn, tenant)), sql.Identifier(login)
                )
            )


def add_platform_reader(conn: psycopg.Connection, login: str, password: str) -> None:
    """Create a login for the platform's own executives (``platform_overview``, catalogue)."""
    _prepare(conn)
    with conn.transaction():
        _check_name(conn, login)
        _create_login(conn, login, password, PLATFORM_READER)


def add_app_login(conn: psycopg.Connection, login: str, password: str) -> None:
    """Create a login for a trusted application that assumes a tenant per transaction."""
    _prepare(conn)
    with conn.transaction():
        _check_name(conn, login)
        _create_login(conn, login, password, TENANT_APP)


def _tenants_by_login(conn: psycopg.Connection) -> dict[str, list[str]]:
    if conn.execute("SELECT to_regclass('access.tenant_roles')").fetchone()[0] is None:
        return {}
    mapping: dict[str, list[str]] = {}
    for login, tenant in conn.execute(
        "SELECT m.rolname, t.tenant_id FROM access.tenant_roles t "
        "JOIN pg_catalog.pg_roles g ON g.rolname = t.role_name "
        "JOIN pg_catalog.pg_auth_members a ON a.roleid = g.oid "
        "JOIN pg_catalog.pg_roles m ON m.oid = a.member ORDER BY 1, 2"
    ):
        mapping.setdefault(login, []).append(tenant)
    return mapping


def list_logins(conn: psycopg.Connection) -> list[Login]:
    """Every login that is a member of a Boardroom group role, with its tenants."""
    mapping = _tenants_by_login(conn)
    rows = conn.execute(
        "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_catalog.pg_auth_members a "
        "JOIN pg_catalog.pg_roles g ON g.oid = a.roleid "
        "JOIN pg_catalog.pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(%s) ORDER BY 1, 2",
        (list(GROUP_ROLES),),
    ).fetchall()
    return [
        Login(name, KINDS[group], tuple(mapping.get(name, ())), can_login)
        for name, group, can_login in rows
    ]


def revoke(conn: psycopg.Connection, login: str) -> Login:
    """Drop a Boardroom login (and with it its tenant memberships); other roles are refused."""
    found = [entry for entry in list_logins(conn) if entry.name == login]
    if not found:
        raise LoginError(
            f"{login!r} is not a Boardroom BI login (see `boardroom bi list`); nothing changed."
        )
    role = sql.Identifier(login)
    with conn.transaction():
        conn.execute(sql.SQL("ALTER ROLE {} NOLOGIN").format(role))
    _end_sessions(conn, login)
    conn.execute(sql.SQL("DROP ROLE {}").format(role))
    return found[0]


def _end_sessions(conn: psycopg.Connection, login: str) -> None:
    """End the login's open sessions: Postgres keeps a session running after its role is
    dropped, and a BI tool's pool would go on reading with it."""
    try:
        conn.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_catalog.pg_stat_activity "
            "WHERE usename = %s AND pid <> pg_backend_pid()",
            (login,),
        )
    except psycopg.errors.InsufficientPrivilege:
        log.warning(
            "Could not end the open sessions of %s (needs superuser or pg_signal_backend); "
            "they end when their clients disconnect.",
            login,
        )
