"""Configuration comes from the documented environment variables, secrets masked."""

from __future__ import annotations

import ast

import pytest

from boardroom.paths import PROJECT_ROOT
from boardroom.settings import (
    LEGACY_CRON_ENV,
    LOCAL_POSTHOG_PERSONAL_API_KEY,
    VARIABLES,
    ConfigurationError,
    Settings,
    mask_url,
)

ROOT = PROJECT_ROOT


def test_defaults_use_embedded_postgres_and_local_posthog(tmp_path):
    settings = Settings.from_env({"BOARDROOM_DATA_DIR": str(tmp_path)})
    assert settings.app_database_url is None
    assert settings.uses_local_posthog
    assert settings.posthog_personal_api_key == LOCAL_POSTHOG_PERSONAL_API_KEY
    assert settings.smtp_security == "none" and settings.smtp_port == 25
    assert settings.postgres_data_dir == tmp_path / "pgdata"


def test_every_documented_variable_is_read():
    env = {
        "BOARDROOM_APP_DATABASE_URL": "postgresql://r:pw1@db/app",
        "BOARDROOM_WAREHOUSE_URL": "postgresql://w:pw2@db/warehouse",
        "BOARDROOM_DAGSTER_DATABASE_URL": "postgresql://d:pw3@db/dagster",
        "POSTHOG_HOST": "https://eu.posthog.com/",
        "POSTHOG_PROJECT_ID": "4242",
        "POSTHOG_PERSONAL_API_KEY": "phx_real",
        "POSTHOG_PROJECT_API_KEY": "phc_real",
        "BOARDROOM_SMTP_HOST": "smtp.example.org",
        "BOARDROOM_SMTP_USERNAME": "mailer",
        "BOARDROOM_SMTP_PASSWORD": "smtp-secret",
        "BOARDROOM_SMTP_SECURITY": "STARTTLS",
        "BOARDROOM_SMTP_FROM": "board@example.org",
    }
    s = Settings.from_env(env)
    assert s.posthog_host == "https://eu.posthog.com"
    assert s.posthog_project_id == 4242
    assert (s.posthog_personal_api_key, s.posthog_project_api_key) == ("phx_real", "phc_real")
    assert (s.smtp_host, s.smtp_port, s.smtp_security) == ("smtp.example.org", 587, "starttls")
    assert (s.smtp_username, s.smtp_password, s.smtp_from) == (
        "mailer",
        "smtp-secret",
        "board@example.org",
    )
    shown = repr(s) + repr(s.describe())
    for secret in ("pw1", "pw2", "pw3", "phx_real", "phc_real", "smtp-secret"):
        assert secret not in shown


def test_every_variable_is_documented_in_env_example_and_readme():
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in VARIABLES:
        # The legacy name of the daily cron is mentioned, not given a line of its own.
        assert (name if name == LEGACY_CRON_ENV else f"{name}=") in example, name
        assert f"`{name}`" in readme, name


def test_every_variable_is_read(tmp_path):
    """Each documented variable changes what :meth:`Settings.from_env` returns."""
    values = {
        "BOARDROOM_APP_DATABASE_URL": "postgresql://a@h/app",
        "BOARDROOM_WAREHOUSE_URL": "postgresql://w@h/warehouse",
        "BOARDROOM_DAGSTER_DATABASE_URL": "postgresql://d@h/dagster",
        "POSTHOG_HOST": "https://eu.posthog.com",
        "POSTHOG_PROJECT_ID": "7",
        "POSTHOG_PERSONAL_API_KEY": "phx_k",
        "POSTHOG_PROJECT_API_KEY": "phc_k",
        "BOARDROOM_SMTP_HOST": "smtp.example.org",
        "BOARDROOM_SMTP_PORT": "2525",
        "BOARDROOM_SMTP_USERNAME": "mailer",
        "BOARDROOM_SMTP_PASSWORD": "pw",
        "BOARDROOM_SMTP_SECURITY": "ssl",
        "BOARDROOM_SMTP_FROM": "b@example.org",
        "BOARDROOM_DATA_OWNER_EMAIL": "owner@example.org",
        "BOARDROOM_DATA_DIR": str(tmp_path / "data"),
        "BOARDROOM_EMBEDDED_PG_PORT": "6543",
        "BOARDROOM_PARTITIONS_START": "2024-02-29",
        "BOARDROOM_DAILY_CRON": "15 3 * * *",
        "BOARDROOM_INGEST_CRON": "45 4 * * *",
        "BOARDROOM_MARTS_FRESHNESS_HOURS": "7",
        "BOARDROOM_GATE_FRESHNESS_MAX_LAG_HOURS": "12",
        "BOARDROOM_GATE_VOLUME_MIN_RATIO": "0.8",
        "BOARDROOM_GATE_SAMPLE_ROWS": "9",
        "BOARDROOM_OUTPUT_DIR": str(tmp_path / "packs"),
        "BOARDROOM_PACK_WORKERS": "2",
        "BOARDROOM_RECIPIENT_DOMAINS": '{"platform": ["example.org"]}',
        "BOARDROOM_PACK_JSON_RECIPIENTS": "a@example.org, r_2",
        "BOARDROOM_PACK_DIGITS": "Arabic-Indic",
        "BOARDROOM_PACKS_CRON": "30 7 * * 5",
    }
    assert set(values) == set(VARIABLES)
    full = Settings.from_env(values)
    s = Settings.from_env({})
    # The legacy cron is read only when the current name is unset.
    assert Settings.from_env({LEGACY_CRON_ENV: "45 4 * * *"}).daily_cron == "45 4 * * *"
    # POSTHOG_HOST needs the project id and personal key (test_bad_configuration...).
    needed = {LEGACY_CRON_ENV, "POSTHOG_PROJECT_ID", "POSTHOG_PERSONAL_API_KEY"}
    for name in set(VARIABLES) - needed:
        without = Settings.from_env({k: v for k, v in values.items() if k != name})
        assert without != full, name
    assert (full.partitions_start, full.daily_cron, full.daily_run_time) == (
        "2024-02-29",
        "15 3 * * *",
        (3, 15),
    )
    assert (full.marts_freshness_hours, full.pack_workers, full.pack_digits) == (
        7,
        2,
        "arabic-indic",
    )
    assert (full.gate_freshness_max_lag_hours, full.gate_volume_min_ratio) == (12, 0.8)
    assert full.gate_sample_rows == 9 and full.packs_cron == "30 7 * * 5"
    assert full.pack_json_recipients == ("a@example.org", "r_2")
    assert full.packs_dir == tmp_path / "packs"
    assert s.packs_dir == s.data_dir / "packs" and s.pack_workers is None
    assert (s.daily_cron, s.daily_cron_variable, s.packs_cron) == (
        "0 2 * * *",
        "BOARDROOM_DAILY_CRON",
        "0 6 * * 1",
    )


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"POSTHOG_HOST": "https://eu.posthog.com"}, "POSTHOG_PERSONAL_API_KEY"),
        ({"BOARDROOM_SMTP_SECURITY": "tls"}, "BOARDROOM_SMTP_SECURITY"),
        ({"BOARDROOM_SMTP_PORT": "twenty-five"}, "BOARDROOM_SMTP_PORT"),
        ({"BOARDROOM_PARTITIONS_START": "yesterday"}, "BOARDROOM_PARTITIONS_START"),
        ({"BOARDROOM_DAILY_CRON": "0 */6 * * *"}, "BOARDROOM_DAILY_CRON"),
        ({"BOARDROOM_INGEST_CRON": "@daily"}, "BOARDROOM_INGEST_CRON"),
        ({"BOARDROOM_MARTS_FRESHNESS_HOURS": "24"}, "BOARDROOM_MARTS_FRESHNESS_HOURS"),
        ({"BOARDROOM_GATE_VOLUME_MIN_RATIO": "lots"}, "BOARDROOM_GATE_VOLUME_MIN_RATIO"),
        ({"BOARDROOM_GATE_SAMPLE_ROWS": "-1"}, "BOARDROOM_GATE_SAMPLE_ROWS"),
        ({"BOARDROOM_PACK_WORKERS": "four"}, "BOARDROOM_PACK_WORKERS"),
        ({"BOARDROOM_PACK_DIGITS": "roman"}, "BOARDROOM_PACK_DIGITS"),
    ],
)
def test_bad_configuration_is_a_clear_error(env, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        Settings.from_env(env)


def test_mask_url():
    assert mask_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_url("postgresql://u@h/db") == "postgresql://u@h/db"


#: Modules that read ``os.environ`` for something other than configuration.
ENVIRONMENT_READERS = {
    # pgserver's lock file needs a runtime folder: one is set where none is.
    "boardroom/embedded_postgres.py",
    # dagster-dbt's invocations: the profile's variables are set and the old values restored.
    "orchestration/defs/marts/resources.py",
    # the pipeline benchmark's child process: PATH extended with the virtualenv (for `dbt`).
    "benchmarks/pipeline.py",
}
_WRITES = {"setdefault", "update", "pop", "clear"}


def environment_reads(source: str) -> list[int]:
    """Lines where ``source`` reads ``os.environ`` (or calls ``os.getenv``). Setting it,
    saving and restoring it, and copying it whole for a child process are not reads."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or not isinstance(node.value, ast.Name):
            continue
        if node.value.id != "os" or node.attr not in ("environ", "getenv"):
            continue
        parent = parents.get(node)
        if node.attr == "environ":
            if isinstance(parent, ast.Attribute) and parent.attr in _WRITES:
                continue  # os.environ.update(...) and the like
            if isinstance(parent, ast.Subscript) and not isinstance(parent.ctx, ast.Load):
                continue  # os.environ[name] = value
            if isinstance(parent, ast.Call) and parent.args == [node]:
                continue  # dict(os.environ): a copy for a child process
            if isinstance(parent, (ast.keyword, ast.Dict)):
                continue  # {**os.environ, ...}: the same
        lines.append(node.lineno)
    return sorted(lines)


def test_only_settings_reads_configuration_from_the_environment():
    readers = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in ("boardroom", "orchestration", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "boardroom" / "settings.py"
        and str(path.relative_to(ROOT)) not in ENVIRONMENT_READERS
        for line in environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert not readers, "read configuration through boardroom.settings:\n" + "\n".join(readers)


def test_environment_reads_are_found():
    source = (
        "import os\n"
        "a = os.environ.get('BOARDROOM_X')\n"
        "b = os.getenv('BOARDROOM_Y')\n"
        "c = os.environ['BOARDROOM_Z']\n"
        "env = os.environ if a else {}\n"
        "os.environ['SET'] = '1'\n"
        "os.environ.setdefault('GX_ANALYTICS_ENABLED', 'false')\n"
        "child = dict(os.environ)\n"
        "other = {**os.environ, 'A': '1'}\n"
    )
    assert environment_reads(source) == [2, 3, 4, 5]
