"""Gate settings, read from the environment by :class:`boardroom.settings.Settings`.

* ``BOARDROOM_GATE_FRESHNESS_MAX_LAG_HOURS`` (default 6): largest allowed gap, in hours,
  between a day's as-of time T (D+1 00:00 UTC) and its ``data_as_of`` (the instant both
  sources are complete). Wall-clock age is not used, so backfills of old days pass.
* ``BOARDROOM_GATE_VOLUME_MIN_RATIO`` (default 0.5): a mart's rows in the run must reach this
  share of the last publication's (rows of its latest published day x days in the run).
* ``BOARDROOM_GATE_SAMPLE_ROWS`` (default 5): failing rows kept per expectation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from boardroom.settings import Settings


@dataclass(frozen=True)
class GateSettings:
    freshness_max_lag_hours: float = 6.0
    volume_min_ratio: float = 0.5
    sample_rows: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GateSettings:
        settings = Settings.from_env(env)
        return cls(
            freshness_max_lag_hours=settings.gate_freshness_max_lag_hours,
            volume_min_ratio=settings.gate_volume_min_ratio,
            sample_rows=settings.gate_sample_rows,
        )
