"""``late_data_sensor``: data arriving after publication re-runs exactly the days it reaches.

Real components throughout: a private copy of the built demo warehouse (published here for
2026-03-11..2026-03-28), a copy of its app database, the PostHog stand-in fed through its
capture endpoint, ingestion's own watermark, and the sensor evaluated with a real instance.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)
from dagster._core.test_utils import create_run_for_test

from boardroom.gate.publish import publish_tenants
from boardroom.ingest.events import ingest_events
from boardroom.ingest.posthog_query import PostHogQueryClient
from orchestration.definitions import defs
from orchestration.defs.automation.late_data_sensor import late_data_sensor
from tests.automation.support import (
    PERSONAL_KEY,
    PROJECT_ID,
    event,
    posthog_stand_in,
    resources,
    send,
)
from tests.support.demo_warehouse import create_database, drop_database

FIRST, PUBLISHED_UNTIL = date(2026, 3, 11), date(2026, 3, 28)


@pytest.fixture
def app_copy(demo_warehouse) -> Iterator[str]:
    name = f"{demo_warehouse.template}_app_late"
    url = create_database(demo_warehouse.admin_url, name, template=f"{demo_warehouse.template}_app")
    yield url
    drop_database(demo_warehouse.admin_url, name)


def _range(request: dg.RunRequest) -> tuple[str, str]:
    if request.partition_key:
        return request.partition_key, request.partition_key
    return request.tags[ASSET_PARTITION_RANGE_START_TAG], request.tags[
        ASSET_PARTITION_RANGE_END_TAG
    ]


def _evaluate(instance, res, cursor: str | None, definitions=None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        instance=instance, resources=res, cursor=cursor, definitions=definitions
    )
    return late_data_sensor(context)


def test_late_event_and_usage_change_request_exactly_the_published_days_they_reach(
    clone_demo_warehouse, app_copy: str, tmp_path: Path
) -> None:
    warehouse = clone_demo_warehouse()
    with posthog_stand_in(tmp_path / "posthog") as server:
        on_time = event("2026-03-28T09:00:00+00:00", tenant="t_002")
        send(server, [on_time])
        with PostHogQueryClient(server.url, PROJECT_ID, PERSONAL_KEY) as client:
            loaded = ingest_events(client, warehouse, PUBLISHED_UNTIL)  # sets the watermark
        assert loaded.rows_loaded == 1
        publish_tenants(warehouse, FIRST, PUBLISHED_UNTIL)
        res = resources(server, app_copy, warehouse)

        with dg.instance_for_test() as instance:
            quiet = _evaluate(instance, res, None)
            assert not quiet.run_requests  # nothing arrived since publication

            send(
                server,
                [
                    event("2026-03-20T12:00:00+00:00", tenant="t_001"),  # late: reaches 20..28
                    event("2026-03-30T08:00:00+00:00", tenant="t_001"),  # a future day: not late
                    event("2026-03-12T08:00:00+00:00", tenant=None),  # quarantined: counts nowhere
                    {**on_time, "timestamp": "2026-03-14T00:00:00+00:00"},  # a later copy: loses
                ],
            )
            late = _evaluate(instance, res, quiet.cursor, defs())
            assert [_range(r) for r in late.run_requests] == [("2026-03-20", "2026-03-28")]
            request = late.run_requests[0]
            assert request.tags["boardroom/trigger"] == "late_data" and request.run_key
            assert request.asset_selection is None  # the newest published day: the whole job

            again = _evaluate(instance, res, late.cursor)
            assert not again.run_requests  # the same late event is not requested twice

            with psycopg.connect(app_copy) as conn:
                changed = conn.execute(
                    "UPDATE app.infra_usage SET units = units + 1, updated_at = now() "
                    "WHERE ctid = (SELECT ctid FROM app.infra_usage WHERE usage_date = %s "
                    "LIMIT 1) RETURNING usage_id",
                    (date(2026, 3, 26),),
                ).fetchall()
            assert len(changed) == 1
            usage = _evaluate(instance, res, again.cursor)
            # Month to date and 30 days both hold 2026-03-26: published days 26..28.
            assert [_range(r) for r in usage.run_requests] == [("2026-03-26", "2026-03-28")]

            # The next daily run (as-of 2026-03-31) loads the late event into raw and
            # publishes its own day only: 20..28 still miss it until they are re-run.
            with PostHogQueryClient(server.url, PROJECT_ID, PERSONAL_KEY) as client:
                swept = ingest_events(client, warehouse, date(2026, 3, 31))
            assert swept.late_rows == 2  # stamped 2026-03-20 and 2026-03-30
            publish_tenants(warehouse, date(2026, 3, 31), date(2026, 3, 31))
            stale = _evaluate(instance, res, usage.cursor, defs())
            assert [_range(r) for r in stale.run_requests] == [("2026-03-20", "2026-03-28")]
            # Older days than the newest published one: everything but board-pack rendering.
            selected = set(stale.run_requests[0].asset_selection)
            assert dg.AssetKey(["packs", "board_packs"]) not in selected
            assert {
                dg.AssetKey(["raw", "posthog_events"]),
                dg.AssetKey(["audit", "exec_overview"]),
                dg.AssetKey(["marts", "exec_overview"]),
            } <= selected

            # While a run of the daily job is in flight, the sensor waits.
            create_run_for_test(
                instance, job_name="daily_pipeline_job", status=dg.DagsterRunStatus.STARTED
            )
            waiting = _evaluate(instance, res, usage.cursor)
            assert not waiting.run_requests and "in progress" in waiting.skip_reason.skip_message

        with dg.instance_for_test() as idle:
            publish_tenants(warehouse, date(2026, 3, 20), date(2026, 3, 28))  # re-published
            done = _evaluate(idle, res, usage.cursor)
            assert not done.run_requests


def test_nothing_published_means_nothing_is_late(
    clone_demo_warehouse, app_copy: str, tmp_path: Path
) -> None:
    warehouse = clone_demo_warehouse()
    with posthog_stand_in(tmp_path / "posthog") as server, dg.instance_for_test() as instance:
        send(server, [event((PUBLISHED_UNTIL - timedelta(days=3)).isoformat() + "T01:00:00Z")])
        result = _evaluate(instance, resources(server, app_copy, warehouse), None)
    assert not result.run_requests
    assert "Nothing published" in (result.skip_reason.skip_message or "")
