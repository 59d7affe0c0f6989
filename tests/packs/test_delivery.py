"""Delivery: scoped recipients, exactly once across runs, retries and resume, dry run."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from boardroom.packs.delivery import DeliveryFailed, RetryPolicy, SmtpSettings, deliver_packs
from boardroom.packs.recipients import DomainAllowList, JsonOptIn, Recipient, load_recipients
from boardroom.packs.render import RenderReport
from boardroom.packs.scopes import scope_for_role
from tests.packs.conftest import DOMAINS, MARKER, MARKER_TENANT, RENDERED_TENANTS
from tests.packs.smtp_server import RecordingHandler, smtp_server

FAST = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05)
ALLOW = DomainAllowList.from_mapping(
    {"tenants": {t: [d] for t, d in DOMAINS.items()}, "platform": ["boardroom.example"]}
)


@pytest.fixture(scope="module")
def recipients(published_warehouse) -> list[Recipient]:
    """The demo recipients (mirror in the warehouse) plus one outside the allow-list."""
    people = load_recipients(published_warehouse.url, ("raw", "app_executive_recipients"))
    outsider = Recipient(
        "rcp_outsider", "t_001", "cfo@elsewhere.example", "Finance Lead", "cfo", True, True
    )
    return [*people, outsider]


def expected(recipients: list[Recipient]) -> dict[str, Recipient]:
    """Eligible recipients worked out independently of the code under test."""
    out = {}
    for r in recipients:
        if not (r.active and r.mfa_verified):
            continue
        if r.tenant_id is None:
            if r.email.endswith("@boardroom.example"):
                out[r.email] = r
        elif r.tenant_id in RENDERED_TENANTS and r.email.endswith("@" + DOMAINS[r.tenant_id]):
            out[r.email] = r
    return out


def smtp(host: str, port: int) -> SmtpSettings:
    return SmtpSettings(host=host, port=port, sender="packs@boardroom.example")


def test_each_eligible_recipient_gets_exactly_one_message_across_two_runs(
    rendered: RenderReport, recipients, make_database
) -> None:
    log_url = make_database("dlog")
    wanted = expected(recipients)
    assert len(wanted) >= 10
    handler = RecordingHandler()
    with smtp_server(handler) as (host, port):
        first = deliver_packs(
            rendered.folder,
            log_url,
            recipients,
            allow_list=ALLOW,
            smtp=smtp(host, port),
            retry=FAST,
        )
        second = deliver_packs(
            rendered.folder,
            log_url,
            recipients,
            allow_list=ALLOW,
            smtp=smtp(host, port),
            retry=FAST,
        )
    got = Counter(rcpt for tos, _ in handler.received for rcpt in tos)
    assert dict(got) == dict.fromkeys(wanted, 1)
    assert len(first.sent) == len(wanted) and not second.sent
    assert len(second.already_sent) == len(wanted)
    assert first.excluded["rcp_outsider"] == "domain_not_allowed"
    reasons = set(first.excluded.values())
    assert {"inactive", "mfa_not_verified", "domain_not_allowed"} <= reasons
    for tos, message in handler.received:
        r = wanted[tos[0]]
        attachments = [p.get_content_type() for p in message.iter_attachments()]
        assert attachments == ["application/pdf"]
        scope = "platform" if r.tenant_id is None else scope_for_role(r.role)
        assert message["X-Boardroom-Pack"].startswith(f"{scope};")
        assert message["X-Boardroom-Content-Hash"]
    with psycopg.connect(log_url) as conn:
        states = dict(
            conn.execute(
                "SELECT state, count(*) FROM delivery.pack_deliveries GROUP BY 1"
            ).fetchall()
        )
        assert states == {"sent": len(wanted)}


def test_transient_failures_are_retried_reported_and_resumed(
    rendered: RenderReport, recipients, make_database
) -> None:
    log_url = make_database("dlog")
    wanted = expected(recipients)
    failing = sorted(e for e, r in wanted.items() if r.tenant_id == "t_001")[:2]
    handler = RecordingHandler(refuse=set(failing))
    with smtp_server(handler) as (host, port):
        with pytest.raises(DeliveryFailed) as caught:
            deliver_packs(
                rendered.folder,
                log_url,
                recipients,
                allow_list=ALLOW,
                smtp=smtp(host, port),
                retry=FAST,
            )
        report = caught.value.report
        assert len(report.failed) == len(failing)
        assert all("451" in error for error in report.failed.values())
        assert Counter(handler.refused) == dict.fromkeys(failing, FAST.attempts)
        assert len(report.sent) == len(wanted) - len(failing)
        with psycopg.connect(log_url) as conn:
            alert = conn.execute("SELECT failed, message FROM delivery.delivery_alerts").fetchall()
            assert alert and alert[0][0] == len(failing)
            failed_rows = conn.execute(
                "SELECT email, attempts FROM delivery.pack_deliveries WHERE state = 'failed'"
            ).fetchall()
            assert sorted(failed_rows) == [(e, FAST.attempts) for e in failing]
        handler.refuse.clear()
        resumed = deliver_packs(
            rendered.folder,
            log_url,
            recipients,
            allow_list=ALLOW,
            smtp=smtp(host, port),
            retry=FAST,
        )
    assert sorted(wanted[e].recipient_id for e in failing) == sorted(resumed.sent)
    got = Counter(rcpt for tos, _ in handler.received for rcpt in tos)
    assert dict(got) == dict.fromkeys(wanted, 1)


def test_dry_run_writes_eml_files_and_sends_nothing(
    rendered: RenderReport, recipients, tmp_path: Path
) -> None:
    report = deliver_packs(
        rendered.folder, None, recipients, allow_list=ALLOW, dry_run_dir=tmp_path
    )
    files = sorted((tmp_path / rendered.period.key).glob("*.eml"))
    assert len(files) == len(expected(recipients)) == len(report.dry_run_files)
    message = message_from_bytes(files[0].read_bytes(), policy=default_policy)
    assert message["To"] and message["Subject"].startswith(("Board pack", "حزمة"))
    types = sorted(p.get_content_type() for p in message.walk() if p.get_filename())
    assert types == ["application/pdf"]


def test_delivery_log_is_not_readable_by_bi_readers(
    rendered: RenderReport, recipients, make_database, pg_admin_url
) -> None:
    log_url = make_database("dlog")
    with smtp_server(RecordingHandler()) as (host, port):
        deliver_packs(
            rendered.folder,
            log_url,
            recipients[:3],
            allow_list=ALLOW,
            smtp=smtp(host, port),
            retry=FAST,
        )
    with psycopg.connect(log_url, autocommit=True) as conn:
        conn.execute(
            "DO $$ BEGIN CREATE ROLE packs_test_reader NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        for role in ("packs_test_reader", "public"):
            usage = conn.execute(
                "SELECT has_schema_privilege(%s, 'delivery', 'USAGE')", (role,)
            ).fetchone()[0]
            assert usage is False
        select = conn.execute(
            "SELECT has_table_privilege('packs_test_reader', 'delivery.pack_deliveries', 'SELECT')"
        ).fetchone()[0]
        assert select is False


def test_allow_list_reads_json_and_fails_closed(tmp_path: Path) -> None:
    assert not DomainAllowList.from_env({}).allows(
        Recipient("r", "t", "a@x.example", "Lead", "ceo", True, True)
    )
    path = tmp_path / "domains.json"
    path.write_text('{"tenants": {"t": ["X.example"]}}')
    allow = DomainAllowList.from_env({"BOARDROOM_RECIPIENT_DOMAINS": f"@{path}"})
    assert allow.allows(Recipient("r", "t", "a@x.EXAMPLE", "Lead", "ceo", True, True))
    assert not allow.allows(Recipient("r", "u", "a@x.example", "Lead", "ceo", True, True))
    assert not allow.allows(Recipient("r", None, "a@x.example", "Lead", "ceo", True, True))


def test_a_send_interrupted_before_it_was_logged_is_completed_by_the_next_run(
    rendered: RenderReport, recipients, make_database
) -> None:
    log_url = make_database("dlog")
    subset = [r for r in recipients if r.tenant_id == "t_002"]
    handler = RecordingHandler()
    with smtp_server(handler) as (host, port):
        deliver_packs(
            rendered.folder, log_url, subset, allow_list=ALLOW, smtp=smtp(host, port), retry=FAST
        )
        with psycopg.connect(log_url) as conn:
            key, message_id = conn.execute(
                "UPDATE delivery.pack_deliveries SET state = 'sending' WHERE delivery_key = "
                "(SELECT min(delivery_key) FROM delivery.pack_deliveries) "
                "RETURNING delivery_key, message_id"
            ).fetchone()
        again = deliver_packs(
            rendered.folder, log_url, subset, allow_list=ALLOW, smtp=smtp(host, port), retry=FAST
        )
    assert len(again.sent) == 1 and len(again.already_sent) == len(expected(subset)) - 1
    assert handler.received[-1][1]["Message-ID"] == message_id
    with psycopg.connect(log_url) as conn:
        state = conn.execute(
            "SELECT state FROM delivery.pack_deliveries WHERE delivery_key = %s", (key,)
        ).fetchone()
        assert state == ("sent",)


def _formatted(value, unit: str, na: str = "n/a") -> str:
    """A figure as the pack shows it, worked out here from the mart's raw value."""
    if value is None:
        return na
    number = Decimal(value)
    if unit == "ratio":
        return f"{number * 100:,.2f}\u00a0%"
    if unit == "count":
        return f"{number:,.0f}"
    return f"{number:,.2f}"


STATUS_COLUMNS = {
    "revenue_protection": "revenue_protection_status",
    "cost_optimization": "cost_optimization_status",
    "deliverability": "deliverability_status",
    "operational": "operational_status",
}
SCOPE_DIMENSIONS = {
    "full": tuple(STATUS_COLUMNS),
    "overview": tuple(STATUS_COLUMNS),
    "finance": ("revenue_protection", "cost_optimization"),
    "technology": ("deliverability", "operational"),
}
HEADLINE_OF = {
    "revenue_protection": ("revenue_at_risk_30d", "currency"),
    "cost_optimization": ("est_infra_cost_30d", "currency"),
    "deliverability": ("bounce_rate_7d", "ratio"),
    "operational": ("api_error_rate_7d", "ratio"),
}
STATUS_LABELS = {"ok": "OK", "watch": "Watch", "at_risk": "At risk", "unknown": "Unknown"}


def test_the_email_summarises_the_recipients_scope_with_one_pdf(
    rendered: RenderReport, recipients, make_database, published_warehouse
) -> None:
    """HTML + plain text with the headline figures and statuses of the recipient's scope,
    exactly one PDF, JSON only for the recipient who opted in, no other tenant's data."""
    log_url = make_database("dlog")
    wanted = expected(recipients)
    cfo = next(r for r in wanted.values() if r.tenant_id == "t_001" and r.role == "cfo")
    handler = RecordingHandler()
    with smtp_server(handler) as (host, port):
        deliver_packs(
            rendered.folder,
            log_url,
            recipients,
            allow_list=ALLOW,
            smtp=smtp(host, port),
            retry=FAST,
            json_opt_in=JsonOptIn.of([cfo.email.upper()]),
        )
    assert len(handler.received) == len(wanted)
    with (
        psycopg.connect(published_warehouse.url) as conn,
        conn.cursor(row_factory=dict_row) as cur,
    ):
        overview = {
            row["tenant_id"]: row
            for row in cur.execute(
                "SELECT * FROM marts.exec_overview WHERE as_of_date = %s",
                (published_warehouse.max_date,),
            )
        }
    checked = 0
    for tos, message in handler.received:
        r = wanted[tos[0]]
        types = [p.get_content_type() for p in message.walk()]
        assert types[:4] == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        attached = [p.get_content_type() for p in message.iter_attachments()]
        assert attached.count("application/pdf") == 1
        assert attached.count("application/json") == (1 if r is cfo else 0)
        pdf = next(p for p in message.iter_attachments() if p.get_filename().endswith(".pdf"))
        assert pdf.get_content()[:5] == b"%PDF-"
        if r.tenant_id is None:
            assert "Monthly recurring revenue, all tenants" in html
            assert "Tenants by status" in html and "Tenants by status" in text
            continue
        row = overview[r.tenant_id]
        english = r.tenant_id != "t_002"
        for part in (html, text):
            assert ("Figures marked with a basis are approximate" in part) or not english
        for dim in SCOPE_DIMENSIONS[scope_for_role(r.role)]:
            name, unit = HEADLINE_OF[dim]
            figure = _formatted(row[name], unit, "n/a" if english else "غير متاح")
            assert figure in html and figure in text.replace("\u2066", "").replace("\u2069", "")
            if english:
                assert STATUS_LABELS[row[STATUS_COLUMNS[dim]]] in html
            checked += 1
        if r.tenant_id != MARKER_TENANT:
            assert MARKER not in html and MARKER not in text
        else:
            assert MARKER in html and MARKER in text
    assert checked >= 10
