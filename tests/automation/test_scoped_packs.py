"""A tenant-scoped render of ``packs/board_packs`` keeps the other tenants' packs listed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from boardroom.gate.publish import publish_tenants
from boardroom.packs.render import read_manifest
from orchestration.defs.databases.resources import PostgresResource
from orchestration.defs.gate.scope import BOARD_PACKS_OP
from orchestration.defs.packs.assets import board_packs

DAY = "2026-03-31"


def render(url: str, tenants: list[str]) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [board_packs],
        partition_key=DAY,
        resources={"warehouse": PostgresResource(url=url)},
        run_config={"ops": {BOARD_PACKS_OP: {"config": {"tenants": tenants, "workers": 0}}}},
    )


def test_scoped_render_keeps_other_tenants_in_the_manifest(
    clone_demo_warehouse, demo_warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOARDROOM_OUTPUT_DIR", str(tmp_path))
    url = clone_demo_warehouse()
    publish_tenants(url, demo_warehouse.min_date, demo_warehouse.max_date)
    assert render(url, ["t_001", "t_004"]).success
    folder = tmp_path / "2026-03-31_7d"
    first = {(p.tenant_id, p.scope): p for p in read_manifest(folder)}
    assert {t for t, _ in first} == {"t_001", "t_004", None}

    assert render(url, ["t_004"]).success
    second = {(p.tenant_id, p.scope): p for p in read_manifest(folder)}
    assert set(second) == set(first)  # t_001's packs are still listed for delivery
    for key, pack in second.items():
        if key[0] == "t_001":
            assert pack == first[key]  # not re-rendered
        assert (folder / pack.pdf).exists()
