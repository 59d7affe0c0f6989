"""The ``dbt`` resource the marts assets use, configured from the environment."""

import dagster as dg

from boardroom.dbt.process import dbt_executable
from orchestration.defs.marts.project import boardroom_dbt_project
from orchestration.defs.marts.resources import BoardroomDbtResource


@dg.definitions
def dbt_resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "dbt": BoardroomDbtResource(
                project_dir=boardroom_dbt_project,
                warehouse_url=dg.EnvVar("BOARDROOM_WAREHOUSE_URL"),
                dbt_executable=dbt_executable(),
                global_config_flags=["--no-use-colors"],
            )
        }
    )
