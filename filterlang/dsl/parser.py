"""DSL text -> typed AST: the entry point.

1. Guards: length and parenthesis nesting are measured before any parsing, in linear
   time whatever the text.
2. The LALR tables Lark computes from ``grammar/filter.lark`` drive
   :class:`filterlang.dsl.lalr.Driver`; its reduce callbacks (:class:`.lower.Builder`)
   build a small IR (:mod:`.ir`).
3. :func:`.lower.lower` turns the IR into the API's nodes (`not` by De Morgan, type
   errors in text order); then the node count and depth are checked.

Every failure is a :class:`FilterSyntaxError` (worded by :mod:`.wording`) /
:class:`FilterTypeError` / :class:`FilterLimitError` with line, column and a caret.
"""

from __future__ import annotations

import gc
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from ..errors import FilterSyntaxError, FilterTypeError
from ..limits import DEFAULT_LIMITS, Limits, check_length, exceeded
from ..memo import Memo
from ..nodes import ALL, Node, shape
from ..timefmt import resolve_now
from .ir import Ctx
from .lalr import Driver, SyntaxProblem, line_col
from .lower import Builder, EscapeError, lower
from .syntax import PAREN_SCAN, grammar
from .wording import syntax_error

# Empty, whitespace or only comments: no filter. Possessive, so a long run of blanks
# before a filter costs one pass (the backtracking form was exponential in it).
_BLANK = re.compile(r"(?:\s++|#[^\n]*+)*+")


@lru_cache(maxsize=1)
def lark() -> Any:
    """Lark's analysis of the grammar: parse table, terminals, rule shapes.

    ``cache=True`` stores the analysed grammar in the temp dir, so later processes skip
    grammar analysis.
    """
    from lark import Lark

    return Lark(grammar(), parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)


@lru_cache(maxsize=1)
def driver() -> Driver:
    return Driver(lark(), Builder)


def parse_ir(text: str, ctx: Ctx) -> Any:
    """The IR of ``text``, or a FilterSyntaxError."""
    try:
        return driver().parse(text, Builder(ctx))
    except EscapeError as exc:
        raise exc.syntax_error(text) from None
    except SyntaxProblem as exc:
        raise syntax_error(text, exc) from None


def _check_size(text: str, limits: Limits) -> None:
    check_length(limits, text, "the filter")
    if text.count("(") <= limits.max_depth:
        return
    depth = 0
    for m in PAREN_SCAN.finditer(text):
        tok = m.group()
        if tok == "(":
            depth += 1
            if depth > limits.max_depth:
                line, col = line_col(text, m.start())
                raise exceeded(
                    limits, "max_depth", depth, "the filter's parenthesis nesting", text=text, line=line, column=col
                )
        elif tok == ")":
            depth -= 1


# Parsed nodes are immutable, so a text that did not use `now` always parses to an equal
# tree: keep recent results. Services re-parse the same few filters constantly; a cold
# parse costs ~0.1 ms (docs/performance.md), a cached one ~0.5 µs.
CACHE: Memo[tuple[str, Limits], Node] = Memo(512)
_CACHE_MAX_TEXT = 8192


def parse(text: str, *, now: datetime | str | None = None, limits: Limits = DEFAULT_LIMITS) -> Node:
    """Parse filter DSL text into the API's node (see docs/language.md).

    ``now`` anchors relative times (``now - 7d``): a datetime (naive = UTC) or an
    RFC 3339 string; default the current UTC time. Empty or whitespace-only text and
    ``all`` mean no filter (``"all"``).
    """
    if not isinstance(text, str):
        raise FilterSyntaxError(f"a filter must be text, not {type(text).__name__}")
    if now is not None:  # checked even when the text needs no `now` or is cached
        _anchor(now)
    key = (text, limits)
    hit = CACHE.get(key)
    if hit is not None:
        return hit
    node, used_now = _parse_uncached(text, now, limits)
    if not used_now and len(text) <= _CACHE_MAX_TEXT:
        CACHE.put(key, node)
    return node


def _anchor(now: datetime | str | None) -> datetime:
    try:
        return resolve_now(now)
    except ValueError as exc:
        raise FilterTypeError(f"now= is not a valid time: {exc}") from None


def _parse_uncached(text: str, now: datetime | str | None, limits: Limits) -> tuple[Node, bool]:
    # A parse allocates many small objects and makes no reference cycles, so the cyclic
    # garbage collector has nothing to find in them; left on, its collections walk the
    # growing tree again and again (a 1 MB filter took twice as long).
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _parse_text(text, now, limits)
    finally:
        if collecting:
            gc.enable()


def _parse_text(text: str, now: datetime | str | None, limits: Limits) -> tuple[Node, bool]:
    _check_size(text, limits)
    if _BLANK.fullmatch(text):
        return ALL, False
    ctx = Ctx(text, _anchor(now), limits)
    ir = parse_ir(text, ctx)
    node = lower(ctx, ir)
    depth, count = shape(node)
    if count > limits.max_nodes:
        raise exceeded(limits, "max_nodes", count, "the filter (after lowering in/between/not)")
    if depth > limits.max_depth:
        raise exceeded(limits, "max_depth", depth, "the filter")
    return node, ctx.now_used
