"""A lean driver for the LALR tables Lark builds from ``grammar/filter.lark``.

Lark stays the source of the language: it reads the grammar, computes the parse table,
the terminal patterns and how each rule's children are shaped. Only the hot loops are
ours: a contextual lexer that uses one compiled regex per parser state, the shift/reduce
loop over a flat table (an ``int`` is a shift or goto, a list a shift with reductions
folded in, a tuple a reduce), and the replay of recorded shapes: the parser's actions
depend on the token types alone, so a type sequence parsed before replays its recorded
reductions without the table (:class:`_Shape`). Tokens are plain tuples
``(type, text, start, end)``; line and column are computed from the offsets only when an
error needs them. Lark's own loop spends ~0.25 ms on a 10-condition filter in per-token
objects and wrapper callbacks; this one does the same work in ~0.1 ms, a replay in less
(docs/performance.md).

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
# One token of a recorded parse: lexer state, token type, reductions run before its
# shift, callbacks folded into the shift, and the parser's state stack when it was read.
Step = tuple[int, str, list[tuple[Callback, int]], list[Callback], tuple[int, ...]]


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


class Tok:
    """A token with its position, built only for error messages."""

    __slots__ = ("column", "end_column", "end_line", "line", "start", "type", "value")

    def __init__(self, text: str, tok: Token) -> None:
        self.type, self.value, self.start, end = tok
        self.line, self.column, self.end_line, self.end_column = span_position(text, self.start, end)

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r})"


class _Splice(list[Any]):
    """Children of a ``__x_star_n`` helper rule, to be spliced into the parent."""

    __slots__ = ()


def _splice(_b: Any, c: list[Any]) -> _Splice:
    return _Splice(c)


def _extend(_b: Any, c: list[Any]) -> Any:
    acc = c[0]
    acc.extend(c[1:])
    return acc


class LexError(Exception):
    def __init__(self, pos: int, allowed: set[str]) -> None:
        self.pos = pos
        self.allowed = allowed


class ParseError(Exception):
    def __init__(self, token: Tok, expected: set[str]) -> None:
        self.token = token
        self.expected = expected


class Driver:
    """Parses text with Lark's tables; ``builder_class`` has one function per rule name/alias."""

    def __init__(self, lark: Any, builder_class: type) -> None:
        inner = lark.parser.parser.parser
        table = inner.parse_table
        states: dict[int, dict[str, tuple[Any, Any]]] = table.states
        self.start: int = table.start_states["start"]
        self.end: int = table.end_states["start"]
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
        self.acceptable = {
            state: frozenset(k for k in row if k.isupper() or k.startswith("$")) for state, row in states.items()
        }
        # Per state, its lexer (compiled on first use); a list, indexed by state number.
        self._scanners: list[re.Pattern[str] | None] = [None] * (max(states) + 1)
        # One flat table: state -> terminal -> next state (a shift, an int) or
        # (size, callback or None for a pass-through, rule name) for a reduce.
        actions = {
            rule: (len(rule.expansion), self._action(rule, builder_class), rule.origin.name) for rule in inner.callbacks
        }
        # The loops slice children as values[-size:], which needs size >= 1.
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
        # and the lookahead alone, so `atom -> not_expr -> and_expr` costs one lookup.
        self.gotos: dict[int, dict[str, tuple[dict[str, int], int]]] = {}
        for state, row in states.items():
            self.gotos[state] = {}
            for sym, (_action, target) in row.items():
                if sym.isupper() or sym == END:
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
        # state's only action, of a one-symbol rule: `name -> NAME`, `value -> STRING`)
        # take it at once: the shift entry becomes [state after the goto, shifted state,
        # callbacks]. The next token is still lexed in the shifted state, as without the
        # fold: the state after the goto may accept fewer terminals, and lexing there
        # would turn `model = "a",` from "unexpected `,`" into "unexpected character".
        # Only where the state after the goto accepts no token the shifted state rejects:
        # an error is then found at the same token, and its list of expected tokens can
        # only get more precise (LALR merges states, so the shifted state's list may name
        # tokens that this context never allows).
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
        self._root = self._new_root()
        self._shape_nodes = 0
        self._seen_shapes: set[int] = set()

    def _new_root(self) -> _Shape:
        return _Shape(self._scanner(self.start), self.start, (self.start,), 0, "")

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
        """The lexer for one parser state: only the terminals acceptable there.

        Ignored text (whitespace, comments) is a leading optional group, so one regex
        match yields one token; the token's own group is found by ``lastgroup``.
        """
        sc = self._scanners[state]
        if sc is None:
            acceptable = self.acceptable[state]
            names = [n for n in self.order if n in acceptable]
            # Keywords are matched as NAME and re-typed, so "android" stays one word.
            if any(n in self.keywords.values() for n in names) and "NAME" not in names:
                names.append("NAME")
            names = [n for n in names if n not in self.keywords.values()]
            skip = "|".join(f"(?:{self.patterns[n]})" for n in self.order if n in self.ignore)
            body = "|".join(f"(?P<{n}>{self.patterns[n]})" for n in names)
            sc = self._scanners[state] = re.compile(f"(?:{skip})*(?:{body})?")
        return sc

    def parse(self, text: str, builder: Any) -> Any:
        """Parse ``text``, calling ``builder``'s callbacks; the value of the start rule.

        A text whose shape (sequence of token types) was parsed before replays the
        recorded reductions (:class:`_Shape`); where it leaves the recorded shapes, the
        LALR tables take over from the parser state recorded at that point.
        """
        if len(text) > _SHAPE_MAX_TEXT:
            return self._drive(text, builder, None, False)
        result = self._replay(text, builder)
        if result.__class__ is not _Resume:
            return result
        types: list[str] = []  # of the tokens after the replayed prefix
        node = result.node
        result = self._drive(text, builder, types, False, result)
        if self._second_sighting(node, types):  # record the reductions (one more run) and learn them
            trace: list[Step] = []
            self._drive(text, builder, trace, True)
            self._learn(trace)
        return result

    def _drive(
        self, text: str, builder: Any, trace: list[Any] | None, full: bool, resume: _Resume | None = None
    ) -> Any:
        """The LALR loop, from the start or from where a replay left the recorded shapes.

        With ``trace`` it records each token's type, or with ``full`` each token's lexer
        state, type, reductions, folded callbacks and parser stack (for _learn)."""
        table, gotos, keywords, scanners, end_state = self.table, self.gotos, self.keywords, self._scanners, self.end
        n = len(text)
        if resume is None:
            stack = [self.start]
            lex = self.start  # the state whose lexer reads the next token
            values: list[Any] = []
            pos, prev = 0, ""
        else:
            stack, lex, prev = list(resume.node.stack), resume.node.lex, resume.node.typ
            values, pos = resume.values, resume.pos
        reds: list[tuple[Callback, int]] = []
        while True:
            state = stack[-1]
            m = (scanners[lex] or self._scanner(lex)).match(text, pos)
            typ = m.lastgroup if m is not None else None
            if typ is not None:
                start, pos = m.span(typ)  # type: ignore[union-attr]
                value = text[start:pos]
                if typ == "NAME" and prev != "DOT":  # after a dot a keyword is a map key
                    typ = keywords.get(value.lower(), typ)
                prev = typ
                tok: Token = (typ, value, start, pos)
            else:
                pos = m.end() if m is not None else pos
                if pos < n:
                    raise LexError(pos, set(self.acceptable[lex]))
                typ = END
                tok = (END, "", n, n)
            if trace is not None:
                if full:
                    reds = []
                    trace.append((lex, typ, reds, [], tuple(stack)))
                else:
                    trace.append(typ)
            row = table[state]
            while True:
                try:
                    act = row[typ]
                except KeyError:
                    raise ParseError(Tok(text, tok), set(self.acceptable[stack[-1]])) from None
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
                            if full:
                                trace[-1][3].append(fn)  # type: ignore[index]
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
                    if full:
                        reds.append((fn, size))
                after, plain = gotos[stack[-1]][origin]
                try:
                    state = after[typ]
                except KeyError:  # a token no state here accepts: the next lookup reports it
                    state = plain
                if typ is END and state == end_state:
                    return values[-1]
                stack.append(state)
                row = table[state]

    def _replay(self, text: str, builder: Any) -> Any:
        """Parse along a recorded shape, or a :class:`_Resume` where the text leaves them.

        The parser's actions depend on the token types alone, never on their text, so a
        recorded path replays exactly: the same reductions, callbacks and lexer states,
        without the table lookups. On a miss, the values built so far and the point
        reached go to :meth:`_drive` as a :class:`_Resume`.
        """
        node = self._root
        keywords = self.keywords
        values: list[Any] = []
        pos, n = 0, len(text)
        prev = ""
        while True:
            m = node.scanner.match(text, pos)
            typ = m.lastgroup if m is not None else None
            if typ is not None:
                start, pos = m.span(typ)  # type: ignore[union-attr]
                value = text[start:pos]
                if typ == "NAME" and prev != "DOT":  # as in _drive (inlined: once per token)
                    typ = keywords.get(value.lower(), typ)
                prev = typ
                tok: Token = (typ, value, start, pos)
            elif m is not None and m.end() == n:
                typ = END
                tok = (END, "", n, n)
            else:  # no token fits here: the tables will say why (pos is still before it)
                return _Resume(node, values, pos)
            edge = node.edges.get(typ)
            if edge is None:  # resume at this token
                return _Resume(node, values, tok[2])
            reds, folds, nxt = edge
            for fn, size in reds:
                children = values[-size:]
                del values[-size:]
                values.append(fn(builder, children))
            if nxt is None:  # the end: accepted
                return values[-1]
            v: Any = tok
            for fn in folds:
                v = fn(builder, [v])
            values.append(v)
            node = nxt

    def _second_sighting(self, node: _Shape, types: list[str]) -> bool:
        """True the second time a token-type sequence parses (since the filter reset).

        The sequence is the trie point where the replay stopped plus the types after it
        (a point stands for its prefix; should a point be reused after a trie reset, the
        worst case is learning a shape one sighting early). A shape seen once is only
        remembered as a hash, so a stream of one-off shapes leaves no garbage behind.
        """
        h = hash((id(node), *types))
        if h in self._seen_shapes:
            return True
        if len(self._seen_shapes) >= _SHAPES_SEEN:
            self._seen_shapes.clear()
        self._seen_shapes.add(h)
        return False

    def _learn(self, trace: list[Step]) -> None:
        """Add a parse's recorded path to the shape trie (bounded: cleared when it
        would pass ``_SHAPE_MAX_NODES``)."""
        if len(trace) > _SHAPE_MAX_NODES:
            return
        if self._shape_nodes + len(trace) > _SHAPE_MAX_NODES:
            self._root = self._new_root()
            self._shape_nodes = 0
        node = self._root
        for i, (_lex, typ, reds, folds, _stack) in enumerate(trace):
            edge = node.edges.get(typ)
            if edge is None:
                nxt = None
                if typ != END:
                    lex, stack = trace[i + 1][0], trace[i + 1][4]
                    nxt = _Shape(self._scanner(lex), lex, stack, node.depth + 1, typ)
                self._shape_nodes += 1
                node.edges[typ] = (tuple(reds), tuple(folds), nxt)
                if nxt is None:
                    return
                node = nxt
            elif edge[2] is None:
                return
            else:
                node = edge[2]


_SHAPE_MAX_TEXT = 4096  # longer texts always run the tables
_SHAPE_MAX_NODES = 20_000  # trie points (one per token of each learned shape; a few MB at most)
_SHAPES_SEEN = 16_384  # hashes of shapes seen once


class _Shape:
    """A point in the trie of recorded token-type sequences: the lexer to use here, the
    parser's state stack here (to resume the tables from), and per next token type
    (reductions to run, callbacks folded into the shift, next point)."""

    __slots__ = ("depth", "edges", "lex", "scanner", "stack", "typ")

    def __init__(self, scanner: re.Pattern[str], lex: int, stack: tuple[int, ...], depth: int, typ: str) -> None:
        # typ: the type of the token that led here (the lexer's "previous type" here)
        self.scanner, self.lex, self.stack, self.depth, self.typ = scanner, lex, stack, depth, typ
        self.edges: dict[str, tuple[tuple[tuple[Callback, int], ...], tuple[Callback, ...], _Shape | None]] = {}


class _Resume:
    """Where a replay left the recorded shapes: the point (whose ``typ`` is the type of
    the token before), the values built, and the lexer position of the token that did
    not fit."""

    __slots__ = ("node", "pos", "values")

    def __init__(self, node: _Shape, values: list[Any], pos: int) -> None:
        self.node, self.values, self.pos = node, values, pos


def lark_transformer(builder_class: type, builder: Any) -> Any:
    """A Lark ``Transformer`` that calls the same callbacks as :class:`Driver`.

    Lark hands its callbacks ``Token`` objects; this converts them to our token tuples,
    so Lark's own LALR parser can run over the same builder. The test suite checks that
    both parsers agree, and the benchmark measures one against the other.
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
