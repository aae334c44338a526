"""Text rules every backend shares: ASCII case folding and LIKE patterns (semantics.md §3).

The evaluator and the SQL compiler must decide these identically, so they live here once
and both import them; nothing else in the package parses a LIKE pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
ASCII_FOLD_FROM, ASCII_FOLD_TO = _UPPER, _LOWER
FOLD_TABLE = str.maketrans(_UPPER, _LOWER)


def ascii_fold(s: str) -> str:
    """Lower-case A-Z only.

    The one case folding every engine can reproduce exactly: ClickHouse ``lower`` and
    SQLite ``lower`` fold ASCII only, DuckDB/Postgres ``lower`` fold Unicode by
    different tables, so ``ilike``/``contains`` fold ASCII everywhere (SQL uses
    ``translate`` where ``lower`` would fold more). ``É`` and ``é`` stay different.
    """
    return s.translate(FOLD_TABLE)


# A LIKE pattern is a sequence of tokens: ANY (%), ONE (_) or a literal character.
ANY, ONE = object(), object()
LikeToken = object | str

# The characters a backslash escapes; before anything else (or at the end) it is literal.
LIKE_ESCAPABLE = frozenset("%_\\")


def like_tokens(pattern: str) -> list[LikeToken]:
    """Tokenise a LIKE pattern (semantics.md §3): ``%`` any run, ``_`` one character.

    ``\\`` before ``%``, ``_`` or ``\\`` makes that character literal; a backslash before
    any other character, or at the end, is itself a literal backslash (ClickHouse's rule,
    so ``back\\slash`` matches the text ``back\\slash``). Engines disagree on those
    backslashes, so the SQL side re-emits canonical patterns, see :func:`canonical_like`.
    """
    out: list[LikeToken] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n and pattern[i + 1] in LIKE_ESCAPABLE:
            out.append(pattern[i + 1])
            i += 2
            continue
        out.append(ANY if ch == "%" else ONE if ch == "_" else ch)
        i += 1
    return out


def canonical_like(pattern: str) -> str:
    """The same pattern with only ``\\%``, ``\\_``, ``\\\\`` escapes: every engine reads it alike."""
    parts: list[str] = []
    for t in like_tokens(pattern):
        if t is ANY:
            parts.append("%")
        elif t is ONE:
            parts.append("_")
        else:
            assert isinstance(t, str)
            parts.append("\\" + t if t in LIKE_ESCAPABLE else t)
    return "".join(parts)


def glob_from_like(pattern: str) -> str:
    """SQLite GLOB pattern equal to a case-sensitive LIKE (SQLite's LIKE ignores ASCII case)."""
    parts: list[str] = []
    for t in like_tokens(pattern):
        if t is ANY:
            parts.append("*")
        elif t is ONE:
            parts.append("?")
        else:
            assert isinstance(t, str)
            parts.append(f"[{t}]" if t in "*?[" else t)
    return "".join(parts)


def contains_pattern(value: str) -> str:
    """LIKE pattern for a case-folded literal substring test (``%``, ``_``, ``\\`` are literal)."""
    esc = "".join("\\" + c if c in LIKE_ESCAPABLE else c for c in ascii_fold(value))
    return f"%{esc}%"


# ---------------------------------------------------------------- matching


class _Segment:
    """A run of the pattern between two ``%``: literal characters and ``_``, fixed length.

    A segment without ``_`` is matched by ``str.find``/``startswith`` (CPython's two-way
    search: linear). One with ``_`` by a compiled regex made only of literals and ``.``
    runs: no alternation and no unbounded repeat, so nothing can backtrack; a search
    costs at most O(len(text) * len(segment)) character comparisons, in C.
    """

    __slots__ = ("length", "literal", "rx")

    def __init__(self, tokens: list[LikeToken]) -> None:
        self.length = len(tokens)
        self.rx: re.Pattern[str] | None = None
        self.literal = ""
        if all(isinstance(t, str) for t in tokens):
            self.literal = "".join(t for t in tokens if isinstance(t, str))
            return
        parts: list[str] = []
        run = 0
        for t in tokens:
            if t is ONE:
                run += 1
                continue
            if run:
                parts.append(f".{{{run}}}")
                run = 0
            assert isinstance(t, str)
            parts.append(re.escape(t))
        if run:
            parts.append(f".{{{run}}}")
        self.rx = re.compile("".join(parts), re.DOTALL)

    def at(self, x: str, pos: int) -> bool:
        """Whether the segment matches ``x`` starting at ``pos`` (the caller checks room)."""
        if self.rx is None:
            return x.startswith(self.literal, pos)
        return self.rx.match(x, pos) is not None

    def find(self, x: str, start: int, end: int) -> int:
        """The leftmost start of an occurrence lying inside ``x[start:end]``, or -1."""
        if self.rx is None:
            return x.find(self.literal, start, end)
        m = self.rx.search(x, start, end)
        return -1 if m is None else m.start()


def like_matcher(pattern: str) -> Callable[[str], bool]:
    """``text -> bool``: whether ``text`` matches the LIKE ``pattern`` (case as given).

    Linear in practice, never exponential: split at ``%`` into fixed-length segments; the
    first must match at the start, the last at the end, and each middle one is taken at
    its leftmost occurrence after the previous one. Leftmost is always right: segments
    have a fixed length, so the earliest start also ends earliest and leaves the most
    room for the rest (the classic greedy wildcard match with one resume point per
    ``%``). A backtracking ``.*`` regex took minutes on ``%a%a%a%a%a%b`` against 200
    ``a``s; this never rescans text a previous segment already passed.
    """
    groups: list[list[LikeToken]] = [[]]
    for t in like_tokens(pattern):
        if t is ANY:
            groups.append([])
        else:
            groups[-1].append(t)
    if len(groups) == 1:
        only = _Segment(groups[0])
        if only.rx is None:
            lit = only.literal
            return lambda x: x == lit
        size, rx = only.length, only.rx
        return lambda x: len(x) == size and rx.match(x) is not None
    head, tail = _Segment(groups[0]), _Segment(groups[-1])
    middle = [_Segment(g) for g in groups[1:-1] if g]
    if not middle and head.rx is None and tail.rx is None:
        return _literal_ends(head.literal, tail.literal)
    least = head.length + tail.length + sum(s.length for s in middle)

    def match(x: str) -> bool:
        n = len(x)
        if n < least or not head.at(x, 0):
            return False
        pos, end = head.length, n - tail.length
        for seg in middle:
            i = seg.find(x, pos, end)
            if i < 0:
                return False
            pos = i + seg.length
        return tail.at(x, end)

    return match


def _literal_ends(head: str, tail: str) -> Callable[[str], bool]:
    """``head%tail`` (either may be empty, ``%`` runs collapsed): str methods only."""
    if not head and not tail:
        return lambda x: True
    if not head:
        return lambda x: x.endswith(tail)
    if not tail:
        return lambda x: x.startswith(head)
    least = len(head) + len(tail)
    return lambda x: len(x) >= least and x.startswith(head) and x.endswith(tail)
