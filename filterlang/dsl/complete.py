"""Completion at a cursor: what may come next, read off the LALR state there.

The text before the cursor is lexed and parsed with Lark's own parse table for
``grammar/filter.lark`` (the same table the parser runs on), keeping only the state
stack and, per stack entry, which tokens it covers. At the cursor, each terminal the
state's row mentions is tried by *simulating* the reductions it would cause on a copy
of the stack: LALR rows name lookaheads that a merged state never really allows, and
only a terminal that ends in a shift is valid. That costs a few dictionary lookups per
terminal, where Lark's ``accepts()`` copies the whole parser for every try.

The valid terminals say which *kind* of thing comes next (a field, an operator, a
value, a connective, a closing bracket); the stack says the field being compared, so
operators and values are narrowed by the field's facts from ``filterlang.fields``. Which
operator spellings a field kind allows is not restated here: it is measured once by
asking :func:`filterlang.parse` (one implementation of the language's type rules).

A word under the cursor is the prefix being typed: candidates are kept when they start
with it or are close to it (a typo), and ranked that way. With a data ``source``, map
keys and text values come from the data, most frequent first (:class:`Vocabulary`).
"""

from __future__ import annotations

import difflib
import os
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import FilterError
from ..fields import FIELDS, FIELDS_BY_TABLE, MAP_FIELDS, TABLES, Field, Kind
from ..limits import DEFAULT_LIMITS, check_length
from .syntax import KEYWORDS

SuggestionKind = Literal["field", "key", "operator", "value", "keyword"]
END = "$END"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One completion: insert ``text`` in place of ``text[start:end]`` of the input.

    Offsets count code points (Python string indices); ``detail`` is a short hint for
    display (a field's kind, "from data"), never needed to apply the suggestion.
    """

    kind: SuggestionKind
    text: str
    start: int
    end: int
    detail: str = ""


# ---------------------------------------------------------------- Lark's table, lexed per state


class _Table:
    """Lark's parse table and terminals for the grammar, in the shapes this module needs."""

    def __init__(self) -> None:
        from lark import Lark
        from lark.parsers.lalr_analysis import Shift

        grammar = resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")
        lark = Lark(grammar, parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)
        table = lark.parser.parser.parser.parse_table
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
        # state -> symbol -> int (shift/goto target) or (rule size, rule name) for a reduce
        self.rows: dict[int, dict[str, int | tuple[int, str]]] = {
            state: {
                sym: (arg if action is Shift else (len(arg.expansion), arg.origin.name))
                for sym, (action, arg) in row.items()
            }
            for state, row in table.states.items()
        }
        # Every LR state is entered by one symbol: the stack's symbols are read off its states.
        self.symbol: dict[int, str] = {}
        for row in self.rows.values():
            for sym, act in row.items():
                if act.__class__ is int:
                    assert self.symbol.setdefault(act, sym) == sym  # type: ignore[call-overload]
        conf = lark.lexer_conf
        terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        self.ignore: set[str] = set(conf.ignore)
        self.patterns: dict[str, str] = {t.name: t.pattern.to_regexp() for t in terms}
        self.order: list[str] = [t.name for t in terms]
        # Keywords: terminals that match their own name as a word (`AND` matches `and`);
        # the grammar makes them whole words and NAME refuses them.
        self.keywords: dict[str, str] = {
            t.name.lower(): t.name
            for t in terms
            if t.name.isalpha() and t.name != "NAME" and re.fullmatch(self.patterns[t.name], t.name.lower(), re.I)
        }
        self.keyword_types: frozenset[str] = frozenset(self.keywords.values())
        self.terminals: dict[int, tuple[str, ...]] = {
            state: tuple(s for s in row if s.isupper() or s == END) for state, row in self.rows.items()
        }
        # Per state, its lexer, compiled on first use (a list indexed by state number).
        self.scanners: list[re.Pattern[str] | None] = [None] * (max(self.rows) + 1)

    def scanner(self, state: int) -> re.Pattern[str]:
        """Lexer of one state: optional ignored text, then one acceptable terminal (or nothing)."""
        sc = self.scanners[state]
        if sc is None:
            acceptable = set(self.terminals[state])
            names = [n for n in self.order if n in acceptable]
            skip = "|".join(f"(?:{self.patterns[n]})" for n in self.order if n in self.ignore)
            body = "|".join(f"(?P<{n}>{self.patterns[n]})" for n in names)
            sc = self.scanners[state] = re.compile(f"(?:{skip})*(?:{body})?")
        return sc

    def step(self, stack: list[int], firsts: list[int], term: str, index: int) -> bool:
        """Feed terminal ``term`` (token number ``index``): its reductions, then its shift.

        ``firsts`` holds, per stack entry above the start state, the index of its first
        token (an entry covers the tokens up to the next entry's first): plain ints, so the
        loop stays cheap on a megabyte of text. False when the state has no action.
        """
        rows = self.rows
        while True:
            act = rows[stack[-1]].get(term)
            if act is None:
                return False
            if act.__class__ is int:
                stack.append(act)  # type: ignore[arg-type]
                firsts.append(index)
                return True
            size, name = act  # type: ignore[misc]
            first = firsts[-size]
            del stack[-size:]
            del firsts[-size:]
            stack.append(rows[stack[-1]][name])  # type: ignore[arg-type]
            firsts.append(first)

    def accepts(self, stack: list[int], term: str) -> bool:
        """Would ``term`` be shifted (or accepted, for the end) after the reductions it causes?"""
        rows = self.rows
        s = list(stack)
        while True:
            if term == END and s[-1] == self.end:
                return True
            act = rows[s[-1]].get(term)
            if act is None:
                return False
            if act.__class__ is int:
                return True
            size, name = act  # type: ignore[misc]
            del s[-size:]
            s.append(rows[s[-1]][name])  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table()


# ---------------------------------------------------------------- facts measured once

# Canonical operator spellings offered, in the order a menu shows them.
_OPERATORS = (
    "=",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "~",
    "~*",
    "contains",
    "not contains",
    "in",
    "not in",
    "between",
    "not between",
    "is null",
    "is not null",
)
_SAMPLE_FIELD: dict[Kind, str] = {
    Kind.TEXT: "model",
    Kind.MAP: 'properties["k"]',
    Kind.NUMBER: "cost",
    Kind.TIMESTAMP: "request_created_at",
    Kind.BOOLEAN: "threat",
    Kind.PROPERTY_KEY: "property_key",
}
_SAMPLE_VALUE: dict[Kind, str] = {
    Kind.TEXT: '"a"',
    Kind.MAP: '"a"',
    Kind.NUMBER: "1",
    Kind.TIMESTAMP: '"2026-01-01T00:00:00Z"',
    Kind.BOOLEAN: "true",
    Kind.PROPERTY_KEY: '"a"',
}


@cache
def operators_for(kind: Kind) -> tuple[str, ...]:
    """The operator spellings the language accepts on a field of ``kind``, asked of the parser."""
    from .parser import parse

    field_text, value = _SAMPLE_FIELD[kind], _SAMPLE_VALUE[kind]
    out = []
    for op in _OPERATORS:
        if op.startswith("is"):
            probe = f"{field_text} {op}"
        elif op.endswith(" in") or op == "in":
            probe = f"{field_text} {op} ({value})"
        elif op.endswith("between"):
            probe = f"{field_text} {op} {value} and {value}"
        else:
            probe = f"{field_text} {op} {value}"
        try:
            parse(probe)
        except FilterError:
            continue
        out.append(op)
    return tuple(out)


@cache
def _null_allowed(kind: Kind) -> bool:
    from .parser import parse

    try:
        parse(f"{_SAMPLE_FIELD[kind]} = null")
    except FilterError:
        return False
    return True


_DURATIONS = ("7d", "1d", "1h", "30m", "1w")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _field_text(f: Field) -> str:
    return f.name if _IDENT.match(f.name) and f.name.lower() not in KEYWORDS else f"`{f.name}`"


def _quote(value: str) -> str:
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return f'"{out}"'


# ---------------------------------------------------------------- data vocabulary


@dataclass
class Vocabulary:
    """Text values and map keys seen in data, most frequent first.

    Built once per data source (bounded by rows and time) and reused by every completion,
    so a keystroke never scans data.
    """

    values: dict[str, list[str]] = field(default_factory=dict)  # text field -> values
    keys: dict[str, list[str]] = field(default_factory=dict)  # map field -> keys
    map_values: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (map, key) -> values

    @classmethod
    def from_rows(
        cls, rows: Iterable[Mapping[str, Any]], *, max_rows: int = 20_000, budget: float = 0.25, top: int = 50
    ) -> Vocabulary:
        """Count values in at most ``max_rows`` rows or ``budget`` seconds, whichever ends first."""
        text_fields = [f.name for f in FIELDS_BY_TABLE[TABLES[0]].values() if f.kind is Kind.TEXT]
        values: dict[str, Counter[str]] = {n: Counter() for n in text_fields}
        keys: dict[str, Counter[str]] = {n: Counter() for n in MAP_FIELDS}
        map_values: dict[tuple[str, str], Counter[str]] = {}
        deadline = time.perf_counter() + budget
        for i, row in enumerate(rows):
            if i >= max_rows or (i % 256 == 0 and time.perf_counter() > deadline):
                break
            for name in text_fields:
                v = row.get(name)
                if isinstance(v, str) and 0 < len(v) <= 100:
                    values[name][v] += 1
            for name in MAP_FIELDS:
                m = row.get(name)
                if isinstance(m, str) and m.startswith("{"):  # CSV/JSON text form of a map
                    import json

                    try:
                        m = json.loads(m)
                    except ValueError:
                        m = None
                items = m.items() if isinstance(m, Mapping) else m if isinstance(m, list) else ()
                for item in items:
                    if not (isinstance(item, tuple | list) and len(item) == 2):
                        continue
                    k, v = item
                    if not isinstance(k, str):
                        continue
                    keys[name][k] += 1
                    if v is not None and len(str(v)) <= 100:
                        map_values.setdefault((name, k), Counter())[str(v)] += 1
        return cls(
            {n: [v for v, _ in c.most_common(top)] for n, c in values.items() if c},
            {n: [k for k, _ in c.most_common(top)] for n, c in keys.items() if c},
            {nk: [v for v, _ in c.most_common(top)] for nk, c in map_values.items()},
        )

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, max_rows: int = 20_000, budget: float = 0.25) -> Vocabulary:
        """The first ``max_rows`` rows of a Parquet/CSV/JSONL file, read with DuckDB."""
        p = Path(path).resolve()
        st = p.stat()
        return _vocabulary_of_file(str(p), st.st_mtime_ns, st.st_size, max_rows, budget)


@lru_cache(maxsize=8)
def _vocabulary_of_file(path: str, _mtime: int, _size: int, max_rows: int, budget: float) -> Vocabulary:
    return _vocabulary_of_table(path, max_rows, budget)


def _vocabulary_of_table(source: Any, max_rows: int, budget: float) -> Vocabulary:
    """Counted by DuckDB, one column at a time over the first ``max_rows`` rows (a column
    scan, not rows through Python), until ``budget`` seconds have passed. ``source``: a
    file path or an Arrow/pandas/polars table (as :func:`filterlang.overview` takes them)."""
    import duckdb

    from ..metrics.sources import duckdb_relation, quote_duckdb_ident, resolve

    con = duckdb.connect()
    try:
        src = resolve(source)
        duckdb_relation(con, src, required=())
        deadline = time.perf_counter() + budget
        vocab = Vocabulary()
        for f in FIELDS_BY_TABLE[TABLES[0]].values():
            if f.name not in src.columns or f.kind not in (Kind.TEXT, Kind.MAP):
                continue
            if time.perf_counter() > deadline:
                break
            col = quote_duckdb_ident(f.name)
            head = f"(SELECT {col} AS c FROM requests LIMIT {int(max_rows)})"
            if f.kind is Kind.TEXT:
                rows = con.execute(
                    f"SELECT c, count(*) AS n FROM {head} WHERE length(c) BETWEEN 1 AND 100 "
                    "GROUP BY c ORDER BY n DESC, c LIMIT 50"
                ).fetchall()
                if rows:
                    vocab.values[f.name] = [r[0] for r in rows]
                continue
            pairs = con.execute(
                "SELECT k, CAST(v AS VARCHAR) AS v, count(*) AS n FROM "
                f"(SELECT unnest(map_keys(c)) AS k, unnest(map_values(c)) AS v FROM {head}) "
                "WHERE length(CAST(v AS VARCHAR)) <= 100 GROUP BY k, v ORDER BY n DESC, k, v LIMIT 5000"
            ).fetchall()
            key_count: Counter[str] = Counter()
            for k, v, n in pairs:
                key_count[k] += n
                seen = vocab.map_values.setdefault((f.name, k), [])
                if v is not None and len(seen) < 50:
                    seen.append(v)
            if key_count:
                vocab.keys[f.name] = [k for k, _ in key_count.most_common(50)]
        return vocab
    finally:
        con.close()


def vocabulary(source: Any) -> Vocabulary:
    """A :class:`Vocabulary` from what :func:`filterlang.overview` reads: a file path, an
    iterable of row mappings, an Arrow/pandas/polars table; or one already built."""
    if isinstance(source, Vocabulary):
        return source
    if isinstance(source, str | os.PathLike):
        return Vocabulary.from_path(source)
    if isinstance(source, list | tuple) or (isinstance(source, Iterable) and not hasattr(source, "columns")):
        return Vocabulary.from_rows(source)
    return _vocabulary_of_table(source, 20_000, 0.25)


# ---------------------------------------------------------------- ranking


def _edits(a: str, b: str) -> int:
    """Optimal-string-alignment distance (an adjacent swap is one edit), for short words."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _typo_edits(prefix: str, candidate: str) -> int:
    """Edits from a typed prefix to the candidate or its start of the same length."""
    return min(_edits(prefix, candidate[: len(prefix)]), _edits(prefix, candidate))


def _score(prefix: str, candidate: str, fuzzy: bool) -> tuple[int, float] | None:
    """Rank of a candidate for a typed ``prefix``; a prefix longer than any candidate fits none
    (checked before the memo, so a megabyte of typing is neither compared nor kept)."""
    if len(prefix) > len(candidate) + 2:
        return None
    return _score_fit(prefix, candidate, fuzzy)


@lru_cache(maxsize=4096)
def _score_fit(prefix: str, candidate: str, fuzzy: bool) -> tuple[int, float] | None:
    """Rank of a candidate for a typed ``prefix`` (lower is better), None when it does not fit.

    Groups: starts with the prefix (shorter first: the prefix says more of it), contains
    it, is a typo of it (fewer edits first).
    """
    if not prefix:
        return (0, 0)
    p, c = prefix.lower(), candidate.lower()
    if c.startswith(p):
        return (0, -1.0) if c == p else (0, len(c))
    if p in c and len(p) >= 2:
        return (1, len(c))
    if fuzzy and len(p) >= 3:
        # Short words allow only swapped letters (`adn` -> `and`, but `mod` is not `nod`).
        edits = _typo_edits(p, c)
        if (edits <= 1 and sorted(p) == sorted(c[: len(p)])) or (len(p) > 3 and edits <= max(1, len(p) // 5)):
            return (2, edits)
    return None


# ---------------------------------------------------------------- the cursor's context


@dataclass(slots=True)
class _Context:
    stack: list[int]
    firsts: list[int]  # per stack entry above the start state: its first token's index
    tokens: list[tuple[str, str, int, int]]
    prefix: str  # the partial token's text before the cursor ("" when none)
    start: int  # where a suggestion's replacement starts
    end: int  # and ends
    open_string: bool  # the partial token is an unclosed string
    partial: tuple[str, str, int, int] | None = None  # the partial token, when it lexed as one

    def spans(self) -> list[tuple[str, int, int]]:
        """(symbol, first token, end token) per stack entry above the start state."""
        symbol, firsts, n = _table().symbol, self.firsts, len(self.tokens)
        return [
            (symbol[state], firsts[i], firsts[i + 1] if i + 1 < len(firsts) else n)
            for i, state in enumerate(self.stack[1:])
        ]


_WORDY = frozenset({"NAME", "BQNAME", "NUMBER", "DURATION"})
_WORD = re.compile(r"[^\s()\[\],\"'`]*")
_SPACE = re.compile(r"\s")


def _context(text: str, cursor: int) -> _Context | None:
    """Lex and parse ``text`` up to the cursor; None when the text before it is not valid."""
    t = _table()
    stack = [t.start]
    firsts: list[int] = []
    tokens: list[tuple[str, str, int, int]] = []
    pos = 0
    keyword_types, rows, scanners = t.keyword_types, t.rows, t.scanners
    while True:
        state = stack[-1]
        sc = scanners[state] or t.scanner(state)
        m = sc.match(text, pos)
        assert m is not None  # every part of the pattern is optional
        kind = m.lastgroup
        skip_end = m.start(kind) if kind else m.end()
        if skip_end >= cursor or (kind is None and skip_end >= len(text)):
            hash_at = text.rfind("#", pos, cursor)
            if hash_at >= 0 and "\n" not in text[hash_at:cursor]:
                return None  # the cursor sits in a comment
            return _Context(stack, firsts, tokens, "", cursor, cursor, False)
        if kind is None:
            # Nothing acceptable here: a partial token being typed, or an error before the cursor.
            frag = text[skip_end:cursor]
            if frag[:1] in "\"'" and "\n" not in frag:
                return _Context(stack, firsts, tokens, frag, skip_end, cursor, True)
            word = _WORD.match(text, skip_end)
            assert word is not None
            if not _SPACE.search(frag) and word.end() >= cursor:
                return _Context(stack, firsts, tokens, frag, skip_end, word.end(), False)
            return None
        start, end = skip_end, m.end()
        value = m.group(kind)
        if end >= cursor:
            if kind in _WORDY or kind in keyword_types:
                return _Context(stack, firsts, tokens, text[start:cursor], start, end, False, (kind, value, start, end))
            if kind == "STRING" and end > cursor:  # the cursor is inside a closed string
                return _Context(stack, firsts, tokens, text[start:cursor], start, end, True)
        tokens.append((kind, value, start, end))
        act = rows[state].get(kind)
        if act.__class__ is int:  # a plain shift, the common case, inline
            stack.append(act)  # type: ignore[arg-type]
            firsts.append(len(tokens) - 1)
        elif not t.step(stack, firsts, kind, len(tokens) - 1):
            return None
        pos = end


# Stack symbols that are part of a field reference still being written.
_FIELD_PARTS = frozenset({"NAME", "BQNAME", "name", "key", "DOT", "LSQB", "RSQB"})
_NAMES = frozenset({"NAME", "BQNAME", "name"})


def _closes_search(symbol: str) -> bool:
    """A nonterminal other than a comparison's own parts: an expression already complete."""
    return symbol[0].islower() and symbol not in ("value", "value_list") and not symbol.startswith("__value_list")


_OP_WORDS = frozenset({"NOT", "IS"})
_OP_TOKENS = frozenset({"SYMOP", "LIKE", "ILIKE", "CONTAINS", "IN", "BETWEEN", "IS", "NOT"})


def _resolve_field(parts: list[str]) -> tuple[Field | None, str | None]:
    """The field named by dotted ``parts`` (table-qualified or not) and its map key, or the closest field."""
    if parts and parts[0] in FIELDS_BY_TABLE and len(parts) > 1:
        parts = parts[1:]
    if not parts:
        return None, None
    name = parts[0]
    f = FIELDS.get(name)
    if f is None:
        near = difflib.get_close_matches(name, list(FIELDS), n=1, cutoff=0.6)
        f = FIELDS[near[0]] if near else None
    key = parts[1] if len(parts) > 1 else None
    return f, key


def _field_of(ctx: _Context, first: int, last: int) -> tuple[Field | None, str | None]:
    parts: list[str] = []
    key: str | None = None
    for kind, value, _s, _e in ctx.tokens[first:last]:
        if kind == "BQNAME":
            parts.append(value[1:-1])
        elif kind == "STRING":
            key = _unquote(value)
        elif kind not in ("DOT", "LSQB", "RSQB"):
            parts.append(value)  # a NAME, or a keyword used as a map key after `.`
    f, k = _resolve_field(parts)
    return f, key if key is not None else k


_ESCAPED = re.compile(r"\\(.)")


def _unquote(s: str) -> str:
    body = s[1:-1] if len(s) >= 2 and s[-1] == s[0] else s[1:]
    return _ESCAPED.sub(r"\1", body) if "\\" in body else body


# ---------------------------------------------------------------- suggestions


def complete(text: str, cursor: int | None = None, *, source: Any = None) -> list[Suggestion]:
    """Ranked suggestions for what may be typed at ``cursor`` (default: the end of ``text``).

    ``source``: data to draw map keys and text values from: a file path, an iterable of
    row mappings, or a :class:`Vocabulary` (build one with :func:`vocabulary` to reuse it).
    An empty list when nothing can follow (or the text before the cursor is not valid).
    """
    if cursor is None:
        cursor = len(text)
    if not 0 <= cursor <= len(text):
        raise ValueError(f"cursor {cursor} is outside the text (0..{len(text)})")
    check_length(DEFAULT_LIMITS, text, "the filter")
    ctx = _context(text, cursor)
    if ctx is None:
        return []
    vocab = vocabulary(source) if source is not None else None
    out = _suggest(ctx, vocab)
    tok = ctx.partial
    if tok is not None and tok[3] == cursor and not (tok[0] == "NAME" and tok[1] not in FIELDS and not _after_dot(ctx)):
        # The word before the cursor may already be complete (`all|`, `model|`): what may
        # follow it directly, without a space (`)`, `=`), comes after its own completions.
        t = _table()
        after = _Context(list(ctx.stack), list(ctx.firsts), [*ctx.tokens, tok], "", cursor, cursor, False)
        if t.step(after.stack, after.firsts, tok[0], len(after.tokens) - 1):
            seen = {(s.kind, s.text) for s in out}
            out += [s for s in _suggest(after, vocab) if not _WORD_START.match(s.text) and (s.kind, s.text) not in seen]
    return out


def _after_dot(ctx: _Context) -> bool:
    return bool(ctx.tokens) and ctx.tokens[-1][0] == "DOT"


_WORD_START = re.compile(r"[A-Za-z0-9_`\"']")


def _suggest(ctx: _Context, vocab: Vocabulary | None) -> list[Suggestion]:
    """Candidates valid in the parser state of ``ctx``, narrowed and ranked by its prefix."""
    t = _table()
    valid = [term for term in t.terminals[ctx.stack[-1]] if t.accepts(ctx.stack, term)]
    # kind, text, detail, fuzzy (typos count), start, what the typed prefix is compared with
    cands: list[tuple[SuggestionKind, str, str, bool, int, str]] = []
    start = ctx.start
    spans = ctx.spans()

    # Trailing stack entries that belong to a field reference being written (its
    # comparison is not started yet, so Lark has not reduced it to `field`).
    i = len(spans)
    while i > 0 and (
        spans[i - 1][0] in _FIELD_PARTS
        or (spans[i - 1][0] == "STRING" and i > 1 and spans[i - 2][0] == "LSQB")
        or (spans[i - 1][0] in t.keyword_types and i > 1 and spans[i - 2][0] == "DOT")  # `properties.now`
    ):
        i -= 1
    while i < len(spans) and spans[i][0] not in _NAMES:
        i += 1
    field_parts = spans[i:]
    f: Field | None = None
    key: str | None = None
    after_field: list[tuple[str, int, int]] = []
    after_tokens: list[tuple[str, str, int, int]] = []
    if field_parts:
        f, key = _field_of(ctx, field_parts[0][1], field_parts[-1][2])
    else:
        # The nearest `field` below the top: the comparison being written. Any earlier
        # comparison is complete, so Lark has reduced it to an expression symbol.
        fi = len(spans) - 1
        while fi >= 0 and spans[fi][0] != "field" and not _closes_search(spans[fi][0]):
            fi -= 1
        if fi >= 0 and spans[fi][0] == "field":
            f, key = _field_of(ctx, spans[fi][1], spans[fi][2])
            after_field = spans[fi + 1 :]
            after_tokens = ctx.tokens[spans[fi][2] :]

    def add(
        kind: SuggestionKind, text_: str, detail: str = "", fuzzy: bool = False, at: int | None = None, match: str = ""
    ) -> None:
        cands.append((kind, text_, detail, fuzzy, start if at is None else at, match or text_))

    # Field names, or the parts after a table / map name.
    if ("NAME" in valid or "BQNAME" in valid) and not (
        field_parts and field_parts[-1][0] in ("NAME", "BQNAME", "name")
    ):
        head = [v for k, v, _s, _e in ctx.tokens[field_parts[0][1] :] if k in ("NAME", "BQNAME")] if field_parts else []
        if head and head[0] in FIELDS_BY_TABLE and len(head) == 1:
            for fd in FIELDS_BY_TABLE[head[0]].values():
                add("field", _field_text(fd), fd.kind.value, True)
        elif head:
            mf, _ = _resolve_field(head)
            if mf is not None and mf.kind is Kind.MAP and vocab is not None:
                dot = ctx.tokens[field_parts[-1][1]][2]
                for k in vocab.keys.get(mf.name, ()):
                    if _IDENT.match(k) and k.lower() not in KEYWORDS:
                        add("key", k, "key from data")
                    else:
                        add("key", f"[{_quote(k)}]", "key from data", at=dot, match=k)
        else:
            for fd in FIELDS.values():
                add("field", _field_text(fd), fd.kind.value, True)
    if "STRING" in valid and field_parts and field_parts[-1][0] == "LSQB":
        head = [v for k, v, _s, _e in ctx.tokens[field_parts[0][1] :] if k in ("NAME", "BQNAME")]
        mf, _ = _resolve_field(head)
        if mf is not None and vocab is not None:
            for k in vocab.keys.get(mf.name, ()):
                add("key", _quote(k), "key from data")
    # A map field named without its key: offer the keys right after it.
    if (
        f is not None
        and f.kind is Kind.MAP
        and key is None
        and field_parts
        and field_parts[-1][0] in _NAMES
        and vocab is not None
    ):
        fend = ctx.tokens[field_parts[-1][2] - 1][3]
        for k in vocab.keys.get(f.name, ()):
            add("key", f".{k}" if _IDENT.match(k) and k.lower() not in KEYWORDS else f"[{_quote(k)}]", "key", at=fend)
    # Operators after a field (with `not` / `is` already typed, the rest of the spelling).
    if f is not None and set(valid) & (_OP_TOKENS | {"NULL"}) and all(s[0] in _OP_WORDS for s in after_field):
        typed = " ".join(tok[1].lower() for tok in after_tokens)
        for op in operators_for(f.kind):
            if f.kind is Kind.MAP and key is None:
                break
            if not typed:
                add("operator", op, f.kind.value)
            elif op.startswith(typed + " "):
                add("operator", op[len(typed) + 1 :], f.kind.value)
    # Values.
    value_terms = {"STRING", "NUMBER", "TRUE", "FALSE", "NULL", "NOW"}
    if f is not None and value_terms & set(valid) and after_field and after_tokens[0][0] != "IS":
        op_words = []
        for tok in after_tokens:
            if tok[0] not in _OP_TOKENS:
                break
            op_words.append(tok[1].lower())
        op = " ".join(op_words)
        listed: set[str] = set()
        kind = f.value_kind
        if kind is Kind.BOOLEAN:
            add("value", "true", "boolean")
            add("value", "false", "boolean")
        elif kind is Kind.TIMESTAMP:
            add("value", "now - 7d", "relative time")
            add("value", "now - 1d", "relative time")
            add("value", "now", "relative time")
            midnight = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z")
            add("value", f'"{midnight}"', "RFC 3339")
        elif kind is Kind.TEXT:
            seen: list[str] = []
            if vocab is not None:
                if f.kind is Kind.MAP and key is not None:
                    seen = vocab.map_values.get((f.name, key), [])
                elif f.kind is Kind.PROPERTY_KEY:
                    seen = vocab.keys.get("properties", [])
                else:
                    seen = vocab.values.get(f.name, [])
            if seen:  # values already in an `in (...)` list are not offered again
                listed = {_unquote(tok[1]) for tok in after_tokens if tok[0] == "STRING"}
            for v in seen:
                if v not in listed:
                    add("value", _quote(v), "from data")
            if ctx.open_string and ctx.prefix:
                body = ctx.prefix[1:]
                add(
                    "value",
                    ctx.prefix + ctx.prefix[0] if not body.endswith("\\") else ctx.prefix + "\\" + ctx.prefix[0],
                )
            elif not seen:
                add("value", '""', "text")
            if op in ("=", "==", "!=", "<>") and _null_allowed(f.kind):
                add("value", "null", "no value")
    if "SIGN" in valid:
        add("value", "- 7d", "relative time")
        add("value", "- 1d", "relative time")
        add("value", "- 1h", "relative time")
    if "DURATION" in valid:
        for d in _DURATIONS:
            add("value", d, "duration")
    # Connectives, `not`, brackets.
    for term, word, fuzzy in (
        ("NOT", "not", True),
        ("LPAR", "(", False),
        ("ALL", "all", True),
        ("AND", "and", True),
        ("OR", "or", True),
        ("COMMA", ",", False),
        ("RPAR", ")", False),
        ("RSQB", "]", False),
    ):
        if field_parts and field_parts[-1][0] in ("DOT", "LSQB"):
            break  # after `.` a keyword is a map key (offered above), not a connective
        if (
            term in valid
            and not (term == "NOT" and (f is not None or field_parts))
            and not (term == "LPAR" and f is not None)
        ):
            add("keyword", word, "", fuzzy)
    return _rank(cands, ctx)


def _rank(cands: list[tuple[SuggestionKind, str, str, bool, int, str]], ctx: _Context) -> list[Suggestion]:
    """Drop candidates that do not fit the typed prefix; order the rest by fit, then as offered."""
    prefix = ctx.prefix
    scored: list[tuple[tuple[int, float], int, Suggestion]] = []
    seen: set[tuple[str, str]] = set()
    for order, (kind, text, detail, fuzzy, start, match) in enumerate(cands):
        if (kind, text) in seen:
            continue
        seen.add((kind, text))
        fit: tuple[int, float] | None = (0, 0)
        if prefix and prefix[:1] in "\"'":  # a string being typed: compare contents; data order stays
            fit = _score(prefix[1:], match[1:], False) if match[:1] in "\"'" else None
            fit = None if fit is None else (fit[0], 0)
        elif prefix:
            fit = _score(prefix, match.strip("`"), fuzzy)
        if fit is None:
            continue
        scored.append((fit, order, Suggestion(kind, text, start, ctx.end, detail)))
    scored.sort(key=lambda x: (x[0], x[1]))
    return [s for _, _, s in scored]
