"""``filterlang sql``: print the SQL of a filter for any dialect and profile.

Options are checked before anything is compiled, and a wrong one is a usage error (exit
2) that says what would be right: an unknown dialect or profile (with the closest name),
a missing profile file, ``--tenant`` without the profile that has a tenant column,
``--columns`` names that are not fields. ``--columns`` takes field names only, so a name
can never reach the SQL as anything but a known column.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..cli import UsageError, add_filter_arguments, read_filter
from ..errors import FilterError, closest


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sql",
        help="filter -> SQL for a warehouse (parameterized by default)",
        description="Print the SQL for a filter: a whole SELECT over the profile's request table "
        "(or only the condition with --where), then the parameters as JSON unless --inline.",
    )
    add_filter_arguments(p)
    p.add_argument(
        "--dialect", "-d", default="duckdb", help="target SQL dialect (default: duckdb; see --list-dialects)"
    )
    p.add_argument(
        "--profile",
        "-p",
        default="flat",
        help="column mapping: flat (default), helicone, or a profile .toml file",
    )
    p.add_argument("--tenant", help="with --profile helicone: AND organization_id = TENANT in front of the filter")
    p.add_argument("--inline", action="store_true", help="inline the values as quoted literals (no params)")
    p.add_argument("--where", action="store_true", help="print only the condition, not a whole SELECT")
    p.add_argument("--columns", help="comma-separated field names to select (default: all columns)")
    p.add_argument("--list-dialects", action="store_true", help="print the supported dialects (and aliases) and exit")
    p.set_defaults(func=_sql)


def check_dialect(name: str) -> str:
    """The dialect's canonical name, or a usage error naming the closest one."""
    from .dialects import dialect_spec

    try:
        return dialect_spec(name).name
    except FilterError as exc:
        raise UsageError(f"argument --dialect: {exc}") from None


def check_profile(name: str) -> Any:
    """A built-in profile name or an existing .toml file (read now, so its errors come first)."""
    from .profiles import BUILTIN, resolve_profile

    if name in BUILTIN:
        return name
    if name.endswith(".toml") or "/" in name or "\\" in name:
        if not Path(name).is_file():
            raise UsageError(f"argument --profile: profile file not found: {name!r}")
        return resolve_profile(name)  # a broken file is invalid input (exit 1), with its reason
    raise UsageError(
        f"argument --profile: unknown profile {name!r}; built in: {', '.join(BUILTIN)}, or a .toml file"
        + (f" (did you mean `{hint}`?)" if (hint := closest(name, BUILTIN)) else "")
    )


def selectable_fields() -> list[str]:
    """Field names ``--columns`` accepts: request fields (not property_key) and users_view fields."""
    from ..fields import FIELDS, Kind

    return [n for n, f in FIELDS.items() if f.kind is not Kind.PROPERTY_KEY]


def _columns(text: str) -> list[str]:
    names = [c.strip() for c in text.split(",")]
    known = selectable_fields()
    for n in names:
        if not n:
            raise UsageError("argument --columns: an empty name (write field names separated by commas)")
        if n not in known:
            hint = closest(n, known)
            raise UsageError(
                f"argument --columns: unknown field {n!r}"
                + (f" (did you mean `{hint}`?)" if hint else "; see docs/language.md")
            )
    return names


def _list_dialects() -> str:
    from . import list_dialects
    from .dialects import ALIASES

    aliases: dict[str, list[str]] = {}
    for alias, target in ALIASES.items():
        aliases.setdefault(target, []).append(alias)
    return "\n".join(
        name + (f"  (also: {', '.join(sorted(aliases[name]))})" if name in aliases else "") for name in list_dialects()
    )


def _sql(args: argparse.Namespace) -> int:
    from . import helicone_profile, to_sql, where_sql

    if args.list_dialects:
        if args.filter is not None or args.file is not None:
            raise UsageError("argument --list-dialects: takes no filter")
        print(_list_dialects())
        return 0
    dialect = check_dialect(args.dialect)
    profile: Any = check_profile(args.profile)
    if args.tenant is not None:
        if args.profile != "helicone":
            raise UsageError("argument --tenant: needs --profile helicone (the profile with a tenant column)")
        profile = helicone_profile(organization_id=args.tenant)
    if args.where and args.columns:
        raise UsageError("argument --columns: chooses the SELECT's columns; --where prints no SELECT")
    cols = _columns(args.columns) if args.columns else None
    node, _ = read_filter(args)
    if args.where:
        q = where_sql(node, dialect=dialect, profile=profile, inline=args.inline)
    else:
        q = to_sql(node, dialect=dialect, profile=profile, columns=cols, inline=args.inline)
    print(q.sql)
    if not args.inline:
        print(json.dumps(q.params, ensure_ascii=False, default=str))
    return 0
