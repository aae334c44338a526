"""Syntax errors in words: where the LALR tables stopped -> a FilterSyntaxError.

The driver reports the offset, the token found there (if any terminal of the grammar
reads one), the terminals it could have taken, and the token before. This module turns
that into one line a person can act on, with a caret and, where a likely fix is clear,
a plain-text suggestion: the text to type instead.
"""

from __future__ import annotations

import re

from ..errors import FilterSyntaxError, closest
from ..timefmt import UNIT_WORDS
from .lalr import END, SyntaxProblem, Token, line_col, span_position
from .syntax import PAREN_SCAN

# Terminal name -> words for "expected ..." messages (never show __ANON names).
EXPECTED_WORDS: dict[str, str] = {
    "STRING": "a value",
    "NUMBER": "a value",
    "TRUE": "a value",
    "FALSE": "a value",
    "NULL": "a value",
    "NOW": "a value",
    "NAME": "a field name",
    "BQNAME": "a field name",
    "ALL": "a field name",
    "NOT": "`not`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "SYMOP": "an operator",
    "LIKE": "an operator",
    "ILIKE": "an operator",
    "CONTAINS": "an operator",
    "IN": "an operator",
    "IS": "an operator",
    "BETWEEN": "an operator",
    "AND": "`and` or `or`",
    "OR": "`and` or `or`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "SIGN": "`+` or `-`",
    "DURATION": "a duration like 7d (units s, m, h, d, w)",
    END: "the end of the filter",
}
_WORD_OPERATORS = ["like", "ilike", "contains", "in", "between", "is", "not"]
_UNITS = ", ".join(f"{u} ({w})" for u, w in UNIT_WORDS.items())
# What a person meant as one value when they forgot the quotes: `gpt-4o`, `v1.2`.
_BARE_WORD = re.compile(r"[^\s()\[\],#\"'`]+")
_BARE_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt][0-9:.]+(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?")
_CURLY = "“”„‟«»‘’‚‛"
_CURLY_STRING = re.compile(f"[{_CURLY}]([^{_CURLY}\\n]*)[{_CURLY}]?")
_C_OPERATORS = {"&": "and", "|": "or"}


def syntax_error(text: str, p: SyntaxProblem) -> FilterSyntaxError:
    if p.token is None:
        return _char_error(text, p)
    if p.token[0] == END:
        return _end_error(text, p)
    return _token_error(text, p, p.token)


def _words(expected: frozenset[str]) -> list[str]:
    seen: dict[str, None] = {}
    only_null = "NULL" in expected and "STRING" not in expected  # after `is`
    for name in sorted(expected):
        seen["`null`" if only_null and name == "NULL" else EXPECTED_WORDS.get(name, name.lower())] = None
    return list(seen)


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return words[0] if words else "something else"
    return ", ".join(words[:-1]) + " or " + words[-1]


def _short(text: str) -> str:
    """A token as shown in a message: long ones cut (a message is one line, not the input)."""
    return text if len(text) <= 30 else text[:27] + "..."


def _expected(p: SyntaxProblem) -> str:
    where = f" after `{_short(p.prev[1])}`" if p.prev else " at the start of the filter"
    return f"expected {_join(_words(p.expected))}{where}"


def _error(
    text: str, message: str, start: int, end: int, p: SyntaxProblem, suggestion: str | None = None
) -> FilterSyntaxError:
    line, column, end_line, end_column = span_position(text, start, end)
    return FilterSyntaxError(
        message,
        text=text,
        line=line,
        column=column,
        end_column=end_column if end_line == line else column + 1,
        suggestion=suggestion,
        expected=_words(p.expected),
    )


def _char_error(text: str, p: SyntaxProblem) -> FilterSyntaxError:
    """No terminal of the grammar starts here."""
    pos, ch = p.pos, text[p.pos]
    if ch in "\"'":
        kind = "double" if ch == '"' else "single"
        return _error(text, f"unterminated string: no closing {kind} quote on this line", pos, pos + 1, p)
    if ch == "`":
        what = "empty `quoted field name`" if text.startswith("``", pos) else "unterminated `quoted field name`"
        return _error(text, what, pos, pos + 1, p)
    if ch in _CURLY:
        m = _CURLY_STRING.match(text, pos)
        assert m is not None
        return _error(
            text,
            "curly quotes do not quote a string: use straight double quotes",
            pos,
            m.end(),
            p,
            '"' + m.group(1).replace("\\", "\\\\").replace('"', '\\"') + '"',
        )
    if ch in _C_OPERATORS:
        word = _C_OPERATORS[ch]
        doubled = text[pos : pos + 2] == ch * 2
        spelled = ch * 2 if doubled else ch
        return _error(text, f"`{spelled}` is not an operator here", pos, pos + len(spelled), p, word)
    return _error(text, f"unexpected character `{ch}`; " + _expected(p), pos, pos + 1, p)


def _end_error(text: str, p: SyntaxProblem) -> FilterSyntaxError:
    if "RPAR" in p.expected:
        opened = _unclosed_paren(text)
        if opened is not None:
            return _error(
                text, "this `(` is never closed: expected `)` before the end of the filter", opened, opened + 1, p
            )
    stripped = text.rstrip()
    line, column = line_col(stripped, len(stripped))
    return FilterSyntaxError(
        "unexpected end of the filter: " + _expected(p),
        text=text,
        line=line,
        column=column,
        expected=_words(p.expected),
    )


def _unclosed_paren(text: str) -> int | None:
    """Offset of the innermost `(` still open at the end of the text."""
    opened: list[int] = []
    for m in PAREN_SCAN.finditer(text):
        tok = m.group()
        if tok == "(":
            opened.append(m.start())
        elif tok == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def _token_error(text: str, p: SyntaxProblem, tok: Token) -> FilterSyntaxError:
    typ, value, start, end = tok
    words = _words(p.expected)
    prev = p.prev
    if prev is not None and prev[3] == start and prev[1][:1].isdigit():  # `2026-01-01`: a date without quotes
        date = _BARE_DATE.match(text, prev[2])
        if date is not None and date.end() > start:
            msg = f"a date or time is a quoted string: `{_short(date.group())}` needs double quotes"
            return _error(text, msg, prev[2], date.end(), p, f'"{date.group()}"')
    if "DURATION" in p.expected and value[:1].isdigit():
        word = _BARE_WORD.match(text, start)
        shown = word.group() if word else value
        msg = f"`{_short(shown)}` is not a duration: write a whole number and a unit, one of {_UNITS}, like 7d"
        return _error(text, msg, start, start + len(shown), p)
    if typ == "STRING":  # a complete string where no value can stand
        msg = f"unexpected string {_short(value)}: " + _expected(p)
        if "a field name" in words:
            msg += " (field names are not quoted; use `backticks` for unusual names)"
        return _error(text, msg, start, end, p)
    if "a value" in words and typ in ("NAME", "BQNAME"):
        if typ == "BQNAME":
            msg = (
                f"unexpected {value}: "
                + _expected(p)
                + " (backquotes are for field names; text values need double quotes)"
            )
            return _error(text, msg, start, end, p, f'"{value[1:-1]}"')
        word = _BARE_WORD.match(text, start)
        whole = word.group() if word else value
        msg = f"unexpected `{_short(whole)}`: " + _expected(p) + " (text values need quotes)"
        return _error(text, msg, start, start + len(whole), p, '"' + whole.replace("\\", "\\\\") + '"')
    msg = f"unexpected `{_short(value)}`: " + _expected(p)
    suggestion = None
    if typ == "NAME":
        keywords = [k.lower() for k in p.expected if k.isalpha() and k not in ("NAME", "BQNAME", "STRING", "NUMBER")]
        suggestion = closest(value.lower(), keywords)
        if suggestion is None and "an operator" in words:
            suggestion = closest(value.lower(), _WORD_OPERATORS)
        elif suggestion is None and "`and` or `or`" in words:
            suggestion = closest(value.lower(), ["and", "or"])
    return _error(text, msg, start, end, p, suggestion)
