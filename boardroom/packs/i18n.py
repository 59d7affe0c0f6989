"""Translations of every word a pack shows, kept in ``exports/i18n/<locale>.json``."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from boardroom.packs.paths import I18N_DIR

DEFAULT_LOCALE = "en"
RTL_LOCALES = frozenset({"ar"})


@cache
def _load(locale: str) -> dict[str, Any]:
    path = I18N_DIR / f"{locale}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def available_locales() -> list[str]:
    return sorted(p.stem for p in I18N_DIR.glob("*.json"))


class Translator:
    """``t("sections.revenue")``: the locale's text, else English, else the key itself."""

    def __init__(self, locale: str | None) -> None:
        self.locale = locale if locale in available_locales() else DEFAULT_LOCALE
        self._tables = [_load(self.locale), _load(DEFAULT_LOCALE)]

    @property
    def direction(self) -> str:
        return "rtl" if self.locale in RTL_LOCALES else "ltr"

    def lookup(self, key: str) -> str | None:
        for table in self._tables:
            node: Any = table
            for part in key.split(".", 1) if "." in key else [key]:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, str):
                return node
        return None

    def __call__(self, key: str, **values: object) -> str:
        text = self.lookup(key)
        if text is None:
            text = key.rsplit(".", 1)[-1]
        return text.format(**values) if values else text

    def label(self, catalogue_label: str | None) -> str | None:
        """A catalogue label in this locale (the catalogue's own text when untranslated)."""
        if not catalogue_label:
            return catalogue_label
        return self._tables[0].get("labels", {}).get(catalogue_label, catalogue_label)
