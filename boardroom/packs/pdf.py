"""HTML -> PDF with WeasyPrint, one process-wide font configuration and stylesheet."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from boardroom.packs.guardrails import check_text
from boardroom.packs.html import render_html
from boardroom.packs.paths import CSS_PATH, EXPORTS_DIR
from boardroom.packs.rss import peak_rss_mb

_TAGS = re.compile(r"<[^>]+>")
#: PDF/UA-1: a tagged PDF (structure tree in reading order) with the document's language
#: and title (from the HTML's ``lang`` and ``<title>``) and its XMP metadata, so screen
#: readers and text extraction follow the logical order, Arabic included. WeasyPrint does
#: not validate the variant; the tests check the tags, language and extracted text.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


@dataclass(frozen=True)
class PdfResult:
    path: str
    pages: int
    bytes: int
    seconds: float
    cpu_seconds: float
    worker_peak_rss_mb: float


@cache
def _weasy() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return fonts, CSS(string=CSS_PATH.read_text(encoding="utf-8"), font_config=fonts)


def visible_text(html: str) -> str:
    """The HTML's text and attribute-free content, for the wording checks."""
    return _TAGS.sub(" ", html)


def render_pdf(document: dict[str, Any], target: Path) -> PdfResult:
    """Render ``document`` to ``target`` (written atomically); check its wording first."""
    from weasyprint import HTML

    started, cpu_started = time.perf_counter(), time.process_time()
    html = render_html(document)
    check_text(visible_text(html), f"PDF pack {target.name}")
    fonts, css = _weasy()
    rendered = HTML(string=html, base_url=str(EXPORTS_DIR)).render(
        stylesheets=[css], font_config=fonts
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".pdf.part")
    rendered.write_pdf(partial, **PDF_OPTIONS)
    partial.replace(target)
    return PdfResult(
        path=str(target),
        pages=len(rendered.pages),
        bytes=target.stat().st_size,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
        worker_peak_rss_mb=peak_rss_mb(),
    )
