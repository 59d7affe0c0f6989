"""Benchmarks (``make bench``): each prints a readable table, then one line of JSON."""
