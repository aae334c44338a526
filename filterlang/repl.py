"""``filterlang repl``: write filters with completion, live errors and highlighting.

A prompt_toolkit session (optional extra ``filterlang[repl]``) whose every helper is
the library itself: completion is :func:`filterlang.complete` (keys and values from
``--data``), the toolbar shows :func:`filterlang.parse`'s error with its caret as you
type, colours come from the Pygments lexer built from the grammar's token table. A line
that parses becomes the *current filter*; commands act on it.

The command logic lives in :class:`Repl` (text in, text out), so the tests drive it and
the prompt the same way: through prompt_toolkit's pipe input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import FilterError

if TYPE_CHECKING:
    from prompt_toolkit.completion import CompleteEvent, Completion
    from prompt_toolkit.document import Document
    from prompt_toolkit.formatted_text import StyleAndTextTuples

    from .nodes import Node

HELP = """\
Type a filter and press Enter to make it the current filter (Tab completes; the
toolbar shows what is wrong, with a caret, while you type). Commands:
  :json              the current filter as the API's JSON
  :sql [DIALECT]     its SQL (parameterized), default duckdb; :sql list names the dialects
  :overview [pSize] [iqr]   the metrics overview on --data (pSize p50..p99, default p99)
  :check             where upstream would evaluate it differently
  :help              this text
  :quit              leave (Ctrl-D works too)"""


class Repl:
    """The REPL's state and commands, independent of the terminal."""

    def __init__(self, data: str | None = None, *, dialect: str = "duckdb") -> None:
        self.data = data
        self.dialect = dialect
        self.node: Node | None = None
        self.text = ""
        self._vocab: Any = None

    @property
    def vocabulary(self) -> Any:
        """Map keys and text values of ``--data``, read once (bounded), for completion."""
        if self._vocab is None and self.data:
            from .dsl.complete import Vocabulary, vocabulary

            try:
                self._vocab = vocabulary(self.data)
            except Exception:  # completion without data is still completion
                self._vocab = Vocabulary()
        return self._vocab

    def status(self, text: str) -> str:
        """One line (or error with caret) for the toolbar: is ``text`` a valid filter?"""
        from . import parse

        if not text.strip():
            return "type a filter · Tab completes · :help"
        try:
            parse(text)
        except FilterError as e:
            return str(e)
        return "ok · Enter makes it the current filter"

    def handle(self, line: str) -> str:
        """Run one input line: a command (``:name args``) or a filter. Returns what to print."""
        stripped = line.strip()
        if not stripped:
            return ""
        if stripped.startswith(":"):
            name, _, rest = stripped[1:].partition(" ")
            command = _COMMANDS.get(name.lower())
            if command is None:
                return f"unknown command :{name} (try :help)"
            try:
                return command(self, rest.strip())
            except FilterError as e:
                return f"error: {e}"
        from . import parse, to_dsl

        try:
            node = parse(line)
        except FilterError as e:
            return f"error: {e}"
        self.node, self.text = node, line
        return f"ok: {to_dsl(node)}"

    def _need(self) -> Node:
        if self.node is None:
            raise FilterError("no current filter yet: type one first")
        return self.node

    def cmd_json(self, _rest: str) -> str:
        from . import to_json

        return json.dumps(to_json(self._need()), indent=2, ensure_ascii=False)

    def cmd_sql(self, rest: str) -> str:
        from .sql import list_dialects, where_sql

        if rest == "list":
            return " ".join(list_dialects())
        dialect = rest or self.dialect
        if dialect not in list_dialects():
            return f"unknown dialect {dialect!r}; one of: {' '.join(list_dialects())}"
        q = where_sql(self._need(), dialect=dialect)
        out = q.sql
        if q.params:
            out += "\n-- params: " + json.dumps(q.params, default=str, ensure_ascii=False)
        return out

    def cmd_overview(self, rest: str) -> str:
        from . import overview, to_json
        from .metrics.render import render_overview

        if not self.data:
            return "no data: start with `filterlang repl --data FILE`"
        args = rest.split()
        p_size = next((a for a in args if a.lower().startswith("p")), "p99")
        iqr = any(a.lower() in ("iqr", "interquartile") for a in args)
        body = {"filter": to_json(self._need()), "pSize": p_size, "useInterquartile": iqr}
        result = overview(body, self.data)
        if result.get("error"):
            return f"error: {result['error']}"
        return render_overview(result["data"], subtitle=f"pSize {p_size}{' · interquartile' if iqr else ''}")

    def cmd_check(self, _rest: str) -> str:
        from .compat import upstream_differences

        warnings = upstream_differences(self._need())
        return "\n".join(f"warning: {w}" for w in warnings) or "no differences from upstream"

    def cmd_help(self, _rest: str) -> str:
        return HELP

    def cmd_quit(self, _rest: str) -> str:
        raise EOFError


_COMMANDS = {
    "json": Repl.cmd_json,
    "sql": Repl.cmd_sql,
    "overview": Repl.cmd_overview,
    "check": Repl.cmd_check,
    "help": Repl.cmd_help,
    "quit": Repl.cmd_quit,
    "q": Repl.cmd_quit,
    "exit": Repl.cmd_quit,
}


def _dialects() -> list[str]:
    from .sql import list_dialects

    return [*list_dialects(), "list"]


# Command -> its arguments, for completion.
_ARGUMENTS: dict[str, Any] = {
    ":sql": _dialects,
    ":overview": lambda: ["p50", "p75", "p95", "p99", "iqr"],
}


def _completer(repl: Repl) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    from .dsl.complete import complete

    class FilterCompleter(Completer):  # type: ignore[misc]
        """complete() at the cursor; commands when the line starts with ':'."""

        def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterator[Completion]:
            text, cursor = document.text, document.cursor_position
            if text.lstrip().startswith(":"):
                head, space, arg = text[:cursor].lstrip().partition(" ")
                if not space:
                    for name in _COMMANDS:
                        if f":{name}".startswith(head) and len(name) > 1:
                            yield Completion(f":{name}", start_position=-len(head))
                    return
                for option in _ARGUMENTS.get(head.lower(), list)():
                    if option.startswith(arg.split(" ")[-1]):
                        yield Completion(option, start_position=-len(arg.split(" ")[-1]))
                return
            try:
                got = complete(text, cursor, source=repl.vocabulary)
            except (FilterError, ValueError):
                return
            for s in got:
                # prompt_toolkit replaces text before the cursor only.
                yield Completion(s.text, start_position=s.start - cursor, display_meta=s.detail or s.kind)

    return FilterCompleter()


def session(repl: Repl, *, input: Any = None, output: Any = None, history: str | None = None) -> Any:
    """A prompt_toolkit session wired to ``repl``: completer, lexer, live toolbar, history."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.lexers import PygmentsLexer
    from prompt_toolkit.styles import Style, merge_styles, style_from_pygments_cls
    from pygments.styles import get_style_by_name

    from .dsl.pygments_lexer import FilterLangLexer

    def toolbar() -> StyleAndTextTuples:
        from prompt_toolkit.application import get_app

        text = get_app().current_buffer.text
        if text.lstrip().startswith(":"):
            return [("class:toolbar.hint", " command · :help lists them")]
        msg = repl.status(text)
        style = "class:toolbar.ok" if msg.startswith(("ok", "type")) else "class:toolbar.error"
        return [(style, " " + msg.replace("\n", "\n "))]

    style = merge_styles(
        [
            style_from_pygments_cls(get_style_by_name("monokai")),
            Style.from_dict(
                {
                    "bottom-toolbar": "noreverse bg:#1e1e1e",
                    "toolbar.ok": "#8ae234",
                    "toolbar.error": "#ff6b6b",
                    "toolbar.hint": "#aaaaaa",
                }
            ),
        ]
    )
    hist = InMemoryHistory() if history is None else FileHistory(history)
    return PromptSession(
        "filter> ",
        completer=_completer(repl),
        complete_while_typing=True,
        lexer=PygmentsLexer(FilterLangLexer),
        bottom_toolbar=toolbar,
        style=style,
        history=hist,
        input=input,
        output=output,
    )


def run(
    repl: Repl, *, input: Any = None, output: Any = None, history: str | None = None, out: IO[str] | None = None
) -> int:
    """Read lines until EOF or :quit, printing each answer to ``out``."""
    sess = session(repl, input=input, output=output, history=history)
    dest = out or sys.stdout
    while True:
        try:
            line = sess.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        try:
            answer = repl.handle(line)
        except EOFError:
            return 0
        if answer:
            print(answer, file=dest, flush=True)


def _default_history() -> str:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "filterlang"
    base.mkdir(parents=True, exist_ok=True)
    return str(base / "repl_history")


def _main(args: argparse.Namespace) -> int:
    try:
        import prompt_toolkit  # noqa: F401
        import pygments  # noqa: F401
    except ModuleNotFoundError:
        print("the REPL needs the optional extra: pip install 'filterlang[repl]'", file=sys.stderr)
        return 2
    history = None if args.no_history else _default_history()
    return run(Repl(args.data, dialect=args.dialect), history=history)


def register(sub: Any) -> None:
    p = sub.add_parser("repl", help="interactive filter editor: completion, live errors, :json/:sql/:overview")
    p.add_argument("--data", help="data file for :overview and for completing map keys and values")
    p.add_argument("--dialect", default="duckdb", help="default dialect of :sql (default duckdb)")
    p.add_argument("--no-history", action="store_true", help="do not read or write the history file")
    p.set_defaults(func=_main)
