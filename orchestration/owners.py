"""Who owns Boardroom's assets: shown on every asset's page in the Dagster UI."""

OWNERS = ["team:data-engineering"]
