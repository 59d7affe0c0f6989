"""Trend charts as inline SVG whose labels and values are real ``<text>`` (extractable)."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from boardroom.packs.values import display

WIDTH, HEIGHT = 500, 150
TOP, BOTTOM, SIDE = 18, 24, 8


def bar_chart(dates: list[str], values: list[str | None], unit: str, *, na: str = "n/a") -> Markup:
    """Daily bars with each day's value above its bar and the day (MM-DD) below it."""
    numbers = [Decimal(v) if v is not None else None for v in values]
    peak = max((n for n in numbers if n is not None), default=Decimal(0))
    peak = peak if peak > 0 else Decimal(1)
    count = max(len(dates), 1)
    slot = (WIDTH - 2 * SIDE) / count
    bar = slot * 0.6
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" direction="ltr">',
        f'<line x1="{SIDE}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - SIDE}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#9aa5b1" stroke-width="1"/>',
    ]
    for i, (day, number) in enumerate(zip(dates, numbers, strict=True)):
        x = SIDE + i * slot + (slot - bar) / 2
        centre = x + bar / 2
        height = 0.0 if number is None else max(float(number / peak) * plot, 0.0)
        y = HEIGHT - BOTTOM - height
        if number is not None:
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                'fill="#2f5d8a"/>'
            )
        label = escape(display(values[i], unit, na))
        parts.append(
            f'<text x="{centre:.1f}" y="{max(y - 4, 10):.1f}" font-size="8" '
            f'text-anchor="middle" fill="#1f2933">{label}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - 8}" font-size="8" text-anchor="middle" '
            f'fill="#52606d">{escape(day[5:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped
