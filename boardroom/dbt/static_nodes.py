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
made them, :meth:`StaticNodesPlan.record` keeps the fingerprint and the relations of every
node it made. The data tests of the views still run: they check the day's raw rows.

When every table of that record is still there too, the plan also tells dbt that the
tables it adds days to are the ones the recorded build made, documented and analysed
(``BOARDROOM_DBT_TABLES_KEPT``): their comments and statistics are not looked up again
(``macros/routine_build.sql``, ``macros/maintenance.sql``). A dropped table is built
again by the next run, which then looks them up for every table.

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
#: Environment variable the macros read: every table of the recorded build is still there.
TABLES_KEPT_ENV = "BOARDROOM_DBT_TABLES_KEPT"
#: Where the record of the last build of the static nodes is kept, in the warehouse.
STATE_SCHEMA = "staging"
STATE_TABLE = "boardroom_static_build"
_PROJECT_PARTS = ("models", "macros", "seeds", "snapshots", "tests", "analyses")
_PROJECT_FILES = ("dbt_project.yml", "selectors.yml", "profiles.yml")


@dataclass(frozen=True)
class BuiltRelation:
    """A relation a build makes."""

    schema: str
    name: str
    #: Built from the project's code alone (tag ``static``), else a table of the data.
    static: bool = True


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


def built_relations(manifest: Mapping[str, Any]) -> list[BuiltRelation]:
    """The relations of every model, seed and snapshot of the manifest, static ones marked."""
    return sorted(
        {
            BuiltRelation(node["schema"], node["alias"], STATIC_TAG in node.get("tags", ()))
            for node in manifest["nodes"].values()
            if node["resource_type"] in ("model", "seed", "snapshot")
            and node.get("config", {}).get("materialized") != "ephemeral"
        },
        key=lambda relation: (relation.schema, relation.name),
    )


def static_relations(manifest: Mapping[str, Any]) -> list[BuiltRelation]:
    """The relations of the manifest's nodes tagged ``static``."""
    return [relation for relation in built_relations(manifest) if relation.static]


def _state_table() -> sql.Composed:
    return sql.SQL("{}").format(sql.Identifier(STATE_SCHEMA, STATE_TABLE))


@dataclass(frozen=True)
class _Record:
    fingerprint: str
    static: list[BuiltRelation]
    #: Every relation of the recorded build; none in a record kept before they were listed.
    tables: list[BuiltRelation] | None


def _recorded(conn: psycopg.Connection) -> _Record | None:
    exists = conn.execute("SELECT to_regclass(%s)", (f"{STATE_SCHEMA}.{STATE_TABLE}",)).fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(
        sql.SQL("SELECT fingerprint, relations FROM {}").format(_state_table())
    ).fetchone()
    if row is None:
        return None
    fingerprint, entries = row
    relations = [BuiltRelation(e["schema"], e["name"], e.get("static", True)) for e in entries]
    listed_all = any("static" in e for e in entries)
    return _Record(
        fingerprint, [r for r in relations if r.static], relations if listed_all else None
    )


def _all_exist(conn: psycopg.Connection, relations: Iterable[BuiltRelation]) -> bool:
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


def _plan(conn: psycopg.Connection, fingerprint: str) -> tuple[bool, bool]:
    """(static nodes current, every recorded table still there) for ``fingerprint``."""
    recorded = _recorded(conn)
    if recorded is None or recorded.fingerprint != fingerprint:
        return False, False
    if not _all_exist(conn, recorded.static):
        return False, False
    if recorded.tables is None:
        return True, False
    return True, _all_exist(conn, [r for r in recorded.tables if not r.static])


@dataclass(frozen=True)
class StaticNodesPlan:
    """Whether a build leaves the static nodes out, and the project fingerprint it saw."""

    fingerprint: str
    leave_out: bool
    #: Every table the recorded build made is still there (only with ``leave_out``).
    tables_kept: bool = False

    def env(self) -> dict[str, str]:
        """What the build's environment needs (``{}`` builds the static nodes)."""
        if not self.leave_out:
            return {}
        kept = {TABLES_KEPT_ENV: "true"} if self.tables_kept else {}
        return {LEAVE_OUT_ENV: STATIC_TAG, **kept}

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
        relations = [
            {"schema": r.schema, "name": r.name, "static": r.static}
            for r in built_relations(manifest)
        ]
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
        current, tables_kept = _plan(conn, fingerprint)
    return StaticNodesPlan(fingerprint, leave_out=current, tables_kept=tables_kept)
