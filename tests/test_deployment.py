"""The Dagster code location loads and validates; docker-compose is well formed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from boardroom.paths import PROJECT_ROOT

ROOT = PROJECT_ROOT


def _dagster_env(tmp_path: Path, dagster_db_url: str) -> dict[str, str]:
    import os

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "BOARDROOM_DAGSTER_DATABASE_URL": dagster_db_url,
        "BOARDROOM_APP_DATABASE_URL": "postgresql://unused@127.0.0.1:1/app",
        "BOARDROOM_WAREHOUSE_URL": "postgresql://unused@127.0.0.1:1/wh",
        "POSTHOG_HOST": "http://127.0.0.1:1",
        "POSTHOG_PROJECT_ID": "1",
        "POSTHOG_PERSONAL_API_KEY": "phx_test",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }


def test_dagster_definitions_validate(tmp_path, make_database):
    env = _dagster_env(tmp_path, make_database("dagster"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "definitions",
            "validate",
            "-w",
            str(ROOT / "workspace.yaml"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation successful" in result.stdout + result.stderr


def test_definitions_hold_the_shared_resources():
    from orchestration.definitions import defs

    definitions = defs()
    assert set(definitions.resources or {}) == {"app_db", "warehouse", "posthog", "dbt", "smtp"}


def test_each_resource_is_declared_and_bound_in_its_parts_resources_module():
    """``orchestration/defs/<part>/resources.py`` declares a resource's class and binds it."""
    import importlib

    from dagster.components.definitions import LazyDefinitions

    from orchestration.definitions import defs

    for key, resource in (defs().resources or {}).items():
        module = type(resource).__module__
        assert module.startswith("orchestration.defs.") and module.endswith(".resources"), key
        bound = {
            name
            for value in vars(importlib.import_module(module)).values()
            if isinstance(value, LazyDefinitions)
            for name in (value.load_fn().resources or {})
        }
        assert key in bound, (key, module)


def test_dagster_instance_uses_postgres_storage():
    config = yaml.safe_load((ROOT / "dagster.yaml").read_text())
    assert config["storage"]["postgres"]["postgres_url"] == {
        "env": "BOARDROOM_DAGSTER_DATABASE_URL"
    }


def test_compose_file_has_the_production_shape():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "boardroom_code", "webserver", "daemon"}
    assert "healthcheck" in services["postgres"]
    assert services["boardroom_code"]["command"][:3] == ["dagster", "api", "grpc"]
    for name in ("boardroom_code", "webserver", "daemon"):
        env = services[name]["environment"]
        for var in (
            "BOARDROOM_APP_DATABASE_URL",
            "BOARDROOM_WAREHOUSE_URL",
            "BOARDROOM_DAGSTER_DATABASE_URL",
            "POSTHOG_HOST",
            "POSTHOG_PERSONAL_API_KEY",
            "BOARDROOM_SMTP_HOST",
        ):
            assert var in env, (name, var)


def _docker_compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    return probe.returncode == 0


@pytest.mark.skipif(not _docker_compose_available(), reason="docker compose is not installed here")
def test_docker_compose_config(tmp_path):
    import os

    env = {
        **os.environ,
        "BOARDROOM_APP_DATABASE_URL": "postgresql://reader:pw@app-db:5432/app",
        "BOARDROOM_POSTGRES_PASSWORD": "pw",
        "POSTHOG_PROJECT_ID": "1",
        "POSTHOG_PERSONAL_API_KEY": "phx_test",
    }
    result = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
