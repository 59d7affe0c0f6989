"""Who receives which pack: active, MFA-verified executives on their tenant's domain allow-list.

The allow-list comes from ``BOARDROOM_RECIPIENT_DOMAINS`` (JSON, or ``@/path/to/file.json``):
``{"tenants": {"<tenant_id>": ["example.com", ...]}, "platform": ["boardroom.example"]}``.
It fails closed: a tenant without an entry receives nothing (reported as
``domain_not_allowed``). Domains match exactly, case-insensitively.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from boardroom.packs.scopes import PLATFORM_SCOPE, ROLE_SCOPES, scope_for_role
from boardroom.settings import DOMAINS_ENV, ConfigurationError, Settings

#: Where recipients are read from by default: the operational database's own table, so a
#: deactivation or lost MFA takes effect at the next delivery.
DEFAULT_RECIPIENTS_TABLE = ("app", "executive_recipients")


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    tenant_id: str | None
    email: str
    full_name: str
    role: str
    mfa_verified: bool
    active: bool

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[-1].strip().lower() if "@" in self.email else ""

    @property
    def scope(self) -> str:
        """The pack variant this recipient receives."""
        return PLATFORM_SCOPE if self.tenant_id is None else scope_for_role(self.role)


@dataclass(frozen=True)
class DomainAllowList:
    tenants: Mapping[str, frozenset[str]] = field(default_factory=dict)
    platform: frozenset[str] = frozenset()

    def allows(self, recipient: Recipient) -> bool:
        allowed = (
            self.platform if recipient.tenant_id is None else self.tenants.get(recipient.tenant_id)
        )
        return bool(allowed) and recipient.domain in allowed  # type: ignore[operator]

    @classmethod
    def from_mapping(cls, data: Mapping) -> DomainAllowList:
        def domains(values: object, where: str) -> frozenset[str]:
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigurationError(f"{DOMAINS_ENV}: {where} must be a list of domains.")
            return frozenset(v.strip().lower().lstrip("@") for v in values if v.strip())

        tenants = data.get("tenants", {})
        if not isinstance(tenants, Mapping):
            raise ConfigurationError(f"{DOMAINS_ENV}: 'tenants' must map tenant ids to lists.")
        return cls(
            tenants={str(k): domains(v, f"tenants[{k!r}]") for k, v in tenants.items()},
            platform=domains(data.get("platform", []), "'platform'"),
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DomainAllowList:
        """Read ``BOARDROOM_RECIPIENT_DOMAINS`` (unset: nobody is allowed)."""
        raw = Settings.from_env(env).recipient_domains
        if not raw:
            return cls()
        if raw.startswith("@"):
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"{DOMAINS_ENV} is not valid JSON: {exc.msg}.") from None
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"{DOMAINS_ENV} must be a JSON object.")
        return cls.from_mapping(data)


@dataclass(frozen=True)
class JsonOptIn:
    """Recipients who also get the pack's JSON export attached (everyone gets the PDF).

    ``BOARDROOM_PACK_JSON_RECIPIENTS``: comma-separated e-mail addresses or recipient ids
    (case-insensitive); unset: nobody.
    """

    keys: frozenset[str] = frozenset()

    def wants_json(self, recipient: Recipient) -> bool:
        return bool(
            {recipient.email.strip().lower(), recipient.recipient_id.strip().lower()} & self.keys
        )

    @classmethod
    def of(cls, keys: Iterable[str]) -> JsonOptIn:
        return cls(frozenset(k.strip().lower() for k in keys if k.strip()))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> JsonOptIn:
        return cls.of(Settings.from_env(env).pack_json_recipients)


def exclusion_reason(recipient: Recipient, allow_list: DomainAllowList) -> str | None:
    """Why a recipient gets nothing (None: eligible)."""
    if not recipient.active:
        return "inactive"
    if not recipient.mfa_verified:
        return "mfa_not_verified"
    if recipient.role not in ROLE_SCOPES:
        return "unknown_role"
    if not allow_list.allows(recipient):
        return "domain_not_allowed"
    return None


def load_recipients(url: str, table: tuple[str, str] = DEFAULT_RECIPIENTS_TABLE) -> list[Recipient]:
    """Every executive recipient of ``table`` (schema, name), platform executives included."""
    query = sql.SQL(
        "SELECT recipient_id, tenant_id, email, full_name, role, mfa_verified, active "
        "FROM {} ORDER BY tenant_id NULLS FIRST, recipient_id"
    ).format(sql.Identifier(*table))
    with psycopg.connect(url, connect_timeout=10) as conn, conn.cursor(row_factory=dict_row) as cur:
        return [Recipient(**row) for row in cur.execute(query)]
