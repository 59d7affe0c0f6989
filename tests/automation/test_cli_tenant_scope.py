"""``boardroom run --as-of D --tenant t_007``: the whole daily job, one tenant published.

End to end through the CLI: a copy of the demo warehouse published for every tenant, a copy
of its app database where t_007's data is then fixed (two approvals it had missed), an empty
PostHog stand-in and a fresh Dagster database.
"""

from __future__ import annotations

import uuid
from datetime import date

import psycopg
from typer.testing import CliRunner

from boardroom.cli.main import app
from boardroom.gate.publish import publish_tenants
from tests.automation.test_tenant_scope import rows_by_tenant
from tests.support.demo_warehouse import create_database, drop_database

DAY = date(2026, 3, 31)
SCOPED = "t_007"


def test_run_with_tenant_publishes_only_that_tenant(demo_warehouse, tmp_path) -> None:
    from boardroom.posthog_local import PostHogLocal

    admin, suffix = demo_warehouse.admin_url, uuid.uuid4().hex[:8]
    names = [f"scope_wh_{suffix}", f"scope_app_{suffix}", f"scope_dagster_{suffix}"]
    warehouse = create_database(admin, names[0], template=demo_warehouse.template)
    app_db = create_database(admin, names[1], template=f"{demo_warehouse.template}_app")
    dagster_db = create_database(admin, names[2])
    try:
        publish_tenants(warehouse, demo_warehouse.min_date, DAY, run_id="full")
        before = rows_by_tenant(warehouse)
        with psycopg.connect(warehouse) as conn:
            old = conn.execute(
                "SELECT pending_approvals FROM marts.exec_overview "
                "WHERE tenant_id = %s AND as_of_date = %s",
                (SCOPED, DAY),
            ).fetchone()[0]
        with psycopg.connect(app_db) as conn:
            for n in (1, 2):
                conn.execute(
                    "INSERT INTO app.approval_requests (approval_id, tenant_id, category, "
                    "priority, status, created_at, sla_deadline_at, updated_at) VALUES "
                    "(%s, %s, 'billing', 'high', 'pending', '2026-03-31 10:00+00', "
                    "'2026-04-03 10:00+00', now())",
                    (f"fix-{n}", SCOPED),
                )
        with PostHogLocal(
            tmp_path / "posthog", project_id=1, project_api_key="phc_s", personal_api_key="phx_s"
        ) as server:
            env = {
                "BOARDROOM_APP_DATABASE_URL": app_db,
                "BOARDROOM_WAREHOUSE_URL": warehouse,
                "BOARDROOM_DAGSTER_DATABASE_URL": dagster_db,
                "BOARDROOM_DATA_DIR": str(tmp_path / "data"),
                "BOARDROOM_OUTPUT_DIR": str(tmp_path / "packs"),
                "BOARDROOM_PACK_WORKERS": "0",
                "POSTHOG_HOST": server.url,
                "POSTHOG_PROJECT_ID": "1",
                "POSTHOG_PERSONAL_API_KEY": "phx_s",
                "COLUMNS": "220",
            }
            result = CliRunner().invoke(
                app, ["run", "--as-of", DAY.isoformat(), "--tenant", SCOPED], env=env
            )
        assert result.exit_code == 0, result.output
        after = rows_by_tenant(warehouse)
        for tenant in before:
            if tenant != SCOPED:
                assert after[tenant] == before[tenant], tenant  # published_at included
        with psycopg.connect(warehouse) as conn:
            published, audited = conn.execute(
                "SELECT p.pending_approvals, a.pending_approvals FROM marts.exec_overview p "
                "JOIN audit.exec_overview a USING (tenant_id, as_of_date) "
                "WHERE tenant_id = %s AND as_of_date = %s",
                (SCOPED, DAY),
            ).fetchone()
            logged = conn.execute(
                "SELECT DISTINCT tenant_id FROM marts.publication_log WHERE run_id <> 'full'"
            ).fetchall()
        assert published == audited == old + 2  # the fix is published
        assert logged == [(SCOPED,)]
        manifest = (tmp_path / "packs" / "2026-03-31_7d" / "manifest.json").read_text()
        assert f'"tenant_id": "{SCOPED}"' in manifest and '"tenant_id": "t_001"' not in manifest
    finally:
        for name in names:
            drop_database(admin, name)
