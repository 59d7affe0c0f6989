"""Boardroom's Dagster code location: definitions assembled from the ``defs`` tree."""
