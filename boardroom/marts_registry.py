"""The marts, read from the dbt project: one registry for the gate, the packs and the tests.

A mart is a model whose properties file lies in ``dbt_project/models/marts``. What Boardroom
needs to know about it is written there once, and read here:

* its **name**, the relation it builds (the model's ``alias``, else its name), and its
  **grain**, the columns of the model's ``primary_key`` constraint;
* how it is published, in the model's ``config.meta.boardroom``:

  - ``scope``: ``tenant`` (every row belongs to one tenant, published per tenant and read
    under row-level security), ``platform`` (the platform's own figures, for platform
    executives) or ``shared`` (the same rows for every reader: the metric catalogue);
  - ``daily`` (default true): rows per as-of day, of which a run publishes its days;
    false for a mart published whole (``tenant_summary``, one row per tenant);
  - ``volume_checked`` (default true): false where an empty mart is legitimate;

* its **columns** with their ``meta`` (``config.meta``, or ``meta``), among them
  ``bounds``: ``{min, max}`` are the values outside which the gate withholds the row's
  tenant, ``warn_min`` / ``warn_max`` tighter ones it only warns about (an event-count rate
  can legitimately exceed 1). The dbt generic test ``boardroom_within_range`` reads the same
  meta, so each number is written once.

The YAML is read directly (no ``dbt parse``, no database); ``tests/test_marts_registry.py``
checks it against dbt's manifest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
MARTS_MODELS_DIR = DBT_PROJECT_DIR / "models" / "marts"

Scope = Literal["tenant", "platform", "shared"]
SCOPES: tuple[str, ...] = ("tenant", "platform", "shared")
#: Keys of ``config.meta.boardroom`` on a mart model, with their defaults.
MART_META_DEFAULTS: dict[str, Any] = {"daily": True, "volume_checked": True}
BOUND_KEYS = ("min", "max", "warn_min", "warn_max")

Number = int | float
#: A safe loader; libyaml's when present (ten times faster: the registry loads at import).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryError(ValueError):
    """A mart's properties file does not say what the registry needs."""


@dataclass(frozen=True)
class Bounds:
    """A column's bounds: ``min`` / ``max`` block publication, ``warn_*`` only warn."""

    min: Number | None = None
    max: Number | None = None
    warn_min: Number | None = None
    warn_max: Number | None = None

    @classmethod
    def from_meta(cls, raw: Any, where: str) -> Bounds:
        if not isinstance(raw, Mapping) or not raw:
            raise RegistryError(f"{where}: meta.bounds must be a mapping of {BOUND_KEYS}")
        unknown = set(raw) - set(BOUND_KEYS)
        if unknown:
            raise RegistryError(f"{where}: unknown keys {sorted(unknown)} in meta.bounds")
        for key, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise RegistryError(f"{where}: meta.bounds.{key} must be a number")
        return cls(**raw)

    @property
    def warns(self) -> bool:
        """True when some bound only warns."""
        return self.warn_min is not None or self.warn_max is not None

    @property
    def expected(self) -> tuple[Number | None, Number | None]:
        """(low, high) a value should lie within: the tighter bound on each side. Values
        outside it fail dbt's ``boardroom_within_range``, and the gate's warning check."""
        low = self.warn_min if self.warn_min is not None else self.min
        high = self.warn_max if self.warn_max is not None else self.max
        return low, high


@dataclass(frozen=True)
class Column:
    """A column of a mart's contract."""

    name: str
    data_type: str | None
    meta: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: ``accepted_values`` of the column's dbt tests, None when unconstrained.
    accepted_values: tuple[Any, ...] | None = None
    bounds: Bounds | None = None


@dataclass(frozen=True)
class Mart:
    """One mart: name, grain, how it is published, columns."""

    name: str
    model: str
    grain: tuple[str, ...]
    scope: Scope
    daily: bool = True
    volume_checked: bool = True
    columns: Mapping[str, Column] = field(default_factory=dict, hash=False, repr=False)
    #: The properties file (YAML) the mart is read from.
    properties_file: Path | None = field(default=None, compare=False, repr=False)

    @property
    def tenant_scoped(self) -> bool:
        """Rows of one tenant each (``tenant_id``), published per tenant."""
        return self.scope == "tenant"

    @property
    def platform_only(self) -> bool:
        return self.scope == "platform"

    @property
    def has_tenant_days(self) -> bool:
        return self.tenant_scoped and self.daily

    @property
    def bounds(self) -> dict[str, Bounds]:
        """Bounded columns, in the contract's order."""
        return {c.name: c.bounds for c in self.columns.values() if c.bounds is not None}


def _meta(props: Mapping[str, Any]) -> dict[str, Any]:
    """``config.meta`` merged over ``meta``, as dbt merges them."""
    return {**(props.get("meta") or {}), **((props.get("config") or {}).get("meta") or {})}


def _accepted_values(column: Mapping[str, Any]) -> tuple[Any, ...] | None:
    values = None
    for test in column.get("data_tests") or []:
        if isinstance(test, Mapping) and "accepted_values" in test:
            spec = test["accepted_values"]
            values = tuple((spec.get("arguments") or spec)["values"])
    return values


def _column(props: Mapping[str, Any], where: str) -> Column:
    meta = _meta(props)
    bounds = meta.get("bounds")
    return Column(
        name=props["name"],
        data_type=props.get("data_type"),
        meta=meta,
        accepted_values=_accepted_values(props),
        bounds=None if bounds is None else Bounds.from_meta(bounds, f"{where}.{props['name']}"),
    )


def _grain(model: Mapping[str, Any], where: str) -> tuple[str, ...]:
    keys = [c for c in model.get("constraints") or [] if c.get("type") == "primary_key"]
    if len(keys) != 1 or not keys[0].get("columns"):
        raise RegistryError(f"{where}: a mart needs one primary_key constraint with columns")
    return tuple(keys[0]["columns"])


def _mart(model: Mapping[str, Any], path: Path) -> Mart:
    where = f"{path.name}: {model['name']}"
    settings = _meta(model).get("boardroom")
    if not isinstance(settings, Mapping) or settings.get("scope") not in SCOPES:
        raise RegistryError(f"{where}: config.meta.boardroom.scope must be one of {SCOPES}")
    unknown = set(settings) - {"scope", *MART_META_DEFAULTS}
    if unknown:
        raise RegistryError(f"{where}: unknown keys {sorted(unknown)} in meta.boardroom")
    flags = {**MART_META_DEFAULTS, **{k: v for k, v in settings.items() if k != "scope"}}
    columns = {c["name"]: _column(c, where) for c in model.get("columns") or []}
    grain = _grain(model, where)
    if missing := [c for c in grain if c not in columns]:
        raise RegistryError(f"{where}: grain columns {missing} are not in the contract")
    return Mart(
        name=(model.get("config") or {}).get("alias") or model["name"],
        model=model["name"],
        grain=grain,
        scope=settings["scope"],
        daily=bool(flags["daily"]),
        volume_checked=bool(flags["volume_checked"]),
        columns=columns,
        properties_file=path,
    )


def load_marts(models_dir: Path = MARTS_MODELS_DIR) -> dict[str, Mart]:
    """Every mart of the properties files in ``models_dir``, by name (sorted)."""
    found: dict[str, Mart] = {}
    for path in sorted(models_dir.glob("*.yml")):
        document = yaml.load(path.read_text(), Loader=_LOADER) or {}  # noqa: S506
        for model in document.get("models") or []:
            mart = _mart(model, path)
            if mart.name in found:
                raise RegistryError(f"{path.name}: mart {mart.name} is defined twice")
            found[mart.name] = mart
    return dict(sorted(found.items()))


@cache
def marts() -> dict[str, Mart]:
    """The project's marts (read once per process)."""
    return load_marts()


MARTS: dict[str, Mart] = marts()
TENANT_MARTS: tuple[str, ...] = tuple(n for n, m in MARTS.items() if m.tenant_scoped)
PLATFORM_MARTS: tuple[str, ...] = tuple(n for n, m in MARTS.items() if not m.tenant_scoped)
