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

# A backslash escape the splitter keeps whole; every other backslash is an ordinary character.
_ESCAPE = re.compile(r"(\\[%_\\])")
_ONES = re.compile(r"(_+)")
# How many distinct literal chunks of a wildcard segment are looked for before searching.
_CHECKED_CHUNKS = 32

Piece = str | int  # literal text, or a run of that many ``_``


def like_segments(pattern: str) -> list[list[Piece]]:
    """The pattern split at unescaped ``%``; each segment a list of literals and ``_`` runs.

    Same reading as :func:`like_tokens`, in C-speed string splits instead of a loop per
    character, so a 1 MB pattern is split in a fraction of a second.
    """
    if "\\" not in pattern and "_" not in pattern:
        return [[s] if s else [] for s in pattern.split("%")]
    segs: list[list[Piece]] = [[]]
    for i, part in enumerate(_ESCAPE.split(pattern)):
        if i % 2:  # "\%", "\_" or "\\": the escaped character, literally
            _add_literal(segs[-1], part[1])
            continue
        subs = part.split("%")
        _add_pieces(segs[-1], subs[0])
        for sub in subs[1:]:
            seg: list[Piece] = []
            _add_pieces(seg, sub)
            segs.append(seg)
    return segs


def _add_pieces(seg: list[Piece], text: str) -> None:
    """Append unescaped ``text`` to ``seg``: each run of ``_`` a run of one-character wildcards."""
    for q, part in enumerate(_ONES.split(text)):
        if not q % 2:
            _add_literal(seg, part)
        elif seg and isinstance(seg[-1], int):
            seg[-1] += len(part)
        else:
            seg.append(len(part))


def _add_literal(seg: list[Piece], text: str) -> None:
    if not text:
        return
    if seg and isinstance(seg[-1], str):
        seg[-1] += text
    else:
        seg.append(text)


class _Wild:
    """A segment with ``_``: fixed length, literal chunks at fixed offsets.

    Compiled to a regex of escaped literals and ``.`` runs only: no alternation and no
    unbounded repeat, so the engine cannot backtrack; a search tries each start once and
    gives up at the first mismatch, at most O(len(text) * len(segment)) character steps,
    in C. A text lacking one of the segment's chunks is refused before searching (one
    ``str.find`` per distinct chunk, linear), which answers the common hopeless rows
    without the quadratic bound.
    """

    __slots__ = ("chunks", "length", "parts", "regex")

    def __init__(self, pieces: list[Piece]) -> None:
        self.parts: list[str] = []
        chunks: set[str] = set()
        self.length = 0
        for p in pieces:
            if isinstance(p, int):
                self.parts.append("." if p == 1 else f".{{{p}}}")
                self.length += p
            else:
                self.parts.append(re.escape(p))
                chunks.add(p)
                self.length += len(p)
        self.regex: re.Pattern[str] | None = None
        # the longest first: the most likely to be missing, and a missing one ends the search
        self.chunks = sorted(chunks, key=len, reverse=True)[:_CHECKED_CHUNKS]

    @property
    def rx(self) -> re.Pattern[str]:
        """Compiled on first use: a 1 MB segment takes about a second to compile, and the
        chunk check spares that whenever no row could match."""
        if self.regex is None:
            self.regex = re.compile("".join(self.parts), re.DOTALL)
            self.parts = []
        return self.regex

    def at(self, x: str, pos: int) -> bool:
        """Whether the segment matches ``x`` at ``pos`` (the caller checks there is room)."""
        end = pos + self.length
        for c in self.chunks:
            if x.find(c, pos, end) < 0:
                return False
        return self.rx.match(x, pos) is not None

    def find(self, x: str, start: int, end: int) -> int:
        """The leftmost start of an occurrence lying inside ``x[start:end]``, or -1."""
        for c in self.chunks:
            if x.find(c, start, end) < 0:
                return -1
        m = self.rx.search(x, start, end)
        return -1 if m is None else m.start()


def like_matcher(pattern: str) -> Callable[[str], bool]:
    """``text -> bool``: whether ``text`` matches the LIKE ``pattern`` (case as given).

    Never exponential: split at ``%`` into fixed-length segments; the first must match
    at the start, the last at the end, and each middle one is taken at its leftmost
    occurrence after the previous one. Leftmost is always right: segments have a fixed
    length, so the earliest start also ends earliest and leaves the most room for the
    rest (greedy wildcard matching with one resume point per ``%``). Text a segment
    passed is never rescanned, so a pattern of literal segments costs one linear pass
    (CPython's two-way ``str.find``); a segment with ``_`` costs at most
    O(len(text) * len(segment)) (see :class:`_Wild`). A backtracking ``.*`` regex took
    minutes on ``%a%a%a%a%a%b`` against 200 ``a``s.
    """
    if "\\" not in pattern and "_" not in pattern:  # literals and % only: the common case
        parts = pattern.split("%")
        if len(parts) == 1:
            return lambda x: x == pattern
        return _literals(parts[0], [p for p in parts[1:-1] if p], parts[-1])
    segs = like_segments(pattern)
    if all(len(g) <= 1 and all(isinstance(p, str) for p in g) for g in segs):  # escapes, no _
        lits = [str(g[0]) if g else "" for g in segs]
        if len(lits) == 1:
            only = lits[0]
            return lambda x: x == only
        return _literals(lits[0], [p for p in lits[1:-1] if p], lits[-1])
    if len(segs) == 1:
        return _whole(segs[0])
    head, tail = segs[0], segs[-1]
    middle = [m[0] if len(m) == 1 and isinstance(m[0], str) else _Wild(m) for m in segs[1:-1] if m]
    h = _Wild(head) if head else None
    t = _Wild(tail) if tail else None
    hlen = h.length if h else 0
    tlen = t.length if t else 0
    lens = [len(m) if isinstance(m, str) else m.length for m in middle]
    least = hlen + tlen + sum(lens)
    steps = list(zip(middle, lens, strict=True))

    def match(x: str) -> bool:
        n = len(x)
        if n < least or (h is not None and not h.at(x, 0)):
            return False
        pos, end = hlen, n - tlen
        for seg, size in steps:
            i = x.find(seg, pos, end) if isinstance(seg, str) else seg.find(x, pos, end)
            if i < 0:
                return False
            pos = i + size
        return t is None or t.at(x, end)

    return match


def _literals(head: str, middle: list[str], tail: str) -> Callable[[str], bool]:
    """``head%m1%m2%...%tail`` with literal parts: ``startswith``, ``find``, ``endswith``."""
    if not middle:
        return _literal_ends(head, tail)
    if len(middle) == 1 and not head and not tail:
        needle = middle[0]
        return lambda x: needle in x
    hlen, tlen = len(head), len(tail)
    least = hlen + tlen + sum(map(len, middle))

    def match(x: str) -> bool:
        n = len(x)
        if n < least or not x.startswith(head) or not x.endswith(tail):
            return False
        pos, end = hlen, n - tlen
        for seg in middle:
            i = x.find(seg, pos, end)
            if i < 0:
                return False
            pos = i + len(seg)
        return True

    return match


def _whole(pieces: list[Piece]) -> Callable[[str], bool]:
    """A pattern without ``%``: equality, or a fixed length with the chunks in place."""
    if all(isinstance(p, str) for p in pieces):
        lit = "".join(map(str, pieces))
        return lambda x: x == lit
    seg = _Wild(pieces)
    size = seg.length
    return lambda x: len(x) == size and seg.at(x, 0)


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
