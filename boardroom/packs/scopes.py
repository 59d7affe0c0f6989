"""Role scopes (BF-004): which surfaces each executive role receives."""

from __future__ import annotations

#: The surfaces of PRODUCT.md, in pack order.
SURFACES = ("revenue", "cost", "deliverability", "operations", "executive_room")

#: Pack variants rendered per tenant and the surfaces each holds (beyond the overview).
SCOPES: dict[str, tuple[str, ...]] = {
    "full": SURFACES,
    "finance": ("revenue", "cost"),
    "technology": ("deliverability", "operations"),
    "overview": (),
}
PLATFORM_SCOPE = "platform"

ROLE_SCOPES: dict[str, str] = {
    "ceo": "full",
    "coo": "full",
    "cfo": "finance",
    "cto": "technology",
    "executive_assistant": "overview",
}

#: Status dimension (mart column prefix) -> the surface it belongs to.
STATUS_SURFACES: dict[str, str] = {
    "revenue_protection": "revenue",
    "cost_optimization": "cost",
    "deliverability": "deliverability",
    "operational": "operations",
}


def scope_for_role(role: str) -> str:
    """The tenant pack variant an executive of ``role`` receives."""
    try:
        return ROLE_SCOPES[role]
    except KeyError:
        raise ValueError(f"Unknown executive role {role!r}.") from None


def roles_for_scope(scope: str) -> list[str]:
    return [role for role, s in ROLE_SCOPES.items() if s == scope]


def overview_dimensions(scope: str) -> list[str]:
    """Status dimensions shown in a variant's executive overview (all four when the
    variant is the overview itself or the full pack)."""
    surfaces = SCOPES[scope]
    if not surfaces:
        return list(STATUS_SURFACES)
    return [dim for dim, surface in STATUS_SURFACES.items() if surface in surfaces]


def alert_surface(alert: dict) -> str:
    """The surface an alert belongs to: its status's surface; SLA breaches -> executive room."""
    name = (alert.get("status_name") or "").removesuffix("_status")
    return STATUS_SURFACES.get(name, "executive_room")
