"""The e-mail summary of a pack: its headline figures and statuses, read from its export.

The summary is built from the recipient's own pack export only, so a message can hold
nothing that is not in that pack (one tenant, one scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boardroom.packs.bidi import LRI, isolated
from boardroom.packs.digits import digits_style
from boardroom.packs.view import PackView


@dataclass(frozen=True)
class SummaryLine:
    """One headline: name, value (with currency), change, status and basis."""

    name: str
    value: str
    arrow: str
    change: str
    change_note: str
    tone: str
    status: str | None
    status_label: str | None
    basis: str | None


def summary_lines(document: dict[str, Any], digits: str | None = None) -> list[SummaryLine]:
    """The headline figures of the pack's overview (platform: the platform's headlines)."""
    view = PackView(document, digits or digits_style())
    t = view.t
    statuses = {s["dimension"]: s["status"] for s in document["overview"]["statuses"]}
    headlines = (
        document["platform"]["headlines"]
        if document["pack_kind"] == "platform"
        else document["overview"]["headlines"]
    )
    lines = []
    for h in headlines:
        change = view.change(h)
        value = view.number(h["value"], h["unit"])
        if h["currency"] and h["value"] is not None:
            value = f"{value} {h['currency']}"
        status = statuses.get(h["dimension"]) if h["dimension"] else None
        lines.append(
            SummaryLine(
                name=view.metric(h["name"]),
                value=value,
                arrow=change["arrow"],
                change=change["text"],
                change_note=t("pack.vs_previous") if change["arrow"] else "",
                tone=change["tone"],
                status=status,
                status_label=t(f"statuses.{status}") if status else None,
                basis=h["label"] if h["is_approximate"] else None,
            )
        )
    return lines


def distribution(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Platform packs: tenants per status level for each status dimension, as text."""
    if document["pack_kind"] != "platform":
        return []
    t = PackView(document, "western").t
    return [
        (
            t(f"dimensions.{d['dimension']}"),
            " · ".join(
                f"{t(f'statuses.{level}')} {d[level]}"
                for level in ("ok", "watch", "at_risk", "unknown")
            ),
        )
        for d in document["platform"]["status_distribution"]
    ]


def text_summary(lines: list[SummaryLine], rtl: bool = False) -> str:
    """The plain-text block of the headlines, one line each (numbers isolated in RTL)."""
    separator = "\u060c" if rtl else ","  # the Arabic comma in right-to-left text
    out = []
    for line in lines:
        status = f" [{line.status_label}]" if line.status_label else ""
        basis = f" ({line.basis})" if line.basis else ""
        value = isolated(line.value, rtl, LRI)
        change = " ".join(
            p
            for p in (
                line.arrow,
                isolated(line.change, rtl and bool(line.arrow), LRI),
                line.change_note,
            )
            if p
        )
        out.append(f"- {line.name}{status}: {value}{separator} {change}{basis}")
    return "\n".join(out)
