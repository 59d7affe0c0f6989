"""Leave the project's static nodes out of a routine build when the warehouse holds them.

The static nodes (dbt tag ``static``) depend on the project's code alone: the views (staging
and two intermediate ones) read their tables live, the seeds are CSVs in the repository and
the metric catalogue is a seed plus the marts' YAML. Re-creating them on every daily run
does no work but costs a node each, and the snapshots wait for the staging views.

Before a build, :func:`plan_static_nodes` compares the record kept in the warehouse
(``staging.boardroom_static_build``) with the project as it is now; when the code is the
same and every relation is still there, the plan's environment makes the
``boardroom_marts`` selector leave them out, with the seeds' data tests
(``BOARDROOM_DBT_LEAVE_OUT_TAG=static``, read by ``selectors.yml``). The same variable tells
the models' incremental runs that the project is the one the recorded build checked
(``macros/routine_build.sql``: no contract, schema-change or comment work), and such a build
writes no JSON artifacts (:meth:`StaticNodesPlan.dbt_flags`). After a successful build that
made them, :meth:`StaticNodesPlan.record` keeps the fingerprint and their relations. The
data tests of the views still run: they check the day's raw rows.

Any change to the dbt project (a model, macro, seed, YAML file) or to the dbt version, a
dropped view, a full refresh or a new warehouse builds them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from boardroom.paths import DBT_PROJECT_DIR

#: dbt tag of the nodes that depend on the project's code alone (dbt_project.yml).
STATIC_TAG = "static"
#: Environment variable ``selectors.yml`` reads: one more tag the build leaves out.
LEAVE_OUT_ENV = "BOARDROOM_DBT_LEAVE_OUT_TAG"
#: Where the record of the last build of the static nodes is kept, in the warehouse.
STATE_SCHEMA = "staging"
STATE_TABLE = "boardroom_static_build"
_PROJECT_PARTS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
_PROJECT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml")


@dataclass(frozen=True)
class StaticRelation:
    schema: str
    name: str


def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """A digest of every source file of the dbt project and of the dbt-core version."""
    digest = hashlib.sha256(f"dbt-core {metadata.version('dbt-core')}".encode())
    files = [project_dir / name for name in _PROJECT_FILES]
    for part in _PROJECT_PARTS:
        files += sorted(p for p in (project_dir / part).rglob("*") if p.is_file())
    for path in files:
        if path.is_file():
            digest.update(b"\x00" + str(path.relative_to(project_dir)).encode() + b"\x00")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def static_relations(manifest: Mapping[str, Any]) -> list[StaticRelation]:
    """The relations of the manifest's nodes tagged ``static``."""
    return sorted(
        {
            StaticRelation(node["schema"], node["alias"])
            for node in manifest["nodes"].values()
            if STATIC_TAG in node.get("tags", ()) and node["resource_type"] in ("model", "seed")
        },
        key=lambda relation: (relation.schema, relation.name),
    )


def _state_table() -> sql.Composed:
    return sql.SQL("{}").format(sql.Identifier(STATE_SCHEMA, STATE_TABLE))


def _recorded(conn: psycopg.Connection) -> tuple[str, list[StaticRelation]] | None:
    exists = conn.execute("SELECT to_regclass(%s)", (f"{STATE_SCHEMA}.{STATE_TABLE}",)).fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(
        sql.SQL("SELECT fingerprint, relations FROM {}").format(_state_table())
    ).fetchone()
    if row is None:
        return None
    fingerprint, relations = row
    return fingerprint, [StaticRelation(r["schema"], r["name"]) for r in relations]


def _all_exist(conn: psycopg.Connection, relations: Iterable[StaticRelation]) -> bool:
    names = [
        f"{sql.Identifier(r.schema).as_string(conn)}.{sql.Identifier(r.name).as_string(conn)}"
        for r in relations
    ]
    if not names:
        return False
    missing = conn.execute(
        "SELECT count(*) FROM unnest(%s::text[]) AS name WHERE to_regclass(name) IS NULL",
        (names,),
    ).fetchone()[0]
    return missing == 0


def static_nodes_current(conn: psycopg.Connection, fingerprint: str) -> bool:
    """True when the warehouse holds the static nodes of the project with ``fingerprint``."""
    recorded = _recorded(conn)
    if recorded is None or recorded[0] != fingerprint:
        return False
    return _all_exist(conn, recorded[1])


@dataclass(frozen=True)
class StaticNodesPlan:
    """Whether a build leaves the static nodes out, and the project fingerprint it saw."""

    fingerprint: str
    leave_out: bool

    def env(self) -> dict[str, str]:
        """What the build's environment needs (``{}`` builds the static nodes)."""
        return {LEAVE_OUT_ENV: STATIC_TAG} if self.leave_out else {}

    def dbt_flags(self) -> list[str]:
        """Flags for the build: one that leaves the static nodes out writes no
        ``manifest.json`` or ``run_results.json`` (serialising them cost about a second of
        dbt's CPU a run, and only :meth:`record` reads the manifest)."""
        return ["--no-write-json"] if self.leave_out else []

    def describe(self) -> str:
        if self.leave_out:
            return "views, seeds and metric catalogue unchanged since their last build: left out"
        return "views, seeds and metric catalogue built"

    def record(self, warehouse_url: str, manifest_path: Path) -> None:
        """After a successful build that made the static nodes, record it (see module doc)."""
        if self.leave_out:
            return
        manifest = json.loads(manifest_path.read_text())
        relations = [{"schema": r.schema, "name": r.name} for r in static_relations(manifest)]
        with psycopg.connect(warehouse_url) as conn:
            schema = sql.Identifier(STATE_SCHEMA)
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (fingerprint text NOT NULL,"
                    " relations jsonb NOT NULL, built_at timestamptz NOT NULL DEFAULT now())"
                ).format(_state_table())
            )
            conn.execute(sql.SQL("DELETE FROM {}").format(_state_table()))
            conn.execute(
                sql.SQL("INSERT INTO {} (fingerprint, relations) VALUES (%s, %s)").format(
                    _state_table()
                ),
                (self.fingerprint, json.dumps(relations)),
            )


def plan_static_nodes(warehouse_url: str, *, rebuild: bool = False) -> StaticNodesPlan:
    """Leave the static nodes out unless ``rebuild`` (a full refresh) or they are not current."""
    fingerprint = project_fingerprint()
    if rebuild:
        return StaticNodesPlan(fingerprint, leave_out=False)
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        current = static_nodes_current(conn, fingerprint)
    return StaticNodesPlan(fingerprint, leave_out=current)
