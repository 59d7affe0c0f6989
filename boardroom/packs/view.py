"""What the pack template shows, worded for people: figures, changes, names, titles.

Everything here returns plain text (escaped by the template) or :class:`Markup` built
with :meth:`Markup.format`, which escapes every value it is given.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from markupsafe import Markup, escape

from boardroom.packs.bidi import LRI, breakable, isolated
from boardroom.packs.charts import all_zero, bar_chart, has_data
from boardroom.packs.digits import localise
from boardroom.packs.headlines import tone
from boardroom.packs.i18n import Translator
from boardroom.packs.names import human_name
from boardroom.packs.values import display, display_hours
from boardroom.packs.values import when as _when

#: SLA-breach alerts listed in the PDF; the rest are counted (the JSON holds them all).
MAX_SLA_ALERTS = 10
#: Breakdown columns the PDF leaves out (in the JSON only): usage units of different
#: services are not comparable, and the column would crowd the money figures.
PDF_HIDDEN_COLUMNS = frozenset({"units_30d"})
ARROWS = {1: "▲", -1: "▼", 0: "●"}
NBSP = "\u00a0"


class PackView:
    """Formatting of one document's figures in its locale and digit style."""

    def __init__(self, document: dict[str, Any], digits: str) -> None:
        self.doc = document
        self.t = Translator(document["locale"])
        self.digits = digits
        self.na = self.t("pack.na")
        self.rtl = self.t.direction == "rtl"

    # direction ---------------------------------------------------------------------------
    def num(self, text: str) -> Markup:
        """A formatted number or date: one left-to-right run that never wraps inside."""
        return Markup('<span class="v">{}</span>').format(isolated(text, self.rtl, LRI))

    def bdi(self, text: str) -> Markup:
        """An id or name taking its own direction inside the surrounding text."""
        return Markup("<bdi>{}</bdi>").format(isolated(breakable(text), self.rtl))

    def running(self, text: str) -> str:
        """Text for the running header: at most 60 characters, isolated in RTL packs."""
        short = text if len(text) <= 60 else text[:59].rstrip() + "…"
        return isolated(short, self.rtl)

    def text(self, key: str, **values: object) -> Markup:
        """A translation whose placeholders take markup (escaped unless already Markup)."""
        return escape(self.t.lookup(key) or key).format(**values)

    def when(self, value: str | None) -> Markup:
        """A timestamp as ``YYYY-MM-DD HH:MM UTC``, the date and time kept together."""
        text = _when(value)
        day, _, rest = text.partition(" ")
        if not rest:
            return self.num(text)
        return Markup("{} {}").format(self.num(day), self.num(rest.replace(" ", NBSP)))

    # figures -----------------------------------------------------------------------------
    def number(self, value: str | None, unit: str) -> str:
        """A figure's value for people (grouped digits, %), in the pack's digits."""
        return localise(display(value, unit, self.na), self.t.locale, self.digits)

    def hours(self, value: str | None) -> str:
        text = self.na if value is None else display_hours(value)
        return localise(text, self.t.locale, self.digits)

    def value(self, figure: dict[str, Any], currency: str | None = None) -> Markup:
        """A figure as an isolated left-to-right number, with its currency code if known."""
        text = self.number(figure["value"], figure["unit"])
        if currency and figure["value"] is not None:
            return Markup('{}{}<span class="ccy">{}</span>').format(self.num(text), NBSP, currency)
        return self.num(text)

    def metric(self, name: str, table: str = "metrics") -> str:
        return self.t.lookup(f"{table}.{name}") or self.t(f"metrics.{name}")

    def change(self, h: dict[str, Any]) -> dict[str, str]:
        """Arrow, text and tone (good/bad/neutral) of a headline's change."""
        t = self.t
        if h["value"] is None:
            text = t.lookup(f"no_data.{h['name']}") or t("pack.no_value")
            return {"arrow": "", "text": text, "tone": "neutral"}
        if h["change"] is None:
            return {"arrow": "", "text": t("pack.no_previous"), "tone": "neutral"}
        delta = Decimal(h["change"])
        sign = int(delta.compare(Decimal(0)))
        if sign == 0:
            text = t("pack.unchanged")
        elif h["unit"] == "ratio":
            points = abs(delta) * 100
            text = (
                f"{points:,.2f} {t('pack.pp')}"
                if points >= Decimal("0.005")
                else (f"<0.01 {t('pack.pp')}")
            )
        elif h["previous_value"] is not None and Decimal(h["previous_value"]) != 0:
            percent = abs(delta / Decimal(h["previous_value"])) * 100
            text = f"{percent:,.1f} %" if percent >= Decimal("0.05") else "<0.1 %"
        else:
            text = display(str(abs(delta)), h["unit"], self.na)
        return {
            "arrow": ARROWS[sign],
            "text": localise(text, t.locale, self.digits),
            "tone": tone(h["name"], h["change"]),
        }

    def currency(self, section: dict[str, Any]) -> str | None:
        """The reporting currency of a section's money figures (from its headlines)."""
        return next((h["currency"] for h in section.get("headlines", []) if h["currency"]), None)

    def others(self, section: dict[str, Any]) -> list[dict[str, Any]]:
        """The section's figures not already shown as headline figures."""
        headlines = {h["name"] for h in section.get("headlines", [])}
        return [f for f in section["figures"] if f["name"] not in headlines]

    def shown(self, breakdown: dict[str, Any]) -> list[dict[str, Any]]:
        """The breakdown's figure columns shown in the PDF."""
        return [f for f in breakdown["figures"] if f["name"] not in PDF_HIDDEN_COLUMNS]

    # names -------------------------------------------------------------------------------
    def name(self, kind: str, identifier: str | None) -> str:
        return human_name(kind, identifier, self.t)

    def approval_title(self, approval: dict[str, Any]) -> str:
        """The source's title, else category and age at the as-of time."""
        if approval.get("title"):
            return approval["title"]
        category = self.name("category", approval["category"])
        return self.t("pack.approval_title", category=category, age=self._age(approval))

    def _age(self, approval: dict[str, Any]) -> str:
        created, as_of = approval.get("created_at"), self.doc.get("data_as_of")
        if not created or not as_of:
            return self.na
        hours = (datetime.fromisoformat(as_of) - datetime.fromisoformat(created)).total_seconds()
        hours = max(hours / 3600, 0)
        if hours >= 48:
            return self.t(
                "pack.age_days", days=localise(f"{hours // 24:.0f}", self.t.locale, self.digits)
            )
        return self.t("pack.age_hours", hours=localise(f"{hours:.0f}", self.t.locale, self.digits))

    def unlisted_approvals(self) -> int:
        """Pending approvals beyond those listed (the queue lists the top ones only)."""
        listed = len(self.doc.get("approvals") or [])
        for section in self.doc["sections"]:
            for f in section["figures"]:
                if f["name"] == "pending_approvals" and f["value"] is not None:
                    return max(int(Decimal(f["value"])) - listed, 0)
        return 0

    # charts ------------------------------------------------------------------------------
    def chart(self, dates: list[str], series: dict[str, Any]) -> Markup | None:
        values = series["values"]
        if not has_data(values) or all_zero(values):
            return None
        return bar_chart(dates, values, lambda v: self.number(v, series["unit"]))

    def no_chart(self, series: dict[str, Any]) -> str:
        """The one line shown instead of a chart with nothing to draw."""
        name = self.metric(series["name"])
        if all_zero(series["values"]):
            return self.t("pack.all_zero", name=name)
        return self.t.lookup(f"no_data.{series['name']}") or self.t("pack.no_data", name=name)

    # alerts ------------------------------------------------------------------------------
    def alerts(self) -> tuple[list[dict[str, Any]], int]:
        """Alerts listed in the PDF (status alerts, then the first SLA breaches) and how
        many SLA breaches are left out."""
        alerts = self.doc["alerts"]
        status = [a for a in alerts if a["kind"] != "sla_breach"]
        breaches = [a for a in alerts if a["kind"] == "sla_breach"]
        return status + breaches[:MAX_SLA_ALERTS], max(len(breaches) - MAX_SLA_ALERTS, 0)

    def alert_text(self, alert: dict[str, Any]) -> Markup:
        t = self.t
        if alert["kind"] == "sla_breach":
            approvals = {a["approval_id"]: a for a in self.doc.get("approvals") or []}
            known = approvals.get(alert["approval_id"] or "")
            if known:
                who = Markup("{} ({})").format(
                    self.approval_title(known), self.bdi(known["approval_id"])
                )
            else:
                who = self.text(
                    "pack.approval_ref", approval_id=self.bdi(alert["approval_id"] or "")
                )
            return self.text(
                "alerts.sla_breach", approval=who, hours=self.num(self.hours(alert["value"]))
            )
        if alert["kind"] != "status":
            return escape(t.lookup("alerts.other") or "").format(
                kind=alert["kind"], metric=self.metric(alert["metric"] or "")
            )
        metric = alert["metric"] or ""
        unit = "ratio" if ("rate" in metric or "ratio" in metric) else "count"
        return escape(t.lookup("alerts.status") or "").format(
            dimension=t(f"dimensions.{(alert['status_name'] or '').removesuffix('_status')}"),
            status=t(f"statuses.{alert['status']}"),
            metric=self.metric(metric),
            value=self.num(self.number(alert["value"], unit)),
            threshold=self.num(self.number(alert["threshold"], unit)),
        )
