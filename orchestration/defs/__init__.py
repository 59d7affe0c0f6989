"""Definitions tree: one module (or folder) per part of the pipeline."""
