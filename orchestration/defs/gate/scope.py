"""The tenant scope of a run: publish (and render packs for) some tenants only.

A run's scope is the ``tenants`` config of the ``publish_marts`` op (the Launchpad's run
config, or ``boardroom run --tenant``). The gate's check op reads it from the run's config
too, so that in a scoped run it raises alerts and logs withheld days for those tenants
only. Ingestion and dbt still run for every tenant: they build ``audit``, which no reader
sees; what readers see (``marts``) changes for the scoped tenants alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dagster as dg
from pydantic import Field

PUBLISH_OP = "publish_marts"
#: The op of ``packs/board_packs`` (its ``tenants`` config renders those tenants only).
BOARD_PACKS_OP = "packs__board_packs"


class PublishMartsConfig(dg.Config):
    tenants: list[str] | None = Field(
        default=None,
        description="Publish only these tenants (e.g. ['t_007'] after fixing its data). "
        "Other tenants' published rows, alerts and log rows are left untouched, and so are "
        "the platform marts. Default: every tenant.",
    )


def tenant_scope(run_config: Mapping[str, Any]) -> list[str] | None:
    """The run's tenant scope (``ops.publish_marts.config.tenants``), None for every tenant."""
    ops = run_config.get("ops") or {}
    config = (ops.get(PUBLISH_OP) or {}).get("config") or {}
    tenants = config.get("tenants")
    return None if tenants is None else sorted(set(tenants))


def tenant_run_config(tenants: Iterable[str]) -> dict[str, Any]:
    """Run config scoping publication and board packs to ``tenants``."""
    scoped = sorted(set(tenants))
    return {
        "ops": {
            PUBLISH_OP: {"config": {"tenants": scoped}},
            BOARD_PACKS_OP: {"config": {"tenants": scoped}},
        }
    }
