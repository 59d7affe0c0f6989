"""``boardroom run``: the daily pipeline job in-process, end to end, and its input errors."""

from __future__ import annotations

import uuid
from datetime import date
from types import SimpleNamespace

import dagster as dg
import psycopg
import pytest
import requests
from typer.testing import CliRunner

from boardroom.cli.main import app
from boardroom.cli.pipeline_run import (
    AssetOutcome,
    PipelineInputError,
    check_window,
    parse_day,
    yesterday_utc,
)
from boardroom.partitions_start import (
    DEFAULT_PARTITIONS_START,
    forget_start,
    partitions_start,
    record_start,
)
from orchestration.defs.pipeline import DailyPartitionedSelection
from orchestration.partitions import daily_partitions

runner = CliRunner()
DAY = "2026-03-31"  # tests.support.demo_warehouse.TEST_SPEC.end_date
RANGE_START = "2026-03-30"  # the module's runs cover [RANGE_START, DAY] as one run
WINDOW = f"{RANGE_START} .. {DAY}"
LATE_UUID = "00000000-0000-4000-8000-00000000fa7e"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2026-13-40"], "--as-of must be a date like"),
        (["--as-of", "yesterday"], "--as-of must be a date like"),
        (["--as-of", "2999-01-01"], "has not ended yet"),
        (["--as-of", "2001-01-01"], "before the first as-of day"),
        (["--from", "2026-03-10", "--to", "2026-03-01"], "is after --to"),
        (["--as-of", DAY, "--from", DAY], "not both"),
        (["--to", DAY], "--to needs --from"),
    ],
)
def test_bad_days_are_refused_before_any_work(tmp_path, args, message):
    result = runner.invoke(
        app, ["run", *args], env={"BOARDROOM_DATA_DIR": str(tmp_path), "COLUMNS": "200"}
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "pgdata").exists()


def test_day_parsing_and_window():
    assert parse_day(" 2026-03-31 ") == date(2026, 3, 31)
    with pytest.raises(PipelineInputError, match="--from must be"):
        parse_day("31/03/2026", "--from")
    check_window(date(2026, 3, 1), date(2026, 3, 31))


def test_run_help_lists_the_options():
    result = runner.invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--as-of", "--from", "--to", "--full-refresh"):
        assert option in result.output


def test_the_daily_job_takes_daily_assets_except_delivery():
    @dg.asset(partitions_def=daily_partitions, group_name="packs")
    def pack() -> None: ...

    @dg.asset(partitions_def=daily_partitions, group_name="delivery")
    def email() -> None: ...

    @dg.asset(group_name="packs")
    def unpartitioned() -> None: ...

    graph = dg.Definitions(assets=[pack, email, unpartitioned]).resolve_asset_graph()
    selection = DailyPartitionedSelection(excluded_groups=("delivery",))
    assert selection.resolve(graph) == {dg.AssetKey("pack")}


def test_outcome_summaries():
    outcome = AssetOutcome("raw/posthog_events", "ingest", {"2026-03-31"})
    outcome.metadata = {"rows_in_days": 1200, "rows_loaded": 3, "mode": "", "late_rows": 0}
    outcome.checks_passed = 2
    outcome.checks_failed = ["raw/posthog_events:x"]
    assert outcome.rows() == "1,200"
    assert outcome.highlights() == "loaded 3"
    assert outcome.checks() == "2/3 passed, 1 FAILED"


@pytest.fixture(scope="module")
def pipeline_run(demo_warehouse, tmp_path_factory):
    """``boardroom run --from RANGE_START --to DAY`` (one run) against a copy of the demo
    warehouse, its app database, a fresh Dagster database and a PostHog stand-in holding one
    late event."""
    from boardroom.posthog_local import PostHogLocal
    from tests.support.demo_warehouse import create_database, drop_database

    admin = demo_warehouse.admin_url
    suffix = uuid.uuid4().hex[:8]
    warehouse = create_database(admin, f"run_wh_{suffix}", template=demo_warehouse.template)
    dagster_db = create_database(admin, f"run_dagster_{suffix}")
    work = tmp_path_factory.mktemp("pipeline_run")
    with psycopg.connect(warehouse) as conn:
        tenant = conn.execute("SELECT min(tenant_id) FROM raw.app_tenants").fetchone()[0]
    try:
        with PostHogLocal(
            work / "posthog", project_id=1, project_api_key="phc_run", personal_api_key="phx_run"
        ) as server:
            late = {
                "event": "api_request",
                "distinct_id": "u-late",
                "uuid": LATE_UUID,
                "timestamp": "2026-03-25T12:00:00Z",
                "properties": {
                    "endpoint": "/v1/late",
                    "status_code": 503,
                    "latency_ms": 40.0,
                    "$groups": {"tenant": tenant},
                },
            }
            requests.post(
                f"{server.url}/batch/", json={"api_key": "phc_run", "batch": [late]}, timeout=30
            ).raise_for_status()
            env = {
                "BOARDROOM_APP_DATABASE_URL": demo_warehouse.app_url,
                "BOARDROOM_WAREHOUSE_URL": warehouse,
                "BOARDROOM_DAGSTER_DATABASE_URL": dagster_db,
                "BOARDROOM_DATA_DIR": str(work / "data"),
                "POSTHOG_HOST": server.url,
                "POSTHOG_PROJECT_ID": "1",
                "POSTHOG_PERSONAL_API_KEY": "phx_run",
                "COLUMNS": "220",
            }
            with psycopg.connect(warehouse) as conn:
                built_before = conn.execute(
                    "SELECT max(_built_at) FROM audit.exec_overview"
                ).fetchone()[0]
            result = runner.invoke(app, ["run", "--from", RANGE_START, "--to", DAY], env=env)
            # the stand-in serves PostHog for the module's later runs too
            yield SimpleNamespace(
                result=result,
                warehouse=warehouse,
                dagster_db=dagster_db,
                tenant=tenant,
                built_before=built_before,
                data_dir=work / "data",
                env=env,
                work=work,
            )
    finally:
        drop_database(admin, f"run_wh_{suffix}")
        drop_database(admin, f"run_dagster_{suffix}")


def test_run_succeeds_and_prints_a_summary(pipeline_run):
    result = pipeline_run.result
    assert result.exit_code == 0, result.output
    output = result.output
    assert f"Running daily_pipeline_job for as-of {WINDOW}" in output
    assert "materialized raw/posthog_events" in output
    assert "step done boardroom_dbt_models" in output
    assert f"Daily pipeline, as-of {WINDOW}" in output  # the summary table
    for key in ("raw/app_tenants", "audit/exec_overview", "reference/metric_catalog"):
        assert key in output
    assert "0 failed" in output and "checks:" in output


def test_the_marts_hold_the_day(pipeline_run):
    with psycopg.connect(pipeline_run.warehouse) as conn:
        tenants = conn.execute("SELECT count(*) FROM raw.app_tenants").fetchone()[0]
        rows, built = conn.execute(
            "SELECT count(*), min(_built_at) FROM audit.exec_overview WHERE as_of_date = %s",
            (date(2026, 3, 31),),
        ).fetchone()
    assert rows == tenants > 0
    assert built > pipeline_run.built_before


def test_a_late_event_rebuilds_its_days(pipeline_run):
    with psycopg.connect(pipeline_run.warehouse) as conn:
        loaded = conn.execute(
            "SELECT count(*) FROM raw.posthog_events WHERE uuid = %s", (LATE_UUID,)
        ).fetchone()[0]
        rebuilt = conn.execute(
            "SELECT min(_built_at) FROM audit.ops_system_health "
            "WHERE tenant_id = %s AND as_of_date BETWEEN %s AND %s",
            (pipeline_run.tenant, date(2026, 3, 25), date(2026, 3, 30)),
        ).fetchone()[0]
        untouched = conn.execute(
            "SELECT max(_built_at) FROM audit.ops_system_health WHERE as_of_date < %s",
            (date(2026, 3, 25),),
        ).fetchone()[0]
    assert loaded == 1
    assert rebuilt > pipeline_run.built_before
    assert untouched <= pipeline_run.built_before


def test_the_run_is_recorded_in_the_dagster_instance(pipeline_run):
    with psycopg.connect(pipeline_run.dagster_db) as conn:
        runs = conn.execute(
            "SELECT pipeline_name, status FROM runs WHERE pipeline_name = 'daily_pipeline_job'"
        ).fetchall()
    assert runs == [("daily_pipeline_job", "SUCCESS")]
    assert (pipeline_run.data_dir / "dagster_home" / "dagster.yaml").exists()


# The run as the Dagster UI shows it: a webserver on the run's instance, queried over GraphQL.

JOB_RUNS = """
query ($selector: PipelineSelector!) { pipelineOrError(params: $selector) {
  __typename
  ... on Pipeline { runs(limit: 20) {
    runId status
    repositoryOrigin { repositoryName repositoryLocationName }
    tags { key value }
  } }
} }
"""
ASSET = """
query ($path: [String!]!) { assetOrError(assetKey: {path: $path}) { ... on Asset {
  definition { metadataEntries { label __typename
    ... on TableSchemaMetadataEntry { schema { columns { name type description } } } } }
  assetMaterializations(limit: 1) { runId partition
    metadataEntries { label __typename ... on IntMetadataEntry { intValue } } }
} } }
"""
CHECKS = """
{ assetNodes { assetKey { path }
  assetChecksOrError { ... on AssetChecks { checks { name description } } } } }
"""


@pytest.fixture(scope="module")
def ui(pipeline_run):
    from boardroom.database import dagster_storage_url
    from tests.support.webserver import dagster_webserver

    env = {
        **pipeline_run.env,
        "DAGSTER_HOME": str(pipeline_run.data_dir / "dagster_home"),
        "BOARDROOM_DAGSTER_DATABASE_URL": dagster_storage_url(pipeline_run.dagster_db),
        "BOARDROOM_WAREHOUSE_URL": pipeline_run.warehouse,
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    with dagster_webserver(env, pipeline_run.work / "webserver.log") as api:
        yield api


def _run_id(output: str) -> str:
    return output.rsplit("run id ", 1)[1].split()[0]


def test_the_cli_run_is_in_the_job_run_history_with_its_origin(pipeline_run, ui):
    run_id = _run_id(pipeline_run.result.output)
    selector = {
        "repositoryLocationName": "boardroom",
        "repositoryName": "__repository__",
        "pipelineName": "daily_pipeline_job",
    }
    job = ui.query(JOB_RUNS, selector=selector)["pipelineOrError"]
    assert job["__typename"] == "Pipeline", job
    runs = {run["runId"]: run for run in job["runs"]}
    assert run_id in runs, runs
    run = runs[run_id]
    assert run["status"] == "SUCCESS"
    assert run["repositoryOrigin"] == {
        "repositoryName": "__repository__",
        "repositoryLocationName": "boardroom",
    }
    tags = {tag["key"]: tag["value"] for tag in run["tags"]}
    assert tags["dagster/asset_partition_range_start"] == RANGE_START
    assert tags["dagster/asset_partition_range_end"] == DAY
    assert tags["boardroom/launched_by"] == "cli"
    mart = ui.query(ASSET, path=["marts", "exec_overview"])["assetOrError"]
    assert mart["assetMaterializations"][0]["runId"] == run_id


def test_dbt_test_checks_have_distinct_readable_descriptions(ui):
    nodes = ui.query(CHECKS)["assetNodes"]
    dbt_checks = 0
    for node in nodes:
        checks = (node["assetChecksOrError"] or {}).get("checks") or []
        descriptions = [c["description"] for c in checks]
        assert all(d and d.strip() for d in descriptions), (node["assetKey"], checks)
        assert len(set(descriptions)) == len(descriptions), (node["assetKey"], checks)
        for check in checks:
            if check["name"] != "gx_suite":
                dbt_checks += 1
                assert check["name"] not in check["description"]
    # one row check per staging model, the intermediate and seed tests; the marts' go to the gate
    assert dbt_checks >= 20
    by_name = {
        c["name"]: c["description"]
        for n in nodes
        for c in (n["assetChecksOrError"] or {}).get("checks") or []
    }
    assert (
        "`locale` only takes the values `en`, `ar`"
        in (by_name["boardroom_valid_rows_stg_app__tenants"])
    )


def _entries(entries: list[dict]) -> dict[str, dict]:
    return {entry["label"]: entry for entry in entries}


@pytest.mark.parametrize("mart", ["exec_overview", "metric_catalog"])
def test_a_published_mart_shows_its_columns_and_its_own_row_count(pipeline_run, ui, mart):
    asset = ui.query(ASSET, path=["marts", mart])["assetOrError"]
    schema = _entries(asset["definition"]["metadataEntries"])["dagster/column_schema"]
    columns = [c["name"] for c in schema["schema"]["columns"]]
    with psycopg.connect(pipeline_run.warehouse) as conn:
        table_columns = [
            row[0]
            for row in conn.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = %s ORDER BY ordinal_position",
                (mart,),
            )
        ]
        rows = conn.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
    assert sorted(columns) == sorted(table_columns)
    assert all(c["type"] and c["type"] != "unknown" for c in schema["schema"]["columns"])
    metadata = _entries(asset["assetMaterializations"][0]["metadataEntries"])
    assert metadata["dagster/row_count"]["intValue"] == rows > 0
    assert "rows_per_mart" not in metadata


PARTITION_KEYS = """
query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
  ... on AssetNode { partitionKeysByDimension { partitionKeys } } } }
"""


def test_partitions_start_where_the_data_starts(pipeline_run, ui):
    """No BOARDROOM_PARTITIONS_START: the first run recorded the earliest event day."""
    recorded = (pipeline_run.data_dir / "partitions_start").read_text().strip()
    with psycopg.connect(pipeline_run.warehouse) as conn:
        first_event = conn.execute(
            "SELECT min(timestamp AT TIME ZONE 'UTC')::date FROM raw.posthog_events"
        ).fetchone()[0]
    assert recorded == first_event.isoformat() == "2026-03-11"  # TEST_SPEC's first day
    node = ui.query(PARTITION_KEYS, path=["audit", "exec_overview"])["assetNodeOrError"]
    keys = node["partitionKeysByDimension"][0]["partitionKeys"]
    assert keys[0] == recorded
    assert keys[-1] == yesterday_utc().isoformat()


def test_the_partitions_start_setting_wins_over_the_record(tmp_path):
    env = {"BOARDROOM_DATA_DIR": str(tmp_path)}
    assert partitions_start(env) == DEFAULT_PARTITIONS_START
    record_start(date(2026, 2, 1), env)
    assert partitions_start(env) == "2026-02-01"
    assert partitions_start({**env, "BOARDROOM_PARTITIONS_START": "2025-06-30"}) == "2025-06-30"
    forget_start(env)
    assert partitions_start(env) == DEFAULT_PARTITIONS_START


GX_CHECK = """
query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) { ... on AssetNode {
  assetChecksOrError { ... on AssetChecks { checks { name
    executionForLatestMaterialization { runId status }
    partitionStatuses { __typename
      ... on AssetCheckTimePartitionStatuses { ranges { startKey endKey status } } }
  } } }
} } }
"""


def _checks(ui, path: list[str]) -> dict[str, dict]:
    node = ui.query(GX_CHECK, path=path)["assetNodeOrError"]
    return {c["name"]: c for c in node["assetChecksOrError"]["checks"]}


def test_the_checks_list_shows_the_range_runs_gx_result(pipeline_run, ui):
    """After a range run the gx_suite check reads "Succeeded" in the checks list too: it was
    "Skipped" there (every day of the range planned, one evaluation without a partition)
    while its page showed "Passed"."""
    run_id = _run_id(pipeline_run.result.output)
    for mart in ("exec_overview", "metric_catalog"):
        check = _checks(ui, ["audit", mart])["gx_suite"]
        assert check["executionForLatestMaterialization"] == {
            "runId": run_id,
            "status": "SUCCEEDED",
        }
        assert check["partitionStatuses"] is None, check  # what the list would show instead


def test_a_failed_gate_prints_one_clear_paragraph(pipeline_run, ui):
    """A real run whose gate fails mart-wide: the volume floor is set far above the last
    publication's row count, so every tenant mart's suite fails with severity ERROR."""
    env = {**pipeline_run.env, "BOARDROOM_GATE_VOLUME_MIN_RATIO": "100"}
    result = runner.invoke(app, ["run", "--from", RANGE_START, "--to", DAY], env=env)
    output = result.output
    assert result.exit_code == 1, output
    assert f"Daily pipeline, as-of {WINDOW}" in output  # the summary table
    paragraph = output[output.index("Pipeline run ") :]
    assert "failed: the publication gate stopped publication" in paragraph
    assert "9 audited mart(s)" in paragraph and "cost_optimization" in paragraph, paragraph
    assert "expect_table_row_count_to_be_between(table) observed " in paragraph, paragraph
    assert "audit.gate_results" in paragraph and "Dagster UI" in paragraph
    assert str(pipeline_run.data_dir / "logs") in paragraph
    assert paragraph.strip().count("\n") == 0, paragraph  # one paragraph, wrapped by the terminal
    assert output.count("Pipeline run ") == 1
    for noise in ("Stack Trace", "Traceback", "DagsterAssetCheckFailedError", "None", "|---"):
        assert noise not in output, noise
    with psycopg.connect(pipeline_run.warehouse) as conn:
        failed = conn.execute(
            "SELECT count(*) FROM audit.gate_results WHERE run_id = %s",
            (output.rsplit("run id ", 1)[1].split()[0],),
        ).fetchone()[0]
    assert failed > 0
    # The checks list shows the range run's evaluation (it was "Skipped" there while the
    # check's page showed the result, when the check was partitioned).
    node = ui.query(GX_CHECK, path=["audit", "exec_overview"])["assetNodeOrError"]
    checks = {c["name"]: c for c in node["assetChecksOrError"]["checks"]}
    latest = checks["gx_suite"]["executionForLatestMaterialization"]
    assert latest["runId"] == output.rsplit("run id ", 1)[1].split()[0]
    assert latest["status"] == "FAILED"
    statuses = checks["gx_suite"]["partitionStatuses"]
    skipped = [r for r in (statuses or {}).get("ranges", []) if r["status"] == "SKIPPED"]
    assert not skipped, statuses
    # Routine runs leave the marts' dbt data tests to this gate (they checked the same).
    assert set(checks) == {"gx_suite"}


def test_a_failed_step_prints_one_clear_paragraph(pipeline_run):
    """A real step failure (no retries): a view squats the name of a published mart."""
    with psycopg.connect(pipeline_run.warehouse, autocommit=True) as conn:
        conn.execute("ALTER TABLE marts.exec_overview RENAME TO exec_overview_kept")
        conn.execute("CREATE VIEW marts.exec_overview AS SELECT 1 AS squatter")
    result = runner.invoke(app, ["run", "--as-of", DAY], env=pipeline_run.env)
    output = result.output
    assert result.exit_code == 1, output
    paragraph = output[output.index("Pipeline run ") :]
    assert paragraph.strip().count("\n") == 0, paragraph
    assert f"(as-of {DAY}) failed: step gx_gate_checks failed: " in paragraph, paragraph
    assert "does not exist" in paragraph, paragraph  # the database's own words
    assert "psycopg" not in paragraph and "UndefinedColumn" not in paragraph, paragraph
    assert "Dagster UI" in paragraph and str(pipeline_run.data_dir / "logs") in paragraph
    for noise in ("Stack Trace", "Traceback", "None"):
        assert noise not in output, noise
