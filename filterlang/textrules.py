"""Text rules every backend shares: ASCII case folding and LIKE patterns (semantics.md §3).

The evaluator and the SQL compiler must decide these identically, so they live here once
and both import them; nothing else in the package parses a LIKE pattern.
"""

from __future__ import annotations

import re

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


def like_tokens(pattern: str) -> list[LikeToken]:
    """Tokenise a LIKE pattern: ``%`` any run, ``_`` one character, ``\\`` escapes the next.

    A trailing lone backslash is a literal backslash (Postgres would reject it, so the
    SQL side re-emits canonical patterns, see :func:`canonical_like`).
    """
    out: list[LikeToken] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i + 1] if i + 1 < n else "\\")
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
            parts.append("\\" + t if t in "%_\\" else t)
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
    esc = "".join("\\" + c if c in "%_\\" else c for c in ascii_fold(value))
    return f"%{esc}%"


def like_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    for t in like_tokens(pattern):
        if t is ANY:
            parts.append(".*")
        elif t is ONE:
            parts.append(".")
        else:
            assert isinstance(t, str)
            parts.append(re.escape(t))
    return re.compile("".join(parts), re.DOTALL)
