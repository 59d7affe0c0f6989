"""Boardroom's configuration: documented environment variables, nothing else.

Every variable Boardroom reads is read here, by :meth:`Settings.from_env`, and checked
there: a bad value is a :class:`ConfigurationError` naming the variable. Every variable is
optional. Left unset, the databases come from the embedded Postgres server (see
:mod:`boardroom.embedded_postgres`) and PostHog is the local stand-in (see
:mod:`boardroom.posthog_local`), so the demo needs no configuration at all. Secrets are
read here and never logged: ``repr`` of :class:`Settings` masks them. README.md and
``.env.example`` list the variables (:data:`VARIABLES`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

#: Keys the local PostHog stand-in accepts when no PostHog host is configured.
LOCAL_POSTHOG_PROJECT_ID = 1
LOCAL_POSTHOG_PERSONAL_API_KEY = "phx_boardroom_local_personal_key"
LOCAL_POSTHOG_PROJECT_API_KEY = "phc_boardroom_local_project_key"

SMTP_SECURITY_MODES = ("none", "starttls", "ssl")

PARTITIONS_START_ENV = "BOARDROOM_PARTITIONS_START"
DAILY_CRON_ENV = "BOARDROOM_DAILY_CRON"
#: Read when ``BOARDROOM_DAILY_CRON`` is not set (its older name).
LEGACY_CRON_ENV = "BOARDROOM_INGEST_CRON"
DEFAULT_DAILY_CRON = "0 2 * * *"
FRESHNESS_HOURS_ENV = "BOARDROOM_MARTS_FRESHNESS_HOURS"
DEFAULT_FRESHNESS_HOURS = 4
GATE_FRESHNESS_ENV = "BOARDROOM_GATE_FRESHNESS_MAX_LAG_HOURS"
GATE_VOLUME_ENV = "BOARDROOM_GATE_VOLUME_MIN_RATIO"
GATE_SAMPLE_ENV = "BOARDROOM_GATE_SAMPLE_ROWS"
OUTPUT_DIR_ENV = "BOARDROOM_OUTPUT_DIR"
WORKERS_ENV = "BOARDROOM_PACK_WORKERS"
DIGITS_ENV = "BOARDROOM_PACK_DIGITS"
#: Digits of Arabic packs' figures (see :mod:`boardroom.packs.digits`); the first is the default.
DIGIT_STYLES = ("western", "arabic-indic")
DOMAINS_ENV = "BOARDROOM_RECIPIENT_DOMAINS"
JSON_OPT_IN_ENV = "BOARDROOM_PACK_JSON_RECIPIENTS"
PACKS_CRON_ENV = "BOARDROOM_PACKS_CRON"
DEFAULT_PACKS_CRON = "0 6 * * 1"

#: Every variable :meth:`Settings.from_env` reads, in the order of the README's table.
VARIABLES = (
    "BOARDROOM_APP_DATABASE_URL",
    "BOARDROOM_WAREHOUSE_URL",
    "BOARDROOM_DAGSTER_DATABASE_URL",
    "POSTHOG_HOST",
    "POSTHOG_PROJECT_ID",
    "POSTHOG_PERSONAL_API_KEY",
    "POSTHOG_PROJECT_API_KEY",
    "BOARDROOM_SMTP_HOST",
    "BOARDROOM_SMTP_PORT",
    "BOARDROOM_SMTP_USERNAME",
    "BOARDROOM_SMTP_PASSWORD",
    "BOARDROOM_SMTP_SECURITY",
    "BOARDROOM_SMTP_FROM",
    "BOARDROOM_DATA_OWNER_EMAIL",
    "BOARDROOM_DATA_DIR",
    "BOARDROOM_EMBEDDED_PG_PORT",
    PARTITIONS_START_ENV,
    DAILY_CRON_ENV,
    LEGACY_CRON_ENV,
    FRESHNESS_HOURS_ENV,
    GATE_FRESHNESS_ENV,
    GATE_VOLUME_ENV,
    GATE_SAMPLE_ENV,
    OUTPUT_DIR_ENV,
    WORKERS_ENV,
    DOMAINS_ENV,
    JSON_OPT_IN_ENV,
    DIGITS_ENV,
    PACKS_CRON_ENV,
)

_DAILY = re.compile(r"^\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*\s*$")


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
    #: The daily partitions' first day (``YYYY-MM-DD``); unset: see
    #: :mod:`boardroom.partitions_start`.
    partitions_start: str | None = None
    daily_cron: str = DEFAULT_DAILY_CRON
    #: The variable :attr:`daily_cron` came from (named in its error messages).
    daily_cron_variable: str = DAILY_CRON_ENV
    marts_freshness_hours: int = DEFAULT_FRESHNESS_HOURS
    gate_freshness_max_lag_hours: float = 6.0
    gate_volume_min_ratio: float = 0.5
    gate_sample_rows: int = 5
    #: ``BOARDROOM_OUTPUT_DIR``; unset: :attr:`packs_dir` is under the data folder.
    output_dir: Path | None = None
    #: Pack-rendering worker processes; unset: one per CPU, at most 4.
    pack_workers: int | None = None
    #: The allow-list of recipient domains as configured: JSON, or ``@path/to/file.json``
    #: (parsed by :meth:`boardroom.packs.recipients.DomainAllowList.from_env`).
    recipient_domains: str | None = None
    pack_json_recipients: tuple[str, ...] = ()
    pack_digits: str = DIGIT_STYLES[0]
    packs_cron: str = DEFAULT_PACKS_CRON

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
    def packs_dir(self) -> Path:
        """Where board packs are written: ``BOARDROOM_OUTPUT_DIR``, else ``<data dir>/packs``."""
        return self.output_dir or self.data_dir / "packs"

    @property
    def daily_run_time(self) -> tuple[int, int]:
        """The daily pipeline's (hour, minute) of day, UTC."""
        return daily_time(self.daily_cron, self.daily_cron_variable)

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
            elif isinstance(value, tuple):
                view[f.name] = ", ".join(value)
            else:
                view[f.name] = str(value)
        return view

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the documented variables (see README and ``.env.example``) from ``env``
        (default: this process's environment); raise :class:`ConfigurationError` on a bad one.
        """
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
        daily_cron, daily_cron_variable = _daily_cron(get)
        output_dir = get(OUTPUT_DIR_ENV)
        workers = get(WORKERS_ENV)
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
            partitions_start=_day(get(PARTITIONS_START_ENV), PARTITIONS_START_ENV),
            daily_cron=daily_cron,
            daily_cron_variable=daily_cron_variable,
            marts_freshness_hours=_freshness_hours(get(FRESHNESS_HOURS_ENV)),
            gate_freshness_max_lag_hours=_number(get(GATE_FRESHNESS_ENV), GATE_FRESHNESS_ENV, 6.0),
            gate_volume_min_ratio=_number(get(GATE_VOLUME_ENV), GATE_VOLUME_ENV, 0.5),
            gate_sample_rows=int(_number(get(GATE_SAMPLE_ENV), GATE_SAMPLE_ENV, 5)),
            output_dir=Path(output_dir).resolve() if output_dir else None,
            pack_workers=None if workers is None else max(0, _int(workers, WORKERS_ENV, 0)),
            recipient_domains=get(DOMAINS_ENV),
            pack_json_recipients=_items(get(JSON_OPT_IN_ENV)),
            pack_digits=_digits(get(DIGITS_ENV)),
            packs_cron=get(PACKS_CRON_ENV) or DEFAULT_PACKS_CRON,
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


def _number(value: str | None, name: str, default: float) -> float:
    """A non-negative number (the gate's thresholds)."""
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number; got {value!r}.") from None
    if number < 0:
        raise ConfigurationError(f"{name} must not be negative; got {value!r}.")
    return number


def check_day(value: str, source: str) -> str:
    """``value`` if it is a day ``YYYY-MM-DD``; else a :class:`ConfigurationError` naming
    ``source`` (a variable, or the file the day was recorded in)."""
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(
            f"{source} must be a date like 2025-01-01; got {value!r}."
        ) from None
    return value


def _day(value: str | None, name: str) -> str | None:
    return None if value is None else check_day(value, name)


def daily_time(cron: str, variable: str = DAILY_CRON_ENV) -> tuple[int, int]:
    """``"30 2 * * *"`` -> ``(2, 30)`` (hour, minute); anything but a daily cron is refused."""
    match = _DAILY.match(cron)
    if match:
        minute, hour = int(match[1]), int(match[2])
        if minute < 60 and hour < 24:
            return hour, minute
    raise ConfigurationError(
        f"{variable} must be a daily cron 'M H * * *' (UTC), e.g. '0 2 * * *'; got {cron!r}."
    )


def _daily_cron(get: Callable[[str], str | None]) -> tuple[str, str]:
    """(cron, the variable it came from): ``BOARDROOM_DAILY_CRON``, else the legacy name;
    checked to be daily."""
    for name in (DAILY_CRON_ENV, LEGACY_CRON_ENV):
        value = get(name)
        if value:
            daily_time(value, name)
            return value, name
    return DEFAULT_DAILY_CRON, DAILY_CRON_ENV


def _freshness_hours(value: str | None) -> int:
    if value is None:
        return DEFAULT_FRESHNESS_HOURS
    if not value.isdigit() or not 1 <= int(value) <= 23:
        raise ConfigurationError(
            f"{FRESHNESS_HOURS_ENV} must be a whole number of hours from 1 to 23; got {value!r}."
        )
    return int(value)


def _items(value: str | None) -> tuple[str, ...]:
    """Comma-separated items, stripped, empty ones left out."""
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _digits(value: str | None) -> str:
    style = (value or DIGIT_STYLES[0]).lower()
    if style not in DIGIT_STYLES:
        raise ConfigurationError(
            f"{DIGITS_ENV} must be one of {', '.join(DIGIT_STYLES)}; got {style!r}."
        )
    return style


def is_set(name: str, env: Mapping[str, str] | None = None) -> bool:
    """True when the variable ``name`` is set (to anything, empty included)."""
    return name in (os.environ if env is None else env)


def mask_url(url: str) -> str:
    """Hide the password of a database URL so it can be shown in messages and logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
