"""The per-warehouse partial-parse state: restored into new target folders, kept after runs."""

from __future__ import annotations

import os
from pathlib import Path

from boardroom.dbt import parse_cache
from boardroom.dbt.env import dbt_env_from_url

WAREHOUSE = dbt_env_from_url("postgresql://boardroom:secret@db.internal:5433/warehouse")
OTHER = dbt_env_from_url("postgresql://boardroom:secret@db.internal:5433/warehouse_ci")


def test_kept_per_connection_under_a_digest(tmp_path: Path):
    assert parse_cache.cache_path(WAREHOUSE, tmp_path) != parse_cache.cache_path(OTHER, tmp_path)
    same_but_threads = {**WAREHOUSE, "BOARDROOM_DBT_THREADS": "8"}
    assert parse_cache.cache_path(same_but_threads, tmp_path) == (
        parse_cache.cache_path(WAREHOUSE, tmp_path)
    )
    routine = {**WAREHOUSE, "BOARDROOM_DBT_LEAVE_OUT_TAG": "static"}
    assert parse_cache.cache_path(routine, tmp_path) != parse_cache.cache_path(WAREHOUSE, tmp_path)
    name = parse_cache.cache_path(WAREHOUSE, tmp_path).name
    assert "warehouse" not in name and "db.internal" not in name and "secret" not in name


def test_save_then_restore_into_a_new_target(tmp_path: Path):
    cache = tmp_path / "cache"
    first_run = tmp_path / "run-1" / "target"
    first_run.mkdir(parents=True)
    (first_run / parse_cache.PARTIAL_PARSE_FILE).write_bytes(b"state-1")

    assert parse_cache.save(first_run, WAREHOUSE, cache)
    second_run = tmp_path / "run-2" / "target"
    assert parse_cache.restore(second_run, WAREHOUSE, cache)
    assert (second_run / parse_cache.PARTIAL_PARSE_FILE).read_bytes() == b"state-1"
    # Another warehouse has no state yet; a target that has one keeps its own.
    assert not parse_cache.restore(tmp_path / "run-3", OTHER, cache)
    assert not parse_cache.restore(second_run, WAREHOUSE, cache)
    assert list(cache.iterdir()) == [parse_cache.cache_path(WAREHOUSE, cache)]


def test_nothing_kept_from_a_run_that_left_no_state(tmp_path: Path):
    assert not parse_cache.save(tmp_path / "empty", WAREHOUSE, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_save_replaces_the_kept_state(tmp_path: Path):
    cache = tmp_path / "cache"
    for number in (1, 2):
        target = tmp_path / f"run-{number}"
        target.mkdir()
        (target / parse_cache.PARTIAL_PARSE_FILE).write_bytes(f"state-{number}".encode())
        parse_cache.save(target, WAREHOUSE, cache)
    assert parse_cache.cache_path(WAREHOUSE, cache).read_bytes() == b"state-2"
    assert [p.suffix for p in cache.iterdir()] == [".msgpack"]


def test_only_the_most_recent_states_are_kept(tmp_path: Path):
    cache = tmp_path / "cache"
    target = tmp_path / "target"
    target.mkdir()
    (target / parse_cache.PARTIAL_PARSE_FILE).write_bytes(b"state")
    warehouses = [
        dbt_env_from_url(f"postgresql://u@h/warehouse_{number}")
        for number in range(parse_cache.MAX_KEPT + 3)
    ]
    for number, profile in enumerate(warehouses):
        parse_cache.save(target, profile, cache)
        path = parse_cache.cache_path(profile, cache)
        os.utime(path, (1_000_000 + number, 1_000_000 + number))
    kept = set(cache.iterdir())
    assert len(kept) == parse_cache.MAX_KEPT
    newest = {parse_cache.cache_path(p, cache) for p in warehouses[-parse_cache.MAX_KEPT :]}
    assert kept == newest
