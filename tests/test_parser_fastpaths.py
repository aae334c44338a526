"""The parser's fast paths must not change what a parse returns or how it fails.

The hot path (token tuples, folded shifts, the shape-replay trie, lowering inside the
reduce callbacks, the second-sighting memos, prototype leaves, the fromisoformat fast
path of timestamp checks) was rewritten for speed. Every test here compares a fast path
with the slow computation it replaces, so a divergence shows up as a failing input
instead of as a subtly different error message in production. Differential runs against
the previous implementation (commit 31d08e2) found the regressions pinned below.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st

import filterlang as fl
from filterlang import timefmt
from filterlang.dsl import lalr
from filterlang.dsl import parser as P
from filterlang.fields import FIELDS, OP_ATTR, Kind
from filterlang.nodes import OPS_MODELS, TABLE_MODELS, FilterLeaf, construct, leaf_of, shape

NOW = "2026-01-01T00:00:00Z"


# ---------------------------------------------------------------- helpers


class _TablesOnly(lalr.Driver):
    """The driver without the shape trie: every parse walks the LALR tables."""

    def parse(self, text: str, builder: Any) -> Any:
        return self._drive(text, builder, None, False)


def _fresh(cls: type[lalr.Driver] = lalr.Driver) -> lalr.Driver:
    return cls(P._lark(), P._Builder)


def _outcome(text: str, limits: fl.Limits = fl.DEFAULT_LIMITS) -> tuple[Any, ...]:
    """Everything a caller can observe of one uncached parse."""
    try:
        node, used_now = P._parse_uncached(text, NOW, limits)
    except fl.FilterError as exc:
        return (
            type(exc).__name__,
            str(exc),
            exc.line,
            exc.column,
            getattr(exc, "end_column", None),
            getattr(exc, "limit", None),
            getattr(exc, "value", None),
        )
    return ("ok", json.dumps(fl.to_json(node)), used_now)


def _with_driver(mp: pytest.MonkeyPatch, driver: lalr.Driver) -> None:
    mp.setattr(P, "_driver", lambda: driver)


# The shared token vocabulary plus adversarial extras (case variants, escapes, keyword map keys).
VOCAB = [
    *S.TOKEN_VOCAB,
    "cached",
    "scores",
    "users_view",
    "property_key",
    "`model`",
    "`x",
    "properties.and",
    "properties.or",
    "properties.`a b`",
    '"\\q"',
    '"\\u00e9"',
    '"\\ud83d\\ude00"',
    '"\\ud800"',
    '"日本"',
    '"2026-01-01"',
    "1e999",
    "-0.0",
    "==",
    ">=",
    "<",
    "!~",
    "like",
    "ilike",
    "AND",
    "Or",
    "false",
    "+",
    "1w",
    "2x",
    "# c\n",
    "\n",
    "$",
    "é",
    "android",
    "notable",
]
FIELDS_SAMPLE = [
    "model",
    "status",
    "user_cost",
    "properties.env",
    "properties.and",
    'properties["a b"]',
    "scores.s",
    "request_created_at",
    "cached",
    "`helicone-score-feedback`",
    "users_view.user_cost",
    "request_response_rmt.model",
    "property_key",
]
OPS = ["=", "!=", ">", ">=", "<", "<=", "~", "~*", "like", "ilike", "contains", "not contains", "not like"]
VALUES = [
    '"a"',
    "'b'",
    "5",
    "-2.5",
    "true",
    "null",
    "now",
    "now - 7d",
    "now + 1h - 30s",
    '"2026-01-01T00:00:00Z"',
    '"x\\ty"',
    '"\\u00e9"',
    "foo",
]


def _corpus(seed: int, n: int) -> list[str]:
    """Token soup and near-valid filters (with random one-character damage)."""
    r = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [r.choice(VOCAB) + r.choice([" ", " ", "", "\n", "  "]) for _ in range(r.randint(1, 10))]
        out.append("".join(parts).strip())

    def comparison() -> str:
        f, x = r.choice(FIELDS_SAMPLE), r.random()
        if x < 0.1:
            return f + " in (" + ", ".join(r.choice(VALUES) for _ in range(r.randint(1, 4))) + ")"
        if x < 0.15:
            return f + " between " + r.choice(VALUES) + " and " + r.choice(VALUES)
        if x < 0.2:
            return f + " is " + r.choice(["null", "not null"])
        return f + " " + r.choice(OPS) + " " + r.choice(VALUES)

    def expr(d: int = 0) -> str:
        x = r.random()
        if d > 3 or x < 0.4:
            return comparison()
        if x < 0.55:
            return "not " + expr(d + 1)
        if x < 0.7:
            return "(" + expr(d + 1) + ")"
        return expr(d + 1) + r.choice([" and ", " or ", " AND ", "\nor ", " and # c\n "]) + expr(d + 1)

    for _ in range(n):
        t = expr()
        if r.random() < 0.3:
            i = r.randint(0, len(t))
            t = t[:i] + r.choice(["", ")", "(", '"', " and", ",", "5", "x", "#", "\\"]) + t[i + 1 :]
        out.append(t)
    return out


# ---------------------------------------------------------------- regression: folded shifts lex in the shifted state


@pytest.mark.parametrize(
    ("text", "message", "line", "column", "end_column"),
    [
        (
            'model = "a",',
            'unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `"a"`',
            1,
            12,
            13,
        ),
        ("status = 5 ,", "unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `5`", 1, 12, 13),
        (
            "cached = true,",
            "unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `true`",
            1,
            14,
            15,
        ),
        ("status between 1 )", "unexpected `)`: expected `and` or `or` after `1`", 1, 18, 19),
        ("status between 1 ,", "unexpected `,`: expected `and` or `or` after `1`", 1, 18, 19),
        (
            'model = "a" #c\n,',
            'unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `"a"`',
            2,
            1,
            2,
        ),
        (
            "(status = 1.5,)",
            "unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `1.5`",
            1,
            14,
            15,
        ),
        (
            'properties.and = "x",',
            'unexpected `,`: expected the end of the filter, `and` or `or` or `)` after `"x"`',
            1,
            21,
            22,
        ),
    ],
)
def test_token_after_a_folded_value_is_lexed_as_before(
    text: str, message: str, line: int, column: int, end_column: int
) -> None:
    """A shift that takes `value -> STRING` at once must still lex the next token with the
    shifted state's lexer: the state after the goto allows fewer terminals, and lexing
    there turned `model = "a",` from "unexpected `,`" (a token, with a caret under it)
    into "unexpected character `,`" (found by diffing against commit 31d08e2)."""
    with pytest.MonkeyPatch.context() as mp:
        _with_driver(mp, _fresh())
        for _ in range(3):  # first sighting, learning run, replay
            with pytest.raises(fl.FilterSyntaxError) as info:
                P._parse_uncached(text, NOW, fl.DEFAULT_LIMITS)
            exc = info.value
            assert str(exc).split("\n")[0] == f"line {line}, column {column}: {message}"
            assert (exc.line, exc.column, exc.end_column) == (line, column, end_column)


# ---------------------------------------------------------------- shape replay == the tables run


def _outcomes(texts: list[str], driver: lalr.Driver, repeat: int) -> list[list[tuple[Any, ...]]]:
    with pytest.MonkeyPatch.context() as mp:
        _with_driver(mp, driver)
        return [[_outcome(t) for _ in range(repeat)] for t in texts]


def test_replay_equals_the_tables_run_on_a_generated_corpus() -> None:
    texts = _corpus(1, 700)
    reference = [o[0] for o in _outcomes(texts, _fresh(_TablesOnly), 1)]
    shared = _fresh()
    _outcomes(texts, shared, 2)  # every shape seen twice: learned
    replayed = 0
    for text, ref, got in zip(texts, reference, _outcomes(texts, shared, 2), strict=True):
        assert got == [ref, ref], text
        builder = P._Builder(P._Ctx(text, timefmt.resolve_now(NOW), fl.DEFAULT_LIMITS))
        try:
            replayed += shared._replay(text, builder).__class__ is not lalr._Resume
        except Exception:
            replayed += 1  # a callback raised on the replay path (the same error as the tables run)
    assert replayed > len(texts) // 3  # the trie really served a good share of the corpus


@given(st.lists(S.dsl_nodes(max_leaves=5), min_size=2, max_size=4), st.randoms(use_true_random=False))
def test_replay_of_printed_and_damaged_filters(nodes: list[fl.Node], r: random.Random) -> None:
    texts = [fl.to_dsl(n) for n in nodes]
    for t in list(texts):
        i = r.randint(0, len(t))
        texts.append(t[:i] + r.choice(["", ")", ",", '"', "\\", "#\n", " and", "é"]) + t[i + 1 :])
        texts.append(t.replace(" ", "\n# c\n"))
    reference = [o[0] for o in _outcomes(texts, _fresh(_TablesOnly), 1)]
    shared = _fresh()
    got = _outcomes(texts + texts + texts, shared, 1)
    for i, text in enumerate(texts * 3):
        assert got[i][0] == reference[i % len(texts)], text


@pytest.mark.parametrize(
    ("teacher", "text"),
    [
        ('properties.x = "a"', 'properties.and = "b"'),
        ('properties.x = "a"', "properties.NOT = 'b'"),
        ('properties.x = "a"', 'properties.\n# c\nand = "b"'),
        ('properties.`a b` = "a"', 'properties.`and` = "b"'),
        ('model = "a" and status = 1', 'model = "a" AND\n# and or not\nstatus = 1'),
        ('model = "a" and status = 1', 'model = "a"\tand\r\nstatus = 1'),
        ("request_created_at > now - 7d", "request_created_at > now - 99999999999999d"),
        ("request_created_at > now - 7d", "request_created_at > now - 0s"),
        ('model = "a"', 'model = "\\ud800"'),
        ('model = "a"', 'model = "\\ud83d\\ude00"'),
        ('model = "a"', 'model = "日本\\u00e9"'),
        ('model = "a"', 'model = "\\q"'),
        ('model = "a" or model = "b"', 'model = "\\q" or model = "b"'),
        ('model = "a" or model = "b"', 'model = "a" or model = "\\x"'),
        ('model = "a" or model = "b"', 'model = "a" or model = "b'),
        ('model = "a" or model = "b"', 'model = "a" or model = "b" $'),
        ("status = 1", "statuss = 1"),
        ("status = 1", "status = 1e999"),
        ("status = 1", "model = 1"),
        ("status in (1, 2)", "status in (1, 2, 3)"),
        ("status in (1, 2)", "status in (1, )"),
        ("status between 1 and 2", 'status between 1 and "x"'),
        ("not status = 1", 'not model ~ "a%"'),
        ("not status = 1", "not all"),
        ("`helicone-score-feedback` = true", "`threat` = false"),
        ("`helicone-score-feedback` = true", "`threat = false"),
        ("all", "ALL"),
    ],
)
def test_replay_cases(teacher: str, text: str) -> None:
    (reference,) = _outcomes([text], _fresh(_TablesOnly), 1)[0]
    shared = _fresh()
    _outcomes([teacher, teacher], shared, 1)
    assert _outcomes([text], shared, 3)[0] == [reference] * 3


def test_replay_handles_long_texts_without_recursion() -> None:
    texts = [
        "not " * 1000 + 'model = "a"',  # replayable (under the 4096-character bound)
        "(" * 100 + "not " * 50 + 'model = "a"' + ")" * 100,
        " and ".join(f"status = {i}" for i in range(300)),
        " or ".join(f"(status = {i} and not model = 'x')" for i in range(100)),
        "status in (" + ", ".join(str(i) for i in range(900)) + ")",
        "not " * 100_001 + 'model = "a"',  # too long for the trie: the tables
        'model = "a"' + " " * (lalr._SHAPE_MAX_TEXT - 11),  # the longest text the trie serves
        'model = "a"' + " " * (lalr._SHAPE_MAX_TEXT - 10),
    ]
    reference = [o[0] for o in _outcomes(texts, _fresh(_TablesOnly), 1)]
    for text, ref, got in zip(texts, reference, _outcomes(texts, _fresh(), 3), strict=True):
        assert ref[0] == "ok", ref
        assert got == [ref] * 3, text[:80]


# ---------------------------------------------------------------- the trie: bounded, counted, thread-safe


def _trie_edges(root: Any) -> int:
    count, stack = 0, [root]
    while stack:
        node = stack.pop()
        for _reds, _folds, nxt in node.edges.values():
            count += 1
            if nxt is not None:
                stack.append(nxt)
    return count


def test_trie_counts_its_points_and_stays_under_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lalr, "_SHAPE_MAX_NODES", 400)
    d = _fresh()
    _with_driver(monkeypatch, d)
    for i in range(1, 120):
        text = " or ".join(f"status = {j}" for j in range(i % 37 + 1)) + (" and cached = true" * (i % 3))
        for _ in range(2):
            _outcome(text)
        assert d._shape_nodes == _trie_edges(d._root) <= 400
    assert len(d._seen_shapes) <= lalr._SHAPES_SEEN


def test_concurrent_parses_agree_with_a_single_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads share one driver (its trie learns, resets and replays under them) and the
    memos; every result must equal the single-threaded tables run."""
    texts = _corpus(2, 250)
    reference = dict(zip(texts, (o[0] for o in _outcomes(texts, _fresh(_TablesOnly), 1)), strict=True))
    monkeypatch.setattr(lalr, "_SHAPE_MAX_NODES", 300)  # frequent resets while others replay
    monkeypatch.setattr(lalr, "_SHAPES_SEEN", 64)
    d = _fresh()
    _with_driver(monkeypatch, d)
    failures: list[str] = []

    def work(seed: int) -> None:
        order = texts * 3
        random.Random(seed).shuffle(order)
        try:
            for t in order:
                if _outcome(t) != reference[t]:
                    failures.append(t)
                with contextlib.suppress(fl.FilterError):
                    fl.parse(t, now=NOW)  # the public entry: parse cache + leaf memo too
        except Exception as exc:  # anything but FilterError escaping is a failure too
            failures.append(repr(exc))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert failures == []


# ---------------------------------------------------------------- limits via the IR's shape bound


SHAPES = [
    'model = "a"',
    "all",
    'all and model = "a"',
    'model = "a" or all',
    "status in (1, 2, 3)",
    "status not in (1, 2, 3, 4, 5)",
    "status between 1 and 2",
    "not status between 1 and 2",
    'not (status = 1 and (model = "a" or model = "b"))',
    'not request_created_at = "2026-01-01T00:00:00Z"',
    " or ".join(f"status = {i}" for i in range(9)),
    " and ".join(f'(status = {i} or model = "x")' for i in range(5)),
    "((status = 1 or status = 2) and status = 3) or status in (4, 5, 6)",
    "status in (1) or status in (1, 2) and status between 3 and 4",
    "not not not status in (1, 2)",
    'status = 1 and properties.x = "y" or property_key = "k"',
]


@pytest.mark.parametrize("text", SHAPES)
def test_limit_errors_match_the_exact_shape(text: str) -> None:
    """The depth check uses a bound from the IR; the verdict and the message must be those
    of the exact shape of the finished node, for every limit setting."""
    node, _ = P._parse_uncached(text, NOW, fl.DEFAULT_LIMITS)
    depth, count = shape(node)
    for max_depth in range(1, 8):
        for max_nodes in range(1, 18):
            limits = fl.Limits(max_depth=max_depth, max_nodes=max_nodes)
            got = _outcome(text, limits)
            if _paren_depth(text) > max_depth:  # the guard before parsing
                assert got[5] == "max_depth"
            elif count > max_nodes:
                assert got[5:] == ("max_nodes", count), (max_depth, max_nodes)
            elif depth > max_depth:
                assert got[5:] == ("max_depth", depth), (max_depth, max_nodes)
                assert f"deeper than {max_depth} levels" in got[1]
            else:
                assert got[0] == "ok"


@given(S.dsl_nodes(max_leaves=8), st.integers(1, 8), st.integers(1, 20), st.booleans())
def test_limit_errors_match_the_exact_shape_on_printed_filters(
    node: fl.Node, max_depth: int, max_nodes: int, negate: bool
) -> None:
    text = fl.to_dsl(node)
    if negate and text != "all":
        text = f"not ({text})"
    try:
        full, _ = P._parse_uncached(text, NOW, fl.DEFAULT_LIMITS)
    except fl.FilterError:
        return  # e.g. `not` of a LIKE: no node to measure
    depth, count = shape(full)
    got = _outcome(text, fl.Limits(max_depth=max_depth, max_nodes=max_nodes))
    if _paren_depth(text) > max_depth:
        assert got[5] == "max_depth"
    elif count > max_nodes:
        assert got[5:] == ("max_nodes", count)
    elif depth > max_depth:
        assert got[5:] == ("max_depth", depth)
    else:
        assert got == ("ok", json.dumps(fl.to_json(full)), False)


def _paren_depth(text: str) -> int:
    depth = best = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        best = max(best, depth)
    return best


# ---------------------------------------------------------------- memos: second sighting, `now`, numeric identity


def test_relative_times_are_resolved_on_every_parse_through_memo_and_replay() -> None:
    text = "request_created_at > now - 1d"
    base = datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(6):
        anchor = base + timedelta(hours=i)
        got = fl.to_json(fl.parse(text, now=anchor))
        expected = timefmt.format_utc(anchor - timedelta(days=1))
        assert got == {"request_response_rmt": {"request_created_at": {"gt": expected}}}


@pytest.mark.parametrize("values", [["0", "-0.0", "0.0", "false"], ["1", "1.0", "true", "1e0"]])
def test_leaf_memo_keeps_numbers_and_booleans_apart(values: list[str]) -> None:
    for _ in range(3):  # the leaf memo admits on the second sighting
        for v in values:
            for field in ("status", "cached"):
                text = f"{field} = {v}"
                try:
                    node = fl.parse(text)
                except fl.FilterTypeError:
                    continue
                got = fl.to_json(node)[FIELDS[field].table][field]["equals"]  # type: ignore[index]
                want = json.loads(v) if v not in ("true", "false") else v == "true"
                assert type(got) is type(want) and repr(got) == repr(want), text


# ---------------------------------------------------------------- prototype leaves == constructed leaves


def _leaf_by_construct(field_name: str, op: str, value: Any, key: str | None) -> FilterLeaf:
    """leaf_of as it was before prototype dicts (nodes.construct three times)."""
    f = FIELDS[field_name]
    ops = construct(OPS_MODELS[f.kind], {OP_ATTR[op]: value})
    table = construct(TABLE_MODELS[f.table], {f.attr: {key: ops} if key is not None else ops})
    return construct(FilterLeaf, {f.table: table})


def _model_state(m: Any) -> Iterator[tuple[Any, ...]]:
    stack = [m]
    while stack:
        x = stack.pop()
        if hasattr(x, "model_fields_set"):
            yield (type(x), list(x.__dict__), x.model_fields_set, x.__pydantic_extra__, x.__pydantic_private__)
            stack.extend(x.__dict__.values())
        elif isinstance(x, dict):
            yield (dict, list(x))
            stack.extend(x.values())
        else:
            yield (type(x), x)


SAMPLE_VALUES = {
    Kind.TEXT: "a",
    Kind.MAP: "a",
    Kind.PROPERTY_KEY: "k",
    Kind.NUMBER: 1.5,
    Kind.TIMESTAMP: "2026-01-01T00:00:00Z",
    Kind.BOOLEAN: True,
}


@pytest.mark.parametrize("field_name", sorted(FIELDS))
def test_prototype_leaves_equal_constructed_leaves(field_name: str) -> None:
    f = FIELDS[field_name]
    key = "k" if f.kind is Kind.MAP else None
    for op in f.operators:
        for _ in range(2):  # the second call reuses the cached plan and prototypes
            fast = leaf_of(field_name, op, SAMPLE_VALUES[f.kind], key)
            slow = _leaf_by_construct(field_name, op, SAMPLE_VALUES[f.kind], key)
            assert list(_model_state(fast)) == list(_model_state(slow))
            assert fast == slow and repr(fast) == repr(slow)
            assert fast.model_dump_json() == slow.model_dump_json() and fl.to_json(fast) == fl.to_json(slow)
    # the prototypes are copied, never shared: building one leaf leaves earlier ones alone
    a = leaf_of(field_name, f.operators[0], SAMPLE_VALUES[f.kind], key)
    leaf_of(field_name, f.operators[0], SAMPLE_VALUES[f.kind] if f.kind is Kind.BOOLEAN else 7, key)
    assert a == _leaf_by_construct(field_name, f.operators[0], SAMPLE_VALUES[f.kind], key)


# ---------------------------------------------------------------- timestamps: fast path == the precise check

_RFC3339_OLD = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt](?P<h>\d{2}):(?P<mi>\d{2}):(?P<s>\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?(?P<tz>[Zz]|[+-]\d{2}:\d{2})"
)
_LOOSE_OLD = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<time>\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(?P<tz>[Zz]|[+-]\d{2}:\d{2})?"
)


def _check_before_fast_path(value: str) -> str | None:
    """timefmt.check as of commit 31d08e2 (no datetime.fromisoformat shortcut)."""
    m = _RFC3339_OLD.fullmatch(value)
    if m is None:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f'"{value}" is a date without a time; did you mean "{value}T00:00:00Z"?'
        loose = _LOOSE_OLD.fullmatch(value)
        if loose is not None:
            fixed = f"{loose['date']}T{loose['time']}{loose['tz'] or 'Z'}"
            return f'"{value}" is not RFC 3339 (it needs a T and a UTC offset); did you mean "{fixed}"?'
        return f'"{value}" is not an RFC 3339 timestamp like "2026-01-31T12:00:00Z"'
    tz, offset = m["tz"], 0
    try:
        if tz not in ("Z", "z"):
            hh, mm = int(tz[1:3]), int(tz[4:6])
            if hh > 23 or mm > 59:
                raise ValueError("offset out of range")
            offset = (1 if tz[0] == "+" else -1) * (hh * 60 + mm)
        if int(m["s"]) == 60:
            raise ValueError("leap seconds are not supported")
        dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]), tzinfo=UTC)
        dt - timedelta(minutes=offset)
    except ValueError as exc:
        return f'"{value}" is not a real date and time ({exc})'
    except OverflowError:
        return f'"{value}" is outside the years 1 to 9999 in UTC'
    return None


EDGE = {
    "y": ["0000", "0001", "0002", "1969", "2024", "2100", "9998", "9999", "２０２６"],
    "mo": ["00", "01", "02", "12", "13"],
    "d": ["00", "01", "28", "29", "30", "31", "32"],
    "h": ["00", "23", "24", "1٣"],
    "mi": ["00", "59", "60"],
    "s": ["00", "59", "60", "61"],
    "frac": ["", ".5", ".1234567", ".123456789", ".١"],
    "tz": ["Z", "z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+23:60", "+14:00", "+0٥:00", "+1:00"],
}


@given(
    st.fixed_dictionaries({k: st.sampled_from(v) for k, v in EDGE.items()}),
    st.sampled_from(["T", "t", " ", ""]),
)
def test_timestamp_fast_path_gives_the_same_verdicts_and_messages(parts: dict[str, str], sep: str) -> None:
    value = f"{parts['y']}-{parts['mo']}-{parts['d']}{sep}{parts['h']}:{parts['mi']}:{parts['s']}{parts['frac']}{parts['tz']}"
    assert timefmt.check(value) == _check_before_fast_path(value)


def test_timestamp_fast_path_on_month_ends_and_year_edges() -> None:
    for y in ("0001", "0002", "1900", "2000", "2023", "2024", "9998", "9999"):
        for mo in range(1, 13):
            for d in (28, 29, 30, 31):
                for tz in ("Z", "+01:00", "-01:00", "+23:59", "-23:59", "+00:59"):
                    for clock in ("00:00:00", "23:59:59.999"):
                        value = f"{y}-{mo:02d}-{d:02d}T{clock}{tz}"
                        assert timefmt.check(value) == _check_before_fast_path(value), value


@given(st.text(alphabet="0123456789-:+TZtz. ٣２", max_size=32))
def test_timestamp_fast_path_on_random_text(value: str) -> None:
    assert timefmt.check(value) == _check_before_fast_path(value)


# ---------------------------------------------------------------- integers Python refuses to read


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("status = " + "1" * 5000, "out of range"),
        ("status = -" + "1" * 5000, "out of range"),
        ("request_created_at > now - " + "9" * 5000 + "d", "outside the years 1 to 9999"),
        ("status in (1, " + "2" * 4301 + ")", "out of range"),
    ],
)
def test_huge_integers_are_filter_errors(text: str, needle: str) -> None:
    with pytest.raises(fl.FilterTypeError, match=needle):
        fl.parse(text)


def test_huge_integers_in_json_are_filter_errors() -> None:
    with pytest.raises(fl.FilterSchemaError, match="too long to read"):
        fl.from_json('{"users_view": {"user_cost": {"gt": ' + "1" * 5000 + "}}}")


@pytest.mark.parametrize("text", ["status = 1", "", "all"])
def test_a_bad_now_is_an_error_even_for_a_cached_text(text: str) -> None:
    for _ in range(4):  # the parse memo admits a text on its second parse
        fl.parse(text)
    with pytest.raises(fl.FilterTypeError, match="now= is not a valid time"):
        fl.parse(text, now="garbage")


def test_memo_survives_a_concurrent_eviction() -> None:
    """Between a hit's lookup and its recency update another thread may evict the key."""
    from collections import OrderedDict

    from filterlang.memo import Memo

    class Racing(OrderedDict[str, int]):
        def move_to_end(self, key: str, last: bool = True) -> None:
            raise KeyError(key)

        def popitem(self, last: bool = True) -> tuple[str, int]:
            raise KeyError("empty")

    memo: Memo[str, int] = Memo(1)
    memo._data = Racing()  # type: ignore[misc]
    for key in ("a", "a", "b", "b"):  # admitted on the second put; the second key overflows
        memo.put(key, 1)
    assert memo.get("a") == 1
    assert len(memo) == 2
