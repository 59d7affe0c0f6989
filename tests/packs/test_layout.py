"""Layout read back from rendered PDFs: demo packs and a stress scenario, en and ar.

Word boxes come from pdfplumber (``layout_check.py``): no two words of a page overlap, no
word lies outside the page's content box, no page holds only a heading or ends with one.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from weasyprint import HTML

from boardroom.packs.render import RenderReport, render_packs
from tests.packs.conftest import ARABIC_TENANT, ENGLISH_TENANT, Published, pack_path
from tests.packs.layout_check import layout_faults
from tests.packs.stress import APPROVALS, CURRENCY, LONG_NAME, PROVIDERS, TITLES, plant_stress
from tests.support.demo_warehouse import create_database, drop_database

STRESSED = (ENGLISH_TENANT, ARABIC_TENANT)
BIDI = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(path: Path) -> str:
    """``pdftotext`` of a PDF, direction controls and zero-width spaces removed."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return BIDI.sub("", out.stdout).replace("\xa0", " ")


@pytest.fixture(scope="module")
def stress(
    published_warehouse: Published, demo_warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RenderReport]:
    """Every variant of an English and an Arabic tenant with every table at its longest."""
    source = urlsplit(published_warehouse.url).path.lstrip("/")
    name = f"stress_{uuid.uuid4().hex[:10]}"
    url = create_database(demo_warehouse.admin_url, name, template=source)
    try:
        plant_stress(url, STRESSED, published_warehouse.max_date)
        report = render_packs(
            url,
            published_warehouse.max_date,
            output_dir=tmp_path_factory.mktemp("stress"),
            tenants=STRESSED,
            include_platform=False,
            workers=2,
        )
        assert not report.failed, report.failed
        yield report
    finally:
        drop_database(demo_warehouse.admin_url, name)


def test_every_demo_pack_lays_out_cleanly(rendered: RenderReport) -> None:
    assert len(rendered.packs) == 17
    faults = {p.pdf: layout_faults(rendered.folder / p.pdf) for p in rendered.packs}
    assert {pdf: f for pdf, f in faults.items() if f} == {}


def test_every_stress_pack_lays_out_cleanly(stress: RenderReport) -> None:
    assert {(p.tenant_id, p.scope) for p in stress.packs} == {
        (t, s) for t in STRESSED for s in ("full", "finance", "technology", "overview")
    }
    faults = {p.pdf: layout_faults(stress.folder / p.pdf) for p in stress.packs}
    assert {pdf: f for pdf, f in faults.items() if f} == {}


def test_stress_pack_shows_long_names_humanised_and_summarises_long_lists(
    stress: RenderReport,
) -> None:
    text = pdf_text(pack_path(stress, ENGLISH_TENANT, "full", "pdf"))
    squeezed = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", LONG_NAME) in squeezed
    assert re.sub(r"\s+", "", PROVIDERS[0]) in squeezed
    assert "Hyperscale regional edge compute network" in re.sub(r"\s+", " ", text)
    assert "No API traffic in the period." in text
    assert f"{APPROVALS - 10} more pending approvals are not listed here." in text
    left_out = re.search(r"(\d+) more approvals past their SLA deadline", text)
    assert left_out and int(left_out.group(1)) >= APPROVALS - 10
    assert "Deal approval" in text  # no title: category and age


def test_approvals_show_the_sources_title_where_it_has_one(stress: RenderReport) -> None:
    doc = json.loads(pack_path(stress, ENGLISH_TENANT, "full", "json").read_text())
    assert [a["title"] for a in doc["approvals"][: len(TITLES)]] == list(TITLES)
    assert all(a["title"] is None for a in doc["approvals"][len(TITLES) :])
    text = re.sub(r"\s+", " ", pdf_text(pack_path(stress, ENGLISH_TENANT, "full", "pdf")))
    for title in TITLES:
        assert title in text


def test_money_headlines_carry_the_currency_of_marts_that_publish_one(
    stress: RenderReport, rendered: RenderReport
) -> None:
    doc = json.loads(pack_path(stress, ENGLISH_TENANT, "full", "json").read_text())
    money = [h for s in doc["sections"] for h in s["headlines"] if h["unit"] == "currency"]
    assert money and {h["currency"] for h in money} == {CURRENCY}
    assert f"987,654,321,098.76 {CURRENCY}" in pdf_text(
        pack_path(stress, ENGLISH_TENANT, "full", "pdf")
    )
    demo = json.loads(pack_path(rendered, ENGLISH_TENANT, "full", "json").read_text())
    assert {h["currency"] for s in demo["sections"] for h in s["headlines"]} == {None}


def test_demo_pack_uses_peoples_names_for_providers_services_and_channels(
    rendered: RenderReport,
) -> None:
    text = pdf_text(pack_path(rendered, ENGLISH_TENANT, "full", "pdf"))
    for name in ("Amazon Web Services", "EC2 compute", "WhatsApp Business", "E-mail"):
        assert name in text
    for raw in ("whatsapp_business", "aws", "sendgrid"):
        assert not re.search(rf"\b{raw}\b", text), raw


def test_short_packs_have_no_contents_list(rendered: RenderReport) -> None:
    overview = pdf_text(pack_path(rendered, ENGLISH_TENANT, "overview", "pdf"))
    full = pdf_text(pack_path(rendered, ENGLISH_TENANT, "full", "pdf"))
    assert "Contents" not in overview and "Contents" in full


def _render(html: str, target: Path) -> Path:
    HTML(string=html).write_pdf(target)
    return target


def test_the_layout_check_finds_overlaps_overflow_and_lone_headings(tmp_path: Path) -> None:
    """The checker itself: each fault it must catch, on a page built to have it."""
    page = "<style>@page { size: A4; margin: 22mm 16mm 20mm 16mm }</style>"
    overlap = _render(
        page + '<p>Revenue won <span style="position: relative; left: -4em">Pipeline</span></p>',
        tmp_path / "overlap.pdf",
    )
    overflow = _render(
        page + '<p style="white-space: nowrap">' + "Schifffahrtsversicherung " * 12 + "</p>",
        tmp_path / "overflow.pdf",
    )
    lone = _render(
        page
        + "<p>Body text.</p>"
        + '<h2 style="break-before: page; font-size: 14pt; font-weight: bold">Alerts</h2>',
        tmp_path / "lone.pdf",
    )
    orphan = _render(
        page
        + '<p>Cover</p><p style="break-before: page">Body text.</p>'
        + '<h2 style="break-after: page; font-size: 14pt; font-weight: bold">Alerts</h2>'
        + "<p>Nothing to report.</p>",
        tmp_path / "orphan.pdf",
    )
    clean = _render(page + "<h2>Alerts</h2><p>Nothing to report.</p>", tmp_path / "clean.pdf")
    assert any("drawn over" in f for f in layout_faults(overlap))
    assert any("side margins" in f for f in layout_faults(overflow))
    assert any("only a heading" in f for f in layout_faults(lone))
    assert any("page 2: ends with a heading" in f for f in layout_faults(orphan))
    assert layout_faults(clean) == []
