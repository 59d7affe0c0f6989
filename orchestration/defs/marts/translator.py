"""How dbt nodes appear in Dagster: keys ``[schema, alias]``, groups by layer, owners."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster._record import replace
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from orchestration.defs.ingest.assets import RAW_APP_KEYS, RAW_POSTHOG_EVENTS_KEY
from orchestration.defs.marts.check_descriptions import describe_test
from orchestration.owners import OWNERS

#: dbt schema -> Dagster group. Marts are built in `audit` (published later by the gate).
SCHEMA_GROUPS: dict[str, str] = {
    "staging": "staging",
    "snapshots": "snapshots",
    "intermediate": "intermediate",
    "audit": "marts_audit",
    "reference": "reference",
}
DBT_GROUPS = frozenset(SCHEMA_GROUPS.values())

#: dbt sources (schema `raw`) -> the ingest assets that load them. The events' ingestion
#: watermark (`raw.ingest_state`) is written by the events asset, so it maps there too.
SOURCE_KEYS: dict[str, dg.AssetKey] = {
    **{key.path[-1]: key for key in RAW_APP_KEYS.values()},
    RAW_POSTHOG_EVENTS_KEY.path[-1]: RAW_POSTHOG_EVENTS_KEY,
    "ingest_state": RAW_POSTHOG_EVENTS_KEY,
}


def _meta(props: Mapping[str, Any]) -> Mapping[str, Any]:
    return (props.get("config") or {}).get("meta") or props.get("meta") or {}


class BoardroomDbtTranslator(DagsterDbtTranslator):
    """Asset keys name the relation (``audit/exec_overview``, ``snapshots/snap_app_deals``,
    ``reference/metric_catalog``); ``meta.dagster`` in dbt still wins where set."""

    def __init__(self, settings: DagsterDbtTranslatorSettings | None = None) -> None:
        super().__init__(
            settings
            or DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_duplicate_source_asset_keys=True
            )
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if _meta(dbt_resource_props).get("dagster", {}).get("asset_key"):
            return super().get_asset_key(dbt_resource_props)
        if dbt_resource_props["resource_type"] == "source":
            name = dbt_resource_props["name"]
            if dbt_resource_props.get("source_name") == "raw" and name in SOURCE_KEYS:
                return SOURCE_KEYS[name]
            return dg.AssetKey([dbt_resource_props["source_name"], name])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["alias"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        configured = super().get_group_name(dbt_resource_props)
        if configured:
            return configured
        return SCHEMA_GROUPS.get(dbt_resource_props.get("schema") or "", "dbt")

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return super().get_owners(dbt_resource_props) or OWNERS

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        text = (dbt_resource_props.get("description") or "").strip()
        kind, name = dbt_resource_props["resource_type"], dbt_resource_props["name"]
        return text or f"dbt {kind} `{name}`."

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dagster-dbt's check for a dbt test, described in words (see ``describe_test``)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        props = manifest["nodes"].get(unique_id) or {}
        return replace(spec, description=describe_test(props, manifest))

    def get_metadata(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
        metadata = dict(super().get_metadata(dbt_resource_props))
        if dbt_resource_props["resource_type"] != "source":
            # schema.table, as the other assets name theirs (the database is per deployment)
            relation = f"{dbt_resource_props['schema']}.{dbt_resource_props['alias']}"
            metadata["dagster/table_name"] = relation
            metadata["dbt_node"] = dbt_resource_props["unique_id"]
        return metadata

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        schema = dbt_resource_props.get("schema")
        if dbt_resource_props["resource_type"] != "source" and schema:
            tags["layer"] = schema
        return tags
