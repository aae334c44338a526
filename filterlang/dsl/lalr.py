"""A lean driver for the LALR tables Lark builds from ``grammar/filter.lark``.

Lark stays the source of the language: it reads the grammar, computes the parse table,
the terminal patterns and how each rule's children are shaped. Only the two hot loops
are ours: a contextual lexer that uses one compiled regex per parser state and plain
slotted tokens, and the shift/reduce loop with one precomputed action per rule. Lark's
own loop spends ~0.3 ms on a 10-condition filter in per-token objects and wrapper
callbacks; this one does the same work in a fraction of that (docs/performance.md).
Rule shaping mirrors Lark's tree builder: ``?rule`` with one child passes it through,
``__x_star_n`` helper rules are spliced into their parent, aliases pick the callback.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

END = "$END"


class Tok:
    """A token: type, text and offsets; line/column computed only when asked (errors)."""

    __slots__ = ("end", "nl", "start", "type", "value")

    def __init__(self, type_: str, value: str, start: int, end: int, nl: list[int]) -> None:
        self.type = type_
        self.value = value
        self.start = start
        self.end = end
        self.nl = nl  # offsets of newlines in the source, shared by all tokens of a parse

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r})"

    def _line_col(self, offset: int) -> tuple[int, int]:
        if not self.nl:
            return 1, offset + 1
        i = bisect.bisect_left(self.nl, offset)
        return i + 1, offset - (self.nl[i - 1] + 1 if i else 0) + 1

    @property
    def line(self) -> int:
        return self._line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self._line_col(self.start)[1]

    @property
    def end_line(self) -> int:
        return self._line_col(max(self.start, self.end - 1))[0]

    @property
    def end_column(self) -> int:
        _, col = self._line_col(max(self.start, self.end - 1))
        return col + 1 if self.end > self.start else col


class _Splice(list[Any]):
    """Children of a ``__x_star_n`` helper rule, to be spliced into the parent."""

    __slots__ = ()


def _PASS(c: list[Any]) -> Any:
    """A ``?rule`` with one child: the child is the value (the driver skips the call)."""
    return c[0]


class LexError(Exception):
    def __init__(self, pos: int, allowed: set[str]) -> None:
        self.pos = pos
        self.allowed = allowed


class ParseError(Exception):
    def __init__(self, token: Tok, expected: set[str]) -> None:
        self.token = token
        self.expected = expected


class Driver:
    """Parses text with Lark's tables; ``callbacks`` is an object with one method per rule name/alias."""

    def __init__(self, lark: Any, callbacks: Any) -> None:
        inner = lark.parser.parser.parser
        table = inner.parse_table
        self.states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        self.start = table.start_states["start"]
        self.end = table.end_states["start"]
        from lark.parsers.lalr_analysis import Shift

        conf = lark.lexer_conf
        self.ignore = set(conf.ignore)
        terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        self.patterns = {t.name: t.pattern.to_regexp() for t in terms}
        self.order = [t.name for t in terms]
        # Keywords: string terminals that NAME also matches (Lark's "unless" rule).
        name_re = re.compile(self.patterns["NAME"])
        self.keywords: dict[str, str] = {}
        for t in terms:
            if t.pattern.type == "str" and name_re.fullmatch(t.pattern.value):
                self.keywords[t.pattern.value.lower()] = t.name
        self._scanners: dict[int, tuple[re.Pattern[str], frozenset[str]]] = {}
        # One flat table: state -> terminal -> (0, next_state) for a shift, or
        # (size, callback, rule name) for a reduce; no Rule objects hashed per token.
        actions: dict[Any, tuple[int, Callable[[list[Any]], Any], str]] = {
            rule: (len(rule.expansion), self._action(rule, callbacks), rule.origin.name) for rule in inner.callbacks
        }
        self.table: dict[int, dict[str, tuple[Any, ...]]] = {
            state: {sym: ((0, arg) if action is Shift else actions[arg]) for sym, (action, arg) in row.items()}
            for state, row in self.states.items()
        }

    def _action(self, rule: Any, callbacks: Any) -> Callable[[list[Any]], Any]:
        name = rule.origin.name
        if name.startswith("__"):  # repetition helper: accumulate, spliced into the parent
            if rule.expansion and rule.expansion[0].name == name:

                def extend(c: list[Any]) -> Any:
                    acc = c[0]
                    acc.extend(c[1:])
                    return acc

                return extend
            return _Splice
        target = rule.alias or name
        method = getattr(callbacks, target, None)
        expand1 = rule.options.expand1 and not rule.alias
        if expand1 and len(rule.expansion) == 1:
            return _PASS
        if method is None:
            raise AssertionError(f"no callback for grammar rule {target}")

        splices = any(sym.name.startswith("__") for sym in rule.expansion)

        def call(c: list[Any]) -> Any:
            if splices:
                flat: list[Any] = []
                for x in c:
                    if type(x) is _Splice:
                        flat.extend(x)
                    else:
                        flat.append(x)
                c = flat
            if expand1 and len(c) == 1:
                return c[0]
            return method(c)

        return call

    def _scanner(self, state: int) -> tuple[re.Pattern[str], frozenset[str]]:
        """The lexer for one parser state: only the terminals acceptable there.

        Ignored text (whitespace, comments) is a leading optional group, so one regex
        match yields one token; the token's own group is found by ``lastgroup``.
        """
        sc = self._scanners.get(state)
        if sc is None:
            acceptable = {k for k in self.states[state] if k.isupper() or k.startswith("$")}
            names = [n for n in self.order if n in acceptable]
            # Keywords are matched as NAME and re-typed, so "android" stays one word.
            if any(n in self.keywords.values() for n in names) and "NAME" not in names:
                names.append("NAME")
            names = [n for n in names if n not in self.keywords.values()]
            skip = "|".join(f"(?:{self.patterns[n]})" for n in self.order if n in self.ignore)
            body = "|".join(f"(?P<{n}>{self.patterns[n]})" for n in names)
            rx = re.compile(f"(?:{skip})*(?:{body})?")
            sc = self._scanners[state] = (rx, frozenset(acceptable))
        return sc

    def parse(self, text: str) -> Any:
        table, keywords, scanners = self.table, self.keywords, self._scanners
        nl = [m.start() for m in re.finditer("\n", text)] if "\n" in text else []
        state_stack = [self.start]
        values: list[Any] = []
        pos, n = 0, len(text)
        prev = ""
        while True:
            state = state_stack[-1]
            sc = scanners.get(state) or self._scanner(state)
            m = sc[0].match(text, pos)
            typ = m.lastgroup if m is not None else None
            if typ is not None:
                start, end = m.span(typ)  # type: ignore[union-attr]
                value = text[start:end]
                if typ == "NAME" and prev != "DOT":  # after a dot a keyword is a map key
                    kw = keywords.get(value.lower())
                    if kw is not None:
                        typ = kw
                prev = typ
                tok = Tok(typ, value, start, end, nl)
                pos = end
            else:
                pos = m.end() if m is not None else pos
                if pos < n:
                    raise LexError(pos, set(sc[1]))
                tok = Tok(END, "", n, n, nl)
            ttype = tok.type
            while True:
                state = state_stack[-1]
                try:
                    act = table[state][ttype]
                except KeyError:
                    raise ParseError(tok, {k for k in table[state] if k.isupper() or k == END}) from None
                if act[0] == 0:
                    state_stack.append(act[1])
                    values.append(tok)
                    break
                size, fn, origin = act
                if fn is _PASS:  # one child, passed through: only the state changes
                    state_stack.pop()
                else:
                    children = values[-size:]
                    del values[-size:]
                    del state_stack[-size:]
                    values.append(fn(children))
                state_stack.append(table[state_stack[-1]][origin][1])
                if ttype == END and state_stack[-1] == self.end:
                    return values[-1]
