"""Measurement helpers for the benchmarks: peak RSS, RSS sampling, timing, child processes.

Peak RSS is the kernel's high-water mark of the resident set (``VmHWM``), read inside a fresh
child process, so each measured step starts from an empty interpreter and nothing the
parent allocated (generators, servers) is counted. A sampler thread also records the RSS
over the run, to show whether it stays flat.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boardroom.packs.rss import peak_rss_mb as peak_rss_mb  # re-exported for the benchmarks

_PAGE = resource.getpagesize()


def current_rss_mb() -> float:
    """This process's resident set now, in MiB (from /proc; 0 where unavailable)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return 0.0
    return int(fields[1]) * _PAGE / (1024 * 1024)


@dataclass
class RssSampler:
    """Samples the resident set every ``interval`` seconds on a daemon thread."""

    interval: float = 0.1
    samples: list[tuple[float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - self._started, current_rss_mb()))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def quartile_peaks(self) -> list[float]:
        """Peak RSS in each quarter of the run: flat memory shows four similar numbers."""
        if not self.samples:
            return []
        end = self.samples[-1][0] or 1.0
        peaks = [0.0] * 4
        for at, rss in self.samples:
            index = min(3, int(4 * at / end))
            peaks[index] = max(peaks[index], rss)
        return [round(p, 1) for p in peaks]


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    """``with timed() as elapsed: ...; elapsed()`` gives the seconds spent in the block."""
    started = time.perf_counter()
    finished: list[float] = []
    yield lambda: (finished[0] if finished else time.perf_counter()) - started
    finished.append(time.perf_counter())


def run_in_child(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` in a fresh spawned process and return its (picklable) result."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args, **kwargs).result()


def rate(rows: int, seconds: float) -> float:
    return rows / seconds if seconds > 0 else 0.0


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss_mb(pid: int) -> float:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE / (1024 * 1024)
    except (OSError, IndexError, ValueError):
        return 0.0


def _high_water_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class ProcessTreeSampler:
    """Samples another process and its descendants every ``interval`` seconds: the
    process's own peak RSS (its ``VmHWM``, last read before it exits), the peak of the
    summed RSS of the whole tree (workers, dbt, ...), the most processes at once, and the
    1-minute load average."""

    pid: int
    interval: float = 0.25
    own_peak_mb: float = 0.0
    tree_peak_mb: float = 0.0
    most_processes: int = 0
    load_samples: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._last_load = 0.0

    def _sample(self) -> None:
        self.own_peak_mb = max(self.own_peak_mb, _high_water_mb(self.pid))
        children = _children_map()
        tree, pending = [], [self.pid]
        while pending:
            pid = pending.pop()
            tree.append(pid)
            pending.extend(children.get(pid, []))
        self.tree_peak_mb = max(self.tree_peak_mb, sum(_rss_mb(pid) for pid in tree))
        self.most_processes = max(self.most_processes, len(tree))
        now = time.monotonic()
        if now - self._last_load >= 5.0:
            self._last_load = now
            self.load_samples.append(os.getloadavg()[0])

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> ProcessTreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def load_average(self) -> dict[str, float]:
        """Mean and peak of the 1-minute load average sampled every 5 s over the run."""
        samples = self.load_samples or [os.getloadavg()[0]]
        return {
            "mean": round(sum(samples) / len(samples), 2),
            "max": round(max(samples), 2),
        }
