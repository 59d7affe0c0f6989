"""The sources' definitions: external assets and the observation sensor."""

import dagster as dg

from orchestration.defs.sources.assets import SOURCE_SPECS
from orchestration.defs.sources.sensors import source_observation_sensor


@dg.definitions
def source_definitions() -> dg.Definitions:
    return dg.Definitions(assets=SOURCE_SPECS, sensors=[source_observation_sensor])
