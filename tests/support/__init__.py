"""Test support: builders shared by several test packages."""
