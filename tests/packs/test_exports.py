"""Rendered packs: wording, labels, isolation, Arabic RTL, escaping, role scopes, schema."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from pypdf import PdfReader

from boardroom.packs.guardrails import BANNED_PHRASES, GuardrailViolation, check_text
from boardroom.packs.html import render_html
from boardroom.packs.json_export import InvalidExport, validate_export, write_export
from boardroom.packs.render import RenderReport
from tests.packs.conftest import (
    ARABIC_TENANT,
    ENGLISH_TENANT,
    HTML_NAME,
    HTML_TENANT,
    MARKER,
    MARKER_TENANT,
    RENDERED_TENANTS,
    pack_path,
)

BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC = re.compile("[\u0600-\u06ff]")


def pdf_text(path: Path) -> str:
    """Text of a PDF (pypdf), bidi controls stripped."""
    return BIDI.sub("", "\n".join(page.extract_text() or "" for page in PdfReader(path).pages))


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def texts(rendered: RenderReport) -> dict[tuple[str | None, str], tuple[str, str]]:
    """(tenant, scope) -> (PDF text, JSON text) of every rendered pack."""
    return {
        (p.tenant_id, p.scope): (
            pdf_text(rendered.folder / p.pdf),
            (rendered.folder / p.json).read_text(encoding="utf-8"),
        )
        for p in rendered.packs
    }


def test_every_variant_and_the_platform_pack_rendered(rendered: RenderReport) -> None:
    got = {(p.tenant_id, p.scope) for p in rendered.packs}
    expected = {
        (t, s) for t in RENDERED_TENANTS for s in ("full", "finance", "technology", "overview")
    }
    assert got == expected | {(None, "platform")}
    assert all(p.pages >= 2 and p.pdf_bytes > 5_000 for p in rendered.packs)
    assert rendered.manifest_path.exists()


def test_no_banned_wording_in_any_pdf_or_json(texts) -> None:
    for key, (pdf, js) in texts.items():
        for text in (pdf, js):
            lowered = text.lower()
            for phrase in BANNED_PHRASES:
                assert phrase not in lowered, (key, phrase)


def test_guardrail_refuses_banned_wording_in_any_case() -> None:
    for text in (
        "Your INVOICE",
        "the Exact Cost",
        "a regulatory REPORT",
        "Guaranteed Real-Time",
        "فاتورة",
    ):
        with pytest.raises(GuardrailViolation):
            check_text(text, "sample")
    check_text("internal / non-authoritative estimate", "sample")


def test_every_approximate_figure_carries_its_catalogue_label(
    rendered: RenderReport, texts, published_warehouse
) -> None:
    with psycopg.connect(published_warehouse.url) as conn:
        catalogue = dict(conn.execute("SELECT name, label FROM marts.metric_catalog").fetchall())
    catalogue["failed_payments_at_risk_30d"] = catalogue["invoices_at_risk_30d"]
    for (tenant, scope), (pdf, js) in texts.items():
        doc = json.loads(js)
        figures = [f for st in doc["overview"]["statuses"] for f in st["figures"]]
        figures += doc["overview"]["figures"]
        for section in doc["sections"]:
            figures += section["figures"]
        if doc["platform"]:
            figures += doc["platform"]["figures"]
        approximate = [f for f in figures if f["is_approximate"]]
        assert approximate or (scope == "overview" and not figures)
        for f in approximate:
            if doc["locale"] == "en":
                assert f["label"] == catalogue[f["name"]], (tenant, f["name"])
            if doc["locale"] == "en":
                assert squeezed(f["label"]) in squeezed(pdf), (tenant, scope, f["label"])
            else:  # right-to-left text is extracted in visual order: compare words
                words = set(re.findall(r"[^\s/():]+", pdf))
                assert set(re.findall(r"[^\s/():]+", f["label"])) <= words, f["label"]
    assert "internal / non-authoritative" in texts[(ENGLISH_TENANT, "full")][1]


def test_a_tenants_marker_never_reaches_another_tenants_pack(texts) -> None:
    assert MARKER in texts[(MARKER_TENANT, "full")][0]
    assert MARKER in texts[(MARKER_TENANT, "full")][1]
    for (tenant, scope), (pdf, js) in texts.items():
        if tenant != MARKER_TENANT:
            assert MARKER not in pdf and MARKER not in js, (tenant, scope)
            assert MARKER_TENANT not in js, (tenant, scope)


def test_arabic_tenant_gets_an_arabic_rtl_pack(rendered: RenderReport, texts) -> None:
    doc = json.loads(texts[(ARABIC_TENANT, "full")][1])
    assert doc["locale"] == "ar"
    html = render_html(doc)
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    path = pack_path(rendered, ARABIC_TENANT, "full", "pdf")
    text = BIDI.sub(
        "",
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout,
    )
    assert len(ARABIC.findall(text)) > 500
    for word in ("الإيرادات", "المحتويات", "التنبيهات"):
        assert word in text
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(path).pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
        for font in [font.get_object()]
    }
    assert any("Arabic" in f for f in fonts), fonts
    assert not ARABIC.search(texts[(ENGLISH_TENANT, "full")][0])


def test_html_in_a_tenant_name_comes_out_escaped(rendered: RenderReport, texts) -> None:
    doc = json.loads(texts[(HTML_TENANT, "full")][1])
    assert doc["tenant"]["name"] == HTML_NAME
    html = render_html(doc)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert squeezed(HTML_NAME) in squeezed(texts[(HTML_TENANT, "full")][0])


SECTION_TITLES = {
    "revenue": "Revenue protection",
    "cost": "Cost optimisation",
    "deliverability": "Deliverability",
    "operations": "Operational health",
    "executive_room": "Executive room",
}


@pytest.mark.parametrize(
    ("scope", "sections"),
    [
        ("full", ["revenue", "cost", "deliverability", "operations", "executive_room"]),
        ("finance", ["revenue", "cost"]),
        ("technology", ["deliverability", "operations"]),
        ("overview", []),
    ],
)
def test_role_scopes(texts, scope: str, sections: list[str]) -> None:
    pdf, js = texts[(ENGLISH_TENANT, scope)]
    doc = json.loads(js)
    assert [s["id"] for s in doc["sections"]] == sections
    assert {a["surface"] for a in doc["alerts"]} <= set(sections)
    assert (doc["approvals"] is not None) == ("executive_room" in sections)
    for surface, title in SECTION_TITLES.items():
        assert (title in pdf) == (
            surface in sections
            or (
                scope in ("full", "overview")
                and surface != "executive_room"
                and title != "Executive room"
            )
        ), (scope, title)
    if scope == "finance":
        assert {s["dimension"] for s in doc["overview"]["statuses"]} == {
            "revenue_protection",
            "cost_optimization",
        }


def test_cover_toc_and_page_numbers(texts) -> None:
    pdf, js = texts[(ENGLISH_TENANT, "full")]
    doc = json.loads(js)
    assert "Board pack" in pdf and "Contents" in pdf
    assert f"{doc['period']['start']} to {doc['period']['end']}" in pdf
    assert "Data as of" in pdf
    for day in ("03-25", "03-31"):  # chart axis labels are SVG text
        assert day in pdf
    pages = len(re.findall(r"Page \d+ of (\d+)", pdf))
    assert pages >= 8
    assert re.search(r"Executive overview\s*\.*\s*2", pdf)  # the contents list is on the cover


def test_platform_pack_holds_no_tenant_rows(texts) -> None:
    pdf, js = texts[(None, "platform")]
    doc = json.loads(js)
    assert doc["tenant"] is None and doc["pack_kind"] == "platform"
    for tenant in RENDERED_TENANTS:
        assert tenant not in js
    assert MARKER not in pdf


def test_exports_validate_and_a_broken_export_is_rejected(
    rendered: RenderReport, tmp_path: Path
) -> None:
    for pack in rendered.packs:
        validate_export(json.loads((rendered.folder / pack.json).read_text(encoding="utf-8")))
    doc = json.loads(pack_path(rendered, ENGLISH_TENANT, "full", "json").read_text())
    broken = [
        {**doc, "schema_version": "0.9"},
        {k: v for k, v in doc.items() if k != "content_hash"},
        {
            **doc,
            "sections": [
                {
                    **doc["sections"][0],
                    "figures": [{**doc["sections"][0]["figures"][0], "value": 12.5}],
                }
            ],
        },
        {**doc, "unexpected": True},
    ]
    for bad in broken:
        with pytest.raises(InvalidExport):
            write_export(bad, tmp_path / "bad.json")
        assert not (tmp_path / "bad.json").exists()


def test_content_hash_is_stable_across_renders(
    rendered: RenderReport, published_warehouse, tmp_path: Path
) -> None:
    from boardroom.packs.render import render_packs

    again = render_packs(
        published_warehouse.url,
        published_warehouse.max_date,
        output_dir=tmp_path,
        tenants=[ENGLISH_TENANT],
        scopes=["overview"],
        include_platform=False,
        workers=0,
    )
    first = {(p.tenant_id, p.scope): p.content_hash for p in rendered.packs}
    assert again.packs[0].content_hash == first[(ENGLISH_TENANT, "overview")]


def test_reader_sees_its_tenant_under_row_level_security(
    published_warehouse, pg_server, tmp_path: Path
) -> None:
    """As a trusted-application login (RLS applies), the reader sees its tenant only, and
    only inside the transaction that assumed it."""
    from urllib.parse import quote, urlsplit

    from boardroom.bi.logins import add_app_login, generate_password
    from boardroom.packs.periods import Period
    from boardroom.packs.reader import read_tenant_data

    login, password = f"packs_app_{tmp_path.name[-8:].lower()}", generate_password()
    login = "".join(ch if ch.isalnum() else "_" for ch in login)
    with psycopg.connect(published_warehouse.url, autocommit=True) as admin:
        add_app_login(admin, login, password)
    url = (
        f"postgresql://{quote(login, safe='')}:{quote(password, safe='')}"
        f"@{pg_server.tcp_host}:{pg_server.tcp_port}{urlsplit(published_warehouse.url).path}"
    )
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM marts.exec_overview").fetchone()[0] == 0
            data = read_tenant_data(conn, "t_o'brien", Period(published_warehouse.max_date))
            assert len(data.daily["exec_overview"]) == 7
            tenants = {r["tenant_id"] for rows in data.daily.values() for r in rows}
            assert tenants == {"t_o'brien"}
            assert data.previous["exec_overview"]["tenant_id"] == "t_o'brien"
            assert conn.execute("SELECT count(*) FROM marts.exec_overview").fetchone()[0] == 0
    finally:
        with psycopg.connect(published_warehouse.url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(login)))
