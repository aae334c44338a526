"""One token table for every highlighter: grammar terminal -> category, Pygments type, TextMate scope.

The patterns are not restated: they are read from Lark's terminals for
``grammar/filter.lark``, so the Pygments lexer (:mod:`filterlang.dsl.pygments_lexer`) and
the TextMate grammar (``filterlang/dsl/filterlang.tmLanguage.json``) and the playground's
highlighter (``filterlang/playground/tokens.json``), both written by
``python -m filterlang.dsl.tokens``, split text exactly where the parser's lexer does.
A test tokenizes generated filters with all three and compares the boundaries.

The parser's lexer is contextual (it only tries what the parser state accepts); the
highlighters are not. They agree with it on valid filters because the grammar makes
keywords whole words that NAME refuses (``android`` is one name), and because after
``now`` a small state reads ``-`` as a sign and ``7d`` as a duration (elsewhere ``-7`` is
a number).
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple


class TokenStyle(NamedTuple):
    category: str  # what the token is, for people and tests
    pygments: str  # Pygments token type, dotted (``Keyword.Constant``)
    scope: str  # TextMate scope (without the ``.filterlang`` suffix)


# Every terminal of the grammar, and the ignored comment; a test checks the keys against Lark's terminals.
TOKENS: dict[str, TokenStyle] = {
    "AND": TokenStyle("connective", "Keyword", "keyword.control.logical"),
    "OR": TokenStyle("connective", "Keyword", "keyword.control.logical"),
    "NOT": TokenStyle("connective", "Keyword", "keyword.control.logical"),
    "ALL": TokenStyle("connective", "Keyword", "keyword.control.logical"),
    "IN": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "IS": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "LIKE": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "ILIKE": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "CONTAINS": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "BETWEEN": TokenStyle("operator", "Operator.Word", "keyword.operator.word"),
    "SYMOP": TokenStyle("operator", "Operator", "keyword.operator.comparison"),
    "NULL": TokenStyle("constant", "Keyword.Constant", "constant.language"),
    "TRUE": TokenStyle("constant", "Keyword.Constant", "constant.language"),
    "FALSE": TokenStyle("constant", "Keyword.Constant", "constant.language"),
    "NOW": TokenStyle("now", "Name.Builtin", "support.constant.now"),
    "SIGN": TokenStyle("operator", "Operator", "keyword.operator.arithmetic"),
    "DURATION": TokenStyle("number", "Literal.Number", "constant.numeric.duration"),
    "NUMBER": TokenStyle("number", "Literal.Number", "constant.numeric"),
    "STRING": TokenStyle("string", "Literal.String", "string.quoted"),
    "NAME": TokenStyle("field", "Name.Variable", "variable.other.field"),
    "BQNAME": TokenStyle("field", "Name.Variable", "variable.other.field.quoted"),
    "LPAR": TokenStyle("punctuation", "Punctuation", "punctuation.section.parens.begin"),
    "RPAR": TokenStyle("punctuation", "Punctuation", "punctuation.section.parens.end"),
    "LSQB": TokenStyle("punctuation", "Punctuation", "punctuation.section.brackets.begin"),
    "RSQB": TokenStyle("punctuation", "Punctuation", "punctuation.section.brackets.end"),
    "COMMA": TokenStyle("punctuation", "Punctuation", "punctuation.separator.comma"),
    "DOT": TokenStyle("punctuation", "Punctuation", "punctuation.accessor.dot"),
    "COMMENT": TokenStyle("comment", "Comment.Single", "comment.line.number-sign"),
}
SUFFIX = ".filterlang"
# Terminals that only follow `now` (contextual in the parser; a state of their own here).
RELATIVE = ("SIGN", "DURATION")


@lru_cache(maxsize=1)
def terminal_patterns() -> dict[str, str]:
    """Terminal name -> regex, in the order Lark's lexer tries them, plus ``WS`` and ``COMMENT``."""
    from lark import Lark

    grammar = resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")
    lark = Lark(grammar, parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)
    terms = sorted(
        lark.lexer_conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name)
    )
    out: dict[str, str] = {}
    ignored = []
    for t in terms:
        if t.name in lark.lexer_conf.ignore:
            ignored.append(t.pattern.to_regexp())
        else:
            out[t.name] = t.pattern.to_regexp()
    # The ignored patterns: whitespace and the comment (the one starting with `#`).
    out["COMMENT"] = next(p for p in ignored if p.startswith("#"))
    out["WS"] = next(p for p in ignored if not p.startswith("#"))
    return out


def keyword_terminals() -> list[str]:
    """The keywords: terminals that match their own name as a word (``AND`` matches ``and``).

    The grammar makes them whole words and makes NAME refuse them, so the order in which a
    highlighter tries keywords and names does not matter; this list only names them.
    """
    import re

    pats = terminal_patterns()
    return [
        n
        for n, p in pats.items()
        if n.isalpha() and n != "NAME" and re.fullmatch(p, n.lower(), re.IGNORECASE) is not None
    ]


def rules() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(root rules, rules after `now`) as (terminal, regex), in matching order.

    Root: ignored text, the keywords (`now` enters the relative state), then the other
    terminals in Lark's order. After `now`: ignored text, sign, duration.
    """
    pats = terminal_patterns()
    kws = keyword_terminals()
    root: list[tuple[str, str]] = [("WS", pats["WS"]), ("COMMENT", pats["COMMENT"])]
    root += [(k, pats[k]) for k in kws]
    root += [(n, p) for n, p in pats.items() if n not in kws and n not in RELATIVE and n not in ("WS", "COMMENT")]
    relative = [("WS", pats["WS"]), ("COMMENT", pats["COMMENT"])] + [(n, pats[n]) for n in RELATIVE]
    return root, relative


def textmate_grammar() -> dict[str, Any]:
    """The TextMate grammar (VS Code, Sublime, GitHub linguist, Shiki) as a JSON-able dict."""
    root, relative = rules()

    def rule(name: str, pattern: str) -> dict[str, Any]:
        return {"match": pattern, "name": TOKENS[name].scope + SUFFIX}

    patterns: list[dict[str, Any]] = []
    for name, pattern in root:
        if name == "WS":
            continue
        if name == "NOW":
            patterns.append(
                {
                    "begin": pattern,
                    "beginCaptures": {"0": {"name": TOKENS["NOW"].scope + SUFFIX}},
                    # The relative part ends before the first character that cannot continue it.
                    "end": r"(?=[^\s+\-0-9#])",
                    "patterns": [rule(n, p) for n, p in relative if n != "WS"],
                }
            )
        else:
            patterns.append(rule(name, pattern))
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "filterlang",
        "scopeName": "source.filterlang",
        "fileTypes": ["filter", "flt"],
        "comment": "Generated by `python -m filterlang.dsl.tokens` from grammar/filter.lark; do not edit.",
        "patterns": patterns,
    }


def browser_rules() -> dict[str, Any]:
    """The same rules for the playground's highlighter, as JavaScript ``RegExp`` sources and flags.

    JavaScript has no scoped ``(?i:...)`` everywhere yet, so a pattern that is one
    case-insensitive group becomes its body with the ``i`` flag.
    """
    root, relative = rules()

    def js(name: str, pattern: str) -> dict[str, str]:
        flags = ""
        if pattern.startswith("(?i:"):
            depth, close = 0, -1
            for i, ch in enumerate(pattern):
                if ch == "(" and (i == 0 or pattern[i - 1] != "\\"):
                    depth += 1
                elif ch == ")" and pattern[i - 1] != "\\":
                    depth -= 1
                    if depth == 0:
                        close = i
                        break
            pattern, flags = pattern[4:close] + pattern[close + 1 :], "i"
        category = "space" if name == "WS" else TOKENS[name].category
        return {"terminal": name, "category": category, "source": pattern, "flags": flags}

    return {
        "comment": "Generated by `python -m filterlang.dsl.tokens` from grammar/filter.lark; do not edit.",
        "root": [js(n, p) for n, p in root],
        "relative": [js(n, p) for n, p in relative],
        "enterRelative": "NOW",
    }


TEXTMATE_PATH = Path(__file__).with_name("filterlang.tmLanguage.json")
BROWSER_PATH = Path(__file__).resolve().parent.parent / "playground" / "tokens.json"


def textmate_json() -> str:
    return json.dumps(textmate_grammar(), indent=2, ensure_ascii=False) + "\n"


def browser_json() -> str:
    return json.dumps(browser_rules(), indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the committed TextMate grammar and the playground's rules."""
    args = sys.argv[1:] if argv is None else argv
    outputs = {TEXTMATE_PATH: textmate_json(), BROWSER_PATH: browser_json()}
    if "--check" in args:
        stale = [p for p, want in outputs.items() if not p.is_file() or p.read_text(encoding="utf-8") != want]
        for p in stale:
            print(f"{p} is out of date: run python -m filterlang.dsl.tokens", file=sys.stderr)
        return 1 if stale else 0
    for p, want in outputs.items():
        p.write_text(want, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
