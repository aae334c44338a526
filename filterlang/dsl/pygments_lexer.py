"""The Pygments lexer for filterlang, built from the one token table (:mod:`filterlang.dsl.tokens`).

Registered as the ``pygments.lexers`` entry point ``filterlang`` in pyproject.toml, so
``pygmentize -l filterlang``, Sphinx and mkdocs find it; nothing imports this module
when ``filterlang`` is imported (Pygments is an optional extra: ``filterlang[repl]``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pygments.lexer import RegexLexer, default
from pygments.token import Comment, Keyword, Literal, Name, Operator, Punctuation, Text, Whitespace, _TokenType

from .tokens import TOKENS, rules

_ROOTS: dict[str, _TokenType] = {
    "Keyword": Keyword,
    "Operator": Operator,
    "Literal": Literal,
    "Name": Name,
    "Punctuation": Punctuation,
    "Comment": Comment,
    "Text": Text,
}


def token_type(dotted: str) -> _TokenType:
    """``"Keyword.Constant"`` -> ``pygments.token.Keyword.Constant``."""
    head, *rest = dotted.split(".")
    tok = _ROOTS[head]
    for part in rest:
        tok = getattr(tok, part)
    return tok


def _state(pairs: list[tuple[str, str]], *, relative: bool) -> list[Any]:
    out: list[Any] = []
    for name, pattern in pairs:
        tok = Whitespace if name == "WS" else token_type(TOKENS[name].pygments)
        out.append((pattern, tok, "relative") if name == "NOW" else (pattern, tok))
    if relative:
        out.append(default("#pop"))
    return out


_ROOT, _RELATIVE = rules()


class FilterLangLexer(RegexLexer):  # type: ignore[misc]  # pygments ships no type hints
    """Lexer for filterlang filters (``model ~ "gpt%" and cost > 0.5``)."""

    name = "filterlang"
    aliases: ClassVar[list[str]] = ["filterlang", "filter"]
    filenames: ClassVar[list[str]] = ["*.filter", "*.flt"]
    mimetypes: ClassVar[list[str]] = ["text/x-filterlang"]
    url = "https://github.com/filterlang/filterlang"

    tokens: ClassVar[dict[str, list[Any]]] = {
        "root": _state(_ROOT, relative=False),
        "relative": _state(_RELATIVE, relative=True),
    }
