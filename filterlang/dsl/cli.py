"""``filterlang parse | format | check``: the language commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import FilterError, FilterSyntaxError
from ..nodes import Node, shape


def register(sub: Any) -> None:
    p = sub.add_parser("parse", help="DSL text -> the API's JSON", description="Print the API JSON for a DSL filter.")
    p.add_argument("expr", help="the filter, e.g. 'user_cost > 5 and model ~ \"gpt%%\"' ('-' reads stdin)")
    p.add_argument("--now", help="anchor for relative times like `now - 7d` (RFC 3339; default: current UTC time)")
    p.add_argument("--compact", action="store_true", help="one line of JSON instead of indented")
    p.set_defaults(func=_parse)

    f = sub.add_parser("format", help="API JSON -> canonical DSL", description="Print canonical DSL for API JSON.")
    f.add_argument("file", nargs="?", default="-", help="JSON file, JSON text, or '-' for stdin (default)")
    f.add_argument("--dsl", action="store_true", help="the input is DSL text to canonicalise, not JSON")
    f.set_defaults(func=_format)

    c = sub.add_parser(
        "check",
        help="validate a DSL string or a JSON file; print upstream-difference warnings",
        description="Validate a filter. The argument is DSL text, a JSON file path, or '-' (JSON on stdin). "
        "Exit 0 if valid (warnings included), 1 if invalid; with --strict warnings also exit 1.",
    )
    c.add_argument("input", help="DSL text, a path to a JSON file, or '-' for JSON on stdin")
    c.add_argument("--json", dest="as_json", action="store_true", help="treat the argument as JSON text/file")
    c.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    c.add_argument("--no-overview", action="store_true", help="the filter is not used for metrics-overview")
    c.set_defaults(func=_check)


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FilterSyntaxError(f"cannot read {source}: {exc.strerror}") from None


def _dump(value: Any, compact: bool) -> str:
    if compact:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=False, indent=2)


def _parse(args: argparse.Namespace) -> int:
    from .. import jsonio
    from .parser import parse

    text = sys.stdin.read() if args.expr == "-" else args.expr
    node = parse(text, now=args.now)
    print(_dump(jsonio.to_json(node), args.compact))
    return 0


def _format(args: argparse.Namespace) -> int:
    from .. import jsonio
    from .parser import parse
    from .printer import to_dsl

    text = args.file if args.file.lstrip().startswith("{") else _read(args.file)
    if args.dsl:
        node = parse(text)
    else:
        try:
            node = jsonio.from_json(text)
        except FilterSyntaxError as exc:
            raise FilterSyntaxError(
                exc.message + " (is this DSL text? use `filterlang format --dsl`)",
                text=exc.text,
                line=exc.line,
                column=exc.column,
            ) from None
    print(to_dsl(node))
    return 0


def _load_for_check(args: argparse.Namespace) -> tuple[Node, str]:
    from .. import jsonio
    from .parser import parse

    raw: str = args.input
    if raw == "-":
        return jsonio.from_json(sys.stdin.read()), "JSON"
    if args.as_json or raw.lstrip().startswith("{"):
        text = _read(raw) if not raw.lstrip().startswith("{") else raw
        return jsonio.from_json(text), "JSON"
    if raw.endswith(".json") or (len(raw) < 4096 and "\n" not in raw and Path(raw).is_file()):
        content = _read(raw)
        if content.lstrip().startswith(("{", '"')) or raw.endswith(".json"):
            return jsonio.from_json(content), "JSON"
        return parse(content), "DSL"  # a file of DSL text
    return parse(raw), "DSL"


def _check(args: argparse.Namespace) -> int:
    from ..compat import check
    from ..nodes import iter_conditions
    from .printer import to_dsl

    try:
        node, kind = _load_for_check(args)
    except FilterError as exc:
        print(f"invalid: {exc}", file=sys.stderr)
        return 1
    depth, count = shape(node)
    n_conds = sum(1 for _ in iter_conditions(node))
    print(f"ok: valid {kind} filter — {n_conds} condition(s), {count} node(s), depth {depth}")
    print(f"canonical: {to_dsl(node)}" if count <= 50 else "canonical: (long; use `filterlang format`)")
    warnings = check(node, overview=not args.no_overview)  # upstream differences and never-matching parts
    for w in warnings:
        print(f"warning: {w}")
    return 1 if (warnings and args.strict) else 0
