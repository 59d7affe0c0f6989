"""Great Expectations suites of the marts, kept as JSON in ``expectations/<mart>.json``.

The suites are generated from the marts' dbt contracts (``dbt_project/models/marts/*.yml``:
columns, accepted values) and the metric catalogue (``dbt_project/seeds/metric_catalog.csv``:
which figures are approximate and their labels), then checked in. Regenerate them with
``uv run python -m boardroom.gate.suites`` after changing a contract or the catalogue (a test
fails while they are out of date).

Every expectation carries ``meta.check`` (keys, rates, statuses, approximate, tenants,
freshness, volume) and ``meta.scope``: ``tenant`` (a failing row withholds its tenant only)
or ``mart`` (the failure withholds every tenant of the mart). Values known only at run time
are GX suite parameters (``{"$PARAMETER": ...}``): ``known_tenants``,
``freshness_max_lag_hours`` and ``volume_min_rows``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from boardroom.gate.marts import MARTS, MartSpec
from boardroom.paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT

DBT_MARTS_DIR = DBT_PROJECT_DIR / "models" / "marts"
CATALOG_CSV = DBT_PROJECT_DIR / "seeds" / "metric_catalog.csv"

#: Column the gate adds to each frame: hours from ``data_as_of`` to the as-of time T.
FRESHNESS_COLUMN = "_gate_freshness_lag_hours"

#: Shares of a whole: a numerator that is part of its denominator. Hard bounds [0, 1].
SHARE_COLUMNS = frozenset(
    {
        "win_rate_90d",
        "revenue_at_risk_ratio_30d",
        "api_error_rate_7d",
        "compliance_posture",
        "pdpl_consent_coverage",
        "share_of_tenant_cost_30d",
    }
)
#: Event-count rates (numerator and denominator counted separately in the window, no
#: matching on message_id / otp_id): a delivery in the window of a message sent before it
#: legitimately lifts them above 1. Blocking bound >= 0; [0, 1] is a warning only.
EVENT_RATE_COLUMNS = frozenset(
    {"delivery_rate_7d", "bounce_rate_7d", "complaint_rate_7d", "otp_verification_rate_7d"}
)
#: Ratios without an upper bound (estimated cost can exceed MRR): blocking bound >= 0.
UNBOUNDED_RATIO_COLUMNS = frozenset({"est_cost_to_mrr_ratio_30d"})

#: Accepted values the contracts do not list but the source contract does.
EXTRA_VALUE_SETS: dict[str, list[Any]] = {
    "tenant_status": ["active", "suspended", "churned"],
    "plan": ["starter", "growth", "enterprise"],
    "locale": ["en", "ar"],
    "channel": ["email", "sms", "whatsapp", "other"],
}


@cache
def load_catalog() -> dict[str, dict[str, Any]]:
    """The metric catalogue seed by name: is_approximate (bool) and label."""
    with CATALOG_CSV.open(newline="") as handle:
        return {
            row["name"]: {**row, "is_approximate": row["is_approximate"].strip() == "true"}
            for row in csv.DictReader(handle)
        }


def _contract(mart: str) -> dict[str, Any]:
    path = DBT_MARTS_DIR / (
        "metric_catalog_published.yml" if mart == "metric_catalog" else f"{mart}.yml"
    )
    models = yaml.safe_load(path.read_text())["models"]
    return models[0]


def contract_columns(mart: str) -> dict[str, list[Any] | None]:
    """Columns of the mart's contract and their accepted values (None when unconstrained)."""
    result: dict[str, list[Any] | None] = {}
    for column in _contract(mart)["columns"]:
        values = None
        for test in column.get("data_tests") or []:
            if isinstance(test, dict) and "accepted_values" in test:
                spec = test["accepted_values"]
                values = (spec.get("arguments") or spec)["values"]
        result[column["name"]] = values
    return result


def _exp(type_: str, check: str, scope: str, severity: str = "critical", **kwargs: Any) -> dict:
    return {
        "type": type_,
        "kwargs": kwargs,
        "meta": {"check": check, "scope": scope},
        "severity": severity,
    }


def _key_expectations(spec: MartSpec, scope: str) -> list[dict]:
    out = [
        _exp(
            "expect_column_values_to_not_be_null",
            "keys",
            "mart" if c == "tenant_id" else scope,
            column=c,
        )
        for c in spec.grain
    ]
    if len(spec.grain) == 1:
        out.append(_exp("expect_column_values_to_be_unique", "keys", scope, column=spec.grain[0]))
    else:
        out.append(
            _exp(
                "expect_compound_columns_to_be_unique", "keys", scope, column_list=list(spec.grain)
            )
        )
    return out


def _rate_expectations(columns: Mapping[str, Any], scope: str) -> list[dict]:
    out = []
    for col in columns:
        if col in SHARE_COLUMNS:
            out.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "rates",
                    scope,
                    column=col,
                    min_value=0,
                    max_value=1,
                )
            )
        elif col in EVENT_RATE_COLUMNS:
            out.append(
                _exp("expect_column_values_to_be_between", "rates", scope, column=col, min_value=0)
            )
            out.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "rates",
                    scope,
                    severity="warning",
                    column=col,
                    min_value=0,
                    max_value=1,
                )
            )
        elif col in UNBOUNDED_RATIO_COLUMNS:
            out.append(
                _exp("expect_column_values_to_be_between", "rates", scope, column=col, min_value=0)
            )
    return out


def _status_expectations(columns: Mapping[str, list[Any] | None], scope: str) -> list[dict]:
    out = []
    for col, values in columns.items():
        value_set = values or EXTRA_VALUE_SETS.get(col)
        if value_set:
            out.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    "statuses",
                    scope,
                    column=col,
                    value_set=value_set,
                )
            )
    return out


def _approximate_expectations(mart: str, columns: Mapping[str, Any], scope: str) -> list[dict]:
    catalog = load_catalog()
    out: list[dict] = []
    if mart == "metric_catalog":
        return [
            _exp(
                "expect_column_values_to_not_be_null", "approximate", scope, column="is_approximate"
            ),
            _exp(
                "expect_column_values_to_not_be_null",
                "approximate",
                scope,
                column="label",
                row_condition={
                    "column": {"name": "is_approximate"},
                    "operator": "==",
                    "parameter": True,
                    "type": "comparison",
                },
            ),
        ]
    if mart == "alerts":
        pairs = [[name, row["is_approximate"]] for name, row in sorted(catalog.items())]
        labels = [
            [name, row["label"]] for name, row in sorted(catalog.items()) if row["is_approximate"]
        ]
        return [
            _exp(
                "expect_column_pair_values_to_be_in_set",
                "approximate",
                scope,
                column_A="metric",
                column_B="is_approximate",
                value_pairs_set=pairs,
            ),
            _exp(
                "expect_column_pair_values_to_be_in_set",
                "approximate",
                scope,
                column_A="metric",
                column_B="approximation_label",
                value_pairs_set=labels,
                ignore_row_if="either_value_is_missing",
            ),
            _exp(
                "expect_column_values_to_not_be_null",
                "approximate",
                scope,
                column="approximation_label",
                row_condition={
                    "column": {"name": "is_approximate"},
                    "operator": "==",
                    "parameter": True,
                    "type": "comparison",
                },
            ),
        ]
    approximate = [c for c in columns if catalog.get(c, {}).get("is_approximate")]
    if "is_approximate" in columns:
        labels = sorted({catalog[c]["label"] for c in approximate})
        if approximate:
            out.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    "approximate",
                    scope,
                    column="is_approximate",
                    value_set=[True],
                )
            )
            out.append(
                _exp(
                    "expect_column_values_to_be_in_set",
                    "approximate",
                    scope,
                    column="approximation_label",
                    value_set=labels,
                )
            )
        return out
    for col in approximate:
        flag, label = f"{col}_is_approximate", f"{col}_label"
        out.append(_exp("expect_column_to_exist", "approximate", "mart", column=flag))
        out.append(_exp("expect_column_to_exist", "approximate", "mart", column=label))
        out.append(
            _exp(
                "expect_column_values_to_be_in_set",
                "approximate",
                scope,
                column=flag,
                value_set=[True],
            )
        )
        out.append(
            _exp(
                "expect_column_values_to_be_in_set",
                "approximate",
                scope,
                column=label,
                value_set=[catalog[col]["label"]],
            )
        )
    return out


def build_suite(mart: str) -> dict[str, Any]:
    """The suite of one mart as a GX ``ExpectationSuite`` JSON dict (no ids)."""
    spec = MARTS[mart]
    columns = contract_columns(mart)
    scope = "tenant" if spec.tenant_scoped else "mart"
    expectations = _key_expectations(spec, scope)
    expectations += _rate_expectations(columns, scope)
    expectations += _status_expectations(columns, scope)
    expectations += _approximate_expectations(mart, columns, scope)
    if spec.tenant_scoped:
        expectations.append(
            _exp(
                "expect_column_values_to_be_in_set",
                "tenants",
                "tenant",
                column="tenant_id",
                value_set={"$PARAMETER": "known_tenants"},
            )
        )
    if "data_as_of" in columns and "as_of_date" in columns:
        expectations.append(
            _exp(
                "expect_column_values_to_be_between",
                "freshness",
                "mart",
                column=FRESHNESS_COLUMN,
                max_value={"$PARAMETER": "freshness_max_lag_hours"},
            )
        )
    if spec.volume_checked:
        expectations.append(
            _exp(
                "expect_table_row_count_to_be_between",
                "volume",
                "mart",
                min_value={"$PARAMETER": "volume_min_rows"},
            )
        )
    return {
        "name": f"boardroom.{mart}",
        "expectations": expectations,
        "meta": {
            "mart": mart,
            "grain": list(spec.grain),
            "generated_from": ["dbt_project/models/marts", "dbt_project/seeds/metric_catalog.csv"],
        },
        "notes": None,
    }


def suite_path(mart: str, directory: Path = EXPECTATIONS_DIR) -> Path:
    return directory / f"{mart}.json"


def render_suite(mart: str) -> str:
    return json.dumps(build_suite(mart), indent=2, sort_keys=False) + "\n"


def write_suites(directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    """(Re)write every suite JSON file."""
    paths = []
    for mart in MARTS:
        path = suite_path(mart, directory)
        path.write_text(render_suite(mart))
        paths.append(path)
    return paths


def load_suite_dict(mart: str, directory: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    """The checked-in suite of one mart."""
    return json.loads(suite_path(mart, directory).read_text())


if __name__ == "__main__":
    for written in write_suites():
        print(written.relative_to(PROJECT_ROOT))
