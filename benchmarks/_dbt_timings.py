"""Where a dbt invocation's time goes: per-node execution times from dbt's output (a routine
build writes no ``run_results.json``) or, for a build run by Dagster, from dagster-dbt's
events (``benchmarks._dagster_run``)."""

from __future__ import annotations

import re

from boardroom.dbt.results import node_results

_FINISHED = re.compile(r"^Finished running (.*) in [^(]*\((\d+(?:\.\d+)?)s\)", re.MULTILINE)


def node_times(output: str) -> list[tuple[str, float]]:
    """(node, seconds) of every node in a dbt invocation's output, slowest first."""
    times = [(result.name, result.seconds) for result in node_results(output)]
    return sorted(times, key=lambda item: item[1], reverse=True)


def summarize(times: list[tuple[str, float]], top: int = 10) -> dict:
    """The ``top`` slowest of (node, seconds), the node count and their summed time
    (threads overlap)."""
    times = sorted(times, key=lambda item: item[1], reverse=True)
    return {
        "nodes": len(times),
        "node_time_s": round(sum(seconds for _, seconds in times), 2),
        "top": [[name, round(seconds, 3)] for name, seconds in times[:top]],
    }


def summary(output: str, top: int = 10) -> dict:
    """:func:`summarize` of a dbt invocation's output."""
    return summarize(node_times(output), top)


def finished_line(log_text: str) -> tuple[float, str] | None:
    """(seconds, what ran) from dbt's closing "Finished running ... (17.67s)." line: the
    time from its first node to its last, dbt's start-up (parse, selection) left out."""
    found = _FINISHED.findall(log_text)
    if not found:
        return None
    what, seconds = found[-1]
    return float(seconds), what
