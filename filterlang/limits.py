"""Resource limits on untrusted filters.

Filters arrive from users and other services, so size is bounded before any work is
done that scales with it. The defaults are far above any hand-written filter (a
10,000-term ``or`` chain fits) and far below what would exhaust memory or the stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import FilterLimitError


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds enforced by :func:`filterlang.parse` and :func:`filterlang.from_json`.

    max_length: characters of DSL text or JSON text.
    max_depth: nesting of branches in the tree, and of parentheses / JSON objects in text.
        100 keeps every tree usable with pydantic's own recursive ``repr``/``model_dump``
        and the stdlib ``json`` module; filterlang's own walks are iterative and accept
        any depth you configure.
    max_nodes: leaves plus branches in the tree (a 10,000-value ``in`` list is ~20,000).
    """

    max_length: int = 1_000_000
    max_depth: int = 100
    max_nodes: int = 200_000


DEFAULT_LIMITS = Limits()


_WORDING = {
    "max_length": "{what} is {value:,} characters; the limit is {maximum:,}",
    "max_depth": "{what} goes deeper than {maximum} levels",
    "max_nodes": "{what} has more than {maximum:,} nodes",
}


def exceeded(limits: Limits, limit: str, value: int, what: str, **where: Any) -> FilterLimitError:
    """The error for ``value`` over ``limits.<limit>``; ``where`` is a position or JSON path.

    One wording for every entry point, naming the ``Limits`` field to raise.
    """
    maximum = getattr(limits, limit)
    message = _WORDING[limit].format(what=what, value=value, maximum=maximum) + f" (Limits.{limit})"
    return FilterLimitError(message, limit=limit, value=value, maximum=maximum, **where)


def check_length(limits: Limits, text: str, what: str) -> None:
    if len(text) > limits.max_length:
        raise exceeded(limits, "max_length", len(text), what)
