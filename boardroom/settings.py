"""Boardroom's configuration: documented environment variables, nothing else.

Every variable is optional. Left unset, the databases come from the embedded Postgres
server (see :mod:`boardroom.embedded_postgres`) and PostHog is the local stand-in
(see :mod:`boardroom.posthog_local`), so the demo needs no configuration at all.
Secrets are read here and never logged: ``repr`` of :class:`Settings` masks them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

#: Keys the local PostHog stand-in accepts when no PostHog host is configured.
LOCAL_POSTHOG_PROJECT_ID = 1
LOCAL_POSTHOG_PERSONAL_API_KEY = "phx_boardroom_local_personal_key"
LOCAL_POSTHOG_PROJECT_API_KEY = "phc_boardroom_local_project_key"

SMTP_SECURITY_MODES = ("none", "starttls", "ssl")


class ConfigurationError(ValueError):
    """A configuration value is missing or invalid; the message says which and how to fix it."""


def _secret(value: str | None) -> str:
    return "<unset>" if not value else "<set>"


@dataclass(frozen=True, repr=False)
class Settings:
    """Resolved configuration. Build it with :meth:`from_env`."""

    app_database_url: str | None = None
    warehouse_url: str | None = None
    dagster_database_url: str | None = None
    posthog_host: str | None = None
    posthog_project_id: int = LOCAL_POSTHOG_PROJECT_ID
    posthog_personal_api_key: str = field(default=LOCAL_POSTHOG_PERSONAL_API_KEY, repr=False)
    posthog_project_api_key: str = field(default=LOCAL_POSTHOG_PROJECT_API_KEY, repr=False)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_security: str = "none"
    smtp_from: str = "boardroom@localhost"
    data_owner_email: str | None = None
    data_dir: Path = Path(".boardroom")
    embedded_postgres_port: int | None = None

    @property
    def uses_local_posthog(self) -> bool:
        """True when no PostHog host is configured and the local stand-in serves instead."""
        return not self.posthog_host

    @property
    def posthog_data_dir(self) -> Path:
        return self.data_dir / "posthog"

    @property
    def postgres_data_dir(self) -> Path:
        return self.data_dir / "pgdata"

    @property
    def output_dir(self) -> Path:
        return self.data_dir / "output"

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value}" for key, value in self.describe().items())
        return f"Settings({shown})"

    def describe(self) -> dict[str, str]:
        """A loggable view of the configuration, with every secret masked."""
        view: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_key", "_password")):
                view[f.name] = _secret(value)
            elif f.name.endswith("_url"):
                view[f.name] = mask_url(value) if value else "<embedded>"
            else:
                view[f.name] = str(value)
        return view

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the documented variables (see README and ``.env.example``)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        posthog_host = get("POSTHOG_HOST")
        personal_key = get("POSTHOG_PERSONAL_API_KEY")
        project_key = get("POSTHOG_PROJECT_API_KEY")
        project_id = get("POSTHOG_PROJECT_ID")
        if posthog_host and not (personal_key and project_id):
            raise ConfigurationError(
                "POSTHOG_HOST is set, so POSTHOG_PROJECT_ID and POSTHOG_PERSONAL_API_KEY "
                "(a personal key with Query Read scope, phx_...) must be set too."
            )
        smtp_security = (get("BOARDROOM_SMTP_SECURITY") or "none").lower()
        if smtp_security not in SMTP_SECURITY_MODES:
            raise ConfigurationError(
                f"BOARDROOM_SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}; "
                f"got {smtp_security!r}."
            )
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[smtp_security]
        return cls(
            app_database_url=get("BOARDROOM_APP_DATABASE_URL"),
            warehouse_url=get("BOARDROOM_WAREHOUSE_URL"),
            dagster_database_url=get("BOARDROOM_DAGSTER_DATABASE_URL"),
            posthog_host=posthog_host.rstrip("/") if posthog_host else None,
            posthog_project_id=_int(project_id, "POSTHOG_PROJECT_ID", LOCAL_POSTHOG_PROJECT_ID),
            posthog_personal_api_key=personal_key or LOCAL_POSTHOG_PERSONAL_API_KEY,
            posthog_project_api_key=project_key or LOCAL_POSTHOG_PROJECT_API_KEY,
            smtp_host=get("BOARDROOM_SMTP_HOST"),
            smtp_port=_int(get("BOARDROOM_SMTP_PORT"), "BOARDROOM_SMTP_PORT", default_port),
            smtp_username=get("BOARDROOM_SMTP_USERNAME"),
            smtp_password=get("BOARDROOM_SMTP_PASSWORD"),
            smtp_security=smtp_security,
            smtp_from=get("BOARDROOM_SMTP_FROM") or "boardroom@localhost",
            data_owner_email=get("BOARDROOM_DATA_OWNER_EMAIL"),
            data_dir=Path(get("BOARDROOM_DATA_DIR") or ".boardroom").resolve(),
            embedded_postgres_port=_port(get("BOARDROOM_EMBEDDED_PG_PORT")),
        )


def _int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer; got {value!r}.") from None


def _port(value: str | None) -> int | None:
    if value is None:
        return None
    port = _int(value, "BOARDROOM_EMBEDDED_PG_PORT", 0)
    if not 1 <= port <= 65535:
        raise ConfigurationError(f"BOARDROOM_EMBEDDED_PG_PORT must be 1-65535; got {value!r}.")
    return port


def mask_url(url: str) -> str:
    """Hide the password of a database URL so it can be shown in messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
