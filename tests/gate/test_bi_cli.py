"""`boardroom bi` as an administrator uses it, then psql as the BI user with the printed URL.

Every read goes through Debian's ``psql`` over TCP with the password the command printed
(or was given), the way the README tells a new user to connect.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from typer.testing import CliRunner

from boardroom.cli.main import app
from boardroom.gate import publish_tenants
from tests.gate.conftest import MAX_DATE, MIN_DATE

runner = CliRunner()
PSQL_LINE = re.compile(r"psql '(postgresql://[^']+)'")
TENANT, OTHER_TENANT = "t_001", "t_o'brien"


@pytest.fixture(scope="module")
def warehouse(module_clone, pg_admin_url):
    url = module_clone()
    publish_tenants(url, MIN_DATE, MAX_DATE, run_id="bi-cli")
    made: list[str] = []
    yield url, made
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for login in made:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))


def bi(warehouse, *args: str, stdin: str | None = None):
    url, _made = warehouse
    # Every database named, so no embedded server is started for the command.
    env = {
        "BOARDROOM_WAREHOUSE_URL": url,
        "BOARDROOM_APP_DATABASE_URL": url,
        "BOARDROOM_DAGSTER_DATABASE_URL": url,
    }
    return runner.invoke(app, ["bi", *args], env=env, input=stdin)


def new_login(warehouse) -> str:
    login = f"bi_cli_{uuid.uuid4().hex[:8]}"
    warehouse[1].append(login)
    return login


def psql(url: str, query: str) -> subprocess.CompletedProcess:
    executable = shutil.which("psql")
    assert executable, "psql (Debian's postgresql-client) is needed: scripts/install-system-deps.sh"
    return subprocess.run(
        [executable, url, "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
    )


def printed_url(output: str) -> str:
    match = PSQL_LINE.search(output)
    assert match, output
    return match.group(1)


def test_add_reader_prints_a_url_that_reads_only_its_tenant(warehouse) -> None:
    login = new_login(warehouse)
    result = bi(warehouse, "add-reader", "--tenant", TENANT, "--login", login)
    assert result.exit_code == 0, result.output
    assert "password (shown once" in result.output
    url = printed_url(result.output)
    assert url.startswith(f"postgresql://{login}:") and "***" not in url

    seen = psql(url, "SELECT DISTINCT tenant_id FROM marts.exec_overview")
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.split() == [TENANT]
    forged = psql(
        url,
        f"SET boardroom.tenant_id = 't_o''brien'; SELECT count(*) FROM marts.exec_overview "
        f"WHERE tenant_id <> '{TENANT}'",
    )
    assert forged.returncode == 0, forged.stderr
    assert forged.stdout.split() == ["SET", "0"]
    denied = psql(url, "SELECT count(*) FROM marts.platform_overview")
    assert denied.returncode != 0 and "permission denied" in denied.stderr


def test_a_password_from_stdin_is_used_and_not_printed(warehouse) -> None:
    login = new_login(warehouse)
    password = "correct horse [battery] staple"
    result = bi(
        warehouse, "add-reader", "--tenant", OTHER_TENANT, "--login", login,
        "--password-stdin", stdin=password + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert password not in result.output
    url = printed_url(result.output)
    assert url.startswith(f"postgresql://{login}:***@")  # a password it did not make stays out
    host_part = url.split("@", 1)[1]
    seen = psql(
        f"postgresql://{login}:{quote(password, safe='')}@{host_part}",
        "SELECT DISTINCT tenant_id FROM marts.tenant_summary",
    )
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.split("\n")[0] == OTHER_TENANT
    wrong = psql(f"postgresql://{login}:nope@{host_part}", "SELECT 1")
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_platform_reader_reads_the_platform_overview_only(warehouse) -> None:
    login = new_login(warehouse)
    result = bi(warehouse, "add-platform-reader", "--login", login)
    assert result.exit_code == 0, result.output
    url = printed_url(result.output)
    days = psql(url, "SELECT count(*) FROM marts.platform_overview")
    assert days.returncode == 0, days.stderr
    assert int(days.stdout) == (MAX_DATE - MIN_DATE).days + 1
    denied = psql(url, "SELECT count(*) FROM marts.exec_overview")
    assert denied.returncode != 0 and "permission denied" in denied.stderr


def _role_exists(warehouse, login: str) -> bool:
    with psycopg.connect(warehouse[0]) as conn:
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
    return found is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add-reader", "--tenant", "t_999"], "Unknown tenant 't_999'"),
        (["add-reader", "--tenant", TENANT, "--tenant", "t_nope"], "Unknown tenant 't_nope'"),
    ],
)
def test_an_unknown_tenant_is_refused_and_nothing_is_made(warehouse, args, message) -> None:
    login = new_login(warehouse)
    result = bi(warehouse, *args, "--login", login)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not _role_exists(warehouse, login)


@pytest.mark.parametrize("login", ["Robert'); DROP TABLE marts.alerts;--", "pg_evil", "1abc"])
def test_an_unusable_login_name_is_refused(warehouse, login) -> None:
    result = bi(warehouse, "add-reader", "--tenant", TENANT, "--login", login)
    assert result.exit_code == 2
    assert "not a usable login name" in result.output
    with psycopg.connect(warehouse[0]) as conn:
        assert conn.execute("SELECT to_regclass('marts.alerts')").fetchone()[0] is not None


def test_an_existing_login_is_refused(warehouse) -> None:
    login = new_login(warehouse)
    assert bi(warehouse, "add-platform-reader", "--login", login).exit_code == 0
    again = bi(warehouse, "add-reader", "--tenant", TENANT, "--login", login)
    assert again.exit_code == 2
    assert "already exists" in again.output


def test_list_then_revoke_closes_the_door(warehouse) -> None:
    login = new_login(warehouse)
    created = bi(warehouse, "add-reader", "--tenant", TENANT, "--login", login)
    url = printed_url(created.output)
    listed = bi(warehouse, "list")
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.output.splitlines() if login in row)
    assert "tenant" in line and TENANT in line

    with psycopg.connect(url) as open_session:
        assert open_session.execute("SELECT 1").fetchone() == (1,)
        revoked = bi(warehouse, "revoke", "--login", login)
        assert revoked.exit_code == 0, revoked.output
        # A session opened before the revoke does not outlive it.
        with pytest.raises(psycopg.OperationalError):
            open_session.execute("SELECT count(*) FROM marts.exec_overview")
    assert login not in bi(warehouse, "list").output
    gone = psql(url, "SELECT 1")
    assert gone.returncode != 0
    assert not _role_exists(warehouse, login)
    again = bi(warehouse, "revoke", "--login", login)
    assert again.exit_code == 2 and "not a Boardroom BI login" in again.output


def test_revoke_refuses_roles_boardroom_did_not_make(warehouse) -> None:
    result = bi(warehouse, "revoke", "--login", "postgres")
    assert result.exit_code == 2
    assert _role_exists(warehouse, "postgres")


def test_a_reader_of_two_tenants_sees_both_and_no_third(warehouse) -> None:
    login = new_login(warehouse)
    result = bi(
        warehouse, "add-reader", "--tenant", TENANT, "--tenant", OTHER_TENANT, "--login", login
    )
    assert result.exit_code == 0, result.output
    with psycopg.connect(warehouse[0]) as conn:
        everyone = {
            r[0] for r in conn.execute("SELECT DISTINCT tenant_id FROM marts.exec_overview")
        }
    assert len(everyone) > 2
    seen = psql(printed_url(result.output), "SELECT DISTINCT tenant_id FROM marts.exec_overview")
    assert seen.returncode == 0, seen.stderr
    assert set(seen.stdout.split("\n")) - {""} == {TENANT, OTHER_TENANT}
