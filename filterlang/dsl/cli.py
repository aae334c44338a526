"""``filterlang parse | format | check``: the language commands.

All three read the filter the same way (:func:`filterlang.cli.read_filter`): DSL or JSON
text as the argument (JSON when it starts with ``{`` or ``"``), ``-`` for stdin, or
``--file F``; ``--now`` anchors relative times.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..cli import add_filter_arguments, read_filter
from ..errors import FilterError
from ..nodes import shape


def register(sub: Any) -> None:
    p = sub.add_parser(
        "parse",
        help="a filter (DSL or JSON) -> the API's JSON",
        description="Print the API JSON of a filter given as DSL text (or JSON, which is checked and normalised).",
    )
    add_filter_arguments(p)
    p.add_argument("--compact", action="store_true", help="one line of JSON instead of indented")
    p.set_defaults(func=_parse)

    f = sub.add_parser(
        "format",
        help="a filter (JSON or DSL) -> canonical DSL",
        description="Print the canonical DSL of a filter given as the API's JSON or as DSL text.",
    )
    add_filter_arguments(f)
    f.set_defaults(func=_format)

    c = sub.add_parser(
        "check",
        help="validate a filter (DSL or JSON); print upstream-difference warnings",
        description="Validate a filter and say where upstream would evaluate it differently. "
        "Exit 0 if valid (warnings included), 1 if invalid; with --strict warnings also exit 1.",
    )
    add_filter_arguments(c)
    c.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    c.add_argument("--no-overview", action="store_true", help="the filter is not used for metrics-overview")
    c.set_defaults(func=_check)


def _dump(value: Any, compact: bool) -> str:
    if compact:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return json.dumps(value, ensure_ascii=False, indent=2)


def _parse(args: argparse.Namespace) -> int:
    from .. import jsonio

    node, _ = read_filter(args)
    print(_dump(jsonio.to_json(node), args.compact))
    return 0


def _format(args: argparse.Namespace) -> int:
    from .printer import to_dsl

    node, _ = read_filter(args)
    print(to_dsl(node))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ..compat import check
    from ..nodes import iter_conditions
    from .printer import to_dsl

    try:
        node, kind = read_filter(args)
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
