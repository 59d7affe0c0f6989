"""Mixing right-to-left text with numbers, dates, ids and Latin names, and wrapping long
tokens.

WeasyPrint lays text out with Pango, which honours the Unicode isolate characters but does
not apply CSS ``unicode-bidi`` to inline boxes: right-to-left packs therefore put a
left-to-right isolate around figures and dates (a minus sign or ``%`` stays where it
belongs) and a first-strong isolate around ids and names.
"""

from __future__ import annotations

#: Left-to-right isolate, first-strong isolate, pop directional isolate.
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"


ZWSP = "\u200b"
#: Tokens longer than this get break opportunities (long ids and names wrap, never overflow).
LONG_TOKEN = 30
_CHUNK = 20


def breakable(text: str) -> str:
    """``text`` with a zero-width space every 20 characters of any token over 30."""
    return " ".join(
        ZWSP.join(word[i : i + _CHUNK] for i in range(0, len(word), _CHUNK))
        if len(word) > LONG_TOKEN
        else word
        for word in text.split(" ")
    )


def isolated(text: str, rtl: bool, opener: str = FSI) -> str:
    """``text`` isolated from the surrounding direction in a right-to-left pack."""
    return f"{opener}{text}{PDI}" if rtl and text else text
