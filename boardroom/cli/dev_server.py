"""``boardroom dev``: ``dagster dev`` (webserver, daemon, code server) as one child process
group that Ctrl-C stops within seconds.

``dagster dev`` shuts its services down gracefully, waiting up to a minute for each: the
webserver keeps open browser connections alive meanwhile, so processes linger after Ctrl-C.
Here the services run in their own process group: Ctrl-C (or SIGTERM) reaches Boardroom
alone, which interrupts the group, gives it :data:`GRACE_SECONDS` to exit and then kills
what is left.

``dagster dev`` runs in ``DAGSTER_HOME`` (whose ``dagster.yaml`` is the project's own), so
it does not warn about a ``dagster.yaml`` elsewhere; its notice that ``dg dev`` supersedes
it is silenced (Boardroom's projects load the same either way).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

#: How long the services get to exit after Ctrl-C before they are killed.
GRACE_SECONDS = 3.0
_SUPERSEDED = "ignore:Function `dev_command` is superseded"


def dev_command(workspace: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-W",
        _SUPERSEDED,
        "-m",
        "dagster",
        "dev",
        "-w",
        str(workspace),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]


def run_dev(command: list[str], env: Mapping[str, str], cwd: Path) -> int:
    """Run ``command`` in a process group of its own until it exits, Ctrl-C or SIGTERM; the
    exit code (130 after Ctrl-C or SIGTERM)."""
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop
    process = subprocess.Popen(command, env=dict(env), cwd=cwd, start_new_session=True)
    try:
        return process.wait()
    except KeyboardInterrupt:
        stop_group(process)
        return 130
    finally:
        if process.poll() is None:
            stop_group(process)
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def stop_group(process: subprocess.Popen, grace: float = GRACE_SECONDS) -> None:
    """Interrupt ``process``'s group, wait up to ``grace`` seconds, then kill the rest."""
    group = process.pid
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C waits too
    try:
        _signal_group(group, signal.SIGINT)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _group_alive(group):
            time.sleep(0.1)
        _signal_group(group, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    finally:
        signal.signal(signal.SIGINT, previous)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def _group_alive(group: int) -> bool:
    """True while any process of the group exists (zombies of the leader aside)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _has_live_member(group)


def _has_live_member(group: int) -> bool:
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            return True
    return False
