"""Great Expectations suites of the marts, kept as JSON in ``expectations/<mart>.json``.

The suites are generated from the marts' dbt contracts (``dbt_project/models/marts/*.yml``,
read through :mod:`boardroom.marts_registry`: grain, columns, accepted values, the columns'
``meta.bounds``) and the metric catalogue (``dbt_project/seeds/metric_catalog.csv``: which
figures are approximate and their labels), then checked in. Regenerate them with
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from boardroom.gate.marts import MARTS, MartSpec
from boardroom.paths import DBT_PROJECT_DIR, EXPECTATIONS_DIR, PROJECT_ROOT

CATALOG_CSV = DBT_PROJECT_DIR / "seeds" / "metric_catalog.csv"

#: Column the gate adds to each frame: hours from ``data_as_of`` to the as-of time T.
FRESHNESS_COLUMN = "_gate_freshness_lag_hours"

#: Accepted values the contracts do not list but the source contract does.
EXTRA_VALUE_SETS: dict[str, list[Any]] = {
    "tenant_status": ["active", "suspended", "churned"],
    "plan": ["starter", "growth", "enterprise"],
    "locale": ["en", "ar"],
    "channel": ["email", "sms", "whatsapp", "other"],
}


#: The metric catalogue by figure name.
Catalog = Mapping[str, Mapping[str, Any]]


@cache
def load_catalog() -> dict[str, dict[str, Any]]:
    """The metric catalogue seed by name: is_approximate (bool) and label."""
    with CATALOG_CSV.open(newline="") as handle:
        return {
            row["name"]: {**row, "is_approximate": row["is_approximate"].strip() == "true"}
            for row in csv.DictReader(handle)
        }


def contract_columns(mart: str) -> dict[str, list[Any] | None]:
    """Columns of the mart's contract and their accepted values (None when unconstrained)."""
    return {
        name: None if column.accepted_values is None else list(column.accepted_values)
        for name, column in MARTS[mart].columns.items()
    }


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


def _between(bounds: tuple[Any, Any]) -> dict[str, Any]:
    low, high = bounds
    kwargs = {} if low is None else {"min_value": low}
    return kwargs if high is None else {**kwargs, "max_value": high}


def _rate_expectations(spec: MartSpec, scope: str) -> list[dict]:
    """Each bounded column (``meta.bounds``): its blocking bounds, then, where some bound
    only warns, every bound as a warning."""
    out = []
    for col, bounds in spec.bounds.items():
        if blocking := _between((bounds.min, bounds.max)):
            out.append(
                _exp("expect_column_values_to_be_between", "rates", scope, column=col, **blocking)
            )
        if bounds.warns:
            out.append(
                _exp(
                    "expect_column_values_to_be_between",
                    "rates",
                    scope,
                    severity="warning",
                    column=col,
                    **_between(bounds.expected),
                )
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


#: GX row condition: the rows whose figure is approximate.
_WHEN_APPROXIMATE = {
    "column": {"name": "is_approximate"},
    "operator": "==",
    "parameter": True,
    "type": "comparison",
}

#: How a mart carries the catalogue's approximation flags and labels.
Layout = Literal["catalogue", "alert_feed", "shared_flag", "per_figure"]


@dataclass(frozen=True)
class ApproximationPlan:
    """What the approximation checks of one mart look at.

    * ``catalogue``: the metric catalogue itself (``is_approximate``, ``label``);
    * ``alert_feed``: rows naming a ``metric``, with its flag and label beside it;
    * ``shared_flag``: one ``is_approximate`` / ``approximation_label`` pair per row, for
      figures that share a reading;
    * ``per_figure``: ``<figure>_is_approximate`` and ``<figure>_label`` per approximate figure.
    """

    layout: Layout
    #: The mart's approximate figures, in the contract's column order.
    figures: tuple[str, ...] = ()


def plan_approximation(
    mart: str, columns: Mapping[str, Any], catalog: Catalog
) -> ApproximationPlan:
    """The mart's layout, and its columns the catalogue marks approximate."""
    if mart == "metric_catalog":
        return ApproximationPlan("catalogue")
    if mart == "alerts":
        return ApproximationPlan("alert_feed")
    figures = tuple(c for c in columns if catalog.get(c, {}).get("is_approximate"))
    return ApproximationPlan(
        "shared_flag" if "is_approximate" in columns else "per_figure", figures
    )


def _approximate(type_: str, scope: str, **kwargs: Any) -> dict:
    return _exp(type_, "approximate", scope, **kwargs)


def _catalogue_checks(plan: ApproximationPlan, catalog: Catalog, scope: str) -> list[dict]:
    """Every figure says whether it is approximate; every approximate one has a label."""
    return [
        _approximate("expect_column_values_to_not_be_null", scope, column="is_approximate"),
        _approximate(
            "expect_column_values_to_not_be_null",
            scope,
            column="label",
            row_condition=_WHEN_APPROXIMATE,
        ),
    ]


def _alert_feed_checks(plan: ApproximationPlan, catalog: Catalog, scope: str) -> list[dict]:
    """An alert's flag and label are its metric's, as the catalogue has them."""
    entries = sorted(catalog.items())
    return [
        _approximate(
            "expect_column_pair_values_to_be_in_set",
            scope,
            column_A="metric",
            column_B="is_approximate",
            value_pairs_set=[[name, row["is_approximate"]] for name, row in entries],
        ),
        _approximate(
            "expect_column_pair_values_to_be_in_set",
            scope,
            column_A="metric",
            column_B="approximation_label",
            value_pairs_set=[
                [name, row["label"]] for name, row in entries if row["is_approximate"]
            ],
            ignore_row_if="either_value_is_missing",
        ),
        _approximate(
            "expect_column_values_to_not_be_null",
            scope,
            column="approximation_label",
            row_condition=_WHEN_APPROXIMATE,
        ),
    ]


def _shared_flag_checks(plan: ApproximationPlan, catalog: Catalog, scope: str) -> list[dict]:
    """Rows holding approximate figures are flagged, with one of their labels."""
    if not plan.figures:
        return []
    labels = sorted({catalog[c]["label"] for c in plan.figures})
    return [
        _approximate(
            "expect_column_values_to_be_in_set", scope, column="is_approximate", value_set=[True]
        ),
        _approximate(
            "expect_column_values_to_be_in_set",
            scope,
            column="approximation_label",
            value_set=labels,
        ),
    ]


def _per_figure_checks(plan: ApproximationPlan, catalog: Catalog, scope: str) -> list[dict]:
    """Each approximate figure has its flag (true) and its label columns."""
    out: list[dict] = []
    for col in plan.figures:
        flag, label = f"{col}_is_approximate", f"{col}_label"
        out += [
            _approximate("expect_column_to_exist", "mart", column=flag),
            _approximate("expect_column_to_exist", "mart", column=label),
            _approximate("expect_column_values_to_be_in_set", scope, column=flag, value_set=[True]),
            _approximate(
                "expect_column_values_to_be_in_set",
                scope,
                column=label,
                value_set=[catalog[col]["label"]],
            ),
        ]
    return out


_APPROXIMATION_CHECKS: dict[Layout, Callable[[ApproximationPlan, Catalog, str], list[dict]]] = {
    "catalogue": _catalogue_checks,
    "alert_feed": _alert_feed_checks,
    "shared_flag": _shared_flag_checks,
    "per_figure": _per_figure_checks,
}


def _approximate_expectations(mart: str, columns: Mapping[str, Any], scope: str) -> list[dict]:
    catalog = load_catalog()
    plan = plan_approximation(mart, columns, catalog)
    return _APPROXIMATION_CHECKS[plan.layout](plan, catalog, scope)


def build_suite(mart: str) -> dict[str, Any]:
    """The suite of one mart as a GX ``ExpectationSuite`` JSON dict (no ids)."""
    spec = MARTS[mart]
    columns = contract_columns(mart)
    scope = "tenant" if spec.tenant_scoped else "mart"
    expectations = _key_expectations(spec, scope)
    expectations += _rate_expectations(spec, scope)
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
