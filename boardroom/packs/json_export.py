"""The JSON export: validated against ``exports/board_pack.schema.json`` before it is written."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from boardroom.packs.guardrails import check_text
from boardroom.packs.paths import SCHEMA_PATH


class InvalidExport(ValueError):
    """A JSON export does not match the schema; nothing was written."""


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_export(document: Any) -> None:
    """Raise :class:`InvalidExport` listing (up to five) schema errors."""
    errors = sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
            for e in errors[:5]
        )
        raise InvalidExport(f"Board pack export fails its schema ({len(errors)} errors): {shown}")


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def write_export(document: dict[str, Any], target: Path) -> int:
    """Validate, check the wording, then write atomically; returns the size in bytes."""
    validate_export(document)
    text = dumps(document)
    check_text(text, f"JSON export {target.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.part")
    partial.write_text(text, encoding="utf-8")
    partial.replace(target)
    return len(text.encode())
