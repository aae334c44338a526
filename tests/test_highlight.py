"""Highlighters agree with the grammar's own lexer: same token boundaries, same categories.

The reference is Lark's contextual lexer for grammar/filter.lark (the tokens its
interactive parser reads); the Pygments lexer and the TextMate grammar (run by the real
VS Code engine, vscode-textmate + vscode-oniguruma, from editors/tmtest) must split every
generated filter at the same places, with the categories of the one token table.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dsl_nodes

import filterlang as fl
from filterlang.dsl import tokens as T

ROOT = Path(__file__).resolve().parent.parent
TMTEST = ROOT / "editors" / "tmtest"
Tok = tuple[int, int, str]  # start, end (code points), category

HAND = [
    'model ~ "gpt%" and cost > 0.5',
    "request_created_at > now - 7d and user_last_active < NOW-1w+12h",
    "request_created_at >= now",
    "android = 1 or `helicone-score-feedback` = TRUE",
    'properties["a b"] = "x" # trailing comment\n or properties.env != \'q\'',
    "not (cost between -5 and +1e3) and status not in (200, 201,)",
    'model is not null and scores.s ilike "%a%" and model not contains "x"',
    "users_view.user_cost <> .5 and x !~* 'y' and z not like \"w\"",
    'model = "😀 emoji" and provider = "naïve"',
    "all",
    "# only a comment\nall",
]


@cache
def _lark() -> Any:
    from lark import Lark

    grammar = resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)


def reference(text: str) -> list[Tok]:
    ip = _lark().parse_interactive(text)
    return [(t.start_pos, t.end_pos, T.TOKENS[t.type].category) for t in ip.iter_parse()]


def by_pygments(text: str) -> list[Tok]:
    from pygments.token import Comment, Whitespace

    from filterlang.dsl.pygments_lexer import FilterLangLexer, token_type

    category = {token_type(s.pygments): s.category for s in T.TOKENS.values()}
    out = []
    for index, tok, value in FilterLangLexer().get_tokens_unprocessed(text):
        if tok in Whitespace or tok in Comment:
            continue
        out.append((index, index + len(value), category.get(tok, f"unknown {tok}")))
    return out


def by_textmate(texts: list[str]) -> list[list[Tok]]:
    scope_category = {s.scope + T.SUFFIX: s.category for s in T.TOKENS.values()}
    payload = json.dumps({"grammar": str(T.TEXTMATE_PATH), "texts": texts})
    proc = subprocess.run(
        ["node", str(TMTEST / "tokenize.mjs")], input=payload, capture_output=True, text=True, check=True, timeout=60
    )
    results = []
    for text, toks in zip(texts, json.loads(proc.stdout), strict=True):
        lines = text.split("\n")
        starts = [0]
        for line in lines:
            starts.append(starts[-1] + len(line) + 1)
        out = []
        for line_no, s16, e16, scope in toks:
            if scope == "source.filterlang" or scope_category.get(scope) == "comment":
                continue
            line = lines[line_no]
            # UTF-16 offsets (the editor's) -> code points (Python's)
            units = [0]
            for ch in line:
                units.append(units[-1] + (2 if ord(ch) > 0xFFFF else 1))
            s, e = units.index(s16), units.index(e16)
            out.append((starts[line_no] + s, starts[line_no] + e, scope_category.get(scope, f"unknown {scope}")))
        results.append(out)
    return results


def _textmate_ready() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (tasks.py installs editors/tmtest with npm ci when it is)"
    if not (TMTEST / "node_modules" / "vscode-textmate").is_dir():
        return "editors/tmtest/node_modules is missing: run `npm ci` in editors/tmtest (tasks.py does)"
    return None


dsl_texts = dsl_nodes(max_leaves=8).map(fl.to_dsl)


def test_table_covers_every_terminal() -> None:
    terminals = set(T.terminal_patterns()) - {"WS"}
    assert set(T.TOKENS) == terminals


def test_committed_textmate_grammar_is_generated() -> None:
    assert T.main(["--check"]) == 0, "run: python -m filterlang.dsl.tokens"


@pytest.mark.parametrize("text", HAND)
def test_pygments_hand_cases(text: str) -> None:
    pytest.importorskip("pygments")
    assert by_pygments(text) == reference(text)


@settings(max_examples=80)
@given(dsl_texts)
def test_pygments_matches_the_grammar_lexer(text: str) -> None:
    pytest.importorskip("pygments")
    assert by_pygments(text) == reference(text)


def test_textmate_hand_cases() -> None:
    if reason := _textmate_ready():
        pytest.skip(reason)
    assert by_textmate(HAND) == [reference(t) for t in HAND]


@settings(max_examples=4)
@given(st.lists(dsl_texts, min_size=25, max_size=25))
def test_textmate_matches_the_grammar_lexer(texts: list[str]) -> None:
    if reason := _textmate_ready():
        pytest.skip(reason)
    assert by_textmate(texts) == [reference(t) for t in texts]


def test_pygments_entry_point_and_no_import_cost() -> None:
    pytest.importorskip("pygments")
    from pygments.lexers import get_lexer_by_name

    assert get_lexer_by_name("filterlang").__class__.__name__ == "FilterLangLexer"
    code = "import sys, filterlang; filterlang.parse('cost = 1'); print('pygments' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == (
        "False"
    )
