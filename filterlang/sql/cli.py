"""``filterlang sql``: print the SQL of a filter for any dialect and profile."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import FilterSyntaxError


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sql",
        help="filter -> SQL for a warehouse (parameterized by default)",
        description="Print the SQL for a filter: a whole SELECT over the profile's request table "
        "(or only the condition with --where), then the parameters as JSON unless --inline.",
    )
    p.add_argument("expr", nargs="?", help="DSL filter text ('-' reads stdin); or use --json FILE")
    p.add_argument("--json", dest="json_file", metavar="FILE", help="read the filter as API JSON ('-' = stdin)")
    p.add_argument("--dialect", "-d", default="duckdb", help="target SQL dialect (default: duckdb)")
    p.add_argument(
        "--profile",
        "-p",
        default="flat",
        help="column mapping: flat (default), helicone, or a profile .toml file",
    )
    p.add_argument("--org", help="helicone profile: tenant guard organization_id = ORG")
    p.add_argument("--inline", action="store_true", help="inline the values as quoted literals (no params)")
    p.add_argument("--where", action="store_true", help="print only the condition, not a whole SELECT")
    p.add_argument("--columns", help="comma-separated columns to select (default: all)")
    p.add_argument("--list-dialects", action="store_true", help="print the supported dialects and exit")
    p.set_defaults(func=_sql)


def _load(args: argparse.Namespace) -> Any:
    if args.json_file:
        from ..jsonio import from_json

        src = args.json_file
        try:
            text = sys.stdin.read() if src == "-" else Path(src).read_text(encoding="utf-8")
        except OSError as exc:
            raise FilterSyntaxError(f"cannot read {src}: {exc.strerror}") from None
        return from_json(text)
    from ..dsl.parser import parse

    text = sys.stdin.read() if args.expr == "-" else args.expr
    return parse(text)


def _sql(args: argparse.Namespace) -> int:
    from . import helicone_profile, list_dialects, to_sql, where_sql

    if args.list_dialects:
        print("\n".join(list_dialects()))
        return 0
    if args.expr is None and not args.json_file:
        print("filterlang sql: error: give a filter (DSL text, '-' for stdin) or --json FILE", file=sys.stderr)
        return 2
    if args.expr is not None and args.json_file:
        print("filterlang sql: error: give the filter once: DSL text or --json FILE, not both", file=sys.stderr)
        return 2
    node = _load(args)
    profile: Any = args.profile
    if args.org is not None:
        if args.profile != "helicone":
            print("filterlang sql: error: --org applies to --profile helicone", file=sys.stderr)
            return 2
        profile = helicone_profile(organization_id=args.org)
    if args.where:
        q = where_sql(node, dialect=args.dialect, profile=profile, inline=args.inline)
    else:
        cols = [c.strip() for c in args.columns.split(",")] if args.columns else None
        q = to_sql(node, dialect=args.dialect, profile=profile, columns=cols, inline=args.inline)
    print(q.sql)
    if not args.inline:
        print(json.dumps(q.params, ensure_ascii=False, default=str))
    return 0
