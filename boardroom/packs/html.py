"""The pack document -> HTML (Jinja2, autoescaped), in the document's locale."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from boardroom.packs.charts import bar_chart
from boardroom.packs.i18n import Translator
from boardroom.packs.paths import TEMPLATES_DIR
from boardroom.packs.values import display, display_hours

TEMPLATE = "board_pack.html.j2"


def _css_string(text: str) -> str:
    """Text safe inside a double-quoted CSS string."""
    return "".join(ch if ch.isalnum() or ch in " .,:;-_()" else f"\\{ord(ch):x} " for ch in text)


def _when(value: str | None) -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM UTC`` (shown in UTC, to the minute)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


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
    env.filters["when"] = _when
    env.filters["hours"] = display_hours
    return env


def owner_name(document: dict[str, Any], t: Translator) -> str:
    tenant = document.get("tenant")
    return tenant["name"] if tenant else t("pack.platform_name")


def period_text(document: dict[str, Any], t: Translator) -> str:
    p = document["period"]
    return t("pack.period_range", start=p["start"], end=p["end"], days=p["days"])


def render_html(document: dict[str, Any]) -> str:
    """The pack's HTML; every value from the document is escaped by the template."""
    t = Translator(document["locale"])
    na = t("pack.na")

    def metric_name(name: str, table: str = "metrics") -> str:
        return t.lookup(f"{table}.{name}") or t(f"metrics.{name}")

    def alert_text(alert: dict[str, Any]) -> str:
        if alert["kind"] == "sla_breach":
            hours = display_hours(alert["value"])
            return t("alerts.sla_breach", approval_id=alert["approval_id"], hours=hours)
        if alert["kind"] != "status":
            return t("alerts.other", kind=alert["kind"], metric=metric_name(alert["metric"] or ""))
        metric = alert["metric"] or ""
        unit = "ratio" if ("rate" in metric or "ratio" in metric) else "count"
        return t(
            "alerts.status",
            dimension=t(f"dimensions.{(alert['status_name'] or '').removesuffix('_status')}"),
            status=t(f"statuses.{alert['status']}"),
            metric=metric_name(alert["metric"] or ""),
            value=display(alert["value"], unit, na),
            threshold=display(alert["threshold"], unit, na),
        )

    toc = []
    if document["pack_kind"] == "tenant":
        toc.append({"id": "overview", "title": t("sections.overview")})
        toc += [{"id": s["id"], "title": t(f"sections.{s['id']}")} for s in document["sections"]]
        if document.get("approvals") is not None:
            toc.append({"id": "approvals", "title": t("sections.approvals")})
        if document["sections"]:
            toc.append({"id": "alerts", "title": t("sections.alerts")})
        title = t("pack.title")
    else:
        toc = [
            {"id": "platform", "title": t("sections.platform")},
            {"id": "status_distribution", "title": t("sections.status_distribution")},
        ]
        title = t("pack.platform_title")

    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            doc=document,
            t=t,
            title=title,
            owner=owner_name(document, t),
            period_text=period_text(document, t),
            toc=toc,
            metric_name=metric_name,
            alert_text=alert_text,
            fmt=lambda f: display(f["value"], f["unit"], na),
            fmt_value=lambda value, unit: display(value, unit, na),
            chart=lambda dates, values, unit: bar_chart(dates, values, unit, na=na),
        )
    )
