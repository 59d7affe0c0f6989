"""``boardroom-dbt`` (boardroom.dbt.launcher): dbt with the garbage collector set for it,
the executable every dbt subprocess of Boardroom runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from boardroom.dbt.launcher import GC_THRESHOLDS
from boardroom.dbt.process import dbt_executable


def test_boardroom_runs_dbt_through_the_launcher():
    assert Path(dbt_executable()) == Path(sys.executable).with_name("boardroom-dbt")


def test_the_launcher_is_dbt_with_the_collector_set():
    probe = (
        "import gc, sys\n"
        "from boardroom.dbt import launcher\n"
        "sys.argv = ['boardroom-dbt', '--version']\n"
        "try:\n"
        "    launcher.main()\n"
        "except SystemExit as done:\n"
        "    print('exit', done.code)\n"
        "print('thresholds', gc.get_threshold())\n"
        "print('frozen', gc.get_freeze_count())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    lines = result.stdout.splitlines()
    assert any(line.strip().startswith("- installed: 1.11.") for line in lines), result.stdout
    assert "exit 0" in lines
    assert f"thresholds {GC_THRESHOLDS}" in lines
    frozen = int(next(line for line in lines if line.startswith("frozen")).split()[1])
    assert frozen > 100_000  # dbt's start-up heap, skipped by later collections


def test_dbt_exit_codes_pass_through(tmp_path):
    result = subprocess.run(
        [dbt_executable(), "no-such-command"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "No such command" in result.stderr + result.stdout
