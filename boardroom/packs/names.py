"""People's names for raw identifiers (providers, services, channels, categories).

A known identifier gets its translation from ``exports/i18n/<locale>.json``
(``providers``, ``services``, ``channels``, ``category``); an unknown one is shown with its
underscores and dashes turned into spaces, first letter capitalised.
"""

from __future__ import annotations

from boardroom.packs.i18n import Translator

#: Breakdown dimension -> the i18n table of its values.
TABLES = {
    "provider": "providers",
    "service": "services",
    "channel": "channels",
    "category": "category",
}


def plain(identifier: str) -> str:
    """``whatsapp_business`` -> ``Whatsapp business`` (the fallback for unknown values)."""
    text = " ".join(identifier.replace("_", " ").replace("-", " ").split())
    return text[:1].upper() + text[1:]


def human_name(kind: str, identifier: str | None, t: Translator) -> str:
    """The translated name of ``identifier`` of the dimension ``kind``."""
    if not identifier:
        return ""
    table = TABLES.get(kind, kind)
    return (
        t.lookup(f"{table}.{identifier}")
        or t.lookup(f"{table}.{identifier.lower()}")
        or plain(identifier)
    )
