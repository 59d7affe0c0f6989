"""Dagster wiring: keys, groups, jobs, the weekly schedule, and runs of both assets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from boardroom.settings import DEFAULT_PACKS_CRON
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.packs.assets import (
    BOARD_PACK_EMAILS_KEY,
    BOARD_PACKS_KEY,
    MART_DEPS,
    board_pack_emails,
    board_packs,
)
from orchestration.defs.packs.jobs import (
    board_pack_delivery_job,
    board_pack_delivery_schedule,
    packs_cron,
)
from orchestration.defs.packs.resources import SmtpResource
from tests.packs.conftest import DOMAINS
from tests.packs.smtp_server import RecordingHandler, smtp_server

DAY = "2026-03-31"
PLACEHOLDER = {
    "warehouse": PostgresResource(url="postgresql://localhost/unused"),
    "app_db": PostgresResource(url="postgresql://localhost/unused"),
    "smtp": SmtpResource(),
}


def test_keys_groups_and_dependencies() -> None:
    defs = dg.Definitions(
        assets=[board_packs, board_pack_emails],
        jobs=[board_pack_delivery_job],
        schedules=[board_pack_delivery_schedule],
        resources=PLACEHOLDER,
    )
    graph = defs.resolve_asset_graph()
    assert graph.get(BOARD_PACKS_KEY).group_name == "packs"
    assert graph.get(BOARD_PACK_EMAILS_KEY).group_name == "delivery"
    assert set(MART_DEPS) <= set(graph.get(BOARD_PACKS_KEY).parent_keys)
    assert graph.get(BOARD_PACK_EMAILS_KEY).parent_keys == {BOARD_PACKS_KEY}
    job = defs.resolve_job_def("board_pack_delivery_job")
    assert job.asset_layer.selected_asset_keys == {BOARD_PACK_EMAILS_KEY}


def test_daily_pipeline_renders_packs_but_does_not_send() -> None:
    pipeline = pytest.importorskip("orchestration.defs.pipeline")
    defs = dg.Definitions(
        assets=[board_packs, board_pack_emails],
        jobs=[pipeline.daily_pipeline_job],
        resources=PLACEHOLDER,
    )
    keys = defs.resolve_job_def(pipeline.DAILY_PIPELINE_JOB).asset_layer.selected_asset_keys
    assert BOARD_PACKS_KEY in keys and BOARD_PACK_EMAILS_KEY not in keys


def test_weekly_schedule_delivers_the_period_ending_yesterday() -> None:
    assert packs_cron({}) == DEFAULT_PACKS_CRON == "0 6 * * 1"
    assert packs_cron({"BOARDROOM_PACKS_CRON": "30 7 * * 5"}) == "30 7 * * 5"
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 4, 6, 6, 0, tzinfo=UTC)
    )
    request = board_pack_delivery_schedule(context)
    assert request.partition_key == "2026-04-05"


def _resources(published_warehouse, demo_warehouse) -> dict:
    return {
        "warehouse": PostgresResource(url=published_warehouse.url),
        "app_db": PostgresResource(url=demo_warehouse.app_url),
        "smtp": SmtpResource(),  # no server: a dry run
    }


def test_render_then_deliver_through_dagster(
    published_warehouse, demo_warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOARDROOM_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setenv(
        "BOARDROOM_RECIPIENT_DOMAINS",
        json.dumps({"tenants": {"t_001": [DOMAINS["t_001"]]}, "platform": []}),
    )
    resources = _resources(published_warehouse, demo_warehouse)
    rendered = dg.materialize(
        [board_packs],
        partition_key=DAY,
        resources=resources,
        run_config={
            "ops": {"packs__board_packs": {"config": {"tenants": ["t_001"], "workers": 0}}}
        },
    )
    assert rendered.success
    meta = rendered.asset_materializations_for_node("packs__board_packs")[0].metadata
    assert meta["packs_rendered"].value == 5 and meta["pages"].value > 10
    assert (tmp_path / "2026-03-31_7d" / "manifest.json").exists()

    dry = dg.materialize(
        [board_pack_emails],
        partition_key=DAY,
        resources=resources,
        run_config={"ops": {"delivery__board_pack_emails": {"config": {"dry_run": True}}}},
    )
    assert dry.success
    emls = list((tmp_path / "outbox" / "2026-03-31_7d").glob("*.eml"))
    assert (
        len(emls)
        == dry.asset_materializations_for_node("delivery__board_pack_emails")[0]
        .metadata["dry_run_files"]
        .value
        >= 3
    )

    handler = RecordingHandler(refuse={r.lower() for r in _t001_recipients(emls)})
    with smtp_server(handler) as (host, port):
        failed = dg.materialize(
            [board_pack_emails],
            partition_key=DAY,
            resources={**resources, "smtp": SmtpResource(host=host, port=str(port))},
            raise_on_error=False,
            run_config={
                "ops": {
                    "delivery__board_pack_emails": {
                        "config": {"retry_attempts": 2, "retry_initial_wait_seconds": 0.01}
                    }
                }
            },
        )
    assert not failed.success
    assert handler.refused and not handler.received


def _t001_recipients(emls: list[Path]) -> list[str]:
    from email import message_from_bytes
    from email.policy import default
    from email.utils import parseaddr

    return [parseaddr(message_from_bytes(p.read_bytes(), policy=default)["To"])[1] for p in emls]


def _bound_smtp(monkeypatch, values: dict[str, str]) -> SmtpResource:
    """The ``smtp`` resource as the code location binds it, in this environment."""
    from orchestration.defs.packs.resources import smtp_resources

    for name in ("HOST", "PORT", "USERNAME", "PASSWORD", "SECURITY", "FROM"):
        monkeypatch.delenv(f"BOARDROOM_SMTP_{name}", raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    resource = smtp_resources().resources["smtp"]
    with dg.build_resources({"smtp": resource}) as built:
        return built.smtp


def test_the_bound_smtp_resource_is_a_dry_run_when_no_variable_is_set(monkeypatch) -> None:
    smtp = _bound_smtp(monkeypatch, {})
    assert not smtp.configured
    assert smtp.sender == "boardroom@localhost"


def test_the_bound_smtp_resource_reads_the_variables_that_are_set(monkeypatch) -> None:
    smtp = _bound_smtp(
        monkeypatch, {"BOARDROOM_SMTP_HOST": "mail.example.com", "BOARDROOM_SMTP_SECURITY": "ssl"}
    )
    assert smtp.configured
    assert smtp.smtp_settings().port == 465
