"""Operational tables into raw.app_*: full, incremental, deletes, snapshot, exactness."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from psycopg import sql

from boardroom.ingest.app_tables import (
    RECOVERY_BATCH,
    ExtractionError,
    ExtractProgress,
    create_raw_app_schema,
    extract_app_tables,
)
from boardroom.sources.app_db import APP_TABLES

QUOTED_TENANT = "t-o'brien"  # a quote inside an id
ARABIC_NAME = "شركة الرياض للتقنية — «تجريبي»"

# A small data set touching every table, with NULLs, numeric scales, a quote and Arabic.
SEED = f"""
INSERT INTO app.tenants VALUES
  ('t-acme', 'Acme', 'growth', 12500.50, 'en', 'Europe/London', 'active',
   '2025-01-01 09:00+00', '2025-03-01 10:00:00.123456+00'),
  ($q${QUOTED_TENANT}$q$, $q${ARABIC_NAME}$q$, 'enterprise', NULL, 'ar', 'Asia/Riyadh',
   'suspended', '2025-01-02 09:00+03', '2025-03-01 10:00+00');
INSERT INTO app.executive_recipients VALUES
  ('r-1', 't-acme', 'ceo@acme.test', 'Ada Lovelace', 'ceo', true, true, '2025-03-01 10:00+00'),
  ('r-2', $q${QUOTED_TENANT}$q$, 'cfo@riyadh.test', 'نورة', 'cfo', false, true,
   '2025-03-01 10:00+00'),
  ('r-3', NULL, 'board@platform.test', 'Platform CEO', 'ceo', true, true, '2025-03-01 10:00+00');
INSERT INTO app.deals VALUES
  ('d-1', 't-acme', 'Big deal', 1000.10, 'USD', 'won', '2025-02-01+00', '2025-02-20 12:00+00',
   '2025-03-01 10:00+00'),
  ('d-2', 't-acme', 'Open deal', 0.01, 'USD', 'open', '2025-02-02+00', NULL,
   '2025-03-01 10:00+00'),
  ('d-3', $q${QUOTED_TENANT}$q$, 'صفقة', 999999999999.99, 'SAR', 'negotiating',
   '2025-02-03+00', NULL, '2025-03-01 10:00+00');
INSERT INTO app.approval_requests VALUES
  ('a-1', 't-acme', 'deal', 'critical', 'pending', '2025-02-28+00', '2025-03-01 02:00+00',
   NULL, 2, '2025-03-01 10:00+00'),
  ('a-2', $q${QUOTED_TENANT}$q$, 'billing', 'low', 'approved', '2025-02-27+00',
   '2025-03-02+00', '2025-02-28+00', 0, '2025-03-01 10:00+00');
INSERT INTO app.integration_sync_states VALUES
  ('t-acme', 'stripe', 'healthy', '2025-03-01 09:00+00', NULL, '2025-03-01 10:00+00'),
  ('t-acme', 'smtp', 'failing', NULL, 'auth failed: "bad password"', '2025-03-01 10:00+00'),
  ($q${QUOTED_TENANT}$q$, 'whatsapp', 'degraded', '2025-02-28+00', 'مهلة', '2025-03-01 10:00+00');
INSERT INTO app.compliance_controls VALUES
  ('t-acme', 'PDPL-C01', 'PDPL', 'passing', '2025-02-28+00', '2025-03-01 10:00+00'),
  ($q${QUOTED_TENANT}$q$, 'NCA-ECC-2-1', 'NCA-ECC', 'not_assessed', NULL,
   '2025-03-01 10:00+00');
INSERT INTO app.consents VALUES
  ('c-1', 't-acme', 's-1', 'marketing', true, '2025-02-01+00', '2025-03-01 10:00+00'),
  ('c-2', 't-acme', 's-1', 'marketing', false, '2025-02-15+00', '2025-03-01 10:00+00');
INSERT INTO app.contradictions VALUES
  ('x-1', 't-acme', 'high', 'detected', '2025-02-20+00', '2025-03-01 10:00+00');
INSERT INTO app.strategic_deals VALUES
  ('s-1', 't-acme', 'active', '2025-03-01 10:00+00'),
  ('s-2', $q${QUOTED_TENANT}$q$, 'paused', '2025-03-01 10:00+00');
INSERT INTO app.evidence_packs VALUES
  ('e-1', 't-acme', 'ready', '2025-03-01 10:00+00');
INSERT INTO app.infra_usage VALUES
  ('u-1', 't-acme', 'aws', 'ses', '2025-02-28', 12345.000001, 0.0001, '2025-03-01 10:00+00'),
  ('u-2', $q${QUOTED_TENANT}$q$, 'gcp', 'run', '2025-02-28', 3, 1.5, '2025-03-01 10:00+00');
"""

SEED_COUNTS = {
    "tenants": 2,
    "executive_recipients": 3,
    "deals": 3,
    "approval_requests": 2,
    "integration_sync_states": 3,
    "compliance_controls": 2,
    "consents": 2,
    "contradictions": 1,
    "strategic_deals": 2,
    "evidence_packs": 1,
    "infra_usage": 2,
}


@pytest.fixture
def seeded_app(app_db_url: str) -> str:
    with psycopg.connect(app_db_url) as conn:
        conn.execute(SEED)
    return app_db_url


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    return conn.execute(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod)
        FROM pg_attribute a
        WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """,
        (sql.Identifier(schema, table).as_string(conn),),
    ).fetchall()


def _content(url: str, schema: str, table: str, columns: list[str]) -> list[str]:
    """Every row as Postgres's own text form (exact: scale, microseconds, bytes), sorted."""
    with psycopg.connect(url) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        query = sql.SQL("SELECT ROW({})::text FROM {} ORDER BY 1").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table)
        )
        return [r[0] for r in conn.execute(query)]


def _source_columns(app_url: str, table: str) -> list[str]:
    with psycopg.connect(app_url) as conn:
        return [name for name, _ in _columns(conn, "app", table)]


def _assert_mirror_equals_source(app_url: str, warehouse_url: str) -> None:
    for table in APP_TABLES:
        cols = _source_columns(app_url, table)
        assert _content(warehouse_url, "raw", f"app_{table}", cols) == _content(
            app_url, "app", table, cols
        ), table


def test_first_extraction_copies_every_table_exactly(seeded_app, warehouse_url):
    events: list[ExtractProgress] = []
    reports = extract_app_tables(seeded_app, warehouse_url, progress=events.append)

    assert list(reports) == list(APP_TABLES)
    for table, report in reports.items():
        assert report.mode == "full"  # the mirror was empty
        assert report.rows_read == report.rows_upserted == report.rows_in_source
        assert report.rows_in_source == SEED_COUNTS[table]
        assert report.rows_deleted == 0
        assert report.watermark is not None
    _assert_mirror_equals_source(seeded_app, warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        stamps = conn.execute("SELECT DISTINCT _extracted_at FROM raw.app_deals").fetchall()
    assert stamps == [(reports["deals"].snapshot_at,)]
    assert events[0].step == "snapshot" and "repeatable read" in events[0].message
    assert {e.table for e in events if e.step == "merged"} == set(APP_TABLES)


def test_quote_and_arabic_survive_byte_exact(seeded_app, warehouse_url):
    extract_app_tables(seeded_app, warehouse_url)
    query = """
        SELECT tenant_id, name, convert_to(name, 'UTF8'), mrr FROM {}
        WHERE tenant_id = %s
    """
    with psycopg.connect(seeded_app) as app, psycopg.connect(warehouse_url) as wh:
        src = app.execute(query.format("app.tenants"), (QUOTED_TENANT,)).fetchone()
        dst = wh.execute(query.format("raw.app_tenants"), (QUOTED_TENANT,)).fetchone()
        deal = wh.execute(
            "SELECT value::text, name FROM raw.app_deals WHERE tenant_id = %s", (QUOTED_TENANT,)
        ).fetchone()
    assert dst == src == (QUOTED_TENANT, ARABIC_NAME, ARABIC_NAME.encode(), None)
    assert deal == ("999999999999.99", "صفقة")


def test_incremental_run_reads_only_changed_rows(seeded_app, warehouse_url):
    with psycopg.connect(seeded_app) as conn:  # d-1, d-3 long unchanged; d-2 the newest
        conn.execute("UPDATE app.deals SET updated_at = '2025-02-01+00' WHERE deal_id <> 'd-2'")
    first = extract_app_tables(seeded_app, warehouse_url)
    with psycopg.connect(seeded_app) as conn:
        conn.execute(
            "UPDATE app.deals SET status = 'lost', closed_at = '2025-03-02+00',"
            " updated_at = '2025-03-02 08:00+00' WHERE deal_id = 'd-2'"
        )
        conn.execute(
            "INSERT INTO app.consents VALUES ('c-3', 't-acme', 's-2', 'analytics', true,"
            " '2025-03-02+00', '2025-03-02 08:00+00')"
        )

    second = extract_app_tables(seeded_app, warehouse_url)

    deals = second["deals"]
    assert deals.mode == "incremental"
    assert deals.since == first["deals"].watermark - timedelta(hours=1)
    assert (deals.rows_read, deals.rows_upserted, deals.rows_in_source) == (1, 1, 3)
    assert deals.watermark.isoformat() == "2025-03-02T08:00:00+00:00"
    # Rows stamped within the overlap below the watermark are read again, not rewritten.
    consents = second["consents"]
    assert (consents.rows_read, consents.rows_upserted, consents.rows_in_source) == (3, 1, 3)
    for table in set(APP_TABLES) - {"deals", "consents"}:
        assert second[table].rows_upserted == 0, table
        assert second[table].rows_in_source == SEED_COUNTS[table]
    _assert_mirror_equals_source(seeded_app, warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        stamps = dict(conn.execute("SELECT deal_id, _extracted_at FROM raw.app_deals"))
    assert stamps["d-2"] == deals.snapshot_at
    assert stamps["d-1"] == first["deals"].snapshot_at  # unchanged rows are not rewritten


def test_rows_within_the_overlap_are_reread_but_not_rewritten(seeded_app, warehouse_url):
    extract_app_tables(seeded_app, warehouse_url)
    again = extract_app_tables(seeded_app, warehouse_url)  # every row is within the overlap
    assert again["deals"].rows_read == 3
    assert all(r.rows_upserted == 0 and r.rows_deleted == 0 for r in again.values())


def test_a_row_deleted_at_the_source_disappears_from_the_mirror(seeded_app, warehouse_url):
    extract_app_tables(seeded_app, warehouse_url)
    with psycopg.connect(seeded_app) as conn:
        conn.execute("DELETE FROM app.deals WHERE deal_id = 'd-1'")
        conn.execute(
            "DELETE FROM app.integration_sync_states WHERE tenant_id = %s", (QUOTED_TENANT,)
        )

    report = extract_app_tables(seeded_app, warehouse_url)

    assert report["deals"].rows_deleted == 1
    assert report["integration_sync_states"].rows_deleted == 1  # composite key
    assert report["tenants"].rows_deleted == 0
    _assert_mirror_equals_source(seeded_app, warehouse_url)


def test_full_refresh_gives_the_same_mirror(seeded_app, warehouse_url, make_database):
    extract_app_tables(seeded_app, warehouse_url)
    with psycopg.connect(seeded_app) as conn:
        conn.execute("UPDATE app.tenants SET mrr = 99.990, updated_at = now()")
        conn.execute("DELETE FROM app.consents WHERE consent_id = 'c-1'")
    extract_app_tables(seeded_app, warehouse_url)
    incremental = {
        t: _content(warehouse_url, "raw", f"app_{t}", _source_columns(seeded_app, t))
        for t in APP_TABLES
    }

    refreshed = extract_app_tables(seeded_app, warehouse_url, full_refresh=True)
    fresh_url = make_database("wh")
    extract_app_tables(seeded_app, fresh_url, full_refresh=True)

    assert all(r.mode == "full" and r.since is None for r in refreshed.values())
    assert all(r.rows_upserted == 0 and r.rows_deleted == 0 for r in refreshed.values())
    for t in APP_TABLES:
        cols = _source_columns(seeded_app, t)
        assert _content(warehouse_url, "raw", f"app_{t}", cols) == incremental[t]
        assert _content(fresh_url, "raw", f"app_{t}", cols) == incremental[t]
    _assert_mirror_equals_source(seeded_app, warehouse_url)


def test_full_refresh_repairs_a_tampered_mirror(seeded_app, warehouse_url):
    extract_app_tables(seeded_app, warehouse_url)
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("UPDATE raw.app_deals SET status = 'won'")  # same updated_at: invisible
        conn.execute(
            "INSERT INTO raw.app_deals (deal_id, updated_at, _extracted_at)"
            " VALUES ('ghost', now(), now())"
        )
    report = extract_app_tables(seeded_app, warehouse_url, full_refresh=True)
    assert report["deals"].rows_upserted == 2 and report["deals"].rows_deleted == 1
    _assert_mirror_equals_source(seeded_app, warehouse_url)


def test_all_tables_come_from_one_snapshot(seeded_app, warehouse_url):
    """A tenant and its deal committed while the extraction runs (after tenants were read,
    before deals are) are invisible to the whole run, never half-visible."""
    committed = []

    def commit_during_extraction(event: ExtractProgress) -> None:
        if event.table == "tenants" and event.step == "rows":
            with psycopg.connect(seeded_app, autocommit=True) as other:
                other.execute(
                    "INSERT INTO app.tenants VALUES ('t-new', 'New', 'starter', 10, 'en', 'UTC',"
                    " 'active', now(), now())"
                )
                other.execute(
                    "INSERT INTO app.deals VALUES ('d-new', 't-new', 'New deal', 5, 'USD',"
                    " 'open', now(), NULL, now())"
                )
                other.execute("DELETE FROM app.deals WHERE deal_id = 'd-1'")
            committed.append(True)

    reports = extract_app_tables(seeded_app, warehouse_url, progress=commit_during_extraction)

    assert committed
    assert reports["tenants"].rows_in_source == 2 and reports["deals"].rows_in_source == 3
    with psycopg.connect(warehouse_url) as conn:
        deals = {r[0] for r in conn.execute("SELECT deal_id FROM raw.app_deals")}
        tenants = {r[0] for r in conn.execute("SELECT tenant_id FROM raw.app_tenants")}
    assert deals == {"d-1", "d-2", "d-3"} and "t-new" not in tenants

    after = extract_app_tables(seeded_app, warehouse_url)
    assert after["deals"].rows_deleted == 1 and after["tenants"].rows_upserted == 1
    _assert_mirror_equals_source(seeded_app, warehouse_url)


def test_the_source_is_read_in_a_repeatable_read_read_only_transaction(seeded_app, warehouse_url):
    seen = []

    def look(event: ExtractProgress) -> None:
        if event.step == "rows":
            with psycopg.connect(seeded_app, autocommit=True) as other:
                seen.extend(
                    other.execute(
                        "SELECT DISTINCT backend_xmin IS NOT NULL FROM pg_stat_activity"
                        " WHERE datname = current_database() AND state LIKE 'idle in transaction%%'"
                    ).fetchall()
                )

    reports = extract_app_tables(seeded_app, warehouse_url, tables=["tenants"], progress=look)
    assert list(reports) == ["tenants"]
    assert seen == [(True,)]  # one open transaction holding a snapshot
    with pytest.raises(ExtractionError, match="Unknown operational table"):
        extract_app_tables(seeded_app, warehouse_url, tables=["users"])


def test_rows_the_updated_at_filter_missed_are_recovered_by_key(seeded_app, warehouse_url):
    extract_app_tables(seeded_app, warehouse_url)
    n = RECOVERY_BATCH + 7  # more than one batch
    with psycopg.connect(seeded_app) as conn:
        # Committed late with an old updated_at (long transaction): below the watermark.
        conn.execute(
            "INSERT INTO app.infra_usage SELECT 'late-' || i, 't-acme', 'aws', 'ec2',"
            " '2025-01-01', i, 0.5, '2025-01-01+00' FROM generate_series(1, %s) i",
            (n,),
        )
    report = extract_app_tables(seeded_app, warehouse_url)["infra_usage"]
    assert (report.rows_read, report.rows_recovered, report.rows_upserted) == (2, n, n)
    assert report.rows_in_source == n + 2
    _assert_mirror_equals_source(seeded_app, warehouse_url)


def test_mirror_columns_and_types_equal_the_app_schema(app_db_url, warehouse_url):
    with psycopg.connect(warehouse_url) as conn:
        create_raw_app_schema(conn)
        create_raw_app_schema(conn)  # idempotent
    with psycopg.connect(app_db_url) as app, psycopg.connect(warehouse_url) as wh:
        for table in APP_TABLES:
            mirror = _columns(wh, "raw", f"app_{table}")
            assert mirror[-1] == ("_extracted_at", "timestamp with time zone")
            assert mirror[:-1] == _columns(app, "app", table), table
            key_query = """
                SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i
                JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE i.indrelid = to_regclass(%s) AND i.indisprimary
            """
            assert (
                wh.execute(key_query, (f"raw.app_{table}",)).fetchone()
                == app.execute(key_query, (f"app.{table}",)).fetchone()
            ), table


def test_a_source_without_a_contract_column_is_refused(app_db_url, warehouse_url):
    with psycopg.connect(app_db_url) as conn:
        conn.execute("ALTER TABLE app.evidence_packs DROP COLUMN status")
    with pytest.raises(ExtractionError, match=r"app\.evidence_packs lacks column\(s\) status"):
        extract_app_tables(app_db_url, warehouse_url)
    with psycopg.connect(warehouse_url) as conn:  # nothing half-done: all rolled back
        assert conn.execute("SELECT to_regclass('raw.app_tenants')").fetchone() == (None,)


def test_the_demo_data_set_round_trips(app_db_url, warehouse_url):
    demo = pytest.importorskip("boardroom.demo.load_operational")
    from boardroom.demo.spec import DemoSpec

    with psycopg.connect(app_db_url) as conn:
        counts = demo.load_operational(conn, DemoSpec(end_date=date(2025, 3, 1), tenants=6))
    reports = extract_app_tables(app_db_url, warehouse_url)
    assert {t: r.rows_in_source for t, r in reports.items()} == counts
    assert all(counts[t] > 0 for t in APP_TABLES)
    _assert_mirror_equals_source(app_db_url, warehouse_url)
    again = extract_app_tables(app_db_url, warehouse_url)
    assert all(r.rows_upserted == r.rows_deleted == r.rows_recovered == 0 for r in again.values())


def test_concurrent_extractions_wait_for_each_other(seeded_app, warehouse_url):
    import threading

    from boardroom.ingest import app_tables

    waiting = threading.Event()
    results: list[dict] = []

    def on_progress(event: ExtractProgress) -> None:
        if event.step == "lock":
            waiting.set()

    with psycopg.connect(warehouse_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (app_tables._LOCK_KEY,))
        worker = threading.Thread(
            target=lambda: results.append(
                extract_app_tables(seeded_app, warehouse_url, progress=on_progress)
            )
        )
        worker.start()
        assert waiting.wait(30)
        assert not results  # blocked while the other extraction holds the lock
        holder.execute("SELECT pg_advisory_unlock(%s)", (app_tables._LOCK_KEY,))
        worker.join(60)
    assert results and results[0]["tenants"].rows_in_source == 2
