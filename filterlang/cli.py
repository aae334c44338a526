"""The ``filterlang`` command: one entry point, subcommands registered per area.

Each area owns its subcommands in its own module (``register(subparsers)``), so the
language, SQL and overview commands evolve without touching each other. What they share
lives here, so they cannot drift apart:

- every command that takes a filter takes it the same way (:func:`add_filter_arguments`,
  :func:`read_filter`): a positional argument that is DSL or JSON text (JSON when it starts
  with ``{`` or ``"``), ``-`` for stdin, or ``--file F`` (told apart the same way);
- ``--now`` anchors relative times wherever a filter is read, and is checked as an option;
- exit codes: 0 ok, 1 invalid input (the reason on stderr), 2 usage error. Nothing ends in
  a traceback: an unexpected exception is one line naming it (``FILTERLANG_DEBUG=1``
  shows the traceback for a bug report).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import FilterError, FilterSyntaxError

if TYPE_CHECKING:
    from .nodes import Node

# Modules that contribute subcommands; each exposes ``register(subparsers)``.
COMMAND_MODULES = (
    "filterlang.dsl.cli",
    "filterlang.sql.cli",
    "filterlang.metrics.cli",
    "filterlang.server.cli",
    "filterlang.repl",
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_filter_arguments",
    "build_parser",
    "main",
    "read_filter",
    "read_text",
]


class UsageError(Exception):
    """The command line asks for something impossible (exit 2): a flag without the flag it needs,
    an unknown dialect, two filters at once. Raised by a subcommand, reported by :func:`main`."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _now_option(text: str) -> str:
    """``--now`` is checked when the command line is read, so a bad anchor is a usage error."""
    from .dsl.parser import parse

    try:
        parse("all", now=text)  # parse checks the anchor even when the text has no `now`
    except FilterError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    return text


_now_option.__name__ = "RFC 3339 time"


def add_filter_arguments(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The filter arguments every filter-taking subcommand shares (FILTER, --file, --now)."""
    default = " (default: all, no filter)" if optional else ""
    parser.add_argument(
        "filter",
        nargs="?",
        metavar="FILTER",
        help="the filter as DSL text ('status >= 500 and model ~ \"gpt%%\"') or as the API's JSON "
        f"(when it starts with {{ or \"); '-' reads it from stdin{default}",
    )
    parser.add_argument(
        "--file",
        "-f",
        metavar="F",
        help="read the filter from file F instead (DSL or JSON, told apart the same way)",
    )
    parser.add_argument(
        "--now",
        type=_now_option,
        metavar="TIME",
        help="anchor for relative times like `now - 7d` in a DSL filter (RFC 3339; default: the current UTC time)",
    )
    parser.set_defaults(usage_text=parser.format_usage)


def read_text(source: str, what: str = "the input") -> str:
    """A file's text, or stdin's for ``-``, as UTF-8 (a BOM is dropped); FilterError if unreadable."""
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else (exc.strerror or str(exc))
        raise FilterSyntaxError(f"cannot read {what} {source!r}: {reason}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = "stdin" if source == "-" else repr(source)
        raise FilterSyntaxError(
            f"{what} {where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def is_json_text(text: str) -> bool:
    """The one rule that tells JSON from DSL: JSON starts with ``{`` or ``"``."""
    return text.lstrip().startswith(("{", '"'))


def filter_text(args: argparse.Namespace, *, default: str | None = None) -> str:
    """The filter text the command line names: FILTER, '-' (stdin) or --file F, read once."""
    given, file = args.filter, args.file
    if given is not None and file is not None:
        raise UsageError("give the filter once: as FILTER text ('-' for stdin) or with --file, not both")
    if given is None and file is None:
        if default is None:
            raise UsageError("give a filter: FILTER text (DSL or JSON), '-' for stdin, or --file F")
        given = default
    if file is not None:
        return read_text(file, "the filter file")
    if given == "-":
        return read_text("-", "the filter on")
    return str(given)


def read_filter(args: argparse.Namespace, *, default: str | None = None, text: str | None = None) -> tuple[Node, str]:
    """The filter the command line names, parsed, and its kind (``"DSL"`` or ``"JSON"``).

    ``default`` is used when no filter is given (``None``: a filter is required); ``text`` is
    the already-read :func:`filter_text`, so stdin is read once.
    """
    from .dsl.parser import parse
    from .jsonio import from_json

    given, file = args.filter, args.file
    if text is None:
        text = filter_text(args, default=default)
    if is_json_text(text):
        if args.now is not None:
            raise UsageError("--now anchors relative times (`now - 7d`) in DSL text; a JSON filter has none")
        return from_json(text, coerce=getattr(args, "coerce", False)), "JSON"
    try:
        return parse(text, now=args.now), "DSL"
    except FilterSyntaxError as exc:
        if file is None and given not in ("-", None) and _names_a_file(given):
            raise FilterSyntaxError(
                f"{exc.message} ({given!r} is a file: pass --file {given} to read it)",
                text=exc.text,
                line=exc.line,
                column=exc.column,
                end_column=exc.end_column,
            ) from None
        raise


def _names_a_file(text: str) -> bool:
    try:
        return len(text) < 1024 and "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="filterlang",
        description="Readable filters for the UserFilterNode API: DSL <-> JSON <-> SQL, and the metrics overview.",
    )
    parser.add_argument("--version", action="version", version=f"filterlang {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # an area not built yet must not break the others
            if exc.name != name:
                raise
            continue
        mod.register(sub)
    return parser


def _one_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if not getattr(args, "func", None):
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    prog = f"filterlang {args.command}"
    if extra:  # said with the subcommand's usage, not the top level's
        usage = getattr(args, "usage_text", None)
        if usage is not None:
            sys.stderr.write(usage())
        print(f"{prog}: error: unrecognized arguments: {' '.join(extra)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except UsageError as exc:
        usage = getattr(args, "usage_text", None)
        if usage is not None:
            sys.stderr.write(usage())
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # `filterlang ... | head` is not an error
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, ImportError) as exc:  # unreadable data, a missing engine: the reason
        print(f"error: {_one_line(str(exc)) or type(exc).__name__}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a bug: still one line, never a traceback unless asked for
        if os.environ.get("FILTERLANG_DEBUG"):
            raise
        detail = _one_line(str(exc))
        print(
            f"error: internal error ({type(exc).__name__}{': ' + detail if detail else ''}); "
            "please report it (FILTERLANG_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INVALID


if __name__ == "__main__":
    # `python -m filterlang.cli` runs this file as __main__: use the package's module, whose
    # UsageError is the class the subcommands raise.
    from filterlang.cli import main as _package_main

    raise SystemExit(_package_main())
