"""What a dbt invocation ran, read from its output.

A routine build writes no ``run_results.json`` (:meth:`~boardroom.dbt.static_nodes.
StaticNodesPlan.dbt_flags`); its output has one result line per node instead::

    12:00:01  37 of 75 OK snapshotted snapshots.snap_app_deals ........ [INSERT 0 12 in 0.72s]
    12:00:02  40 of 75 PASS not_null_stg_app__deals_deal_id ............ [PASS in 0.08s]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RESULT = re.compile(
    r"^\S*\s*\d+ of \d+ (?P<status>OK|PASS|WARN|ERROR|FAIL|SKIP)\b(?P<what>.*?)\s*\.*\s*"
    r"\[(?P<message>[^\]]*?)(?: in (?P<seconds>\d+(?:\.\d+)?)s)?\]\s*$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class NodeResult:
    """One node's result line: its relation as dbt prints it (``schema.name``; a test's
    name), status and execution time."""

    name: str
    status: str
    seconds: float


def node_results(output: str) -> list[NodeResult]:
    """Every node result in dbt's text output (``--log-format text``, the default)."""
    results = []
    for match in _RESULT.finditer(output):
        words = match["what"].split()
        if not words:
            continue
        results.append(NodeResult(words[-1], match["status"], float(match["seconds"] or 0.0)))
    return results
