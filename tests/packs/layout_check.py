"""Layout faults of a rendered pack, read back from the PDF's word boxes (pdfplumber).

A fault is a pair of words of a page whose boxes overlap (or glyphs drawn over each
other, which pdfplumber would merge into one word), a word outside the page's
content box (the running header and footer bands in the top and bottom margins count
as inside), a page whose body holds nothing but headings, or a page whose body ends with
a heading (an orphan heading).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
#: The page margins of exports/pack.css (top, right, bottom, left), in points.
MARGINS = (22 * MM, 16 * MM, 20 * MM, 16 * MM)
#: The running header and footer sit at least this far inside the page edge.
EDGE = 6 * MM
#: Boxes may touch: they overlap only by more than this (points) across, and by more than
#: a fifth of the smaller box's height down (line boxes of mixed Latin and Arabic fonts
#: reach a little into the next line without their glyphs touching).
OVERLAP = 0.6
OVERLAP_DOWN = 0.2
#: Heading sizes of exports/pack.css (h2 14 pt, h3 11.5 pt), in bold.
HEADING_MIN_SIZE = 11.0


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def heading(self) -> bool:
        return self.bold and self.size >= HEADING_MIN_SIZE


def _words(page: pdfplumber.page.Page) -> list[Word]:
    return [
        Word(
            w["text"],
            w["x0"],
            w["x1"],
            w["top"],
            w["bottom"],
            round(float(w["size"]), 1),
            "bold" in str(w["fontname"]).lower(),
        )
        for w in page.extract_words(extra_attrs=["fontname", "size"], keep_blank_chars=False)
        if w["text"].strip()
    ]


def overlaps(a: Word, b: Word) -> bool:
    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
    dy = min(a.bottom, b.bottom) - max(a.top, b.top)
    smaller = min(a.bottom - a.top, b.bottom - b.top)
    return dx > OVERLAP and dy > max(OVERLAP, OVERLAP_DOWN * smaller)


#: Grid cell (points) for finding glyphs that share a spot on the page.
CELL = 6.0


def _glyphs(page: pdfplumber.page.Page) -> list[dict]:
    """Visible glyphs: no spaces, no combining marks (Arabic vowel signs sit on their
    letter), no zero-width parts of ligatures."""
    return [
        c
        for c in page.chars
        if c["text"].strip()
        and unicodedata.category(c["text"][0]) not in ("Mn", "Me", "Cf")
        and c["x1"] - c["x0"] > 0.5
    ]


def glyph_collisions(number: int, glyphs: list[dict]) -> list[str]:
    """Glyphs drawn over each other (text of one box running into another's): more than
    half the narrower glyph's width and half its height shared."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, c in enumerate(glyphs):
        for gx in range(int(c["x0"] // CELL), int(c["x1"] // CELL) + 1):
            for gy in range(int(c["top"] // CELL), int(c["bottom"] // CELL) + 1):
                cells[(gx, gy)].append(i)
    faults: set[str] = set()
    for members in cells.values():
        for n, i in enumerate(members):
            a = glyphs[i]
            for j in members[n + 1 :]:
                b = glyphs[j]
                dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                dy = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                narrow = min(a["x1"] - a["x0"], b["x1"] - b["x0"])
                low = min(a["bottom"] - a["top"], b["bottom"] - b["top"])
                if dx > 0.5 * narrow and dy > 0.5 * low:
                    faults.add(f"page {number}: {a['text']!r} is drawn over {b['text']!r}")
    return sorted(faults)


def page_faults(number: int, width: float, height: float, words: list[Word]) -> list[str]:
    """Every layout fault of one page (``number`` counts from 1)."""
    top, right, bottom, left = MARGINS
    faults: list[str] = []
    body: list[Word] = []
    for w in words:
        if w.x0 < left - 1 or w.x1 > width - right + 1:
            faults.append(f"page {number}: {w.text!r} runs past the side margins")
        in_body = w.top >= top - 1 and w.bottom <= height - bottom + 1
        in_header = w.top >= EDGE and w.bottom <= top + 1
        in_footer = w.top >= height - bottom - 1 and w.bottom <= height - EDGE
        if in_body:
            body.append(w)
        elif not (in_header or in_footer):
            faults.append(f"page {number}: {w.text!r} lies outside the content box")
    ordered = sorted(words, key=lambda w: w.top)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.top >= a.bottom:
                break
            if overlaps(a, b):
                faults.append(f"page {number}: {a.text!r} overlaps {b.text!r}")
    if body and all(w.heading for w in body):
        faults.append(f"page {number}: holds only a heading ({' '.join(w.text for w in body)})")
    if body and number > 1:
        last = max(w.bottom for w in body)
        line = [w for w in body if w.bottom >= last - 2]
        if all(w.heading for w in line):
            faults.append(f"page {number}: ends with a heading ({' '.join(w.text for w in line)})")
    return faults


def layout_faults(pdf: Path) -> list[str]:
    """Every layout fault of the PDF's pages."""
    faults: list[str] = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            faults += page_faults(number, float(page.width), float(page.height), _words(page))
            faults += glyph_collisions(number, _glyphs(page))
    return faults
