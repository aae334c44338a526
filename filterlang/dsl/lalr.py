"""A lean driver for the LALR tables Lark builds from ``grammar/filter.lark``.

Lark stays the source of the language: it reads the grammar and computes the parse
table, the terminal patterns and how each rule's children are shaped. This module names
no terminal or rule of the grammar; it only runs what Lark computed, faster: a contextual
lexer with one compiled regex per parser state, and the shift/reduce loop over a flat
table (an ``int`` is a shift, a list a shift with reductions folded in, a tuple a
reduce). Tokens are plain tuples ``(type, text, start, end)``; line and column are
computed from the offsets only when an error needs them. Lark's own loop spends about
twice as long per filter in per-token objects and wrapper callbacks
(docs/performance.md); ``tests/test_language.py`` checks both give the same trees and
the same error positions.

Rule shaping mirrors Lark's tree builder: ``?rule`` with one child passes it through,
``__x_star_n`` helper rules are spliced into their parent, aliases pick the callback.
Callbacks are the builder class's functions, called as ``fn(builder, children)`` so one
table serves every parse while each parse has its own builder (and so its own context).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

END = "$END"

# A token: (terminal name, text, start offset, end offset).
Token = tuple[str, str, int, int]
Callback = Callable[[Any, list[Any]], Any]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def span_position(text: str, start: int, end: int) -> tuple[int, int, int, int]:
    """Line and column of ``text[start:end]``'s first character, and line and
    (exclusive) end column of its last: what an error's caret underlines."""
    line, column = line_col(text, start)
    end_line, last = line_col(text, max(start, end - 1))
    return line, column, end_line, last + 1 if end > start else last


class SyntaxProblem(Exception):
    """Where the tables stopped: ``token`` (None when no terminal of the grammar starts
    at ``pos``), the terminals acceptable there, and the token before (for "after x")."""

    def __init__(self, pos: int, token: Token | None, expected: frozenset[str], prev: Token | None) -> None:
        self.pos, self.token, self.expected, self.prev = pos, token, expected, prev


class Driver:
    """Parses text with Lark's tables; ``builder_class`` has one function per rule name/alias."""

    def __init__(self, lark: Any, builder_class: type) -> None:
        from lark.parsers.lalr_analysis import Shift

        inner = lark.parser.parser.parser
        table = inner.parse_table
        states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
        conf = lark.lexer_conf
        # Lark's own lexer order: the first alternative that matches wins.
        terms = sorted(conf.terminals, key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name))
        names = {t.name for t in terms} | {END}
        self.patterns = {t.name: t.pattern.to_regexp() for t in terms}
        self.order = [t.name for t in terms if t.name not in conf.ignore]
        # Ignored text (whitespace, comments) is a leading possessive group of each
        # lexer's regex: one match per token, and no backtracking over long runs of it.
        self.skip = "|".join(f"(?:{self.patterns[n]})" for n in sorted(conf.ignore))
        self.acceptable = {state: frozenset(k for k in row if k in names) for state, row in states.items()}
        # Every terminal at once: names the token a state's lexer cannot read, for the error.
        self.any_token = re.compile("|".join(f"(?P<{n}>{self.patterns[n]})" for n in self.order))
        self._scanners: list[re.Pattern[str] | None] = [None] * (max(states) + 1)
        # One flat table: state -> terminal -> next state (a shift, an int) or
        # (size, callback or None for a pass-through, rule name) for a reduce.
        actions = {
            rule: (len(rule.expansion), self._action(rule, builder_class), rule.origin.name) for rule in inner.callbacks
        }
        # The loop slices children as values[-size:], which needs size >= 1.
        assert all(size for size, _, _ in actions.values()), "the grammar has an empty rule"
        self.table: dict[int, dict[str, Any]] = {
            state: {
                sym: (arg if action is Shift else actions[arg])
                for sym, (action, arg) in row.items()
                if sym in self.acceptable[state]
            }
            for state, row in states.items()
        }
        # Gotos with the pass-through reductions that follow them already taken:
        # state -> rule name -> ({lookahead: state}, plain goto state). A `?rule` with
        # one child only changes the state, and which state depends on the state below
        # and the lookahead alone, so a chain of pass-throughs costs one lookup.
        self.gotos: dict[int, dict[str, tuple[dict[str, int], int]]] = {}
        for state, row in states.items():
            self.gotos[state] = {}
            for sym, (_action, target) in row.items():
                if sym in names:
                    continue
                after: dict[str, int] = {}
                for term in self.acceptable[target]:
                    s = target
                    while True:
                        act = self.table[s].get(term)
                        if act is None or act.__class__ is int or act[1] is not None:
                            break
                        s = row[act[2]][1]
                    after[term] = s
                self.gotos[state][sym] = (after, target)
        # Shifts followed by a reduction that does not depend on the next token (the
        # state's only action, of a one-symbol rule such as `value -> STRING`) take it
        # at once: the entry becomes [state after the goto, shifted state, callbacks].
        # The next token is still lexed in the shifted state, as without the fold, and
        # only where the state after the goto accepts no token the shifted state
        # rejects: an error is then found at the same token.
        for state, trow in self.table.items():
            for term, shift in list(trow.items()):
                if shift.__class__ is not int:
                    continue
                fns: list[Callback | None] = []
                s = shift
                while True:
                    acts = list(self.table[s].values())
                    red = acts[0] if acts else None
                    if red.__class__ is not tuple or red[0] != 1 or any(a is not red for a in acts):
                        break
                    nxt = self.gotos[state][red[2]][1]
                    if not set(self.table[nxt]) <= set(self.table[s]):
                        break
                    fns.append(red[1])
                    s = nxt
                if fns:
                    trow[term] = [s, shift, *fns]

    @staticmethod
    def _action(rule: Any, builder_class: type) -> Callback | None:
        name = rule.origin.name
        if name.startswith("__"):  # repetition helper: accumulate, spliced into the parent
            return _extend if rule.expansion and rule.expansion[0].name == name else _splice
        target = rule.alias or name
        expand1 = rule.options.expand1 and not rule.alias
        if expand1 and len(rule.expansion) == 1:
            return None  # `?rule` with one child: the child is the value, only the state changes
        method: Callback | None = getattr(builder_class, target, None)
        if method is None:
            raise AssertionError(f"no callback for grammar rule {target}")
        if not any(sym.name.startswith("__") for sym in rule.expansion) and not expand1:
            return method

        def call(b: Any, c: list[Any]) -> Any:
            flat: list[Any] = []
            for x in c:
                if type(x) is _Splice:
                    flat.extend(x)
                else:
                    flat.append(x)
            if expand1 and len(flat) == 1:
                return flat[0]
            return method(b, flat)

        return call

    def _scanner(self, state: int) -> re.Pattern[str]:
        """The lexer for one parser state: only the terminals acceptable there (compiled
        on first use); the token's own group is found by ``lastgroup``."""
        sc = self._scanners[state]
        if sc is None:
            body = "|".join(f"(?P<{n}>{self.patterns[n]})" for n in self.order if n in self.acceptable[state])
            sc = self._scanners[state] = re.compile(f"(?:{self.skip})*+(?:{body})?")
        return sc

    def parse(self, text: str, builder: Any) -> Any:
        """Parse ``text``, calling ``builder``'s callbacks; the value of the start rule.

        Raises :class:`SyntaxProblem` where the text leaves the grammar.
        """
        table, gotos, scanners, end_state = self.table, self.gotos, self._scanners, self.end
        n = len(text)
        stack = [self.start]
        lex = self.start  # the state whose lexer reads the next token
        values: list[Any] = []
        pos = 0
        prev: Token | None = None
        while True:
            state = stack[-1]
            m = (scanners[lex] or self._scanner(lex)).match(text, pos)
            typ = m.lastgroup  # type: ignore[union-attr]  # the regex matches the empty string
            if typ is not None:
                start, pos = m.span(typ)  # type: ignore[union-attr]
                tok: Token = (typ, text[start:pos], start, pos)
            else:
                pos = m.end()  # type: ignore[union-attr]
                if pos < n:  # a token this state cannot read: name it if any terminal can
                    other = self.any_token.match(text, pos)
                    if other is None or other.lastgroup is None:
                        raise SyntaxProblem(pos, None, self.acceptable[lex], prev)
                    typ = other.lastgroup
                    tok = (typ, other.group(), pos, other.end())
                else:
                    typ = END
                    tok = (END, "", n, n)
            row = table[state]
            while True:
                try:
                    act = row[typ]
                except KeyError:
                    raise SyntaxProblem(tok[2], tok, self.acceptable[stack[-1]], prev) from None
                if act.__class__ is int:
                    stack.append(act)
                    values.append(tok)
                    lex = act
                    break
                if act.__class__ is list:  # shift, then the reductions that need no lookahead
                    v: Any = tok
                    for fn in act[2:]:
                        if fn is not None:
                            v = fn(builder, [v])
                    stack.append(act[0])
                    values.append(v)
                    lex = act[1]
                    break
                size, fn, origin = act
                if fn is None:
                    stack.pop()
                else:
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                    values.append(fn(builder, children))
                after, plain = gotos[stack[-1]][origin]
                try:
                    state = after[typ]
                except KeyError:  # a token no state here accepts: the next lookup reports it
                    state = plain
                if typ is END and state == end_state:
                    return values[-1]
                stack.append(state)
                row = table[state]
            prev = tok


class _Splice(list[Any]):
    """Children of a ``__x_star_n`` helper rule, to be spliced into the parent."""

    __slots__ = ()


def _splice(_b: Any, c: list[Any]) -> _Splice:
    return _Splice(c)


def _extend(_b: Any, c: list[Any]) -> Any:
    acc = c[0]
    acc.extend(c[1:])
    return acc


def lark_transformer(builder_class: type, builder: Any) -> Any:
    """A Lark ``Transformer`` that calls the same callbacks as :class:`Driver`.

    Lark hands its callbacks ``Token`` objects; this converts them to our token tuples,
    so Lark's own LALR parser can run over the same builder: the reference in the
    differential test, and the baseline in the benchmark.
    """
    from lark import Token as LarkToken
    from lark import Transformer

    def method(fn: Callback) -> Callable[[Any, list[Any]], Any]:
        def call(_self: Any, children: list[Any]) -> Any:
            conv = [(x.type, str(x), x.start_pos, x.end_pos) if isinstance(x, LarkToken) else x for x in children]
            return fn(builder, conv)

        return call

    names = {n: method(f) for n, f in vars(builder_class).items() if not n.startswith("_") and callable(f)}
    return type("LarkBuilder", (Transformer,), names)()
