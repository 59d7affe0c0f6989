"""Ingestion: PostHog events and operational tables into the warehouse `raw` schema."""
