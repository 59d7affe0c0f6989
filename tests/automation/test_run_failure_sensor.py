"""``run_failure_alert_sensor``: a failed run writes one alert and mails the data owner.

The failure is a real one (the publish asset run for a tenant that does not exist) in a real
Dagster instance; the sensor is evaluated with that run's failure event; mail goes to an SMTP
server on loopback.
"""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from orchestration.defs.automation.run_failure import run_failure_alert_sensor
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.assets import publish_marts
from tests.automation.test_tenant_scope import audit_marts_already_built
from tests.gate.conftest import MAX_DATE
from tests.packs.smtp_server import RecordingHandler, smtp_server
from tests.support.demo_warehouse import database_url

OWNER = "data-owner@platform.example"


def failed_run(instance: dg.DagsterInstance, url: str) -> tuple[dg.DagsterRun, dg.DagsterEvent]:
    result = dg.materialize(
        [audit_marts_already_built, publish_marts],
        resources={"warehouse": PostgresResource(url=url)},
        partition_key=MAX_DATE.isoformat(),
        run_config={"ops": {"publish_marts": {"config": {"tenants": ["t_999"]}}}},
        instance=instance,
        raise_on_error=False,
    )
    assert not result.success
    records = instance.get_records_for_run(
        result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records
    assert len(records) == 1
    return instance.get_run_by_id(result.run_id), records[0].event_log_entry.dagster_event


def evaluate(instance, run, event, url: str) -> None:
    context = dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert_sensor.name,
        dagster_event=event,
        dagster_instance=instance,
        dagster_run=run,
        resources={"warehouse": PostgresResource(url=url)},
    ).for_run_failure()
    run_failure_alert_sensor(context)


def run_alerts(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        if not conn.execute("SELECT to_regclass('marts.alerts') IS NOT NULL").fetchone()[0]:
            return []
        return conn.execute(
            "SELECT tenant_id, as_of_date, alert_key, severity, message FROM marts.alerts "
            "WHERE alert_kind = 'run_failed'"
        ).fetchall()


def test_a_failed_run_writes_one_alert_and_mails_the_data_owner(
    clone_demo_warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = clone_demo_warehouse()
    handler = RecordingHandler()
    with dg.instance_for_test() as instance, smtp_server(handler) as (host, port):
        monkeypatch.setenv("BOARDROOM_SMTP_HOST", host)
        monkeypatch.setenv("BOARDROOM_SMTP_PORT", str(port))
        monkeypatch.setenv("BOARDROOM_DATA_OWNER_EMAIL", OWNER)
        run, event = failed_run(instance, url)
        evaluate(instance, run, event, url)
        evaluate(instance, run, event, url)  # evaluated again: still one alert, one mail

    alerts = run_alerts(url)
    assert len(alerts) == 1
    tenant, day, key, severity, message = alerts[0]
    assert tenant == "__platform__" and day == MAX_DATE and severity == "critical"
    assert key == f"run:{run.run_id}"
    assert run.run_id in message and "publish_marts" in message and "t_999" in message
    assert len(handler.received) == 1
    recipients, mail = handler.received[0]
    assert recipients == [OWNER]
    assert "failed" in mail["Subject"] and MAX_DATE.isoformat() in mail["Subject"]
    assert run.run_id in mail.get_content() and "t_999" in mail.get_content()


def test_without_smtp_the_alert_is_still_written(
    clone_demo_warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = clone_demo_warehouse()
    monkeypatch.delenv("BOARDROOM_SMTP_HOST", raising=False)
    monkeypatch.setenv("BOARDROOM_DATA_OWNER_EMAIL", OWNER)
    with dg.instance_for_test() as instance:
        run, event = failed_run(instance, url)
        evaluate(instance, run, event, url)
    assert [a[2] for a in run_alerts(url)] == [f"run:{run.run_id}"]


def test_an_unreachable_warehouse_still_mails_the_data_owner(
    clone_demo_warehouse, pg_admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = clone_demo_warehouse()
    handler = RecordingHandler()
    missing = database_url(pg_admin_url, "no_such_warehouse")  # the server is up, the db not
    with dg.instance_for_test() as instance, smtp_server(handler) as (host, port):
        monkeypatch.setenv("BOARDROOM_SMTP_HOST", host)
        monkeypatch.setenv("BOARDROOM_SMTP_PORT", str(port))
        monkeypatch.setenv("BOARDROOM_DATA_OWNER_EMAIL", OWNER)
        run, event = failed_run(instance, url)
        evaluate(instance, run, event, missing)
    assert run_alerts(url) == []
    assert [r for r, _ in handler.received] == [[OWNER]]
