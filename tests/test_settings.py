"""Configuration comes from the documented environment variables, secrets masked."""

from __future__ import annotations

import pytest

from boardroom.paths import PROJECT_ROOT
from boardroom.settings import (
    LOCAL_POSTHOG_PERSONAL_API_KEY,
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
    names = [
        "BOARDROOM_APP_DATABASE_URL",
        "BOARDROOM_WAREHOUSE_URL",
        "BOARDROOM_DAGSTER_DATABASE_URL",
        "POSTHOG_HOST",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_PROJECT_API_KEY",
        "BOARDROOM_SMTP_HOST",
        "BOARDROOM_SMTP_PORT",
        "BOARDROOM_SMTP_USERNAME",
        "BOARDROOM_SMTP_PASSWORD",
        "BOARDROOM_SMTP_SECURITY",
        "BOARDROOM_SMTP_FROM",
        "BOARDROOM_DATA_DIR",
    ]
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    for name in names:
        assert f"{name}=" in example, name
        assert f"`{name}`" in readme, name


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"POSTHOG_HOST": "https://eu.posthog.com"}, "POSTHOG_PERSONAL_API_KEY"),
        ({"BOARDROOM_SMTP_SECURITY": "tls"}, "BOARDROOM_SMTP_SECURITY"),
        ({"BOARDROOM_SMTP_PORT": "twenty-five"}, "BOARDROOM_SMTP_PORT"),
    ],
)
def test_bad_configuration_is_a_clear_error(env, fragment):
    with pytest.raises(ConfigurationError, match=fragment):
        Settings.from_env(env)


def test_mask_url():
    assert mask_url("postgresql://u:p%40ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_url("postgresql://u@h/db") == "postgresql://u@h/db"
