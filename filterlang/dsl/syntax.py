"""Spellings shared by the DSL parser and printer: one table, so they cannot disagree."""

from __future__ import annotations

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

# Words that cannot be bare field names or map keys (case-insensitive).
KEYWORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "in",
        "is",
        "null",
        "true",
        "false",
        "like",
        "ilike",
        "contains",
        "between",
        "all",
        "now",
    ]
)
