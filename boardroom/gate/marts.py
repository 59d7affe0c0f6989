"""The audited marts the gate checks and publishes: names, grains and scopes.

The marts themselves come from the dbt project (:mod:`boardroom.marts_registry`): a mart's
``scope`` says whether it is published per tenant (``tenant_scoped``), ``daily`` whether a
run publishes its days of it or the whole table (``tenant_summary`` has an ``as_of_date``
but holds one row per tenant, the latest day built), ``volume_checked`` whether an empty
mart is suspicious.
"""

from __future__ import annotations

from boardroom.marts_registry import MARTS, PLATFORM_MARTS, TENANT_MARTS, Mart

#: One mart as the gate sees it (the registry's :class:`~boardroom.marts_registry.Mart`).
MartSpec = Mart

AUDIT_SCHEMA = "audit"
MARTS_SCHEMA = "marts"

#: Columns the publish step adds or ignores when comparing content.
PUBLISHED_AT = "published_at"
BUILT_AT = "_built_at"

#: Alerts the gate writes into ``marts.alerts`` for a withheld tenant.
PUBLICATION_BLOCKED = "publication_blocked"

__all__ = [
    "AUDIT_SCHEMA",
    "BUILT_AT",
    "MARTS",
    "MARTS_SCHEMA",
    "PLATFORM_MARTS",
    "PUBLICATION_BLOCKED",
    "PUBLISHED_AT",
    "TENANT_MARTS",
    "MartSpec",
]
