"""The ``filterlang`` command: one entry point, subcommands registered per area.

Each area owns its subcommands in its own module (``register(subparsers)``), so the
language, SQL and overview commands evolve without touching each other. Exit codes:
0 ok, 1 invalid input (reason on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from . import __version__
from .errors import FilterError

# Modules that contribute subcommands; each exposes ``register(subparsers)``.
COMMAND_MODULES = (
    "filterlang.dsl.cli",
    "filterlang.sql.cli",
    "filterlang.metrics.cli",
    "filterlang.server.cli",
    "filterlang.repl",
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except FilterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # `filterlang ... | head` is not an error
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
