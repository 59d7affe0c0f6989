"""The two sources Boardroom reads: the operational database (`app`) and PostHog."""
