"""The pack document -> HTML (Jinja2, autoescaped), in the document's locale."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from boardroom.packs.bidi import LRI, isolated
from boardroom.packs.digits import digits_style
from boardroom.packs.i18n import Translator
from boardroom.packs.paths import TEMPLATES_DIR
from boardroom.packs.periods import Period
from boardroom.packs.view import PackView

TEMPLATE = "board_pack.html.j2"
#: A contents list with fewer entries than this is left out (the pack is short enough).
MIN_TOC_ENTRIES = 3


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string."""
    return "".join(ch if ch.isalnum() or ch in " .,:;-_()" else f"\\{ord(ch):x} " for ch in text)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    return env


def owner_name(document: dict[str, Any], t: Translator) -> str:
    tenant = document.get("tenant")
    return tenant["name"] if tenant else t("pack.platform_name")


def period_text(document: dict[str, Any], t: Translator) -> str:
    p = document["period"]
    rtl = t.direction == "rtl"
    return t(
        "pack.period_range",
        start=isolated(p["start"], rtl, LRI),
        end=isolated(p["end"], rtl, LRI),
        days=p["days"],
    )


def contents(document: dict[str, Any], t: Translator) -> list[dict[str, str]]:
    """The pack's sections in order (the contents list and the bookmarks)."""
    if document["pack_kind"] != "tenant":
        return [
            {"id": "platform", "title": t("sections.platform")},
            {"id": "status_distribution", "title": t("sections.status_distribution")},
        ]
    toc = [{"id": "overview", "title": t("sections.overview")}]
    toc += [{"id": s["id"], "title": t(f"sections.{s['id']}")} for s in document["sections"]]
    if document.get("approvals") is not None:
        toc.append({"id": "approvals", "title": t("sections.approvals")})
    if document["sections"]:
        toc.append({"id": "alerts", "title": t("sections.alerts")})
    return toc


def render_html(document: dict[str, Any], *, digits: str | None = None) -> str:
    """The pack's HTML; every value from the document is escaped by the template.

    ``digits`` (``western`` / ``arabic-indic``) defaults to ``BOARDROOM_PACK_DIGITS``.
    """
    view = PackView(document, digits or digits_style())
    t = view.t
    toc = contents(document, t)
    title = t("pack.title") if document["pack_kind"] == "tenant" else t("pack.platform_title")
    end = date.fromisoformat(document["period"]["end"])
    previous_end = Period(end, int(document["period"]["days"])).previous.end.isoformat()
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            doc=document,
            t=t,
            v=view,
            title=title,
            owner=owner_name(document, t),
            period_text=period_text(document, t),
            toc=toc if len(toc) >= MIN_TOC_ENTRIES else [],
            previous_end=previous_end,
            rtl=t.direction == "rtl",
        )
    )
