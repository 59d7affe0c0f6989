"""boardroom.dbt.env: Postgres URLs into the variables dbt_project/profiles.yml reads."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import psycopg
import pytest

from boardroom.dbt.env import DBT_SELECTOR, WINDOW_ENV_VARS, DbtWindow, dbt_env_from_url
from boardroom.dbt.process import run_dbt_process
from boardroom.paths import DBT_PROJECT_DIR


def test_tcp_url_with_encoded_credentials():
    env = dbt_env_from_url("postgresql://bo%40rd:p%40ss%3Aw%2Fo%20rd@db.internal:5433/ware%20house")
    assert env["BOARDROOM_DBT_HOST"] == "db.internal"
    assert env["BOARDROOM_DBT_PORT"] == "5433"
    assert env["BOARDROOM_DBT_USER"] == "bo@rd"
    assert env["BOARDROOM_DBT_PASSWORD"] == "p@ss:w/o rd"
    assert env["BOARDROOM_DBT_DBNAME"] == "ware house"
    assert env["BOARDROOM_DBT_SCHEMA"] == "audit"
    assert env["BOARDROOM_DBT_SSLMODE"] == "prefer"
    assert env["BOARDROOM_DBT_THREADS"] == "4"


def test_unix_socket_url_as_pgserver_writes_it():
    env = dbt_env_from_url("postgresql://postgres:@/warehouse?host=/srv/pg-socket")
    assert env["BOARDROOM_DBT_HOST"] == "/srv/pg-socket"
    assert env["BOARDROOM_DBT_PORT"] == "5432"
    assert env["BOARDROOM_DBT_USER"] == "postgres"
    assert env["BOARDROOM_DBT_PASSWORD"] == ""
    assert env["BOARDROOM_DBT_DBNAME"] == "warehouse"


def test_socket_folder_encoded_in_the_authority_keeps_its_case():
    env = dbt_env_from_url("postgres://u@%2Fvar%2Frun%2FPostgreSQL/db")
    assert env["BOARDROOM_DBT_HOST"] == "/var/run/PostgreSQL"
    assert env["BOARDROOM_DBT_DBNAME"] == "db"


def test_query_parameters_win_and_defaults():
    env = dbt_env_from_url(
        "postgresql+psycopg://ignored@h/db?user=alice&password=s%26cret&port=6543"
        "&sslmode=require&dbname=other",
        threads=2,
    )
    assert (env["BOARDROOM_DBT_USER"], env["BOARDROOM_DBT_PASSWORD"]) == ("alice", "s&cret")
    assert (env["BOARDROOM_DBT_PORT"], env["BOARDROOM_DBT_DBNAME"]) == ("6543", "other")
    assert env["BOARDROOM_DBT_SSLMODE"] == "require"
    assert env["BOARDROOM_DBT_THREADS"] == "2"
    assert dbt_env_from_url("postgresql://[::1]:5432/db")["BOARDROOM_DBT_HOST"] == "::1"
    assert dbt_env_from_url("postgresql:///db")["BOARDROOM_DBT_HOST"] == "localhost"


@pytest.mark.parametrize(
    "url", ["mysql://u@h/db", "postgresql://u@h", "postgresql://u@h:port/db", "not a url"]
)
def test_rejects_what_is_not_a_postgres_database_url(url):
    with pytest.raises(ValueError):
        dbt_env_from_url(url)


def test_profiles_reads_exactly_these_variables():
    profiles = (DBT_PROJECT_DIR / "profiles.yml").read_text()
    for name in dbt_env_from_url("postgresql://u:p@h:1/d"):
        assert f"env_var('{name}'" in profiles
    assert DBT_SELECTOR in (DBT_PROJECT_DIR / "selectors.yml").read_text()


def test_window_as_vars():
    assert json.loads(DbtWindow(date(2025, 3, 1), "2025-03-07").vars_json()) == {
        "min_date": "2025-03-01",
        "max_date": "2025-03-07",
    }
    rendered = json.loads(
        DbtWindow(
            "2025-03-07",
            "2025-03-07",
            start_date="2025-01-01",
            days=[date(2025, 2, 1)],
            event_days=["2025-03-02", date(2025, 3, 1), "2025-03-02"],
            late_events_loaded_since=datetime(2025, 3, 8, 2, 0, tzinfo=UTC),
        ).vars_json(audit_reader_role="bi_reader")
    )
    assert rendered["days"] == ["2025-02-01"]
    assert rendered["event_days"] == ["2025-03-01", "2025-03-02"]
    assert rendered["late_events_loaded_since"] == "2025-03-08T02:00:00+00:00"
    assert rendered["start_date"] == "2025-01-01" and rendered["audit_reader_role"] == "bi_reader"
    with pytest.raises(ValueError):
        DbtWindow("2025-03-07", "2025-03-07", late_events_loaded_since=datetime(2025, 3, 8)).env()
    with pytest.raises(ValueError):
        DbtWindow("2025-13-01", "2025-03-07").vars_json()


def test_window_as_env_sets_every_variable_and_joins_lists():
    env = DbtWindow(
        date(2025, 3, 7),
        "2025-03-07",
        event_days=["2025-03-02", date(2025, 3, 1)],
        late_events_loaded_since=datetime(2025, 3, 8, 2, 0, tzinfo=UTC),
    ).env()
    assert env == {
        "BOARDROOM_DBT_MIN_DATE": "2025-03-07",
        "BOARDROOM_DBT_MAX_DATE": "2025-03-07",
        "BOARDROOM_DBT_START_DATE": "",
        "BOARDROOM_DBT_DAYS": "",
        "BOARDROOM_DBT_EVENT_DAYS": "2025-03-01,2025-03-02",
        "BOARDROOM_DBT_LATE_EVENTS_LOADED_SINCE": "2025-03-08T02:00:00+00:00",
    }
    with pytest.raises(ValueError):
        DbtWindow("2025-03-07", "2025-02-30").env()


def test_the_run_window_reads_every_window_variable():
    macros = (DBT_PROJECT_DIR / "macros" / "dates.sql").read_text()
    window = macros[macros.index("{% macro boardroom_run_window") :]
    for var_name, env_name in WINDOW_ENV_VARS.items():
        assert f"var('{var_name}')" in window
        assert f"env_var('{env_name}', '')" in window


def test_a_bad_window_variable_stops_dbt_with_its_name(warehouse_url, tmp_path):
    """The window's environment variables are validated like the vars, when the run
    starts: dbt stops before its first node and names the variable."""
    env = {
        **dbt_env_from_url(warehouse_url),
        **DbtWindow("2025-03-07", "2025-03-07").env(),
        "BOARDROOM_DBT_MIN_DATE": "yesterday",
    }
    result = run_dbt_process(
        ["build", "--select", "int_as_of_days"],
        target_path=tmp_path / "target",
        log_path=tmp_path,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert (
        "min_date (var or BOARDROOM_DBT_MIN_DATE) must be a date YYYY-MM-DD, got: yesterday"
        in result.stdout
    )
    assert "START sql" not in result.stdout
    with psycopg.connect(warehouse_url) as conn:
        assert conn.execute("SELECT to_regclass('intermediate.int_as_of_days')").fetchone() == (
            None,
        )
