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
        integers (``cost > 2.5`` -> ``cost > 2500000000``), never through Int32 or floats.
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
        },
        unmapped=frozenset({"helicone-score-feedback", "scores_column"}),
        tenant_column="organization_id" if organization_id is not None else None,
        tenant=organization_id,
    )


BUILTIN: dict[str, Profile] = {"flat": FLAT, "helicone": helicone_profile()}


def profile_from_dict(spec: Mapping[str, Any], *, name: str = "custom") -> Profile:
    """A profile from the TOML/dict form in this module's docstring; errors name the key."""
    known = {"name", "table", "fields", "default_columns", "unmapped", "tenant_column", "tenant", "alias"}
    for k in spec:
        if k not in known:
            raise FilterTypeError(
                f"unknown key {k!r} in SQL profile {spec.get('name', name)!r}", suggestion=closest(k, known)
            )
    pname = str(spec.get("name", name))
    if "table" not in spec:
        raise FilterTypeError(f"SQL profile {pname!r} needs a 'table'")
    fields: dict[str, FieldMap] = {}
    for fname, fspec in dict(spec.get("fields", {})).items():
        if fname not in FIELDS or FIELDS[fname].table != REQUESTS:
            raise FilterTypeError(
                f"SQL profile {pname!r} maps unknown request field {fname!r}",
                suggestion=closest(fname, FIELDS_BY_TABLE[REQUESTS]),
            )
        if isinstance(fspec, str):
            fields[fname] = FieldMap(sql=fspec)
        elif isinstance(fspec, Mapping):
            bad = set(fspec) - {"sql", "scale", "integer"}
            if bad:
                raise FilterTypeError(f"SQL profile {pname!r}, field {fname!r}: unknown keys {sorted(bad)}")
            fields[fname] = FieldMap(
                sql=fspec.get("sql"), scale=fspec.get("scale", 1), integer=bool(fspec.get("integer", False))
            )
        else:
            raise FilterTypeError(f"SQL profile {pname!r}, field {fname!r}: expected a string or a table")
    unmapped = frozenset(spec.get("unmapped", ()))
    for u in unmapped:
        if u not in FIELDS:
            raise FilterTypeError(f"SQL profile {pname!r} lists unknown field {u!r} as unmapped")
    return Profile(
        name=pname,
        table=str(spec["table"]),
        fields=fields,
        default_columns=bool(spec.get("default_columns", False)),
        unmapped=unmapped,
        tenant_column=spec.get("tenant_column"),
        tenant=spec.get("tenant"),
        alias=spec.get("alias"),
    )


def load_profile(path: str | Path) -> Profile:
    """Read a profile from a TOML file (the name defaults to the file's stem)."""
    p = Path(path)
    with p.open("rb") as fh:
        data = tomllib.load(fh)
    return profile_from_dict(data, name=p.stem)


def resolve_profile(profile: str | Profile | Mapping[str, Any]) -> Profile:
    """``"flat"`` / ``"helicone"`` / a path to a .toml file / a dict / a Profile."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, Mapping):
        return profile_from_dict(profile)
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
