"""Switchable failures, so tests can drive the pipeline through PostHog's bad days.

``inject(kind, count=1, after=0, endpoint="query", **params)`` queues a rule: once ``after``
requests of that endpoint have gone through unharmed, the next ``count`` requests get the
fault. Rules are checked in the order they were injected; a request harmed by one rule does
not count as a pass-through for the others.

Kinds (responses are PostHog's, see :mod:`boardroom.posthog_local.errors`):

- ``throttle``: 429 ``throttled_error``, "Expected available in N seconds", no Retry-After
  (param ``wait_seconds``, default 1);
- ``server_error``: 500, PostHog's answer to a ClickHouse error;
- ``timeout``: 504, PostHog's ClickHouse query timeout;
- ``cloudflare``: 524 with Cloudflare's HTML page;
- ``slow``: sleep ``delay_seconds`` (default 1), then answer normally (a slow query holds its
  concurrency slot while it sleeps);
- ``drop``: close the connection without any response.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = ("throttle", "server_error", "timeout", "cloudflare", "slow", "drop")
ENDPOINTS = ("query", "capture", "any")
_PARAMS: dict[str, dict[str, float]] = {
    "throttle": {"wait_seconds": 1},
    "slow": {"delay_seconds": 1.0},
}


@dataclass
class Fault:
    """One queued rule; ``remaining`` counts the requests it will still harm."""

    kind: str
    endpoint: str
    remaining: int
    skip: int
    params: dict[str, float] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "endpoint": self.endpoint,
            "count": self.remaining,
            "after": self.skip,
            **self.params,
        }


class Faults:
    """The server's fault rules; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self.applied = 0

    def inject(
        self,
        kind: str,
        count: int = 1,
        after: int = 0,
        endpoint: str = "query",
        **params: Any,
    ) -> Fault:
        """Queue a fault; raises ValueError for an unknown kind, endpoint or parameter."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
        if endpoint not in ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {endpoint!r}; expected one of {', '.join(ENDPOINTS)}"
            )
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be an integer >= 1, got {count!r}")
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ValueError(f"after must be an integer >= 0, got {after!r}")
        allowed = _PARAMS.get(kind, {})
        unknown = set(params) - set(allowed)
        if unknown:
            raise ValueError(f"fault {kind!r} takes no parameter {', '.join(sorted(unknown))}")
        resolved: dict[str, float] = dict(allowed)
        for name, value in params.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{name} must be a number >= 0, got {value!r}")
            resolved[name] = value
        fault = Fault(kind, endpoint, count, after, resolved)
        with self._lock:
            self._rules.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.describe() for rule in self._rules]

    def take(self, endpoint: str) -> Fault | None:
        """The fault for the next request to ``endpoint``, or None if it passes unharmed."""
        with self._lock:
            matching = [r for r in self._rules if r.endpoint in (endpoint, "any")]
            for rule in matching:
                if rule.skip == 0:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._rules.remove(rule)
                    self.applied += 1
                    return rule
            for rule in matching:
                rule.skip -= 1
            return None
