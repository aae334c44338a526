"""AST -> canonical DSL text, driven by a precedence table, with an explicit stack.

Canonical means one spelling per construct (``=``, ``!=``, ``~``, ``~*``, unqualified
field names, double-quoted strings) and the fewest parentheses such that parsing the
text gives back the *same tree*: the parser builds every ``a or b or c ...`` chain as a
balanced tree with a fixed split, so a chain is printed flat exactly when the subtree
has that shape, and any other shape keeps its parentheses.
"""

from __future__ import annotations

import unicodedata

from ..fields import EQUALS, FIELDS, NOT_EQUALS, Kind
from ..nodes import ALL, Condition, FilterBranch, FilterLeaf, Node, as_node, leaf_conditions
from .syntax import IDENT, SPELLING

# Binding strength: higher binds tighter. Atoms (single comparisons) are highest.
PRECEDENCE = {"or": 1, "and": 2, "atom": 3}

_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def quote(s: str) -> str:
    """A double-quoted DSL string literal that parses back to exactly ``s``."""
    out = ['"']
    for ch in s:
        esc = _SIMPLE_ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ch.isprintable() and unicodedata.category(ch) != "Cs":
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            out.append(f"\\U{ord(ch):08x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


def name(n: str) -> str:
    """A field name as written in the DSL: bare when the grammar's NAME reads it whole."""
    if IDENT.fullmatch(n):
        return n
    return f"`{n}`"


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    assert isinstance(v, str)
    return quote(v)


def condition(c: Condition) -> str:
    """One comparison in canonical form."""
    f = FIELDS[c.field]
    target = name(f.name)
    if f.kind is Kind.MAP:
        assert c.key is not None
        if IDENT.fullmatch(c.key):
            target += "." + c.key
        else:
            target += f"[{quote(c.key)}]"
    if f.kind is Kind.TEXT and c.value == "null" and c.op in (EQUALS, NOT_EQUALS):
        return f"{target} is null" if c.op == EQUALS else f"{target} is not null"
    return f"{target} {SPELLING[c.op]} {_value(c.value)}"


def _leaf(leaf: FilterLeaf) -> tuple[str, int]:
    conds = leaf_conditions(leaf)
    if not conds:
        return ALL, PRECEDENCE["atom"]
    if len(conds) == 1:
        return condition(conds[0]), PRECEDENCE["atom"]
    return " and ".join(condition(c) for c in conds), PRECEDENCE["and"]


def _chain_sizes(root: Node) -> dict[int, int]:
    """For each branch (by id) that is a canonical chain, its operand count.

    A branch is canonical when each same-operator child is itself canonical and the
    left side holds ceil(n/2) of the n operands: exactly what ``nodes.balanced`` builds.
    Computed bottom-up with an explicit stack.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        n, done = stack.pop()
        if not isinstance(n, FilterBranch):
            continue
        if not done:
            stack.append((n, True))
            stack.append((n.right, False))
            stack.append((n.left, False))
            continue
        counts = []
        for child in (n.left, n.right):
            if isinstance(child, FilterBranch) and child.operator == n.operator:
                counts.append(sizes.get(id(child), 0))
            else:
                counts.append(1)
        left, right = counts
        total = left + right
        if left and right and left == (total + 1) // 2:
            sizes[id(n)] = total
    return sizes


def _operands(b: FilterBranch) -> list[Node]:
    """Operands of a canonical chain, left to right."""
    out: list[Node] = []
    stack: list[Node] = [b]
    while stack:
        n = stack.pop()
        if isinstance(n, FilterBranch) and n.operator == b.operator:
            stack.append(n.right)
            stack.append(n.left)
        else:
            out.append(n)
    return out


def to_dsl(node: Node) -> str:
    """Canonical DSL text for ``node``; ``parse(to_dsl(n)) == n`` for single-condition leaves.

    A leaf holding several conditions prints them joined with ``and``; it re-parses to
    the same meaning as a branch of single-condition leaves.
    """
    node = as_node(node)
    if node == ALL:
        return ALL
    sizes = _chain_sizes(node)
    parts: list[str] = []
    # Work items: a node to print (with the precedence its context needs), or literal text.
    stack: list[tuple[Node, int] | str] = [(node, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        n, need = item
        if isinstance(n, FilterBranch):
            prec = PRECEDENCE[n.operator]
            if id(n) in sizes:
                operands = _operands(n)
                child_need = prec + 1  # operands are never same-operator branches here
            else:
                operands = [n.left, n.right]
                child_need = prec + 1
            wrap = prec < need
            seq: list[tuple[Node, int] | str] = []
            if wrap:
                seq.append("(")
            for i, op in enumerate(operands):
                if i:
                    seq.append(f" {n.operator} ")
                seq.append((op, child_need))
            if wrap:
                seq.append(")")
            stack.extend(reversed(seq))
        elif isinstance(n, FilterLeaf):
            text, prec = _leaf(n)
            # A multi-condition leaf needs no parentheses inside an `and`: same meaning.
            if prec < need and not (prec == PRECEDENCE["and"] and need == PRECEDENCE["and"] + 1):
                text = f"({text})"
            parts.append(text)
        else:
            parts.append(ALL)
    return "".join(parts)
