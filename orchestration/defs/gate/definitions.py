"""The gate's definitions: checks on the audit marts and the publish multi-asset."""

import dagster as dg

from orchestration.defs.gate.assets import publish_marts
from orchestration.defs.gate.checks import GX_CHECKS


@dg.definitions
def gate_definitions() -> dg.Definitions:
    return dg.Definitions(assets=[publish_marts], asset_checks=GX_CHECKS)
