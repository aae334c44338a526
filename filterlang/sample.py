"""A realistic, seeded request log in the ``flat`` layout, for demos, tests and benchmarks.

Why synthetic data needs care: the overview is about *distributions* (requests and spend per
user), so uniform random data would make every histogram look the same. The generator
reproduces the shapes real LLM traffic has: a few heavy users and a long tail (Zipf-like),
a handful of popular models carrying most traffic at their real per-token prices, tokens
and latencies that are log-normal and correlated, mostly-200 statuses with bursts of 429s,
cached requests that cost nothing, and properties/scores maps with the keys teams tag
requests with.

Everything is vectorised with numpy and assembled as Arrow arrays (no Python loop per row),
so a million rows take about four seconds to Parquet, ten million about thirty, in batches
of 1M rows (flat memory). The same seed gives the same rows on every machine (numpy's
PCG64 stream is stable across platforms).

Layout decisions (the ``flat`` profile, one column per ``request_response_rmt`` field):

- timestamps are ``timestamp[ms]`` *without* a time zone, holding UTC wall-clock time. DuckDB
  reads that as its naive ``TIMESTAMP`` (the flat layout's type) and chDB as ``DateTime64(3)``
  holding the same instant, so both engines compare and bucket by UTC day identically (the
  chDB engine pins ``session_timezone = 'UTC'``). A tz-aware column would become
  ``TIMESTAMPTZ`` in DuckDB, whose comparisons depend on the session time zone.
- ``properties`` and ``search_properties`` are ``MAP<string, string>``, ``scores`` is
  ``MAP<string, int64>``; CSV holds them as JSON object text (CSV has no maps), JSONL as
  JSON objects.
- ``cost`` is USD as a double; the empty ``user_id`` (anonymous traffic) is a user like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

Format = Literal["parquet", "csv", "jsonl"]
FORMATS: tuple[str, ...] = ("parquet", "csv", "jsonl")

# Start of the generated period: a Monday, so the weekly rhythm lines up with calendar weeks.
START_EPOCH_MS = 1_767_571_200_000  # 2026-01-05T00:00:00Z
DAYS = 42  # six weeks

# (provider, model, share of traffic, USD per 1M prompt tokens, USD per 1M completion tokens,
#  ms per completion token): list prices of early 2025 for the models teams actually run.
MODELS: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("openai", "gpt-4o-mini", 0.22, 0.15, 0.60, 9.0),
    ("openai", "gpt-4o", 0.16, 2.50, 10.00, 14.0),
    ("openai", "gpt-4.1", 0.06, 2.00, 8.00, 13.0),
    ("openai", "gpt-4.1-mini", 0.07, 0.40, 1.60, 8.0),
    ("openai", "o3-mini", 0.04, 1.10, 4.40, 20.0),
    ("openai", "text-embedding-3-small", 0.08, 0.02, 0.0, 0.0),
    ("anthropic", "claude-3-5-sonnet-20241022", 0.10, 3.00, 15.00, 16.0),
    ("anthropic", "claude-3-5-haiku-20241022", 0.06, 0.80, 4.00, 9.0),
    ("anthropic", "claude-sonnet-4-20250514", 0.05, 3.00, 15.00, 15.0),
    ("anthropic", "claude-opus-4-20250514", 0.01, 15.00, 75.00, 30.0),
    ("google", "gemini-2.0-flash", 0.06, 0.10, 0.40, 5.0),
    ("google", "gemini-1.5-pro", 0.02, 1.25, 5.00, 15.0),
    ("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 0.03, 0.88, 0.88, 7.0),
    ("mistral", "mistral-large-latest", 0.02, 2.00, 6.00, 14.0),
    ("deepseek", "deepseek-chat", 0.02, 0.27, 1.10, 18.0),
)
TARGET_URLS: dict[str, str] = {
    "openai": "https://api.openai.com/v1/chat/completions",
    "anthropic": "https://api.anthropic.com/v1/messages",
    "google": "https://generativelanguage.googleapis.com/v1beta/models",
    "together": "https://api.together.xyz/v1/chat/completions",
    "mistral": "https://api.mistral.ai/v1/chat/completions",
    "deepseek": "https://api.deepseek.com/chat/completions",
}
STATUSES: tuple[tuple[int, float], ...] = (
    (200, 0.948),
    (429, 0.022),
    (400, 0.010),
    (401, 0.002),
    (404, 0.001),
    (500, 0.009),
    (502, 0.003),
    (503, 0.004),
    (504, 0.001),
)
COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 0.41),
    ("GB", 0.08),
    ("DE", 0.07),
    ("IN", 0.09),
    ("BR", 0.05),
    ("FR", 0.04),
    ("CA", 0.05),
    ("JP", 0.03),
    ("NL", 0.02),
    ("SG", 0.02),
    ("AU", 0.02),
    ("KR", 0.02),
    ("ES", 0.02),
    ("MX", 0.02),
    ("PL", 0.01),
    ("NG", 0.01),
)
COUNTRY_NULL_SHARE = 0.05
EMPTY_USER_SHARE = 0.03  # requests sent without a user id
ZIPF_EXPONENT = 0.95
ROWS_PER_USER = 40  # average; the busiest users have thousands, most have a handful
ZERO_UUID = "00000000-0000-0000-0000-000000000000"

# properties: key -> (share of rows carrying it, values, their weights)
PROPERTIES: tuple[tuple[str, float, tuple[str, ...], tuple[float, ...]], ...] = (
    ("environment", 1.0, ("production", "staging", "development"), (0.82, 0.13, 0.05)),
    (
        "feature",
        0.9,
        ("chat", "search", "summarize", "agent", "autocomplete", "extract"),
        (0.35, 0.2, 0.15, 0.12, 0.12, 0.06),
    ),
    ("app_version", 0.35, ("2.3.0", "2.4.0", "2.4.1", "2.5.0-beta"), (0.15, 0.3, 0.45, 0.1)),
    ("session", 0.15, tuple(f"s-{i:04d}" for i in range(200)), tuple([1.0 / 200] * 200)),
)
TIERS = ("free", "pro", "enterprise")
TIER_WEIGHTS = (0.7, 0.24, 0.06)

COLUMNS: tuple[str, ...] = (
    "country_code",
    "latency",
    "cost",
    "provider",
    "time_to_first_token",
    "status",
    "request_created_at",
    "response_created_at",
    "model",
    "user_id",
    "organization_id",
    "node_id",
    "job_id",
    "threat",
    "request_id",
    "prompt_tokens",
    "completion_tokens",
    "prompt_cache_read_tokens",
    "prompt_cache_write_tokens",
    "total_tokens",
    "target_url",
    "properties",
    "search_properties",
    "scores",
    "scores_column",
    "request_body",
    "response_body",
    "cache_enabled",
    "cache_reference_id",
    "cached",
    "assets",
    "helicone-score-feedback",
    "prompt_id",
    "prompt_version",
    "request_referrer",
    "is_passthrough_billing",
)


def schema() -> pa.Schema:
    """The Arrow schema of the generated table (the flat layout)."""
    import pyarrow as pa

    s, i, ts = pa.string(), pa.int64(), pa.timestamp("ms")
    types: dict[str, pa.DataType] = {
        "latency": i,
        "cost": pa.float64(),
        "time_to_first_token": i,
        "status": i,
        "request_created_at": ts,
        "response_created_at": ts,
        "threat": pa.bool_(),
        "prompt_tokens": i,
        "completion_tokens": i,
        "prompt_cache_read_tokens": i,
        "prompt_cache_write_tokens": i,
        "total_tokens": i,
        "properties": pa.map_(s, s),
        "search_properties": pa.map_(s, s),
        "scores": pa.map_(s, i),
        "cache_enabled": pa.bool_(),
        "cached": pa.bool_(),
        "helicone-score-feedback": pa.bool_(),
        "is_passthrough_billing": pa.bool_(),
    }
    return pa.schema([(c, types.get(c, s)) for c in COLUMNS])


BATCH_ROWS = 1 << 20


def generate(
    rows: int, seed: int = 7, *, users: int | None = None, start: int | None = None, end: int | None = None
) -> pa.Table:
    """A seeded request log of ``rows`` rows as an Arrow table (flat layout).

    ``start``/``end`` (epoch ms, UTC) move the time window; default six weeks from 2026-01-05.
    """
    import pyarrow as pa

    batches = list(generate_batches(rows, seed, users=users, start=start, end=end))
    if not batches:
        return schema().empty_table()
    return pa.concat_tables(batches)


def generate_batches(
    rows: int,
    seed: int = 7,
    *,
    users: int | None = None,
    batch_rows: int = BATCH_ROWS,
    start: int | None = None,
    end: int | None = None,
) -> Iterator[pa.Table]:
    """The same log as :func:`generate`, in tables of ``batch_rows`` rows (bounded memory).

    The user population (ids, organisations, tiers, popularity) comes from its own random
    stream, so every batch draws from the same users and 10M rows can be written one row
    group at a time.
    """
    import numpy as np

    n_users = check_sizes(rows, users)
    window = check_window(start, end)
    pop = _Population(np.random.default_rng([seed, 0]), n_users)
    for i, first in enumerate(range(0, rows, batch_rows)):
        yield _batch(np.random.default_rng([seed, 1, i]), min(batch_rows, rows - first), pop, window)


def check_window(start: int | None, end: int | None) -> tuple[int, int]:
    """(start, end) in epoch ms: the default six weeks, or the caller's window (end after start)."""
    lo = START_EPOCH_MS if start is None else start
    hi = lo + DAYS * 86_400_000 if end is None else end
    if start is None and end is not None:
        lo = hi - DAYS * 86_400_000
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"start and end are epoch milliseconds (int), not {v!r}")
    if hi <= lo:
        raise ValueError(f"the time window must end after it starts ({lo} .. {hi} ms)")
    return lo, hi


def check_sizes(rows: int, users: int | None) -> int:
    """The number of users for ``rows`` rows; ValueError for sizes that make no log.

    Called before anything is written, so a bad size never leaves a truncated file behind.
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ValueError(f"rows must be an integer >= 0, not {rows!r}")
    if users is None:
        return max(1, rows // ROWS_PER_USER)
    if isinstance(users, bool) or not isinstance(users, int) or users < 1:
        raise ValueError(f"users must be an integer >= 1 (the population requests are drawn from), not {users!r}")
    return users


class _Population:
    """Users and their fixed attributes, shared by all batches."""

    def __init__(self, rng: np.random.Generator, n_users: int) -> None:
        import numpy as np
        import pyarrow as pa

        self.n_users = n_users
        ranks = np.arange(1, n_users + 1, dtype=np.float64)
        cdf = np.cumsum(ranks**-ZIPF_EXPONENT)
        self.cdf = cdf / cdf[-1]
        self.perm = rng.permutation(n_users)  # popularity is not alphabetical
        self.names = pa.array([f"user_{u:06d}" for u in range(n_users)] + [""])
        n_orgs = max(1, n_users // 25)
        self.org_names = _uuids(rng, n_orgs)
        self.org = rng.integers(0, n_orgs, n_users)
        self.tier = _choice(rng, n_users, TIER_WEIGHTS)


def _batch(rng: np.random.Generator, n: int, pop: _Population, window: tuple[int, int]) -> pa.Table:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    # --- users: Zipf-like popularity over a fixed population, plus anonymous traffic
    n_users = pop.n_users
    user_idx = pop.perm[np.minimum(np.searchsorted(pop.cdf, rng.random(n), side="right"), n_users - 1)]
    anonymous = rng.random(n) < EMPTY_USER_SHARE
    user_col = pop.names.take(pa.array(np.where(anonymous, n_users, user_idx)))
    row_user = np.where(anonymous, 0, user_idx)
    user_tier = pop.tier
    org_col = pop.org_names.take(pa.array(pop.org[row_user]))

    # --- model mix; heavier tiers lean to bigger models via a per-user bias
    shares = np.array([m[2] for m in MODELS])
    model_idx = _choice(rng, n, shares / shares.sum())
    big = rng.random(n) < np.where(user_tier[row_user] == 2, 0.25, 0.0)
    model_idx = np.where(big, 6, model_idx)  # enterprise users lean to claude-3-5-sonnet
    in_price = np.array([m[3] for m in MODELS])[model_idx]
    out_price = np.array([m[4] for m in MODELS])[model_idx]
    ms_per_token = np.array([m[5] for m in MODELS])[model_idx]
    embedding = out_price == 0.0
    providers = [m[0] for m in MODELS]
    provider_col = pa.array(providers).take(pa.array(model_idx))
    model_col = pa.array([m[1] for m in MODELS]).take(pa.array(model_idx))
    url_col = pa.array([TARGET_URLS[p] for p in providers]).take(pa.array(model_idx))

    # --- statuses
    status = np.array([s for s, _ in STATUSES])[_choice(rng, n, np.array([w for _, w in STATUSES]))]
    ok = status == 200

    # --- tokens: log-normal, completions correlated with prompts
    prompt = np.rint(np.exp(rng.normal(6.3, 1.1, n))).astype(np.int64) + 5
    completion = np.rint(np.exp(rng.normal(5.0, 1.0, n) + 0.15 * (np.log(prompt) - 6.3))).astype(np.int64)
    completion = np.where(embedding | ~ok, 0, completion)
    cache_read = np.where(rng.random(n) < 0.18, (prompt * rng.random(n) * 0.8).astype(np.int64), 0)
    cache_write = np.where(rng.random(n) < 0.05, (prompt * rng.random(n) * 0.5).astype(np.int64), 0)
    total = prompt + completion

    # --- caching: cached responses are served instantly and cost nothing
    cache_enabled = rng.random(n) < 0.22
    cached = cache_enabled & (rng.random(n) < 0.3) & ok
    cost = (prompt - cache_read) * in_price / 1e6 + cache_read * in_price * 0.5 / 1e6 + completion * out_price / 1e6
    cost = np.where(cached | ~ok, 0.0, np.round(cost, 12))
    cache_ref = pa.array(_uuids(rng, n))
    cache_ref = pc.if_else(pa.array(cached), cache_ref, pa.scalar(ZERO_UUID))

    # --- latency (ms) and time to first token
    latency = 180 + completion * ms_per_token * rng.lognormal(0.0, 0.35, n) + rng.exponential(250, n)
    latency = np.where(cached, rng.integers(3, 40, n), latency)
    latency = np.where(status == 429, rng.integers(20, 120, n), latency).astype(np.int64)
    ttft = (latency * rng.uniform(0.08, 0.45, n)).astype(np.int64)
    ttft_null = ~ok | embedding | (rng.random(n) < 0.1)

    # --- timestamps: six weeks, weekday-heavy, with a daily rhythm (UTC), ms precision
    start_ms, end_ms = window
    span_ms = end_ms - start_ms
    day = rng.integers(0, max(1, -(-span_ms // 86_400_000)), n)
    weekend = (day % 7) >= 5
    day = np.where(weekend & (rng.random(n) < 0.55), day - day % 7 + rng.integers(0, 5, n), day)  # thin weekends
    hour = np.clip(rng.normal(15.0, 4.0, n), 0, 23.999)
    created = day * 86_400_000 + (hour * 3_600_000).astype(np.int64) + rng.integers(0, 1000, n)
    created = start_ms + created % span_ms  # a window of whole days is untouched; others wrap into it
    responded = created + latency

    # --- properties map
    prop_keys, prop_vals, prop_offsets = _properties(rng, n, user_tier[row_user])
    properties = pa.MapArray.from_arrays(pa.array(prop_offsets), prop_keys, prop_vals)
    search_has = rng.random(n) < 0.08
    sp_keys = pa.array(["query"]).take(pa.array(np.zeros(int(search_has.sum()), dtype=np.int64)))
    sp_vals = pa.array(["pricing", "refund policy", "api limits", "how to cancel", "café menu"]).take(
        pa.array(rng.integers(0, 5, int(search_has.sum())))
    )
    search_properties = pa.MapArray.from_arrays(pa.array(_offsets(search_has.astype(np.int64))), sp_keys, sp_vals)

    # --- scores map (integer values), on a tenth of the rows
    has_acc = rng.random(n) < 0.1
    has_help = has_acc & (rng.random(n) < 0.5)
    score_counts = has_acc.astype(np.int64) + has_help.astype(np.int64)
    slot = np.stack([has_acc, has_help], axis=1)
    score_key_idx = np.broadcast_to(np.arange(2), (n, 2))[slot]
    score_vals = np.stack([rng.integers(0, 101, n), rng.integers(1, 6, n)], axis=1)[slot]
    scores = pa.MapArray.from_arrays(
        pa.array(_offsets(score_counts)),
        pa.array(["accuracy", "helpfulness"]).take(pa.array(score_key_idx)),
        pa.array(score_vals, type=pa.int64()),
    )
    feedback = rng.random(n) < 0.04

    # --- small text columns from vocabularies (bodies are short stand-ins)
    prompt_ids = pa.array([None, "onboarding-email", "support-triage", "sql-helper", "summarize-doc"])
    prompt_idx = np.where(rng.random(n) < 0.25, rng.integers(1, 5, n), 0)
    prompt_version = pa.array([None, "1", "2", "3"]).take(pa.array(np.where(prompt_idx > 0, rng.integers(1, 4, n), 0)))
    bodies = pa.array(['{"messages":[{"role":"user","content":"…"}]}', '{"input":"…"}', ""])
    body_idx = np.where(embedding, 1, 0)
    referrers = pa.array([None, "https://app.example.com", "https://admin.example.com", "localhost:3000"])
    node_vals = pa.array([None, "node-a", "node-b", "edge-eu-1"])
    job_vals = pa.array([None] + [f"job_{i:03d}" for i in range(50)])

    cols: dict[str, Any] = {
        "country_code": _country(rng, n),
        "latency": pa.array(latency),
        "cost": pa.array(cost),
        "provider": provider_col,
        "time_to_first_token": pa.array(ttft, mask=ttft_null),
        "status": pa.array(status.astype(np.int64)),
        "request_created_at": pa.array(created, type=pa.int64()).cast(pa.timestamp("ms")),
        "response_created_at": pa.array(responded, type=pa.int64()).cast(pa.timestamp("ms")),
        "model": model_col,
        "user_id": user_col,
        "organization_id": org_col,
        "node_id": node_vals.take(pa.array(np.where(rng.random(n) < 0.3, rng.integers(1, 4, n), 0))),
        "job_id": job_vals.take(pa.array(np.where(rng.random(n) < 0.07, rng.integers(1, 51, n), 0))),
        "threat": pa.array(rng.random(n) < 0.003),
        "request_id": pa.array(_uuids(rng, n)),
        "prompt_tokens": pa.array(prompt),
        "completion_tokens": pa.array(completion),
        "prompt_cache_read_tokens": pa.array(cache_read),
        "prompt_cache_write_tokens": pa.array(cache_write),
        "total_tokens": pa.array(total),
        "target_url": url_col,
        "properties": properties,
        "search_properties": search_properties,
        "scores": scores,
        "scores_column": pa.array(np.where(has_acc, "accuracy", ""), type=pa.string()),
        "request_body": bodies.take(pa.array(body_idx)),
        "response_body": bodies.take(pa.array(np.where(ok & ~embedding, 0, 2))),
        "cache_enabled": pa.array(cache_enabled),
        "cache_reference_id": cache_ref,
        "cached": pa.array(cached),
        "assets": pa.array(np.where(rng.random(n) < 0.02, "image.png", ""), type=pa.string()),
        "helicone-score-feedback": pa.array(feedback),
        "prompt_id": prompt_ids.take(pa.array(prompt_idx)),
        "prompt_version": prompt_version,
        "request_referrer": referrers.take(pa.array(np.where(rng.random(n) < 0.4, rng.integers(1, 4, n), 0))),
        "is_passthrough_billing": pa.array(rng.random(n) < 0.05),
    }
    return pa.Table.from_arrays([cols[c] for c in COLUMNS], schema=schema())


def write_sample(
    rows: int,
    out: str | Path,
    *,
    seed: int = 7,
    fmt: str | None = None,
    users: int | None = None,
    progress: Callable[[int], None] | None = None,
    start: int | None = None,
    end: int | None = None,
) -> Path:
    """Generate and write ``rows`` rows batch by batch, so memory stays flat at any size.

    ``fmt`` defaults to the file suffix (.parquet, .csv, .jsonl); ``progress`` is called with
    the number of rows written so far; ``start``/``end`` (epoch ms, UTC) set the time window.
    """
    path = Path(out)
    fmt = _format(path, fmt)
    check_sizes(rows, users)
    check_window(start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    batches = generate_batches(rows, seed, users=users, start=start, end=end)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        done = 0
        with pq.ParquetWriter(path, schema(), compression="zstd") as writer:
            for batch in batches:
                writer.write_table(batch, row_group_size=BATCH_ROWS)
                done += batch.num_rows
                if progress is not None:
                    progress(done)
        return path
    import pyarrow as pa

    reader = pa.RecordBatchReader.from_batches(
        schema(), (b for t in _counting(batches, progress) for b in t.to_batches())
    )
    _write_text(reader, path, fmt)
    return path


def _counting(batches: Iterator[pa.Table], progress: Callable[[int], None] | None) -> Iterator[pa.Table]:
    done = 0
    for t in batches:
        yield t
        done += t.num_rows
        if progress is not None:
            progress(done)


def write(table: pa.Table, out: str | Path, fmt: str | None = None) -> Path:
    """Write an in-memory ``table`` as Parquet, CSV or JSONL; the format from the suffix."""
    path = Path(out)
    fmt = _format(path, fmt)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path, compression="zstd", row_group_size=BATCH_ROWS)
    else:
        _write_text(table, path, fmt)
    return path


SUFFIX_FORMATS: dict[str, str] = {
    "pq": "parquet",
    "parquet": "parquet",
    "csv": "csv",
    "jsonl": "jsonl",
    "ndjson": "jsonl",
}


def format_for(path: Path) -> str | None:
    """The format a file name's suffix names, or None (then the caller must be told one).

    No silent default: ``x.txt`` written as Parquet is a file no one can open by its name.
    """
    return SUFFIX_FORMATS.get(path.suffix.lower().lstrip("."))


def _format(path: Path, fmt: str | None) -> str:
    fmt = fmt or format_for(path)
    if fmt is None:
        raise ValueError(
            f"cannot tell the format of {str(path)!r} from its suffix; use .parquet, .csv or .jsonl "
            f"or pass the format ({', '.join(FORMATS)})"
        )
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def _write_text(table: pa.Table | pa.RecordBatchReader, path: Path, fmt: str) -> None:
    """CSV/JSONL through DuckDB: pyarrow cannot write maps to CSV nor JSON at all.

    CSV keeps the maps as JSON object text (the readers in :mod:`filterlang.metrics.sources`
    turn them back into maps); timestamps are written as ``YYYY-MM-DD HH:MM:SS.fff`` (UTC).
    """
    import duckdb

    from .sql.compiler import quote_identifier, quote_string

    con = duckdb.connect()
    try:
        con.register("sample_src", table)
        target = quote_string(str(path), "duckdb")
        if fmt == "csv":
            exprs = ", ".join(
                f"to_json({q}) AS {q}" if c in ("properties", "search_properties", "scores") else q
                for c in COLUMNS
                for q in (quote_identifier(c, "duckdb"),)
            )
            con.execute(
                f"COPY (SELECT {exprs} FROM sample_src) TO {target} "
                "(FORMAT csv, HEADER true, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S.%g')"
            )
        else:
            con.execute(
                f"COPY (SELECT * FROM sample_src) TO {target} (FORMAT json, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S.%g')"
            )
    finally:
        con.close()


# ---------------------------------------------------------------- helpers


def _choice(rng: np.random.Generator, n: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    import numpy as np

    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    cdf /= cdf[-1]
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)


def _offsets(counts: np.ndarray) -> np.ndarray:
    import numpy as np

    out = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=out[1:])
    return out


def _country(rng: np.random.Generator, n: int) -> pa.Array:
    import pyarrow as pa

    codes = pa.array([c for c, _ in COUNTRIES])
    idx = _choice(rng, n, [w for _, w in COUNTRIES])
    return codes.take(pa.array(idx, mask=rng.random(n) < COUNTRY_NULL_SHARE).cast(pa.int64())).cast(pa.string())


def _properties(rng: np.random.Generator, n: int, tier: np.ndarray) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Flattened map entries in row order: keys, values, offsets (vectorised)."""
    import numpy as np
    import pyarrow as pa

    names = [k for k, *_ in PROPERTIES] + ["tier"]
    vocab: list[str] = []
    present_cols: list[np.ndarray] = []
    code_cols: list[np.ndarray] = []
    for _key, share, values, weights in PROPERTIES:
        present_cols.append(rng.random(n) < share)
        code_cols.append(len(vocab) + _choice(rng, n, weights))
        vocab.extend(values)
    present_cols.append(np.ones(n, dtype=bool))
    code_cols.append(len(vocab) + tier)
    vocab.extend(TIERS)
    present = np.stack(present_cols, axis=1)
    codes = np.stack(code_cols, axis=1)
    key_idx = np.broadcast_to(np.arange(len(names)), present.shape)[present]
    keys = pa.array(names).take(pa.array(key_idx))
    vals = pa.array(vocab).take(pa.array(codes[present]))
    return keys, vals, _offsets(present.sum(axis=1))


_HEX = b"0123456789abcdef"
_DASHES = (8, 13, 18, 23)


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """n random version-4 UUID strings, built as one byte matrix (no per-row Python)."""
    import numpy as np
    import pyarrow as pa

    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexd = np.frombuffer(_HEX, dtype=np.uint8)
    digits = np.empty((n, 32), dtype=np.uint8)
    digits[:, 0::2] = hexd[raw >> 4]
    digits[:, 1::2] = hexd[raw & 15]
    out = np.empty((n, 36), dtype=np.uint8)
    out[:, [i for i in range(36) if i not in _DASHES]] = digits
    out[:, list(_DASHES)] = ord("-")
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(36), n, [None, pa.py_buffer(out.tobytes())])
    return fixed.cast(pa.binary()).cast(pa.string())
