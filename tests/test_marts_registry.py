"""The marts registry reads what dbt reads, and each rate bound is written once."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from boardroom.gate import suites
from boardroom.marts_registry import (
    MARTS,
    MARTS_MODELS_DIR,
    PLATFORM_MARTS,
    TENANT_MARTS,
    Bounds,
    RegistryError,
    load_marts,
)

REPO = Path(__file__).resolve().parents[1]


@cache
def manifest() -> dict[str, Any]:
    """dbt's own reading of the project (``dbt parse``, as the code location has it)."""
    from orchestration.defs.marts.project import boardroom_dbt_project, prepare_manifest

    return json.loads(prepare_manifest(boardroom_dbt_project).read_text())


def _mart_models() -> dict[str, dict[str, Any]]:
    """The manifest's models under models/marts, by relation name."""
    return {
        node["alias"]: node
        for node in manifest()["nodes"].values()
        if node["resource_type"] == "model"
        and node["original_file_path"].startswith("models/marts/")
    }


def test_the_registry_holds_every_mart_of_the_dbt_project() -> None:
    assert list(MARTS) == sorted(_mart_models())
    assert len(MARTS) == 13
    assert set(TENANT_MARTS) | set(PLATFORM_MARTS) == set(MARTS)
    assert set(PLATFORM_MARTS) == {"platform_overview", "metric_catalog"}


@pytest.mark.parametrize("name", sorted(MARTS))
def test_each_mart_agrees_with_the_manifest(name: str) -> None:
    mart, node = MARTS[name], _mart_models()[name]
    assert mart.model == node["name"]
    keys = [c["columns"] for c in node["constraints"] if c["type"] == "primary_key"]
    assert keys == [list(mart.grain)]
    settings = node["config"]["meta"]["boardroom"]
    assert settings["scope"] == mart.scope
    assert settings.get("daily", True) == mart.daily
    assert settings.get("volume_checked", True) == mart.volume_checked
    assert list(mart.columns) == list(node["columns"])
    for column in mart.columns.values():
        assert dict(column.meta) == node["columns"][column.name]["meta"], column.name
        assert column.data_type == node["columns"][column.name]["data_type"], column.name


@pytest.mark.parametrize("name", sorted(MARTS))
def test_scopes_follow_the_columns(name: str) -> None:
    mart = MARTS[name]
    assert mart.tenant_scoped == ("tenant_id" in mart.columns)
    if mart.daily:
        assert "as_of_date" in mart.columns


def test_dbt_range_tests_take_their_bounds_from_the_columns_meta() -> None:
    """``boardroom_within_range`` has no arguments; every column it tests has bounds."""
    nodes = manifest()["nodes"]
    tests = [
        n
        for n in nodes.values()
        if (n.get("test_metadata") or {}).get("name") == "boardroom_within_range"
    ]
    assert len(tests) == 24
    for test in tests:
        kwargs = test["test_metadata"]["kwargs"]
        assert set(kwargs) == {"column_name", "model"}, test["name"]
        column = nodes[test["attached_node"]]["columns"][kwargs["column_name"]]
        assert "bounds" in column["meta"], test["name"]


def test_a_range_test_is_described_with_the_columns_bounds() -> None:
    from orchestration.defs.marts.check_descriptions import describe_test

    nodes = manifest()["nodes"]
    found = {
        n["name"]: n
        for n in nodes.values()
        if (n.get("test_metadata") or {}).get("name") == "boardroom_within_range"
    }
    share = found["boardroom_within_range_revenue_protection_win_rate_90d"]
    rate = found["boardroom_within_range_deliverability_health_delivery_rate_7d"]
    assert describe_test(share, manifest()).startswith("`win_rate_90d` lies within [0, 1]")
    assert describe_test(rate, manifest()).startswith("`delivery_rate_7d` lies within [0, 1]")


def test_each_bound_is_written_once() -> None:
    """One ``bounds`` per bounded column in the YAML, and nowhere else: no test argument,
    no rate column named in the GX suites' code."""
    bounded = {(m.properties_file, c) for m in MARTS.values() for c in m.bounds}
    assert len(bounded) == 26
    for path in sorted(MARTS_MODELS_DIR.glob("*.yml")):
        text = path.read_text()
        written = len(re.findall(r"^\s+bounds:", text, flags=re.MULTILINE))
        assert written == sum(1 for p, _ in bounded if p == path), path.name
        assert "min_value" not in text and "max_value" not in text, path.name
    code = Path(suites.__file__).read_text()
    for column in {c for _, c in bounded}:
        assert column not in code, column


@pytest.mark.parametrize("name", sorted(MARTS))
def test_the_gx_rate_checks_are_the_registrys_bounds(name: str) -> None:
    expected = []
    for column, bounds in MARTS[name].bounds.items():
        if (bounds.min, bounds.max) != (None, None):
            expected.append((column, "critical", bounds.min, bounds.max))
        if bounds.warns:
            expected.append((column, "warning", *bounds.expected))
    checks = [
        (
            e["kwargs"]["column"],
            e["severity"],
            e["kwargs"].get("min_value"),
            e["kwargs"].get("max_value"),
        )
        for e in suites.load_suite_dict(name)["expectations"]
        if e["meta"]["check"] == "rates"
    ]
    assert checks == expected


def test_bounds() -> None:
    event_rate = Bounds.from_meta({"min": 0, "warn_max": 1}, "x")
    assert event_rate.warns and event_rate.expected == (0, 1)
    share = Bounds.from_meta({"min": 0, "max": 1}, "x")
    assert not share.warns and share.expected == (0, 1)
    assert MARTS["deliverability_health"].bounds["delivery_rate_7d"] == event_rate
    assert MARTS["revenue_protection"].bounds["win_rate_90d"] == share
    assert MARTS["cost_optimization"].bounds["est_cost_to_mrr_ratio_30d"] == Bounds(min=0)
    for wrong in ({}, {"low": 0}, {"min": "0"}, {"max": True}, [0, 1]):
        with pytest.raises(RegistryError):
            Bounds.from_meta(wrong, "x")


_MART_YAML = """
models:
  - name: {name}
    config:
      meta:
        boardroom: {settings}
    constraints:
      - type: primary_key
        columns: [id]
    columns:
      - name: id
        data_type: text
"""


@pytest.mark.parametrize(
    ("settings", "error"),
    [
        ("{}", "scope"),
        ("{scope: everyone}", "scope"),
        ("{scope: tenant, hourly: true}", "unknown keys"),
    ],
)
def test_a_mart_without_what_the_registry_needs_is_refused(
    tmp_path: Path, settings: str, error: str
) -> None:
    (tmp_path / "m.yml").write_text(_MART_YAML.format(name="m", settings=settings))
    with pytest.raises(RegistryError, match=error):
        load_marts(tmp_path)


def test_a_mart_needs_a_primary_key(tmp_path: Path) -> None:
    text = _MART_YAML.format(name="m", settings="{scope: shared}")
    (tmp_path / "m.yml").write_text(text)
    assert load_marts(tmp_path)["m"].grain == ("id",)
    (tmp_path / "m.yml").write_text(text.replace("primary_key", "not_null"))
    with pytest.raises(RegistryError, match="primary_key"):
        load_marts(tmp_path)
