"""The checked-in GX suites match their sources; rate bounds and settings."""

from __future__ import annotations

import pytest

from boardroom.gate.config import GateSettings
from boardroom.gate.marts import MARTS
from boardroom.gate.suites import (
    contract_columns,
    load_catalog,
    load_suite_dict,
    plan_approximation,
    render_suite,
    suite_path,
)
from boardroom.settings import ConfigurationError


@pytest.mark.parametrize("mart", list(MARTS))
def test_checked_in_suite_is_up_to_date(mart: str) -> None:
    assert suite_path(mart).read_text() == render_suite(mart), (
        "regenerate with: uv run python -m boardroom.gate.suites"
    )


def _bounds(mart: str, column: str) -> list[tuple[str, object, object]]:
    return [
        (e["severity"], e["kwargs"].get("min_value"), e["kwargs"].get("max_value"))
        for e in load_suite_dict(mart)["expectations"]
        if e["type"] == "expect_column_values_to_be_between" and e["kwargs"]["column"] == column
    ]


def test_rate_bounds() -> None:
    assert _bounds("revenue_protection", "win_rate_90d") == [("critical", 0, 1)]
    assert _bounds("exec_overview", "api_error_rate_7d") == [("critical", 0, 1)]
    assert _bounds("deliverability_health", "delivery_rate_7d") == [
        ("critical", 0, None),
        ("warning", 0, 1),
    ]
    assert _bounds("cost_optimization", "est_cost_to_mrr_ratio_30d") == [("critical", 0, None)]


def test_approximation_plans() -> None:
    catalog = load_catalog()
    plans = {m: plan_approximation(m, contract_columns(m), catalog) for m in MARTS}
    assert plans["metric_catalog"].layout == "catalogue"
    assert plans["alerts"].layout == "alert_feed"
    assert plans["deliverability_health"].layout == "shared_flag"
    assert "delivery_rate_7d" in plans["deliverability_health"].figures
    assert plans["exec_overview"].layout == "per_figure"
    assert "revenue_at_risk_30d" in plans["exec_overview"].figures
    assert "revenue_won_30d" not in plans["exec_overview"].figures  # exact: no flag


def test_every_suite_covers_every_check() -> None:
    for mart, spec in MARTS.items():
        checks = {e["meta"]["check"] for e in load_suite_dict(mart)["expectations"]}
        assert "keys" in checks
        if any(c.endswith("_status") for c in contract_columns(mart)):
            assert "statuses" in checks, mart
        if spec.tenant_scoped:
            assert "tenants" in checks
        if spec.volume_checked:
            assert "volume" in checks
        if spec.daily:
            assert "freshness" in checks


def test_settings_from_env() -> None:
    assert GateSettings.from_env({}) == GateSettings(6.0, 0.5, 5)
    env = {
        "BOARDROOM_GATE_FRESHNESS_MAX_LAG_HOURS": "12",
        "BOARDROOM_GATE_VOLUME_MIN_RATIO": "0.8",
    }
    assert GateSettings.from_env(env).freshness_max_lag_hours == 12
    with pytest.raises(ConfigurationError):
        GateSettings.from_env({"BOARDROOM_GATE_VOLUME_MIN_RATIO": "lots"})
