"""Spellings shared by the DSL parser and printer: one table, so they cannot disagree.

The identifier rule and the keyword list are read from the grammar itself.
"""

from __future__ import annotations

import re
from importlib import resources

from ..fields import CONTAINS, EQUALS, GT, GTE, ILIKE, LIKE, LT, LTE, NOT_CONTAINS, NOT_EQUALS

# Every accepted spelling of a comparison -> API operator.
SYMBOLS: dict[str, str] = {
    "=": EQUALS,
    "==": EQUALS,
    "!=": NOT_EQUALS,
    "<>": NOT_EQUALS,
    ">": GT,
    ">=": GTE,
    "<": LT,
    "<=": LTE,
    "~": LIKE,
    "like": LIKE,
    "~*": ILIKE,
    "ilike": ILIKE,
    "contains": CONTAINS,
    "not contains": NOT_CONTAINS,
}

# API operator -> the one canonical spelling the printer emits and messages use.
SPELLING: dict[str, str] = {
    EQUALS: "=",
    NOT_EQUALS: "!=",
    GT: ">",
    GTE: ">=",
    LT: "<",
    LTE: "<=",
    LIKE: "~",
    ILIKE: "~*",
    CONTAINS: "contains",
    NOT_CONTAINS: "not contains",
}

# Spellings the grammar accepts only to explain that the API cannot say them.
NO_NOT_LIKE = frozenset({"!~", "!~*", "not like", "not ilike"})


def grammar() -> str:
    """The text of ``grammar/filter.lark``, the one definition of the DSL's syntax."""
    return resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")


_TERMINAL = re.compile(r"^([A-Z_]+): /(.*)/(i?)$", re.M)
_PATTERNS = {m[1]: (m[2], m[3]) for m in _TERMINAL.finditer(grammar())}

# A plain identifier, exactly as the grammar's NAME terminal reads one (keywords excluded):
# the printer writes a name bare only when this matches it whole, else in backticks.
IDENT = re.compile(_PATTERNS["NAME"][0], re.I)

# Keywords: the grammar's whole-word terminals (`AND: /and(?![a-z0-9_])/i`).
KEYWORDS = frozenset(m.group() for m in (re.match(r"[a-z]+(?=\(\?!)", p) for p, _ in _PATTERNS.values()) if m)

# Where a parenthesis is not one: inside a string, a `quoted name` or a comment. An
# unterminated string or name runs to the end of its line (the lexer refuses it there
# anyway); every quantifier is possessive, so a scan is linear whatever the input
# (long runs of \" made the backtracking form quadratic). Checked against the lexer by
# tests/test_language.py.
PAREN_SCAN = re.compile(r"\"(?:[^\"\\\n]|\\.)*+\"?+|'(?:[^'\\\n]|\\.)*+'?+|`[^`\n]*+`?+|#[^\n]*+|[()]")
