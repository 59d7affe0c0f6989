"""The first as-of day of the daily partitions: where the data starts.

``BOARDROOM_PARTITIONS_START`` wins when set. Otherwise the first run (``boardroom run``,
``demo`` or ``dev``) derives the day from the sources, the earliest event day (PostHog, and
events already loaded into ``raw``), else the day the first tenant was created, and records
it in ``<data folder>/partitions_start`` so it stays the same from then on (new, older events
do not move it; delete the file, or set the variable, to move it). With neither, the
partitions start on :data:`DEFAULT_PARTITIONS_START`.

Dagster reads the start when the definitions load, so the record is written before they do.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from boardroom.settings import Settings, check_day

if TYPE_CHECKING:
    from boardroom.cli.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS_START = "2025-01-01"
RECORD_NAME = "partitions_start"


def record_path(env: Mapping[str, str] | None = None) -> Path:
    return _record_path(Settings.from_env(env))


def _record_path(settings: Settings) -> Path:
    return settings.data_dir / RECORD_NAME


def configured_start(env: Mapping[str, str] | None = None) -> str | None:
    """``BOARDROOM_PARTITIONS_START`` (checked), else the recorded day, else None."""
    return _configured_start(Settings.from_env(env))


def _configured_start(settings: Settings) -> str | None:
    if settings.partitions_start:
        return settings.partitions_start
    path = _record_path(settings)
    if path.is_file():
        return check_day(path.read_text().strip(), str(path))
    return None


def partitions_start(env: Mapping[str, str] | None = None) -> str:
    """The first as-of day (``YYYY-MM-DD``) the partitions use."""
    return configured_start(env) or DEFAULT_PARTITIONS_START


def record_start(day: date, env: Mapping[str, str] | None = None) -> Path:
    return _record(day, record_path(env))


def _record(day: date, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{day.isoformat()}\n")
    return path


def forget_start(env: Mapping[str, str] | None = None) -> None:
    """Drop the recorded day (the demo replaces its sources, so their start is new)."""
    record_path(env).unlink(missing_ok=True)


def _earliest_posthog_day(host: str, project_id: int, personal_api_key: str) -> date | None:
    from boardroom.ingest.posthog_query import PostHogQueryClient

    with PostHogQueryClient(host, project_id, personal_api_key, max_retries=2) as client:
        answer = client.query(
            "SELECT timestamp FROM events ORDER BY timestamp ASC LIMIT {n}",
            {"n": 20},
            name="boardroom_partitions_start",
        )
    for row in answer.get("results") or []:
        try:
            return date.fromisoformat(str(row[0])[:10])
        except (TypeError, ValueError, IndexError):  # a malformed timestamp: quarantined later
            continue
    return None


def _earliest_day(url: str, table: str, column: str) -> date | None:
    """The earliest UTC day of ``table.column``, or None when the table does not exist yet
    or is empty (``raw.posthog_events.timestamp``, ``app.tenants.created_at``)."""
    from psycopg import sql

    from boardroom.database import connect

    schema, name = table.split(".")
    with connect(url) as conn:
        if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
            return None
        query = sql.SQL("SELECT min({} AT TIME ZONE 'UTC')::date FROM {}").format(
            sql.Identifier(column), sql.Identifier(schema, name)
        )
        return conn.execute(query).fetchone()[0]


def derive_start(runtime: Runtime) -> date | None:
    """Where the sources' data starts: the earliest event day (PostHog or ``raw``), else
    the first tenant's creation day; None when the sources hold nothing yet."""
    days = []
    try:
        days.append(
            _earliest_posthog_day(
                runtime.posthog_host,
                runtime.settings.posthog_project_id,
                runtime.settings.posthog_personal_api_key,
            )
        )
    except Exception as exc:  # an unreachable PostHog fails the run itself, with its reason
        log.warning("Could not read the earliest PostHog event: %s", exc)
    days.append(_earliest_day(runtime.urls.warehouse, "raw.posthog_events", "timestamp"))
    found = [d for d in days if d is not None]
    return min(found) if found else _earliest_day(runtime.urls.app, "app.tenants", "created_at")


def ensure_start(runtime: Runtime) -> str:
    """The partitions' first day, derived from the sources and recorded on first use."""
    configured = _configured_start(runtime.settings)
    if configured:
        return configured
    day = derive_start(runtime)
    if day is None:
        return DEFAULT_PARTITIONS_START
    path = _record(day, _record_path(runtime.settings))
    log.info("Partitions start on %s (recorded in %s)", day, path)
    return day.isoformat()
