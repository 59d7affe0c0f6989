"""Which digits an Arabic pack shows figures in: Western (default) or Arabic-Indic.

``BOARDROOM_PACK_DIGITS=arabic-indic`` shows the figures of Arabic-locale packs with
Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩) and Arabic decimal and thousands separators; the default,
``western``, keeps 0-9 in every locale. Dates, ids and the JSON export are never changed.
"""

from __future__ import annotations

from collections.abc import Mapping

from boardroom.settings import DIGIT_STYLES, Settings

WESTERN, ARABIC_INDIC = DIGIT_STYLES
#: Locales whose packs may use Arabic-Indic digits.
ARABIC_LOCALES = frozenset({"ar"})

#: Arabic-Indic digits U+0660-0669, Arabic decimal (U+066B) and thousands (U+066C)
#: separators and Arabic percent sign (U+066A).
_ARABIC_INDIC = str.maketrans(
    "0123456789.,%", "".join(chr(0x660 + d) for d in range(10)) + "\u066b\u066c\u066a"
)


def digits_style(env: Mapping[str, str] | None = None) -> str:
    """The configured style (an unknown value raises, so a typo is not silently ignored)."""
    return Settings.from_env(env).pack_digits


def localise(text: str, locale: str, style: str) -> str:
    """``text`` (a formatted figure) in the digits of ``style`` for ``locale``."""
    if style == ARABIC_INDIC and locale in ARABIC_LOCALES:
        return text.translate(_ARABIC_INDIC)
    return text
