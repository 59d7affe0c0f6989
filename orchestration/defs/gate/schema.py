"""What the published ``marts/<mart>`` assets show: their column schema and their row count.

A published table is its audited mart (``CREATE TABLE ... LIKE audit.<mart>``) plus
``published_at``; the audited marts have enforced dbt contracts, so the manifest names every
column's type and description.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import dagster as dg
from psycopg import sql

from boardroom.gate.marts import AUDIT_SCHEMA, MARTS_SCHEMA, PUBLISHED_AT
from orchestration.defs.marts.project import boardroom_dbt_project

PUBLISHED_AT_DESCRIPTION = "When these figures were published (the publishing transaction)."


@cache
def _audit_columns() -> dict[str, dict[str, Any]]:
    """Audited mart -> its manifest columns, in the model's order."""
    manifest = json.loads(boardroom_dbt_project.manifest_path.read_text())
    return {
        node["alias"]: node["columns"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == AUDIT_SCHEMA
    }


def _column(props: dict[str, Any]) -> dg.TableColumn:
    not_null = any(
        c.get("type") in ("not_null", "primary_key") for c in props.get("constraints", [])
    )
    return dg.TableColumn(
        name=props["name"],
        type=props.get("data_type") or "unknown",
        description=(props.get("description") or "").strip() or None,
        constraints=dg.TableColumnConstraints(nullable=not not_null),
    )


def published_schema(mart: str) -> dg.TableSchema:
    """Columns of ``marts.<mart>``: the audited mart's, then ``published_at``."""
    columns = [_column(props) for props in _audit_columns().get(mart, {}).values()]
    columns.append(
        dg.TableColumn(
            PUBLISHED_AT,
            "timestamp with time zone",
            description=PUBLISHED_AT_DESCRIPTION,
            constraints=dg.TableColumnConstraints(nullable=False),
        )
    )
    return dg.TableSchema(columns=columns)


def published_row_count(conn: Any, mart: str) -> int:
    """Rows of ``marts.<mart>`` now (every tenant and day published so far)."""
    table = sql.Identifier(MARTS_SCHEMA, mart)
    return int(conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0])
