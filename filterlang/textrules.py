"""Text rules every backend shares: ASCII case folding and LIKE patterns (semantics.md §3).

The evaluator and the SQL compiler must decide these identically, so they live here once
and both import them; nothing else in the package parses a LIKE pattern.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable
from typing import Any

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
# Patterns with "_" up to this length run as one atomic-group regex (C speed, compiles fast).
_ATOMIC_PATTERN = 256
# Wildcard segments up to this length compile to a regex (a few milliseconds at most).
_REGEX_SEGMENT = 2048

_FIND, _SKIP, _SEARCH, _WILD = 0, 1, 2, 3  # how like_matcher steps over a middle segment


def _hide_escapes(pattern: str) -> tuple[str, dict[int, str] | None]:
    """``pattern`` with ``\\%``, ``\\_``, ``\\\\`` swapped for three characters it lacks.

    After the swap ``%`` and ``_`` are plain separators, so the pattern is split by
    C-speed ``str.split`` instead of a loop per character (a 1 MB pattern in
    milliseconds); ``back`` turns the stand-ins into the escaped characters again.
    """
    if "\\" not in pattern:
        return pattern, None
    used = set(pattern)
    free = (chr(c) for c in range(0xE000, 0x110000) if chr(c) not in used)
    stand_in = {"\\%": next(free), "\\_": next(free), "\\\\": next(free)}
    parts = _ESCAPE.split(pattern)
    parts[1::2] = [stand_in[e] for e in parts[1::2]]
    return "".join(parts), {ord(v): k[1] for k, v in stand_in.items()}


def _literal(text: str, back: dict[int, str] | None) -> str:
    return text if back is None else text.translate(back)


class _Wild:
    """A segment (between two ``%``) with ``_``: fixed length, literal chunks at fixed offsets.

    Short segments compile to a regex of escaped literals and ``.`` runs only (no
    alternation, no unbounded repeat: the engine cannot backtrack) and are searched in
    C. Long ones would take seconds to compile, so they anchor on their rarest chunk
    (``str.find``), probe a few chunks, then compare every chunk of the window at once
    with one ``itemgetter`` of slices, also in C. Either way a search costs at most
    O(len(text) * len(segment)) character steps, and a text lacking one of the chunks is
    refused before any search (one ``str.find`` per distinct chunk, linear).
    """

    __slots__ = ("chunks", "getter", "length", "lits", "parts", "probes", "rx", "spans", "want")

    def __init__(self, text: str, back: dict[int, str] | None) -> None:
        parts = _ONES.split(text)  # literal, run of "_", literal, ..., literal
        self.length = len(text)
        lits = parts[0::2] if back is None else [p.translate(back) for p in parts[0::2]]
        # the longest first: the most likely to be missing, and a missing one ends the search
        self.chunks = sorted(set(lits) - {""}, key=len, reverse=True)[:_CHECKED_CHUNKS]
        self.rx: re.Pattern[str] | None = None
        self.parts, self.lits = parts, lits
        self.spans: list[tuple[int, str]] | None = None  # built on first use (_prepare)
        self.probes: list[tuple[int, str]] = []
        self.getter: Callable[[str], Any] = lambda w: ()
        self.want: Any = ()
        if self.length <= _REGEX_SEGMENT:
            body = "".join(f".{{{len(p)}}}" if i % 2 else re.escape(lits[i // 2]) for i, p in enumerate(parts))
            self.rx = re.compile(body, re.DOTALL)

    def _prepare(self) -> list[tuple[int, str]]:
        """Offsets, probes and the window comparer of a long segment: only once a row has
        every chunk (a 1 MB segment has 250,000 of them; C-level maps only)."""
        if self.spans is None:
            starts = [0, *itertools.accumulate(map(len, self.parts))][0::2]
            offs = list(itertools.compress(starts, self.lits))
            texts = list(itertools.compress(self.lits, self.lits))
            self.spans = list(zip(offs, texts, strict=True))
            step = max(1, len(self.spans) // 4)
            self.probes = self.spans[::step][:5]
            if texts:
                ends = map(operator.add, offs, map(len, texts))
                self.getter = operator.itemgetter(*map(slice, offs, ends))
                self.want = tuple(texts) if len(texts) > 1 else texts[0]
            self.parts = self.lits = []
        return self.spans

    def at(self, x: str, pos: int) -> bool:
        """Whether the segment matches ``x`` at ``pos`` (the caller checks there is room)."""
        if self.rx is not None:
            return self.rx.match(x, pos) is not None
        self._prepare()
        return bool(self.getter(x[pos : pos + self.length]) == self.want)

    def find(self, x: str, start: int, end: int) -> int:
        """The leftmost start of an occurrence lying inside ``x[start:end]``, or -1."""
        if self.rx is not None:
            m = self.rx.search(x, start, end)
            return -1 if m is None else m.start()
        for c in self.chunks:
            if x.find(c, start, end) < 0:
                return -1
        last = end - self.length  # the last start with room
        if last < start:
            return -1
        if not self.chunks:  # only "_": any window of the right length
            return start
        spans = self._prepare()
        # anchor on the rarest of the checked chunks (counting is linear, in C)
        rare = min(self.chunks, key=lambda ch: x.count(ch, start, end))
        o = next(off for off, ch in spans if ch == rare)
        stop = last + o + len(rare)
        probes = self.probes
        i = x.find(rare, start + o, stop)
        while i >= 0:
            s = i - o
            # a few chunks one by one first: most windows fail there, before the full copy
            if all(x.startswith(ch, s + off) for off, ch in probes) and self.at(x, s):
                return s
            i = x.find(rare, i + 1, stop)
        return -1


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
    hidden, back = _hide_escapes(pattern)
    segs = hidden.split("%")
    if "_" not in hidden:  # literals and % only: the common case
        lits = [_literal(g, back) for g in segs] if back is not None else segs
        if len(lits) == 1:
            only = lits[0]
            return lambda x: x == only
        return _literals(lits[0], [p for p in lits[1:-1] if p], lits[-1])
    if len(pattern) <= _ATOMIC_PATTERN:
        full = _atomic(segs, back).fullmatch
        return lambda x: full(x) is not None
    return segment_matcher(pattern)


def _atomic(segs: list[str], back: dict[int, str] | None) -> re.Pattern[str]:
    """A short pattern as one regex running the same greedy algorithm in C.

    Each middle segment is an atomic group ``(?>.*?SEG)``: its leftmost occurrence, and
    once taken never given back, so the engine cannot try other splits (what made
    ``.*`` regexes exponential); the last ``.*`` only places the tail. Python 3.11+.
    """

    def body(seg: str) -> str:
        parts = _ONES.split(seg)
        return "".join(f".{{{len(p)}}}" if i % 2 else re.escape(_literal(p, back)) for i, p in enumerate(parts))

    if len(segs) == 1:
        return re.compile(body(segs[0]), re.DOTALL)
    middle = "".join(f"(?>.*?{body(m)})" for m in segs[1:-1] if m)
    return re.compile(f"{body(segs[0])}{middle}.*{body(segs[-1])}", re.DOTALL)


def segment_matcher(pattern: str) -> Callable[[str], bool]:
    """:func:`like_matcher` without the short-pattern regex: the segment walk itself.

    Public so that the tests can hold it against a reference on short patterns too.
    """
    hidden, back = _hide_escapes(pattern)
    segs = hidden.split("%")
    if "_" not in hidden:  # literals and % only: the common case
        lits = [_literal(g, back) for g in segs] if back is not None else segs
        if len(lits) == 1:
            only = lits[0]
            return lambda x: x == only
        return _literals(lits[0], [p for p in lits[1:-1] if p], lits[-1])
    if len(segs) == 1:
        whole = _Wild(hidden, back)
        size = whole.length
        return lambda x: len(x) == size and whole.at(x, 0)
    # One step per middle segment: a literal is found by str.find, a run of "_" alone
    # just advances, a wildcard segment is searched by its regex or _Wild.find. Each
    # distinct spelling is built once (a pattern may repeat one 300,000 times).
    made: dict[str, tuple[int, Any, int]] = {}
    steps: list[tuple[int, Any, int]] = []
    for m in segs[1:-1]:
        if not m:
            continue
        step = made.get(m)
        if step is None:
            if "_" not in m:
                step = (_FIND, _literal(m, back), len(m))
            elif not m.strip("_"):
                step = (_SKIP, None, len(m))
            else:
                w = _Wild(m, back)
                step = (_SEARCH, w.rx.search, w.length) if w.rx is not None else (_WILD, w.find, w.length)
            made[m] = step
        steps.append(step)
    h = _Wild(segs[0], back) if "_" in segs[0] else None
    t = _Wild(segs[-1], back) if "_" in segs[-1] else None
    head = "" if h else _literal(segs[0], back)  # literal ends: startswith / endswith
    tail = "" if t else _literal(segs[-1], back)
    hlen = h.length if h else len(head)
    tlen = t.length if t else len(tail)
    least = hlen + tlen + sum(size for _, _, size in steps)

    def match(x: str) -> bool:
        n = len(x)
        if n < least or not x.startswith(head) or not x.endswith(tail):
            return False
        if h is not None and not h.at(x, 0):
            return False
        pos, end = hlen, n - tlen
        for kind, how, size in steps:
            if kind == _FIND:
                i = x.find(how, pos, end)
            elif kind == _SKIP:  # a run of "_" alone: any characters
                i = pos if pos + size <= end else -1
            elif kind == _SEARCH:
                found = how(x, pos, end)
                i = -1 if found is None else found.start()
            else:
                i = how(x, pos, end)
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


# A score compared with `equals`/`not-equals` and an integer text compares as that integer
# (semantics.md §3: upstream converts "05", "+5", "-3" to Int64); ASCII digits only.
_SCORE_INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def score_integer(text: object) -> int | None:
    """The integer a score's equality compares with, or None when ``text`` is not an integer text."""
    return int(text) if isinstance(text, str) and _SCORE_INTEGER.fullmatch(text) else None
