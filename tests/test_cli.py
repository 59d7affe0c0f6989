"""Every subcommand of the `boardroom` tool has --help, and bad input is a clear error."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from boardroom.cli.main import app

runner = CliRunner()

SUBCOMMANDS = [
    ["generate"],
    ["run"],
    ["demo"],
    ["posthog-local"],
    ["dev"],
    ["config"],
    ["db"],
    ["db", "start"],
    ["db", "stop"],
    ["db", "status"],
]


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_help(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_generate_options_are_documented():
    result = runner.invoke(app, ["generate", "--help"], env={"COLUMNS": "200"})
    for option in ("--tenants", "--days", "--seed", "--end-date"):
        assert option in result.output


def test_bad_input_is_refused_before_any_work(tmp_path):
    result = runner.invoke(
        app, ["generate", "--tenants", "0"], env={"BOARDROOM_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert not (tmp_path / "pgdata").exists()


def test_demo_refuses_to_overwrite_a_configured_app_database(tmp_path):
    result = runner.invoke(
        app,
        ["generate"],
        env={
            "BOARDROOM_APP_DATABASE_URL": "postgresql://u@db/app",
            "BOARDROOM_DATA_DIR": str(tmp_path),
        },
    )
    assert result.exit_code == 2
    assert "--force" in result.output


def test_config_masks_secrets(tmp_path):
    result = runner.invoke(
        app,
        ["config"],
        env={
            "BOARDROOM_WAREHOUSE_URL": "postgresql://w:hunter2@db/warehouse",
            "BOARDROOM_SMTP_PASSWORD": "mail-secret",
            "BOARDROOM_DATA_DIR": str(tmp_path),
        },
    )
    assert result.exit_code == 0
    assert "hunter2" not in result.output and "mail-secret" not in result.output
    assert "***" in result.output
