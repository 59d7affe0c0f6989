"""``source_observation_sensor`` against a real app database and the PostHog stand-in."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import psycopg

from boardroom.demo import DemoSpec, load_operational
from boardroom.sources.app_db import APP_TABLES
from orchestration.defs.sources.sensors import source_observation_sensor
from tests.automation.support import event, posthog_stand_in, resources, send


def test_observations_report_rows_updated_at_and_last_event(
    app_db_url: str, warehouse_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(app_db_url) as conn:
        load_operational(conn, DemoSpec(end_date=date(2026, 3, 31), tenants=3, days=3))
        conn.execute("UPDATE app.deals SET updated_at = '2026-04-01 09:30:00+00' WHERE true")
        truth = {
            table: conn.execute(f"SELECT count(*), max(updated_at) FROM app.{table}").fetchone()
            for table in APP_TABLES
        }
    with posthog_stand_in(tmp_path / "posthog") as server:
        sent_from = datetime.now(UTC)
        send(server, [event("2026-03-30T10:00:00+00:00"), event("2026-03-31T08:00:00+00:00")])
        send(server, [event("2026-03-29T23:59:00+00:00", tenant=None)])
        sent_until = datetime.now(UTC)
        with dg.instance_for_test() as instance:
            context = dg.build_sensor_context(
                instance=instance, resources=resources(server, app_db_url, warehouse_url)
            )
            result = source_observation_sensor(context)

    assert isinstance(result, dg.SensorResult) and not result.run_requests
    observed = {e.asset_key: e.metadata for e in result.asset_events}
    assert len(observed) == len(APP_TABLES) + 1
    for table in APP_TABLES:
        metadata = observed[dg.AssetKey(["app", table])]
        rows, newest = truth[table]
        assert metadata["dagster/row_count"].value == rows
        assert metadata["updated_at_max"].value == newest.timestamp()
    assert truth["deals"][0] > 0
    assert observed[dg.AssetKey(["app", "deals"])]["updated_at_max"].value == (
        datetime(2026, 4, 1, 9, 30, tzinfo=UTC).timestamp()
    )
    posthog = observed[dg.AssetKey(["posthog", "events"])]
    assert posthog["dagster/row_count"].value == 3
    received = posthog["last_event_received_at"].value
    assert sent_from.timestamp() - 1 <= received <= sent_until.timestamp() + 1
    # The last event received is the one without a tenant, stamped 2026-03-29 23:59.
    assert posthog["last_event_time"].value == datetime(2026, 3, 29, 23, 59, tzinfo=UTC).timestamp()


def test_an_unreachable_source_does_not_hide_the_other(
    app_db_url: str, warehouse_url: str, tmp_path: Path
) -> None:
    with posthog_stand_in(tmp_path / "posthog") as server:
        res = resources(server, app_db_url, warehouse_url)
    # The stand-in is stopped: PostHog cannot be observed, the app database still is.
    started = time.perf_counter()
    with dg.instance_for_test() as instance:
        result = source_observation_sensor(
            dg.build_sensor_context(instance=instance, resources=res)
        )
    assert time.perf_counter() - started < 30  # a sensor tick gives up quickly
    keys = {e.asset_key for e in result.asset_events}
    assert keys == {dg.AssetKey(["app", t]) for t in APP_TABLES}


def test_an_app_database_without_tables_yet_is_not_a_problem(
    make_database, warehouse_url: str, tmp_path: Path
) -> None:
    """A fresh clone's app database has no tables before `boardroom demo`: nothing to observe,
    nothing to warn about (`boardroom dev` prints no warning)."""
    empty_app = make_database("app")
    with posthog_stand_in(tmp_path / "posthog") as server, dg.instance_for_test() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources=resources(server, empty_app, warehouse_url)
        )
        result = source_observation_sensor(context)
    assert {e.asset_key for e in result.asset_events} == {dg.AssetKey(["posthog", "events"])}
    assert result.skip_reason is None
