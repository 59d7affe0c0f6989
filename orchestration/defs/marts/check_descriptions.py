"""Readable descriptions of dbt tests, for their Dagster asset checks.

dbt names a generic test after its arguments (``accepted_values_stg_app__..._status__a__b``),
which the UI truncates until several checks read alike; the description says in words what
the test asserts, built from the test's name, column and arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from boardroom.marts_registry import Bounds

_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")
_SOURCE = re.compile(r"""source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)""")


def _relation(text: Any) -> str:
    """``"ref('snap_app_tenants')"`` -> ``snap_app_tenants``; sources as ``source.table``."""
    value = str(text or "")
    if match := _SOURCE.search(value):
        return f"{match[1]}.{match[2]}"
    if match := _REF.search(value):
        return match[1]
    return value


def _values(values: Any) -> str:
    return ", ".join(f"`{v}`" for v in values or [])


def _severity(props: Mapping[str, Any]) -> str:
    severity = str((props.get("config") or {}).get("severity") or "error").lower()
    if severity == "warn":
        return " Severity warn: a failure is reported and nothing is blocked."
    return " Severity error: a failure blocks what depends on the model in the run."


def _range(
    props: Mapping[str, Any], column: Any, manifest: Mapping[str, Any] | None
) -> tuple[Any, Any]:
    """The bounds ``boardroom_within_range`` checks: the column's ``meta.bounds``."""
    model = ((manifest or {}).get("nodes") or {}).get(props.get("attached_node") or "") or {}
    meta = ((model.get("columns") or {}).get(column) or {}).get("meta") or {}
    if "bounds" not in meta:
        return None, None
    return Bounds.from_meta(meta["bounds"], f"{props.get('attached_node')}.{column}").expected


def describe_test(props: Mapping[str, Any], manifest: Mapping[str, Any] | None = None) -> str:
    """One or two sentences saying what the dbt test ``props`` (a manifest node) asserts;
    ``manifest`` gives the tested column's properties where the test reads them."""
    explicit = (props.get("description") or "").strip() or (props.get("meta") or {}).get(
        "description"
    )
    metadata = props.get("test_metadata") or {}
    kind = metadata.get("name")
    kwargs: Mapping[str, Any] = metadata.get("kwargs") or {}
    column = kwargs.get("column_name") or props.get("column_name")
    where = (props.get("config") or {}).get("where")
    if explicit:
        text = str(explicit).strip()
    elif kind == "not_null":
        text = f"`{column}` is never null."
    elif kind == "unique":
        text = f"`{column}` is unique: no two rows share a value."
    elif kind == "accepted_values":
        text = f"`{column}` only takes the values {_values(kwargs.get('values'))}."
    elif kind == "relationships":
        target = _relation(kwargs.get("to"))
        text = f"Every `{column}` exists as `{kwargs.get('field')}` in `{target}`."
    elif kind == "boardroom_valid_rows":
        required = [f"`{name}` is never null" for name in kwargs.get("not_null") or []]
        accepted = [
            f"`{name}` only takes the values {_values(values)}"
            for name, values in (kwargs.get("accepted_values") or {}).items()
        ]
        text = "; ".join(required + accepted) + " (one pass over the rows)."
    elif kind == "boardroom_within_range":
        low, high = _range(props, column, manifest)
        text = f"`{column}` lies within [{low}, {high}] (nulls pass)."
    elif kind:
        arguments = {k: v for k, v in kwargs.items() if k not in ("model", "column_name")}
        shown = ", ".join(f"{k}={v}" for k, v in sorted(arguments.items()))
        on = f" on `{column}`" if column else ""
        text = f"dbt test `{kind}`{on}" + (f" ({shown})" if shown else "") + "."
    else:
        path = props.get("original_file_path") or props.get("name")
        text = f"Singular dbt test `{props.get('name')}` ({path}): no row may match its query."
    if where:
        text += f" Rows checked: where {where}."
    return text + _severity(props)
