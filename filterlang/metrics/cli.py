"""``filterlang sample`` and ``filterlang overview``: demo data and the overview in a terminal.

    filterlang sample --rows 1000000 --out requests.parquet
    filterlang overview 'model ~ "gpt-4o%" and status = 200' --data requests.parquet

Progress goes to stderr, and only where someone can see it: redrawn in place on a
terminal, or a start and an end line when the input is large and stderr is a file
(CI logs should say what took the time, not fill up with spinner frames).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from ..cli import UsageError, add_filter_arguments, read_filter

LARGE_INPUT_BYTES = 64 << 20  # files above this get progress lines even off a terminal
LARGE_INPUT_ROWS = 1_000_000
_SPIN = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProgressLine:
    """A one-line progress display on stderr (no output when it would be noise)."""

    def __init__(self, label: str, *, large: bool, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = self.tty or large
        self.label = label
        self.start = time.monotonic()
        self.frame = 0
        if self.enabled and not self.tty:
            print(f"{label}…", file=self.stream, flush=True)

    def update(self, fraction: float | None, detail: str = "") -> None:
        if not (self.enabled and self.tty):
            return
        self.frame += 1
        elapsed = time.monotonic() - self.start
        pct = f" {fraction * 100:5.1f}%" if fraction is not None else ""
        spin = _SPIN[self.frame % len(_SPIN)]
        self.stream.write(f"\r\x1b[2K{spin} {self.label}{pct}{detail} {elapsed:4.1f}s")
        self.stream.flush()

    def done(self, message: str = "") -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        text = f"{message or self.label} in {elapsed:.1f}s"
        if self.tty:
            self.stream.write("\r\x1b[2K")
        print(text, file=self.stream, flush=True)


def _human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def int_range(lo: int, hi: int | None = None) -> Callable[[str], int]:
    """An argparse ``type=`` for integers in ``lo..hi``: out of range is a usage error (exit 2).

    argparse names the option in the message ("argument --bins: ..."), and the check runs
    before any engine starts, so every engine refuses the same values the same way.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, not {text!r}") from None
        if value < lo or (hi is not None and value > hi):
            span = f"from {lo} to {hi}" if hi is not None else f">= {lo}"
            raise argparse.ArgumentTypeError(f"must be an integer {span}, not {value}")
        return value

    parse.__name__ = "integer"  # argparse's fallback message says "invalid integer value"
    return parse


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------- sample


def _cmd_sample(args: argparse.Namespace) -> int:
    from .. import sample

    known = sample.format_for(Path(args.out))
    if args.format is None and known is None:
        raise UsageError(
            f"argument --out: cannot tell the format of {args.out!r} from its suffix; "
            f"use .parquet, .csv or .jsonl, or pass --format {{{','.join(sample.FORMATS)}}}"
        )
    if args.format is not None and known is not None and known != args.format:
        raise UsageError(
            f"argument --format: {args.format}, but --out {args.out!r} names a .{known} file; make them agree"
        )
    start_ms, end_ms = _window(args.start, args.end)
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as e:
        return _error(f"the sample generator needs numpy and pyarrow: pip install 'filterlang[sample]' ({e})")
    progress = ProgressLine(f"writing {args.rows:,} rows to {args.out}", large=args.rows >= LARGE_INPUT_ROWS)

    def report(done: int) -> None:
        progress.update(done / args.rows if args.rows else None)

    try:
        path = sample.write_sample(
            args.rows,
            args.out,
            seed=args.seed,
            fmt=args.format,
            users=args.users,
            progress=report,
            start=start_ms,
            end=end_ms,
        )
    except (OSError, ValueError) as e:
        return _error(str(e))
    span = f" from {_iso(start_ms)} to {_iso(end_ms)}"
    progress.done(f"wrote {args.rows:,} rows to {path}{span}")
    if not progress.enabled:
        print(f"wrote {args.rows:,} rows to {path}{span}", file=sys.stderr)
    return 0


def _time_option(text: str) -> int:
    """``--start``/``--end``: RFC 3339, a date (midnight UTC), or ``now``; as epoch ms."""
    from datetime import UTC, datetime

    from ..timefmt import check, to_epoch_ms

    if text == "now":
        return int(datetime.now(UTC).timestamp() * 1000)
    if len(text) == 10 and text.isascii():
        text += "T00:00:00Z"  # a date: midnight UTC
    reason = check(text)
    if reason is not None:
        raise argparse.ArgumentTypeError(f"expected an RFC 3339 time, a date (2026-01-05) or now: {reason}")
    return to_epoch_ms(text)


_time_option.__name__ = "time"


def _window(start: int | None, end: int | None) -> tuple[int, int]:
    """The sample's time window in epoch ms; six weeks from 2026-01-05 unless told otherwise."""
    from ..sample import DAYS, START_EPOCH_MS

    span = DAYS * 86_400_000
    if start is None:
        start = START_EPOCH_MS if end is None else end - span
    if end is None:
        end = start + span
    if end <= start:
        raise UsageError(f"argument --end: {_iso(end)} must be after --start {_iso(start)}")
    return start, end


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- overview


# Which engines each engine-specific flag means something for (anything else: usage error),
# and which engines read a table on a server instead of a --data file. An engine is a row.
ENGINE_FLAGS: dict[str, frozenset[str]] = {
    "url": frozenset({"clickhouse"}),
    "table": frozenset({"clickhouse", "spark"}),
    "tenant": frozenset({"clickhouse"}),
    "spark_master": frozenset({"spark"}),
}
SERVER_ENGINES = frozenset({"clickhouse"})
DATA_OR_TABLE_ENGINES = frozenset({"spark"})  # a --data file or a --table of its catalog
PROFILE_ENGINES = frozenset({"clickhouse"})  # files are always the flat layout


def _check_overview_options(args: argparse.Namespace) -> Any:
    """Every flag means something for this engine, or it is a usage error (exit 2); the profile."""
    engine = args.engine
    server = engine in SERVER_ENGINES
    for dest, engines in ENGINE_FLAGS.items():
        if getattr(args, dest) is not None and engine not in engines:
            flag = "--" + dest.replace("_", "-")
            needs = " or ".join(f"--engine {e}" for e in sorted(engines))
            raise UsageError(f"argument {flag}: applies to {needs}, not --engine {engine}")
    if args.profile != "flat" and engine not in PROFILE_ENGINES:
        raise UsageError("argument --profile: applies to --engine clickhouse (data files use the flat layout)")
    if args.compact and not args.json:
        raise UsageError("argument --compact: needs --json (the charts have no compact form)")
    if server and args.data is not None:
        raise UsageError(f"argument --data: --engine {engine} reads --table on the server, not a file")
    if engine in DATA_OR_TABLE_ENGINES:
        if (args.data is None) == (args.table is None):
            raise UsageError(f"--engine {engine} reads one of --data FILE or --table NAME")
    elif not server and args.data is None:
        raise UsageError(f"argument --data: required with --engine {engine} (a .parquet, .csv or .jsonl file)")
    from ..sql.cli import check_profile

    profile: Any = check_profile(args.profile)
    if args.tenant is not None:
        from dataclasses import replace

        from ..sql.profiles import resolve_profile

        profile = replace(resolve_profile(profile), tenant_column="organization_id", tenant=args.tenant)
    return profile


def _cmd_overview(args: argparse.Namespace) -> int:
    from . import sources
    from .engines import run_overview
    from .render import render_overview
    from .request import parse_request

    profile = _check_overview_options(args)
    node, _ = read_filter(args, default="all")
    req = parse_request({"filter": node, "pSize": args.p_size, "useInterquartile": args.interquartile})
    engine = args.engine
    if engine in SERVER_ENGINES or (engine in DATA_OR_TABLE_ENGINES and args.table is not None):
        source: Any = args.table
        progress = ProgressLine(f"querying {args.table or 'the profile table'} on {engine}", large=True)
    else:
        try:
            source = sources.resolve(args.data)
        except sources.SourceError as e:
            return _error(str(e))
        size = source.size_hint()
        progress = ProgressLine(f"{engine}: {source.label} ({_human_bytes(size)})", large=size >= LARGE_INPUT_BYTES)
    try:
        result = run_overview(
            req,
            source,
            engine=engine,
            method=args.method,
            bins=args.bins,
            url=args.spark_master if engine == "spark" else args.url,
            progress=progress.update if progress.tty else None,
            **({"profile": profile} if engine == "clickhouse" else {}),
            **({"table": args.table} if engine == "spark" else {}),
        )
    except (ValueError, ImportError, OSError) as e:  # SourceError is a ValueError
        if progress.tty:
            sys.stderr.write("\r\x1b[2K")
        return _error(str(e))
    if result["error"] is not None:
        if progress.tty:
            sys.stderr.write("\r\x1b[2K")
        return _error(result["error"])
    progress.done(f"{engine}: overview of {getattr(source, 'label', source or 'the profile table')}")
    data = result["data"]
    if not data["request_count"] and engine != "clickhouse":
        print(_why_empty(args, source, engine, args.filter), file=sys.stderr)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=None if args.compact else 2))
        return 0
    shown = args.filter if args.file is None else f"(from {args.file})"
    subtitle = (
        f"filter: {shown or 'all'}\n"
        f"pSize {req.p_size}{' interquartile' if req.use_interquartile else ''} · {args.method} bins"
        f" · engine {engine}"
    )
    ascii_only = not _can_encode(sys.stdout, "█▏")
    print(render_overview(data, subtitle=subtitle, ascii_only=ascii_only, cut=req.p_size, method=args.method))
    return 0


def _why_empty(args: argparse.Namespace, source: Any, engine: str, text: str | None) -> str:
    """Why an overview kept no user: no rows, or the data's time window against the filter's `now`."""
    from datetime import UTC, datetime

    from .engines import data_window

    try:
        rows, first, last = data_window(source, "chdb" if engine == "chdb" else "duckdb")
    except (ValueError, ImportError, OSError):
        return "note: the filter kept no request"
    if rows == 0:
        return f"note: {source.label} has no rows"
    span = f"from {first} to {last} UTC" if first is not None else "without request_created_at values"
    note = f"note: the filter kept none of the {rows:,} requests; they run {span}"
    if not re.search(r"\bnow\b", text or ""):
        return note
    now = args.now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{note}, and `now` in the filter was {now}" + ("" if args.now else " (set --now to the data's time)")


def _can_encode(stream: TextIO, text: str) -> bool:
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def register(subparsers: Any) -> None:
    """Add the ``sample`` and ``overview`` subcommands to the ``filterlang`` parser."""
    from ..sample import FORMATS
    from . import MAX_BINS

    p = subparsers.add_parser(
        "sample",
        help="write a realistic, seeded request log (flat layout) for trying things out",
        description="Write a seeded request log in the flat layout: skewed users, real models and prices, "
        "latencies, tokens, statuses, properties and scores over six weeks (UTC) from 2026-01-05, "
        "or over --start .. --end (so `request_created_at > now - 7d` can keep requests).",
    )
    p.add_argument("--rows", type=int_range(0), default=100_000, help="number of requests (default 100000)")
    p.add_argument("--out", required=True, help="output file (.parquet, .csv or .jsonl)")
    p.add_argument("--seed", type=int_range(0), default=7, help="random seed >= 0 (default 7); same seed, same rows")
    p.add_argument("--format", choices=FORMATS, help="file format (default: from the --out suffix)")
    p.add_argument("--users", type=int_range(1), help="number of distinct users (default rows/40)")
    p.add_argument(
        "--start", type=_time_option, help="first request time: RFC 3339, a date or now (default 2026-01-05)"
    )
    p.add_argument(
        "--end", type=_time_option, help="end of the time window (default: six weeks after --start; e.g. now)"
    )
    p.set_defaults(func=_cmd_sample, usage_text=p.format_usage)

    o = subparsers.add_parser(
        "overview",
        help="histograms of requests and spend per user for a filter",
        description="The metrics overview (POST /v1/user/metrics-overview/query) over a data file: keep the "
        "rows the filter keeps, group by user, cut at the pSize quantile, and bucket.",
    )
    add_filter_arguments(o, optional=True)
    o.add_argument("--data", help="data file: .parquet, .csv or .jsonl in the flat layout")
    o.add_argument("--p-size", default="p95", choices=("p50", "p75", "p95", "p99", "p99.9"), help="default p95")
    o.add_argument("--interquartile", action="store_true", help="keep the band Q(1-p) <= value <= Q(p)")
    o.add_argument(
        "--engine",
        default="duckdb",
        choices=("duckdb", "chdb", "reference", "clickhouse", "spark"),
        help="default duckdb",
    )
    o.add_argument("--method", default="adaptive", choices=("adaptive", "equal"), help="bucketing (default adaptive)")
    o.add_argument(
        "--bins", type=int_range(1, MAX_BINS), default=10, help=f"number of bins, 1..{MAX_BINS} (default 10)"
    )
    o.add_argument("--json", action="store_true", help="print the API's Result JSON instead of charts")
    o.add_argument("--compact", action="store_true", help="with --json: one line")
    o.add_argument("--url", help="ClickHouse server URL for --engine clickhouse")
    o.add_argument("--table", help="table to read with --engine clickhouse|spark (default: the profile's table)")
    o.add_argument(
        "--spark-master",
        help="with --engine spark: spark://HOST:7077, Spark Connect sc://HOST:15002 or local[N] (default local[*])",
    )
    o.add_argument(
        "--profile",
        default="flat",
        help="with --engine clickhouse: how fields map to your table: flat, helicone or a .toml file",
    )
    o.add_argument("--tenant", help="with --engine clickhouse: AND organization_id = TENANT in front of the filter")
    o.set_defaults(func=_cmd_overview)


__all__ = ["ProgressLine", "register"]
