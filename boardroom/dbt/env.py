"""Environment for the dbt project: a Postgres URL turned into what ``profiles.yml`` reads.

``dbt_project/profiles.yml`` reads only environment variables (``BOARDROOM_DBT_HOST``,
``_PORT``, ``_USER``, ``_PASSWORD``, ``_DBNAME``, ``_SCHEMA``, ``_SSLMODE``, ``_THREADS``).
:func:`dbt_env_from_url` derives them from the warehouse URL, TCP or unix socket::

    postgresql://boardroom:s%40cret@db.internal:5433/warehouse?sslmode=require
    postgresql://postgres:@/warehouse?host=/tmp/boardroom-pg      (embedded server)

Run dbt with ``--project-dir dbt_project --profiles-dir dbt_project`` and this environment
merged into ``os.environ``. :class:`DbtWindow` gives a run's window as environment
variables (what runs use) or as ``--vars`` (for dbt by hand).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qs, unquote, urlsplit

#: Selector building everything a run needs in one ``dbt build`` (see selectors.yml).
DBT_SELECTOR = "boardroom_marts"

_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")


def dbt_env_from_url(url: str, *, threads: int = 4, schema: str = "audit") -> dict[str, str]:
    """The ``BOARDROOM_DBT_*`` variables for a ``postgresql://`` URL.

    Handles URL-encoded user names and passwords, IPv6 hosts, a unix-socket folder given
    as ``?host=/path`` (or percent-encoded in the authority), and ``host``, ``port``,
    ``user``, ``password``, ``dbname`` and ``sslmode`` query parameters, which win over
    the authority as in libpq. Raises ``ValueError`` for anything that is not a
    Postgres URL naming a database.
    """
    parts = urlsplit(url)
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}

    host = unquote(parts.hostname or "") if parts.hostname else ""
    # urlsplit lower-cases hostname; a percent-encoded socket path must keep its case.
    netloc_host = parts.netloc.rpartition("@")[2]
    if netloc_host.startswith("%2F") or netloc_host.startswith("%2f"):
        host = unquote(netloc_host.split(":", 1)[0])
    host = query.get("host", host) or "localhost"

    try:
        port = query.get("port") or (str(parts.port) if parts.port else "5432")
    except ValueError as exc:  # a port that is not a number
        raise ValueError("invalid port in PostgreSQL URL") from exc
    if not port.isdigit():
        raise ValueError("invalid port in PostgreSQL URL")

    user = query.get("user", unquote(parts.username) if parts.username else "postgres")
    password = query.get("password", unquote(parts.password) if parts.password else "")
    dbname = query.get("dbname", unquote(parts.path.lstrip("/")))
    if not dbname:
        raise ValueError("the PostgreSQL URL names no database")

    return {
        "BOARDROOM_DBT_HOST": host,
        "BOARDROOM_DBT_PORT": port,
        "BOARDROOM_DBT_USER": user,
        "BOARDROOM_DBT_PASSWORD": password,
        "BOARDROOM_DBT_DBNAME": dbname,
        "BOARDROOM_DBT_SCHEMA": schema,
        "BOARDROOM_DBT_SSLMODE": query.get("sslmode", "prefer"),
        "BOARDROOM_DBT_THREADS": str(int(threads)),
    }


def _iso_date(value: date | str) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(str(value)).isoformat()


#: The run window's environment variables, read by ``int_as_of_days`` when no var is given.
WINDOW_ENV_VARS = {
    "min_date": "BOARDROOM_DBT_MIN_DATE",
    "max_date": "BOARDROOM_DBT_MAX_DATE",
    "start_date": "BOARDROOM_DBT_START_DATE",
    "days": "BOARDROOM_DBT_DAYS",
    "event_days": "BOARDROOM_DBT_EVENT_DAYS",
    "late_events_loaded_since": "BOARDROOM_DBT_LATE_EVENTS_LOADED_SINCE",
}


@dataclass(frozen=True)
class DbtWindow:
    """The as-of days one dbt run (re)builds, [min_date, max_date] inclusive.

    ``start_date`` is the first as-of day a full build keeps (default ``min_date``);
    ``days`` adds as-of days to rebuild; ``event_days`` are event days whose events changed
    (ingestion's ``days_touched``): the already-built as-of days X..X+29 of each are
    rebuilt; ``late_events_loaded_since`` (timezone-aware) also rebuilds the already-built
    days reached by events loaded (and usage rows extracted) since then.
    """

    min_date: date | str
    max_date: date | str
    start_date: date | str | None = None
    days: Sequence[date | str] = ()
    event_days: Sequence[date | str] = ()
    late_events_loaded_since: datetime | str | None = None

    def values(self) -> dict[str, str | list[str]]:
        """The window in ISO form, validated (``ValueError``); unset values left out."""
        values: dict[str, str | list[str]] = {
            "min_date": _iso_date(self.min_date),
            "max_date": _iso_date(self.max_date),
        }
        if self.start_date is not None:
            values["start_date"] = _iso_date(self.start_date)
        extra = [_iso_date(day) for day in self.days]
        if extra:
            values["days"] = extra
        touched = sorted({_iso_date(day) for day in self.event_days})
        if touched:
            values["event_days"] = touched
        since = self.late_events_loaded_since
        if since is not None:
            if isinstance(since, datetime):
                if since.tzinfo is None:
                    raise ValueError("late_events_loaded_since must be timezone-aware")
                since = since.isoformat()
            values["late_events_loaded_since"] = str(since)
        return values

    def env(self) -> dict[str, str]:
        """The ``BOARDROOM_DBT_*`` variables ``int_as_of_days`` reads: what runs pass.

        Every variable is set, unset ones to ``""``, so a value left in the parent
        environment never leaks into a run. dbt re-parses the whole project when the
        ``--vars`` change, and nothing when these do (the models read them only when
        they run).
        """
        env = dict.fromkeys(WINDOW_ENV_VARS.values(), "")
        for name, value in self.values().items():
            env[WINDOW_ENV_VARS[name]] = ",".join(value) if isinstance(value, list) else value
        return env

    def vars_json(self, audit_reader_role: str | None = None) -> str:
        """The same window as ``--vars`` JSON, for dbt by hand (vars win over :meth:`env`)."""
        values: dict[str, object] = dict(self.values())
        if audit_reader_role is not None:
            values["audit_reader_role"] = audit_reader_role
        return json.dumps(values)
