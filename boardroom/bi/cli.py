"""``boardroom bi``: create, list and revoke the logins BI tools read the marts with."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from boardroom.bi.connection import bi_endpoint
from boardroom.bi.logins import (
    LoginError,
    add_app_login,
    add_platform_reader,
    add_reader,
    generate_password,
    list_logins,
    revoke,
)
from boardroom.database import DatabaseUnavailable, connect, resolve_urls
from boardroom.settings import ConfigurationError, Settings

bi_app = typer.Typer(
    help="BI logins for the published marts: tenant readers, platform readers, trusted apps.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True)

LoginOption = Annotated[str, typer.Option("--login", help="Name of the new Postgres login.")]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input instead of generating one.",
    ),
]


def _fail(message: str) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=2)


@contextmanager
def _warehouse() -> Iterator[tuple[Settings, psycopg.Connection]]:
    try:
        settings = Settings.from_env()
        conn = connect(resolve_urls(settings).warehouse, autocommit=True)
    except (ConfigurationError, DatabaseUnavailable) as exc:
        _fail(str(exc))
    try:
        yield settings, conn
    except LoginError as exc:
        _fail(str(exc))
    except psycopg.errors.InsufficientPrivilege as exc:
        _fail(
            f"The warehouse role may not do this ({exc.diag.message_primary}). "
            "Managing BI logins needs CREATEROLE and ownership of the marts."
        )
    finally:
        conn.close()


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated?)"""
    if not from_stdin:
        return generate_password(), True
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        _fail("--password-stdin was given but standard input held no password.")
    return password, False


def _created(
    settings: Settings,
    conn: psycopg.Connection,
    login: str,
    password: str,
    generated: bool,
    what: str,
) -> None:
    # URLs and passwords are printed verbatim: no markup, no wrapping, so they copy whole.
    console.print(f"created login [bold]{escape(login)}[/] ({escape(what)})")
    if generated:
        console.print("password (shown once, store it now):", password, markup=False)
    endpoint = bi_endpoint(settings, conn)
    if endpoint is None:
        console.print("connect over TCP to the warehouse's host as this login")
        return
    shown = password if generated else None
    console.print(f"psql:  psql '{endpoint.psql_url(login, shown)}'", markup=False, soft_wrap=True)
    console.print(f"JDBC:  {endpoint.jdbc_url()}  (user {login})", markup=False, soft_wrap=True)


def _add(
    login: str, from_stdin: bool, what: str, create: Callable[[psycopg.Connection, str], None]
) -> None:
    password, generated = _password(from_stdin)
    with _warehouse() as (settings, conn):
        create(conn, password)
        _created(settings, conn, login, password, generated, what)


@bi_app.command("add-reader")
def add_reader_command(
    tenant: Annotated[
        list[str], typer.Option("--tenant", help="Tenant id the login may read (repeatable).")
    ],
    login: LoginOption,
    password_stdin: PasswordStdinOption = False,
) -> None:
    """Create a tenant reader: it sees its tenants' rows in every tenant mart, nothing else."""
    _add(
        login,
        password_stdin,
        f"tenant reader of {', '.join(tenant)}",
        lambda conn, password: add_reader(conn, login, tenant, password),
    )


@bi_app.command("add-platform-reader")
def add_platform_reader_command(
    login: LoginOption, password_stdin: PasswordStdinOption = False
) -> None:
    """Create a login for the platform's executives: platform_overview and metric_catalog."""
    _add(
        login,
        password_stdin,
        "platform reader",
        lambda conn, password: add_platform_reader(conn, login, password),
    )


@bi_app.command("add-app")
def add_app_command(login: LoginOption, password_stdin: PasswordStdinOption = False) -> None:
    """Create a login for a trusted application that assumes one tenant per transaction
    (SELECT access.assume_tenant('t_001') inside BEGIN ... COMMIT)."""
    _add(
        login,
        password_stdin,
        "trusted application",
        lambda conn, password: add_app_login(conn, login, password),
    )


@bi_app.command("list")
def list_command() -> None:
    """Every BI login with what it reads."""
    with _warehouse() as (_settings, conn):
        logins = list_logins(conn)
    table = Table(title="BI logins")
    for column in ("login", "kind", "reads", "can log in"):
        table.add_column(column)
    for entry in logins:
        reads = {
            "tenant": ", ".join(entry.tenants) or "(no tenant: sees nothing)",
            "platform": "platform_overview, metric_catalog",
            "app": "the tenant it assumes per transaction",
        }[entry.kind]
        table.add_row(entry.name, entry.kind, reads, "yes" if entry.can_login else "no")
    console.print(table if logins else "no BI logins yet: see `boardroom bi add-reader --help`")


@bi_app.command("revoke")
def revoke_command(login: LoginOption) -> None:
    """Drop a BI login and its tenant mapping."""
    with _warehouse() as (_settings, conn):
        gone = revoke(conn, login)
    console.print(f"revoked {gone.kind} login {gone.name}")
