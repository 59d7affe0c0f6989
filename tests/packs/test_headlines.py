"""Headline figures: change against the previous period, recomputed from the marts."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import psycopg
from psycopg import sql

from boardroom.packs.currency import currency_of
from boardroom.packs.render import RenderReport
from tests.packs.conftest import ARABIC_TENANT, ENGLISH_TENANT, pack_path

#: section -> the mart its figures come from (independent of the code under test)
MARTS = {
    "revenue": "revenue_protection",
    "cost": "cost_optimization",
    "deliverability": "deliverability_health",
    "operations": "ops_system_health",
    "executive_room": "executive_room_snapshot",
}


def _value(url: str, mart: str, tenant: str, day: date, name: str) -> Decimal | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE tenant_id = %s AND as_of_date = %s").format(
                sql.Identifier(name), sql.Identifier("marts", mart)
            ),
            (tenant, day),
        ).fetchone()
    # str() of a float is its shortest exact repr, as in the export
    return None if row is None or row[0] is None else Decimal(str(row[0]))


def test_headline_changes_equal_the_figures_recomputed_from_the_marts(
    rendered: RenderReport, published_warehouse
) -> None:
    checked = 0
    for tenant in (ENGLISH_TENANT, ARABIC_TENANT):
        doc = json.loads(pack_path(rendered, tenant, "full", "json").read_text())
        end = date.fromisoformat(doc["period"]["end"])
        before = end - timedelta(days=doc["period"]["days"])
        groups = [("exec_overview", doc["overview"]["headlines"])]
        groups += [(MARTS[s["id"]], s["headlines"]) for s in doc["sections"]]
        for mart, headlines in groups:
            assert 3 <= len(headlines) <= 5, mart
            for h in headlines:
                now = _value(published_warehouse.url, mart, tenant, end, h["name"])
                then = _value(published_warehouse.url, mart, tenant, before, h["name"])
                assert (Decimal(h["value"]) if h["value"] is not None else None) == now
                got = Decimal(h["change"]) if h["change"] is not None else None
                assert got == (now - then if now is not None and then is not None else None), (
                    mart,
                    h["name"],
                )
                checked += got is not None
    assert checked >= 20


def test_the_pack_shows_the_change_with_arrow_and_percentage(rendered: RenderReport) -> None:
    doc = json.loads(pack_path(rendered, ENGLISH_TENANT, "full", "json").read_text())
    text = subprocess.run(
        ["pdftotext", str(pack_path(rendered, ENGLISH_TENANT, "full", "pdf")), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\xa0", " ")
    cost = next(s for s in doc["sections"] if s["id"] == "cost")
    h = next(h for h in cost["headlines"] if h["name"] == "est_infra_cost_30d")
    delta, previous = Decimal(h["change"]), Decimal(h["previous_value"])
    assert previous != 0 and delta != 0
    arrow = "▲" if delta > 0 else "▼"
    expected = f"{arrow} {abs(delta / previous) * 100:,.1f} % vs previous period"
    assert expected in re.sub(r"[ \t]+", " ", text)


def test_currency_comes_from_the_mart_when_it_has_the_column() -> None:
    assert currency_of({"currency": "sar"}) == "SAR"
    assert currency_of({"currency": None}) is None
    assert currency_of({"pipeline_value": 1}) is None
    assert currency_of(None) is None
