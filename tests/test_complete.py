"""filterlang.complete: a table of (text with the cursor at `|`, what is suggested), every kind."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dsl_nodes

import filterlang as fl
from filterlang.dsl.complete import Suggestion, Vocabulary, vocabulary

ROWS = [
    {"model": "gpt-4o", "provider": "openai", "properties": {"env": "prod", "customer tier": "gold"}},
    {"model": "gpt-4o", "provider": "openai", "properties": {"env": "prod"}},
    {"model": "gpt-4o-mini", "provider": "openai", "properties": {"env": "dev"}},
    {"model": "claude-3", "provider": "anthropic", "properties": {}},
]
VOCAB = Vocabulary.from_rows(ROWS)

# (text with `|` at the cursor, use the data?, the first suggestions as "kind:text", in order)
CASES: list[tuple[str, bool, list[str]]] = [
    # fields: by prefix, then closeness; typos too
    ("|", False, ["field:country_code", "field:latency", "field:cost"]),
    ("mod|", False, ["field:model"]),
    ("co|", False, ["field:cost", "field:country_code", "field:completion_tokens"]),
    ("modle|", False, ["field:model"]),
    ("user_cots|", False, ["field:user_cost"]),
    ("latncy|", False, ["field:latency"]),
    ("mod|el = 1", False, ["field:model"]),
    ("helicone|", False, ["field:`helicone-score-feedback`"]),
    ("users_view.|", False, ["field:user_user_id", "field:user_active_for"]),
    ("users_view.user_c|", False, ["field:user_cost"]),
    # after `not`, `(`, a connective: a new condition
    ("not |", False, ["field:country_code", "field:latency"]),
    ("no|", False, ["keyword:not"]),
    ('model = "a" and (|', False, ["field:country_code"]),
    # operators by the field's type
    ("model |", False, ["operator:=", "operator:!=", "operator:~", "operator:~*", "operator:contains"]),
    ("cost |", False, ["operator:=", "operator:!=", "operator:>", "operator:>=", "operator:<", "operator:<="]),
    ("threat |", False, ["operator:=", "operator:in", "operator:not in"]),
    ("request_created_at |", False, ["operator:=", "operator:>", "operator:>="]),
    ("property_key |", False, ["operator:=", "operator:in"]),
    ("model not |", False, ["operator:contains", "operator:in"]),
    ("cost not |", False, ["operator:in", "operator:between"]),
    ("model is |", False, ["operator:null", "operator:not null"]),
    ("model is not |", False, ["operator:null"]),
    ("model !|", False, ["operator:!="]),
    ("modle |", False, ["operator:=", "operator:!="]),  # a typo'd field: the closest field's operators
    # values by type
    ("threat = |", False, ["value:true", "value:false"]),
    ("cached = f|", False, ["value:false"]),
    ("model = |", False, ['value:""', "value:null"]),
    ("model ~ |", False, ['value:""']),
    ("request_created_at > |", False, ["value:now - 7d", "value:now - 1d", "value:now"]),
    ("request_created_at > now |", False, ["value:- 7d", "value:- 1d", "value:- 1h", "keyword:and"]),
    ("request_created_at > now - |", False, ["value:7d", "value:1d", "value:1h"]),
    ("user_last_active between |", False, ["value:now - 7d"]),
    # values from data, most frequent first; inside `in (...)` without the ones listed
    ("model = |", True, ['value:"gpt-4o"', 'value:"gpt-4o-mini"', 'value:"claude-3"', "value:null"]),
    ('model = "gp|', True, ['value:"gpt-4o"', 'value:"gpt-4o-mini"', 'value:"gp"']),  # unclosed string
    ("model = 'cl|", True, ['value:"claude-3"', "value:'cl'"]),
    ('model = "|"', True, ['value:"gpt-4o"', 'value:"gpt-4o-mini"']),
    ('model in ("gpt-4o", |', True, ['value:"gpt-4o-mini"', 'value:"claude-3"', "keyword:)"]),
    ("model in (|", True, ['value:"gpt-4o"', 'value:"gpt-4o-mini"', 'value:"claude-3"']),
    ('model = "gp|', False, ['value:"gp"']),
    # map keys from data
    ("properties[|", True, ['key:"env"', 'key:"customer tier"']),
    ("properties.|", True, ["key:env", 'key:["customer tier"]']),
    ("properties.e|", True, ["key:env"]),
    ("properties |", True, ["key:.env", 'key:["customer tier"]']),
    ('properties["env"] = |', True, ['value:"prod"', 'value:"dev"']),
    ("properties.env |", True, ["operator:=", "operator:!="]),
    ("properties.now |", True, ["operator:=", "operator:!="]),  # a keyword is a key after `.`
    ("properties.|", False, []),  # no data: no keys, and never a connective
    ("property_key = |", True, ['value:"env"', 'value:"customer tier"']),
    # after a complete comparison: connectives, and closing brackets when open
    ('model = "a" |', False, ["keyword:and", "keyword:or"]),
    ('(model = "a" |', False, ["keyword:and", "keyword:or", "keyword:)"]),
    ('model = "a" an|', False, ["keyword:and"]),
    ('model = "a" adn|', False, ["keyword:and"]),  # a typo'd keyword
    ("cost between 1 |", False, ["keyword:and"]),
    ('properties["env"|', False, ["keyword:]"]),
    # nothing is valid: no suggestion
    ("model = = |", False, []),
    ("# a comment |", False, []),
]


def _shown(s: Suggestion) -> str:
    return f"{s.kind}:{s.text}"


@pytest.mark.parametrize(("marked", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_completion_table(marked: str, data: bool, expected: list[str]) -> None:
    cursor = marked.index("|")
    text = marked[:cursor] + marked[cursor + 1 :]
    got = fl.complete(text, cursor, source=VOCAB if data else None)
    assert [_shown(s) for s in got[: len(expected)]] == expected
    if not expected:
        assert got == []


# Only what is valid: invalid operators and values never appear.
EXCLUDED: list[tuple[str, list[str]]] = [
    ("cost |", ["operator:~", "operator:contains", "operator:is null"]),
    ("model |", ["operator:>", "operator:between", "keyword:not"]),
    ("threat |", ["operator:!=", "operator:>"]),
    ("request_created_at |", ["operator:!=", "operator:~"]),
    ("cost = |", ["value:null", 'value:""', "value:true"]),
    ("threat = |", ["value:null", 'value:""']),
    ("model = |", ["value:true", "keyword:)", "keyword:and"]),
    ('model = "a" |', ["keyword:)", "keyword:]"]),
    ("properties |", ["operator:="]),  # a map needs its key first
]


@pytest.mark.parametrize(("marked", "absent"), EXCLUDED, ids=[c[0] for c in EXCLUDED])
def test_only_valid_suggestions(marked: str, absent: list[str]) -> None:
    cursor = marked.index("|")
    text = marked[:cursor] + marked[cursor + 1 :]
    shown = {_shown(s) for s in fl.complete(text, cursor, source=VOCAB)}
    assert not shown & set(absent)


def test_spans_replace_the_word_being_typed() -> None:
    [first, *_] = fl.complete("cost > 1 and mod = 2", 16)
    assert (first.text, first.start, first.end) == ("model", 13, 16)
    [first, *_] = fl.complete('model = "gp', 11, source=VOCAB)
    assert (first.text, first.start, first.end) == ('"gpt-4o"', 8, 11)
    key = next(s for s in fl.complete("properties.", 11, source=VOCAB) if s.text.startswith("["))
    assert (key.start, key.end) == (10, 11)  # replaces the dot: properties["customer tier"]


@settings(max_examples=60)
@given(st.data())
def test_applied_suggestions_keep_the_text_valid(data: st.DataObject) -> None:
    """Apply suggestions one after another from an empty text: the prefix stays parseable."""
    text = ""
    for _ in range(6):
        got = fl.complete(text, len(text), source=VOCAB)
        if not got:
            break
        s = data.draw(st.sampled_from(got[:8]))
        text = text[: s.start] + s.text + text[s.end :] + " "
    # Every suggestion chain ends in a text that parses once closed by its own suggestions.
    for _ in range(6):
        try:
            fl.parse(text)
            return
        except fl.FilterError:
            pass
        got = [s for s in fl.complete(text, len(text), source=VOCAB) if s.kind in ("value", "keyword")]
        if not got:
            return
        s = got[0] if got[0].text not in ("and", "or", "not", "(") else got[-1]
        text = text[: s.start] + s.text + text[s.end :] + " "


def test_cursor_out_of_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        fl.complete("model", 6)
    assert fl.complete("model") == fl.complete("model", 5)


def test_vocabulary_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS), encoding="utf-8")
    pytest.importorskip("duckdb")
    vocab = vocabulary(path)
    assert vocab.values["model"][0] == "gpt-4o"  # most frequent first
    assert set(vocab.values["model"]) == {"gpt-4o", "gpt-4o-mini", "claude-3"}
    assert vocab.map_values["properties", "env"][0] == "prod"
    assert vocab.keys["properties"][0] == "env"
    got = [s.text for s in fl.complete("model = ", 8, source=str(path))]
    assert got[0] == '"gpt-4o"'


def test_vocabulary_is_bounded() -> None:
    rows = ({"model": f"m{i % 7}"} for i in range(10**9))
    t0 = time.perf_counter()
    vocab = Vocabulary.from_rows(rows, max_rows=50_000, budget=0.05)
    assert time.perf_counter() - t0 < 1.0
    assert len(vocab.values["model"]) == 7


def test_long_filter_is_fast() -> None:
    text = " and ".join(f'(model = "m{i}" or cost > {i})' for i in range(32)) + " and "
    assert len(text) > 1000
    fl.complete(text, len(text))
    t0 = time.perf_counter()
    for _ in range(20):
        fl.complete(text, len(text))
    assert (time.perf_counter() - t0) / 20 < 0.02  # generous: the benchmark measures the real number


def test_deep_nesting_does_not_recurse() -> None:
    text = "(" * 5000
    assert fl.complete(text, len(text))[0].kind == "field"


CHECKED = {"AND", "OR", "NOT", "LPAR", "RPAR", "SYMOP", "CONTAINS", "IN", "IS", "BETWEEN", "TRUE", "FALSE", "NULL"}


@settings(max_examples=60)
@given(dsl_nodes(max_leaves=6).map(fl.to_dsl))
def test_what_comes_next_is_suggested(text: str) -> None:
    """At the start of every keyword, operator, bracket and field of a generated filter, the
    token actually written there is among the suggestions (completion misses nothing valid)."""
    ip = _lark().parse_interactive(text)
    prev = None
    for tok in ip.iter_parse():
        field_start = tok.type in ("NAME", "BQNAME") and (prev is None or prev.type != "DOT")
        if tok.type in CHECKED or field_start:
            got = [s.text for s in fl.complete(text, tok.start_pos)]
            assert any(g.lower().startswith(str(tok).lower()) for g in got), (text[: tok.start_pos], str(tok), got)
        prev = tok


def _lark() -> object:
    from importlib import resources

    from lark import Lark

    grammar = resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)


def test_editor_doc_examples() -> None:
    """The Python examples in docs/editor.md run as written."""
    import doctest
    import re

    doc = (Path(__file__).resolve().parent.parent / "docs" / "editor.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, re.S)
    assert blocks
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for i, block in enumerate(blocks):
        runner.run(doctest.DocTestParser().get_doctest(block, {}, f"editor.md[{i}]", "docs/editor.md", 0))
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize(
    "text",
    ['model = "a" and ' * 60_000, "a" * 990_000, 'model = "' + "x" * 990_000, 'model in ("a", ' + '"b", ' * 150_000],
    ids=["long chain", "long word", "long string", "long in list"],
)
def test_inputs_at_the_size_limit_are_answered(text: str) -> None:
    assert len(text) < fl.DEFAULT_LIMITS.max_length
    t0 = time.perf_counter()
    fl.complete(text, len(text), source=VOCAB)
    assert time.perf_counter() - t0 < 5  # ~0.5 s here; generous for a loaded CI machine


def test_vocabulary_from_an_arrow_table() -> None:
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("duckdb")
    from filterlang.metrics.sources import table_from_rows

    table = table_from_rows(ROWS)
    assert isinstance(table, pa.Table)
    got = [s.text for s in fl.complete("properties.env = ", 17, source=table)]
    assert got[:2] == ['"prod"', '"dev"']


@settings(max_examples=200)
@given(
    st.lists(st.sampled_from([*"ab mod=<>!~*\"'`()[],.#\n-+7d😀\\", "and ", "not ", "in ", "is ", "now"])).map("".join),
    st.data(),
)
def test_any_text_any_cursor(text: str, data: st.DataObject) -> None:
    """Arbitrary text never raises, and every suggestion's span lies inside the text, before or at the cursor."""
    cursor = data.draw(st.integers(0, len(text)))
    for s in fl.complete(text, cursor):
        assert s.kind in ("field", "key", "operator", "value", "keyword")
        assert 0 <= s.start <= cursor <= s.end <= len(text) or s.start <= s.end <= cursor
        assert s.text
