"""The Dagster shape of ingestion: partitions, assets, jobs, the daily schedule, run metadata."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import dagster as dg
import psycopg
import pytest
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from boardroom.settings import ConfigurationError
from boardroom.sources.app_db import APP_TABLES
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.ingest.assets import (
    RAW_APP_KEYS,
    RAW_POSTHOG_EVENTS_KEY,
    events_metadata,
    raw_app_tables,
    raw_posthog_events,
)
from orchestration.defs.pipeline import daily_cron, daily_time
from orchestration.partitions import build_daily_partitions, daily_partitions, partitions_start

SEED = """
INSERT INTO app.tenants VALUES
  ('t-1', 'One', 'growth', 100, 'en', 'UTC', 'active', '2025-01-01+00', '2025-03-01+00'),
  ('t-2', 'اثنان', 'starter', NULL, 'ar', 'Asia/Riyadh', 'active', '2025-01-01+00',
   '2025-03-01+00');
INSERT INTO app.deals VALUES
  ('d-1', 't-1', 'Deal', 10.50, 'USD', 'open', '2025-02-01+00', NULL, '2025-03-01+00');
"""


@pytest.fixture
def resources(app_db_url: str, warehouse_url: str) -> dict[str, object]:
    with psycopg.connect(app_db_url) as conn:
        conn.execute(SEED)
    return {
        "app_db": PostgresResource(url=app_db_url),
        "warehouse": PostgresResource(url=warehouse_url),
    }


def _materializations(result: dg.ExecuteInProcessResult) -> dict[tuple, list]:
    found: dict[tuple, list] = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        found.setdefault(tuple(mat.asset_key.path), []).append(mat)
    return found


def test_materializing_one_day_reports_rows_per_table(resources):
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [raw_app_tables], partition_key="2025-03-01", resources=resources, instance=instance
    )

    assert result.success
    mats = _materializations(result)
    assert set(mats) == {tuple(key.path) for key in RAW_APP_KEYS.values()}
    tenants = mats[("raw", "app_tenants")][0]
    assert tenants.partition == "2025-03-01"
    meta = {k: v.value for k, v in tenants.metadata.items()}
    assert meta["dagster/row_count"] == 2
    assert meta["rows_upserted"] == 2 and meta["rows_deleted"] == 0
    assert meta["mode"] == "full"
    assert meta["duration_seconds"] >= 0
    assert isinstance(meta["watermark"], float)  # a timestamp
    assert mats[("raw", "app_deals")][0].metadata["dagster/row_count"].value == 1
    assert mats[("raw", "app_consents")][0].metadata["dagster/row_count"].value == 0
    messages = [e.user_message for e in instance.all_logs(result.run_id)]
    assert any("source snapshot taken" in m and "repeatable read" in m for m in messages)
    assert any(m.startswith("deals: full: 1 upserted") for m in messages)


def test_full_refresh_config_and_a_subset_of_tables(resources, app_db_url):
    dg.materialize([raw_app_tables], partition_key="2025-03-01", resources=resources)
    with psycopg.connect(app_db_url) as conn:
        conn.execute("DELETE FROM app.deals")
    result = dg.materialize(
        [raw_app_tables],
        partition_key="2025-03-02",
        resources=resources,
        selection=[RAW_APP_KEYS["deals"]],
        run_config=dg.RunConfig({"raw_app_tables": {"config": {"full_refresh": True}}}),
    )
    mats = _materializations(result)
    assert list(mats) == [("raw", "app_deals")]
    meta = {k: v.value for k, v in mats[("raw", "app_deals")][0].metadata.items()}
    assert (meta["mode"], meta["rows_deleted"], meta["dagster/row_count"]) == ("full", 1, 0)


def test_a_partition_range_runs_once_and_materializes_every_day(resources):
    assert raw_app_tables.backfill_policy == dg.BackfillPolicy.single_run()
    assert raw_posthog_events.backfill_policy == dg.BackfillPolicy.single_run()
    # What a single-run backfill launches: one run tagged with the range.
    result = dg.materialize(
        [raw_app_tables],
        resources=resources,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: "2025-02-25",
            ASSET_PARTITION_RANGE_END_TAG: "2025-03-01",
        },
    )
    assert result.success
    tenants = _materializations(result)[("raw", "app_tenants")]
    assert sorted(m.partition for m in tenants) == [
        f"2025-0{d}" for d in ("2-25", "2-26", "2-27", "2-28", "3-01")
    ]


def test_partitions_are_complete_utc_days():
    assert daily_partitions.timezone == "UTC"
    assert daily_partitions.start.date().isoformat() == partitions_start()
    now = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
    with dg.partition_loading_context(effective_dt=now):  # today (03-10) is not over yet
        assert daily_partitions.get_last_partition_key() == "2025-03-09"
    assert build_daily_partitions("2024-06-01").get_first_partition_key() == "2024-06-01"
    assert partitions_start({"BOARDROOM_PARTITIONS_START": "2024-12-31"}) == "2024-12-31"
    with pytest.raises(ConfigurationError, match="BOARDROOM_PARTITIONS_START"):
        partitions_start({"BOARDROOM_PARTITIONS_START": "yesterday"})


def test_daily_cron_must_be_daily():
    assert daily_time("0 2 * * *") == (2, 0)
    assert daily_time(" 30 23 * * * ") == (23, 30)
    for bad in ("0 */6 * * *", "0 2 * * 1", "60 2 * * *", "@daily"):
        with pytest.raises(ConfigurationError, match="BOARDROOM_DAILY_CRON"):
            daily_time(bad)
    with pytest.raises(ConfigurationError, match="BOARDROOM_INGEST_CRON"):
        daily_time("@daily", "BOARDROOM_INGEST_CRON")


def test_daily_cron_falls_back_to_the_ingest_variable():
    assert daily_cron({}) == ("0 2 * * *", "BOARDROOM_DAILY_CRON")
    assert daily_cron({"BOARDROOM_INGEST_CRON": "15 3 * * *"}) == (
        "15 3 * * *",
        "BOARDROOM_INGEST_CRON",
    )
    both = {"BOARDROOM_INGEST_CRON": "15 3 * * *", "BOARDROOM_DAILY_CRON": "0 4 * * *"}
    assert daily_cron(both) == ("0 4 * * *", "BOARDROOM_DAILY_CRON")


def test_definitions_load_with_assets_job_and_schedule():
    from orchestration.definitions import defs

    repo = defs().get_repository_def()
    graph = repo.asset_graph
    expected = {*RAW_APP_KEYS.values(), RAW_POSTHOG_EVENTS_KEY}
    assert expected <= set(graph.get_all_asset_keys())
    for key in expected:
        node = graph.get(key)
        assert node.group_name == "ingest"
        assert node.owners == ["team:data-engineering"]
        assert node.partitions_def == daily_partitions
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
        assert "postgres" in node.kinds
        assert node.description
    assert graph.get(RAW_POSTHOG_EVENTS_KEY).kinds == {"posthog", "postgres"}
    assert RAW_APP_KEYS["tenants"] in graph.get(RAW_POSTHOG_EVENTS_KEY).parent_keys
    assert len(RAW_APP_KEYS) == len(APP_TABLES)

    job = repo.get_job("ingest_job")
    assert set(job.asset_layer.selected_asset_keys) == expected

    # One daily schedule runs ingestion, as part of the whole pipeline.
    daily = repo.get_job("daily_pipeline_job")
    assert daily.partitions_def == daily_partitions
    assert expected <= set(daily.asset_layer.selected_asset_keys)
    schedules = repo.schedule_defs
    assert [s.name for s in schedules if s.job_name in ("ingest_job", "daily_pipeline_job")] == [
        "daily_pipeline_schedule"
    ]
    schedule = repo.get_schedule_def("daily_pipeline_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "UTC")
    assert schedule.job_name == "daily_pipeline_job"

    # At 02:00 UTC the schedule runs the day that just ended.
    context = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
    )
    requests = schedule.evaluate_tick(context).run_requests
    assert [r.partition_key for r in requests] == ["2025-03-09"]


def test_events_metadata_has_every_report_field():
    report = SimpleNamespace(  # the fields of boardroom.ingest.events.EventIngestReport
        rows_received=12,
        rows_loaded=9,
        duplicates_collapsed=1,
        quarantined={"missing_tenant": 1, "wrong_type:amount": 1},
        pages=2,
        queries=3,
        retries=1,
        seconds=0.5,
        newest_event_time=dt.datetime(2025, 3, 1, 23, 59, tzinfo=dt.UTC),
        days_touched=[dt.date(2025, 3, 1), dt.date(2025, 2, 28)],
        late_rows=4,
        already_loaded=5,
        released_from_quarantine=0,
        rows_removed=0,
    )

    meta = {k: v.value for k, v in events_metadata(report).items()}
    assert meta["rows_loaded"] == 9 and meta["already_loaded"] == 5
    assert meta["duplicates_collapsed"] == 1 and meta["rows_quarantined"] == 2
    assert meta["quarantined/wrong_type:amount"] == 1 and meta["quarantined/missing_tenant"] == 1
    assert (meta["pages"], meta["queries"], meta["retries"], meta["late_rows"]) == (2, 3, 1, 4)
    assert meta["newest_event_time"] == report.newest_event_time.timestamp()
    assert meta["days_touched"] == "2025-02-28, 2025-03-01"


def test_both_assets_materialize_against_the_local_posthog(resources, tmp_path, warehouse_url):
    """End to end: tenants first, then events (unknown tenants quarantined against them)."""
    pytest.importorskip("boardroom.ingest.events")
    import requests

    from boardroom.posthog_local import PostHogLocal
    from orchestration.defs.sources.resources import PostHogQueryResource

    def event(uuid: str, tenant: str | None, ts: str, **props) -> dict:
        groups = {"$groups": {"tenant": tenant}} if tenant else {}
        return {
            "event": "api_request",
            "distinct_id": "u-1",
            "uuid": uuid,
            "timestamp": ts,
            "properties": {
                "endpoint": "/v1/x",
                "status_code": 200,
                "latency_ms": 12.5,
                **groups,
                **props,
            },
        }

    batch = [
        event("00000000-0000-4000-8000-000000000001", "t-1", "2025-03-01T10:00:00Z"),
        event("00000000-0000-4000-8000-000000000002", "t-2", "2025-03-01T11:00:00Z"),
        event("00000000-0000-4000-8000-000000000002", "t-2", "2025-03-01T11:00:00Z"),
        event("00000000-0000-4000-8000-000000000003", None, "2025-03-01T12:00:00Z"),
        event("00000000-0000-4000-8000-000000000004", "t-nobody", "2025-03-01T13:00:00Z"),
    ]
    with PostHogLocal(
        tmp_path / "posthog", project_id=1, project_api_key="phc_test", personal_api_key="phx_test"
    ) as server:
        response = requests.post(
            f"{server.url}/batch/", json={"api_key": "phc_test", "batch": batch}, timeout=30
        )
        response.raise_for_status()
        result = dg.materialize(
            [raw_app_tables, raw_posthog_events],
            partition_key="2025-03-01",
            resources={
                **resources,
                "posthog": PostHogQueryResource(
                    host=server.url, project_id=1, personal_api_key="phx_test"
                ),
            },
        )
    assert result.success
    mats = _materializations(result)
    meta = {k: v.value for k, v in mats[("raw", "posthog_events")][0].metadata.items()}
    assert meta["rows_loaded"] >= 2
    assert meta["quarantined/missing_tenant"] == 1
    assert meta["quarantined/unknown_tenant"] == 1
    assert meta["duplicates_collapsed"] >= 1
    assert isinstance(meta["newest_event_time"], float)
    assert "2025-03-01" in meta["days_touched"]
