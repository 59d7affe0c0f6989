"""Wording guardrails (seed 000): no export presents a figure as something it is not."""

from __future__ import annotations

import re

#: Phrases no pack, export or message may contain, in any case (English words are checked
#: in every locale; the Arabic equivalents too).
BANNED_PHRASES: tuple[str, ...] = (
    "invoice",
    "exact cost",
    "regulatory report",
    "guaranteed real-time",
    "guaranteed real time",
    "guaranteed realtime",
    "فاتورة",
    "فواتير",
    "تكلفة دقيقة",
    "التكلفة الدقيقة",
    "تقرير تنظيمي",
    "مضمون في الوقت الفعلي",
)
_PATTERN = re.compile("|".join(re.escape(p) for p in BANNED_PHRASES), re.IGNORECASE)


class GuardrailViolation(ValueError):
    """An export would contain a banned phrase."""


def banned_phrases_in(text: str) -> list[str]:
    """The banned phrases found in ``text`` (lower-cased, unique, in order)."""
    found: list[str] = []
    for match in _PATTERN.finditer(text):
        phrase = match.group(0).lower()
        if phrase not in found:
            found.append(phrase)
    return found


def check_text(text: str, what: str) -> None:
    """Raise :class:`GuardrailViolation` if ``text`` holds a banned phrase."""
    found = banned_phrases_in(text)
    if found:
        raise GuardrailViolation(f"{what} contains banned wording: {', '.join(found)}.")
