"""Where a dbt invocation's time goes: per-node execution times from ``run_results.json``."""

from __future__ import annotations

import json
from pathlib import Path


def node_times(target_dir: Path) -> list[tuple[str, float]]:
    """(node, seconds) of every node of the invocation, slowest first."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    times = [
        (result["unique_id"].split(".", 2)[-1], float(result.get("execution_time") or 0.0))
        for result in results
    ]
    return sorted(times, key=lambda item: item[1], reverse=True)


def summary(target_dir: Path, top: int = 10) -> dict:
    """The ``top`` slowest nodes, the node count and their summed time (threads overlap)."""
    times = node_times(target_dir)
    return {
        "nodes": len(times),
        "node_time_s": round(sum(seconds for _, seconds in times), 2),
        "top": [[name, round(seconds, 3)] for name, seconds in times[:top]],
    }
