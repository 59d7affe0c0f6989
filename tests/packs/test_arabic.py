"""Arabic packs: tagged PDF in reading order, mirrored running header, isolated numbers,
and the Arabic-Indic digits setting."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from boardroom.packs.digits import digits_style
from boardroom.packs.html import render_html
from boardroom.packs.pdf import render_pdf
from boardroom.packs.render import RenderReport
from boardroom.settings import DIGITS_ENV
from tests.packs.conftest import ARABIC_TENANT, ENGLISH_TENANT, pack_path

BIDI = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
ARABIC_INDIC = re.compile("[\u0660-\u0669]")


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return BIDI.sub("", out.stdout)


def test_arabic_pack_is_tagged_with_language_and_title(rendered: RenderReport) -> None:
    path = pack_path(rendered, ARABIC_TENANT, "full", "pdf")
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ar"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    doc = json.loads(pack_path(rendered, ARABIC_TENANT, "full", "json").read_text())
    assert reader.metadata.title == f"حزمة مجلس الإدارة: {doc['tenant']['name']}"


def test_pdftotext_returns_arabic_words_in_reading_order(rendered: RenderReport) -> None:
    text = pdftotext(pack_path(rendered, ARABIC_TENANT, "full", "pdf"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for phrase in (
        "حزمة مجلس الإدارة",
        "النظرة التنفيذية العامة",
        "تكلفة البنية التحتية التقديرية",
        "مقارنة بالفترة السابقة",
        "قابلية التسليم حسب القناة",
        "أمازون ويب سيرفيسز",
    ):
        assert any(phrase in line for line in lines), phrase
    # sections follow one another in the order of the pack
    order = [text.find(s) for s in ("حماية الإيرادات", "تحسين التكاليف", "قابلية تسليم الرسائل")]
    assert -1 not in order


def test_running_header_is_mirrored_in_arabic(rendered: RenderReport) -> None:
    """Owner on the right and period on the left in Arabic; the other way round in English."""

    def header_sides(path: Path, owner: str) -> tuple[float, float]:
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[2]
            header = [w for w in page.extract_words() if w["bottom"] < 22 * 72 / 25.4]
            owner_words = set(BIDI.sub("", owner).split())
            # pdfplumber gives right-to-left words in visual order: compare both ways
            owner_x = [
                w["x0"]
                for w in header
                if {BIDI.sub("", w["text"]), BIDI.sub("", w["text"])[::-1]} & owner_words
            ]
            period_x = [w["x0"] for w in header if re.search(r"\d{4}-\d\d-\d\d", w["text"])]
            return min(owner_x), min(period_x)

    for tenant, mirrored in ((ARABIC_TENANT, True), (ENGLISH_TENANT, False)):
        doc = json.loads(pack_path(rendered, tenant, "full", "json").read_text())
        owner_x, period_x = header_sides(
            pack_path(rendered, tenant, "full", "pdf"), doc["tenant"]["name"]
        )
        assert (owner_x > period_x) is mirrored, tenant


def test_numbers_and_ids_are_isolated_in_arabic_html(rendered: RenderReport) -> None:
    doc = json.loads(pack_path(rendered, ARABIC_TENANT, "full", "json").read_text())
    html = render_html(doc, digits="western")
    assert "\u2066" in html and "\u2069" in html  # left-to-right isolates around figures
    assert f"<bdi>\u2068{doc['tenant']['name']}\u2069</bdi>" in html  # the cover's owner
    english = render_html(
        json.loads(pack_path(rendered, ENGLISH_TENANT, "full", "json").read_text()),
        digits="western",
    )
    assert "\u2066" not in english


def test_arabic_indic_digits_by_setting(
    rendered: RenderReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert digits_style({}) == "western"
    assert digits_style({DIGITS_ENV: "arabic-indic"}) == "arabic-indic"
    with pytest.raises(ValueError, match=DIGITS_ENV):
        digits_style({DIGITS_ENV: "roman"})
    western = pdftotext(pack_path(rendered, ARABIC_TENANT, "full", "pdf"))
    assert not ARABIC_INDIC.search(western)
    doc = json.loads(pack_path(rendered, ARABIC_TENANT, "full", "json").read_text())
    pending = next(h for h in doc["overview"]["headlines"] if h["name"] == "pending_approvals")
    expected = "".join(chr(0x660 + int(d)) for d in pending["value"])
    monkeypatch.setenv(DIGITS_ENV, "arabic-indic")
    render_pdf(doc, tmp_path / "ar.pdf")
    indic = pdftotext(tmp_path / "ar.pdf")
    assert ARABIC_INDIC.search(indic) and expected in indic
    # English packs keep Western digits whatever the setting
    english = json.loads(pack_path(rendered, ENGLISH_TENANT, "overview", "json").read_text())
    assert not ARABIC_INDIC.search(render_html(english, digits="arabic-indic"))


def test_cover_labels_and_values_are_apart_in_arabic(rendered: RenderReport) -> None:
    """Each cover label sits in its own column, clear of its value (right to left)."""
    doc = json.loads(pack_path(rendered, ARABIC_TENANT, "full", "json").read_text())
    assert doc["tenant"]["status"] == "active"
    with pdfplumber.open(pack_path(rendered, ARABIC_TENANT, "full", "pdf")) as pdf:
        words = pdf.pages[0].extract_words()

    def find(text: str) -> dict:
        # pdfplumber gives right-to-left words in visual order
        return next(w for w in words if BIDI.sub("", w["text"]) in (text, text[::-1]))

    label, value = find("الحساب"), find("نشط")  # "حالة الحساب" / "نشط" (account status)
    assert abs(label["top"] - value["top"]) < 3  # one row
    assert label["x0"] - value["x1"] > 5 * 72 / 25.4  # label on the right, 5 mm clear
