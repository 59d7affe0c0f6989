"""Trend charts as inline SVG whose labels and values are real ``<text>`` (extractable).

A series with no value, or only zeros, gets no chart: the template says so in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 500, 150
TOP, BOTTOM, SIDE = 18, 24, 8
#: Above this many days, only every n-th day is labelled so labels never collide.
MAX_LABELS = 10


def has_data(values: list[str | None]) -> bool:
    """True when the series holds at least one value."""
    return any(v is not None for v in values)


def all_zero(values: list[str | None]) -> bool:
    """True when every value of the series is present and zero."""
    return bool(values) and all(v is not None and Decimal(v) == 0 for v in values)


def bar_chart(
    dates: list[str], values: list[str | None], label: Callable[[str | None], str]
) -> Markup:
    """Daily bars with each day's value (``label``) above its bar and the day below it."""
    numbers = [Decimal(v) if v is not None else None for v in values]
    peak = max((n for n in numbers if n is not None), default=Decimal(0))
    peak = peak if peak > 0 else Decimal(1)
    count = max(len(dates), 1)
    every = max(1, -(-count // MAX_LABELS))
    slot = (WIDTH - 2 * SIDE) / count
    bar = slot * 0.6
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" direction="ltr" role="img">',
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
        if (count - 1 - i) % every:
            continue
        parts.append(
            f'<text x="{centre:.1f}" y="{max(y - 4, 10):.1f}" font-size="8" '
            f'text-anchor="middle" fill="#1f2933">{escape(label(values[i]))}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - 8}" font-size="8" text-anchor="middle" '
            f'fill="#52606d">{escape(day[5:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text node above is escaped
