"""The dbt project as one multi-asset, partitioned like ingestion, built once per run."""

# No `from __future__ import annotations`: Dagster reads the config and resource
# annotations of the asset function at definition time.

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
from dagster_dbt import dbt_assets
from psycopg import sql
from pydantic import Field

from boardroom.database import connect
from boardroom.dbt.env import DBT_SELECTOR, DbtWindow
from boardroom.dbt.static_nodes import StaticNodesPlan, plan_static_nodes, static_relations
from orchestration.defs.ingest.assets import RAW_POSTHOG_EVENTS_KEY
from orchestration.defs.marts.project import boardroom_dbt_project
from orchestration.defs.marts.resources import BoardroomDbtResource
from orchestration.defs.marts.translator import BoardroomDbtTranslator
from orchestration.partitions import daily_partitions, partition_days

#: Assets every routine build materializes: their latest materialization marks the
#: previous build (its run's start bounds the late events to pick up).
BUILD_MARKERS = (
    dg.AssetKey(["intermediate", "int_as_of_days"]),
    dg.AssetKey(["audit", "exec_overview"]),
)
_MAX_INGEST_RECORDS = 1000


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    has_as_of_date: bool


def _relations(manifest: Mapping[str, Any]) -> dict[dg.AssetKey, Relation]:
    """Asset key -> the table it names, for every dbt node that is not a view."""
    found: dict[dg.AssetKey, Relation] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        if node["config"].get("materialized") in ("view", "ephemeral"):
            continue
        key = dg.AssetKey([node["schema"], node["alias"]])
        found[key] = Relation(node["schema"], node["alias"], "as_of_date" in node["columns"])
    return found


_MANIFEST = json.loads(boardroom_dbt_project.manifest_path.read_text())
#: The static nodes a routine build may leave out (boardroom.dbt.static_nodes).
STATIC_KEYS = frozenset(dg.AssetKey([r.schema, r.name]) for r in static_relations(_MANIFEST))

#: dagster-dbt's own row counts name relations with the database the manifest was parsed
#: with, which differs per deployment; these counts use the warehouse connection instead.
RELATIONS = _relations(_MANIFEST)


class DbtMartsConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="dbt --full-refresh: rebuild every as-of day from the partitions' start "
        "(BOARDROOM_PARTITIONS_START) to the run's last day, from scratch.",
    )


@dataclass(frozen=True)
class BuildPlan(DbtWindow):
    """The window of one ``dbt build`` (the run's days plus what late data reaches) and
    whether it is a full refresh; :meth:`~boardroom.dbt.env.DbtWindow.env` is what dbt reads."""

    min_date: date
    max_date: date
    start_date: date | None = None
    event_days: list[date] = field(default_factory=list)
    late_events_loaded_since: datetime | None = None
    full_refresh: bool = False

    def describe(self) -> str:
        mode = "full refresh" if self.full_refresh else "incremental"
        text = f"{mode} build of as-of days {self.min_date} .. {self.max_date}"
        if self.start_date:
            text += f", history from {self.start_date}"
        if self.event_days:
            text += f", event days touched: {', '.join(d.isoformat() for d in self.event_days)}"
        if self.late_events_loaded_since:
            text += f", late events loaded since {self.late_events_loaded_since.isoformat()}"
        return text


def parse_days_touched(text: str) -> set[date]:
    """``"2025-02-28, 2025-03-01"`` (the events asset's ``days_touched``) -> dates."""
    days: set[date] = set()
    for part in text.split(","):
        part = part.strip()
        if part and part != "none":
            days.add(date.fromisoformat(part))
    return days


def previous_build(instance: dg.DagsterInstance) -> tuple[int, datetime] | None:
    """(storage id, run start) of the latest materialization of the dbt models, if any."""
    latest: tuple[int, str] | None = None
    for key in BUILD_MARKERS:
        records = instance.fetch_materializations(key, limit=1).records
        if records and (latest is None or records[0].storage_id > latest[0]):
            latest = (records[0].storage_id, records[0].event_log_entry.run_id)
    if latest is None:
        return None
    run = instance.get_run_record_by_id(latest[1])
    started = run.start_time if run and run.start_time else None
    if started is None:
        return None
    return latest[0], datetime.fromtimestamp(started, UTC)


def ingested_event_days(
    instance: dg.DagsterInstance, run_id: str, after_storage_id: int | None
) -> set[date]:
    """Event days touched by ingestion since the previous build (or in this run, without one):
    the ``days_touched`` of every ``raw/posthog_events`` materialization in that span."""
    records_filter = dg.AssetRecordsFilter(
        asset_key=RAW_POSTHOG_EVENTS_KEY, after_storage_id=after_storage_id
    )
    records = instance.fetch_materializations(records_filter, limit=_MAX_INGEST_RECORDS).records
    days: set[date] = set()
    for record in records:
        entry = record.event_log_entry
        if after_storage_id is None and entry.run_id != run_id:
            continue
        materialization = entry.asset_materialization
        value = materialization.metadata.get("days_touched") if materialization else None
        if value is not None:
            days |= parse_days_touched(str(value.value))
    return days


def plan_build(
    instance: dg.DagsterInstance, run_id: str, first: date, end: date, *, full_refresh: bool
) -> BuildPlan:
    """The build for as-of days [first, end): a full refresh keeps history from the partitions'
    start; an incremental build also rebuilds the days late events reach."""
    max_date = end - timedelta(days=1)
    if full_refresh:
        start = daily_partitions.start.date()
        return BuildPlan(first, max_date, full_refresh=True, start_date=min(start, first))
    previous = previous_build(instance)
    after = previous[0] if previous else None
    days = ingested_event_days(instance, run_id, after)
    return BuildPlan(
        first,
        max_date,
        event_days=sorted(days),
        late_events_loaded_since=previous[1] if previous else None,
    )


@dbt_assets(
    manifest=boardroom_dbt_project.manifest_path,
    project=boardroom_dbt_project,
    selector=DBT_SELECTOR,
    name="boardroom_dbt_models",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=BoardroomDbtTranslator(),
    pool="boardroom_dbt",
)
def boardroom_dbt_models(
    context: dg.AssetExecutionContext, dbt: BoardroomDbtResource, config: DbtMartsConfig
) -> Iterator[Any]:
    """Every tenant's staging, snapshots, intermediate models and audited marts for the
    run's as-of days, in one ``dbt build`` (seeds, snapshots, models, data and unit tests)."""
    first, end = partition_days(context)
    plan = plan_build(
        context.instance, context.run.run_id, first, end, full_refresh=config.full_refresh
    )
    # A subset run selects its nodes by name: the static nodes are built when selected.
    static = plan_static_nodes(dbt.warehouse_url, rebuild=plan.full_refresh or context.is_subset)
    context.log.info(f"dbt: {plan.describe()}; {static.describe()}")
    args = ["build", *static.dbt_flags()]
    if plan.full_refresh:
        args.append("--full-refresh")
    # dbt's target folder (compiled SQL, dbt.log; manifest and run_results when the static
    # nodes are built) is kept only when the build fails; Dagster keeps dbt's output in the
    # run's logs either way.
    target = boardroom_dbt_project.project_dir / "target" / "runs" / context.run.run_id[:8]
    with connect(dbt.warehouse_url, autocommit=True) as conn:
        # Upstream of every other node, so reported first (Dagster wants topological order).
        yield from unchanged_static_outputs(context, static, conn, plan)
        env = {**plan.env(), **static.env()}
        invocation = dbt.cli(args, context=context, target_path=target, extra_env=env)
        for event in invocation.stream():
            if isinstance(event, dg.Output):
                key = context.asset_key_for_output(event.output_name)
                extra = row_count_metadata(conn, key, plan)
                event = event.with_metadata({**event.metadata, **extra}) if extra else event
            yield event
    if not context.is_subset:
        static.record(dbt.warehouse_url, target / "manifest.json")
    dbt.keep_parse_state(target, env)
    shutil.rmtree(target, ignore_errors=True)


def unchanged_static_outputs(
    context: dg.AssetExecutionContext, static: StaticNodesPlan, conn: Any, plan: BuildPlan
) -> Iterator[dg.Output]:
    """One output per static node the build left out: a view reads its tables live and a
    seed is the project's CSV, so each is current for the run's days without a rebuild."""
    if not static.leave_out:
        return
    for key in sorted(context.selected_asset_keys & STATIC_KEYS, key=_static_layer_order):
        yield dg.Output(
            None,
            context.assets_def.get_output_name_for_asset_key(key),
            metadata={
                "boardroom/rebuilt": dg.MetadataValue.bool(False),
                "boardroom/reason": dg.MetadataValue.text(static.describe()),
                **row_count_metadata(conn, key, plan),
            },
        )


#: Seeds, then staging views, then what is built on them (intermediate views, the catalogue).
_STATIC_LAYERS = {"reference": 0, "staging": 1}


def _static_layer_order(key: dg.AssetKey) -> tuple[int, list[str]]:
    """Parents before children among the static nodes, as Dagster reports outputs."""
    return _STATIC_LAYERS.get(key.path[0], 2), list(key.path)


def row_count_metadata(conn: Any, key: dg.AssetKey, plan: BuildPlan) -> dict[str, Any]:
    """``dagster/row_count`` of the table behind ``key`` and, for tenant-day tables, the rows
    of the run's as-of days (``dagster/partition_row_count`` for a one-day run)."""
    relation = RELATIONS.get(key)
    if relation is None:
        return {}
    table = sql.Identifier(relation.schema, relation.name)
    total = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()[0]
    metadata: dict[str, Any] = {"dagster/row_count": dg.MetadataValue.int(int(total))}
    if relation.has_as_of_date:
        in_window = conn.execute(
            sql.SQL("SELECT count(*) FROM {} WHERE as_of_date BETWEEN %s AND %s").format(table),
            (plan.min_date, plan.max_date),
        ).fetchone()[0]
        metadata["rows_in_window"] = dg.MetadataValue.int(int(in_window))
        if plan.min_date == plan.max_date:
            metadata["dagster/partition_row_count"] = dg.MetadataValue.int(int(in_window))
    return metadata
