"""Profiles: how the API's fields map onto a physical table.

A profile is data (table name, field -> SQL expression, unit scaling, tenant guard),
so pointing filterlang at your own warehouse means writing a dict or a TOML file, not
code. Built in: ``flat`` (the test/sample layout, cost in USD) and ``helicone``
(upstream's ClickHouse table, semantics.md §5).

TOML / dict form::

    name = "mine"
    table = "analytics.llm_requests"
    default_columns = true          # unlisted fields map to same-named columns
    unmapped = ["assets"]           # fields this table cannot answer
    tenant_column = "organization_id"   # optional guard ANDed in front of every filter
    tenant = "org-1"
    [fields]
    model = "llm_model"                             # an SQL expression in the target dialect
    cost = { sql = "cost_micros", scale = 1000000, integer = true }   # stored = USD x scale
    cached = "cache_hit = 1"
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import FilterTypeError, closest
from ..fields import FIELDS, FIELDS_BY_TABLE, REQUESTS
from .layout import FLAT_TABLE

HELICONE_ZERO_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Where a request field lives.

    sql: an SQL expression in the target dialect over the request table (unqualified
        columns are qualified with the table); None means the same-named column.
    scale: stored value = API value x scale (cost in nano-USD: 10**9).
    integer: the stored units are integers; comparisons are rewritten exactly in
        integers (``cost > 2.5`` -> ``cost > 2500000000``), never through Int32 or floats;
        a boolean field stored as 0/1 compares ``= 1`` / ``= 0``.
    """

    sql: str | None = None
    scale: int | float = 1
    integer: bool = False


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    table: str
    fields: Mapping[str, FieldMap] = field(default_factory=dict)
    default_columns: bool = True
    unmapped: frozenset[str] = frozenset()
    tenant_column: str | None = None
    tenant: str | None = None
    alias: str | None = None  # qualifier used in the SQL; defaults to the table's last name part

    def __post_init__(self) -> None:
        # a tenant with no column to compare it to would silently drop the guard
        if self.tenant is not None and self.tenant_column is None:
            raise FilterTypeError(
                f"SQL profile {self.name!r}: 'tenant' is set but 'tenant_column' is not, so no tenant guard "
                "could apply; set 'tenant_column' (e.g. \"organization_id\")"
            )

    @property
    def qualifier(self) -> str:
        return self.alias or self.table.rsplit(".", 1)[-1].strip('"`')

    def field_map(self, name: str) -> FieldMap:
        """The mapping of a request field; FilterTypeError naming field and profile if none."""
        fm = self.fields.get(name)
        if fm is not None:
            return fm
        if self.default_columns and name not in self.unmapped:
            return FieldMap()
        mapped = [n for n in FIELDS_BY_TABLE[REQUESTS] if n in self.fields or self.default_columns]
        raise FilterTypeError(
            f"field {name!r} is not mapped in SQL profile {self.name!r} (table {self.table})",
            suggestion=closest(name, [m for m in mapped if m not in self.unmapped]),
        )

    def with_tenant(self, tenant: str | None) -> Profile:
        return replace(self, tenant=tenant)


FLAT = Profile(name="flat", table=FLAT_TABLE)


def helicone_profile(organization_id: str | None = None) -> Profile:
    """Upstream's ClickHouse ``request_response_rmt`` (semantics.md §5).

    With ``organization_id`` every filter becomes ``organization_id = <org> AND (filter)``
    (and the per-user subquery is restricted to the same tenant), so no ``or`` in a user
    filter can reach another tenant's rows.
    """
    return Profile(
        name="helicone",
        table="request_response_rmt",
        fields={
            "cost": FieldMap(scale=10**9, integer=True),  # UInt64 nano-USD
            "cached": FieldMap(sql=f"cache_reference_id <> '{HELICONE_ZERO_UUID}'"),
            "search_properties": FieldMap(sql="properties"),
            # assets is Array(String): text operators see the elements joined by ','
            "assets": FieldMap(sql="arrayStringConcat(assets, ',')"),
            # the score of that name as a boolean (1 / 0; a missing Map key reads as 0)
            "helicone-score-feedback": FieldMap(sql="scores['helicone-score-feedback']", integer=True),
        },
        unmapped=frozenset({"scores_column"}),
        tenant_column="organization_id" if organization_id is not None else None,
        tenant=organization_id,
    )


BUILTIN: dict[str, Profile] = {"flat": FLAT, "helicone": helicone_profile()}


def _typed(pname: str, key: str, value: Any, want: type | tuple[type, ...], what: str) -> Any:
    if isinstance(value, bool) and bool not in (want if isinstance(want, tuple) else (want,)):
        ok = False
    else:
        ok = isinstance(value, want)
    if not ok:
        raise FilterTypeError(f"SQL profile {pname!r}, key {key!r}: expected {what}, got {value!r}")
    return value


def _scale(pname: str, key: str, value: Any) -> int | float:
    _typed(pname, key, value, (int, float), "a positive number")
    if not math.isfinite(value) or value <= 0:
        raise FilterTypeError(f"SQL profile {pname!r}, key {key!r}: expected a positive number, got {value!r}")
    return value  # type: ignore[no-any-return]


def profile_from_dict(spec: Mapping[str, Any], *, name: str = "custom") -> Profile:
    """A profile from the TOML/dict form in this module's docstring; errors name the key.

    Every value is type-checked here, so a typo surfaces as a FilterTypeError naming the
    profile and the key rather than as a TypeError deep in the compiler, or worse, as
    a silently missing tenant guard.
    """
    if not isinstance(spec, Mapping):
        raise FilterTypeError(f"SQL profile {name!r}: expected a table of keys, got {type(spec).__name__}")
    known = {"name", "table", "fields", "default_columns", "unmapped", "tenant_column", "tenant", "alias"}
    pname = spec.get("name", name)
    if not isinstance(pname, str):
        raise FilterTypeError(f"SQL profile {name!r}, key 'name': expected a string, got {pname!r}")
    for k in spec:
        if k not in known:
            raise FilterTypeError(f"unknown key {k!r} in SQL profile {pname!r}", suggestion=closest(str(k), known))
    if "table" not in spec:
        raise FilterTypeError(f"SQL profile {pname!r} needs a 'table'")
    table = _typed(pname, "table", spec["table"], str, "a table name")
    if not table.strip():
        raise FilterTypeError(f"SQL profile {pname!r}, key 'table': expected a table name, got {table!r}")
    raw_fields = _typed(pname, "fields", spec.get("fields", {}), Mapping, "a table of field = SQL")
    fields: dict[str, FieldMap] = {}
    for fname, fspec in raw_fields.items():
        if fname not in FIELDS or FIELDS[fname].table != REQUESTS:
            raise FilterTypeError(
                f"SQL profile {pname!r} maps unknown request field {fname!r}",
                suggestion=closest(str(fname), FIELDS_BY_TABLE[REQUESTS]),
            )
        key = f"fields.{fname}"
        if isinstance(fspec, str):
            fields[fname] = FieldMap(sql=fspec)
        elif isinstance(fspec, Mapping):
            bad = set(fspec) - {"sql", "scale", "integer"}
            if bad:
                raise FilterTypeError(f"SQL profile {pname!r}, field {fname!r}: unknown keys {sorted(bad)}")
            sql = fspec.get("sql")
            if sql is not None:
                _typed(pname, f"{key}.sql", sql, str, "an SQL expression")
            fields[fname] = FieldMap(
                sql=sql,
                scale=_scale(pname, f"{key}.scale", fspec.get("scale", 1)),
                integer=_typed(pname, f"{key}.integer", fspec.get("integer", False), bool, "true or false"),
            )
        else:
            raise FilterTypeError(f"SQL profile {pname!r}, field {fname!r}: expected a string or a table")
    raw_unmapped = spec.get("unmapped", ())
    if isinstance(raw_unmapped, str) or not isinstance(raw_unmapped, list | tuple | set | frozenset):
        raise FilterTypeError(f"SQL profile {pname!r}, key 'unmapped': expected a list of field names")
    unmapped = frozenset(raw_unmapped)
    for u in unmapped:
        if u not in FIELDS:
            raise FilterTypeError(f"SQL profile {pname!r} lists unknown field {u!r} as unmapped")
    opt: dict[str, str | None] = {}
    for k in ("tenant_column", "tenant", "alias"):
        v = spec.get(k)
        opt[k] = None if v is None else _typed(pname, k, v, str, "a string")
    if opt["tenant_column"] is not None and opt["tenant"] is None:
        raise FilterTypeError(
            f"SQL profile {pname!r}: 'tenant_column' is set but 'tenant' is not, so no tenant guard would apply; "
            "set 'tenant' too"
        )
    return Profile(
        name=pname,
        table=table,
        fields=fields,
        default_columns=_typed(pname, "default_columns", spec.get("default_columns", False), bool, "true or false"),
        unmapped=unmapped,
        tenant_column=opt["tenant_column"],
        tenant=opt["tenant"],
        alias=opt["alias"],
    )


def load_profile(path: str | Path) -> Profile:
    """Read a profile from a TOML file (the name defaults to the file's stem)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise FilterTypeError(f"SQL profile {p.stem!r} ({p}): not valid TOML: {exc}") from None
    except OSError as exc:
        raise FilterTypeError(f"SQL profile {p.stem!r}: cannot read {p}: {exc.strerror}") from None
    return profile_from_dict(data, name=p.stem)


def resolve_profile(profile: str | Profile | Mapping[str, Any]) -> Profile:
    """``"flat"`` / ``"helicone"`` / a path to a .toml file / a dict / a Profile."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return profile_from_dict(profile)
    if isinstance(profile, Path):
        return load_profile(profile)
    if not isinstance(profile, str):
        raise FilterTypeError(
            f"SQL profile must be a name ({', '.join(BUILTIN)}), a .toml path, a dict or a Profile, "
            f"not {type(profile).__name__}"
        )
    if profile in BUILTIN:
        return BUILTIN[profile]
    if profile.endswith(".toml") and Path(profile).exists():
        return load_profile(profile)
    raise FilterTypeError(
        f"unknown SQL profile {profile!r}; built in: {', '.join(BUILTIN)} (or a .toml file / dict)",
        suggestion=closest(profile, BUILTIN),
    )


__all__ = [
    "BUILTIN",
    "FLAT",
    "FieldMap",
    "Profile",
    "helicone_profile",
    "load_profile",
    "profile_from_dict",
    "resolve_profile",
]
