"""Data inputs for the SQL engines: files (Parquet, CSV, JSONL) and in-memory frames.

Every input is presented to an engine as the ``flat`` layout (one column per
``request_response_rmt`` field, named like the field, typed as
:mod:`filterlang.sql.layout` says), because the filter compiler's ``flat`` profile is
written against that layout. semantics.md §8 decides what a file means, the same on
every engine:

- A path names one file, taken literally. DuckDB and ClickHouse both expand glob
  characters in a path (``a[1].parquet`` would read ``a1.parquet``), and neither has a
  switch to stop it, so a path holding one of ``[]{}*?`` is read through a symlink of a
  plain name in a private temporary directory.
- Typed files (Parquet, Arrow tables) are checked against the layout from the file's
  schema before the query: a float ``status``, a text ``cost`` or an integer timestamp is
  an error naming the column and the type found. Left alone, chDB converts them silently
  (200.5 becomes 200, text costs are parsed) and DuckDB compares them as they are. An
  unsigned 64-bit column is read through a checked cast: a value beyond Int64 is an error,
  never a wrapped number.
- Text formats are read with the layout's types spelled out. CSV is RFC 4180 with a
  header: fields verbatim (no trimming), an empty unquoted field is NULL, a quoted empty
  field the empty string, ``\\N`` the two characters ``\\N`` (both engines' defaults differ
  from this and from each other, so every reader option that matters is set).
- Missing columns read as NULL (an empty map for the map columns, which is what a NULL
  map means on ClickHouse); only ``user_id`` must be present, since a file without it is
  almost certainly not a request log. Columns the layout does not know are not read.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..sql.compiler import quote_identifier, quote_string
from ..sql.layout import FLAT_COLUMNS, PHYSICAL

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

SourceKind = Literal["parquet", "csv", "jsonl", "arrow"]

SUFFIXES: dict[str, SourceKind] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}

# The flat layout's logical column types and their physical spelling per engine live with
# the SQL compiler's ``flat`` profile, so the readers here cannot drift from what it expects.
FLAT_TYPES: dict[str, str] = FLAT_COLUMNS
MAP_TYPES = ("map", "score_map")
REQUIRED_COLUMNS = ("user_id",)
GLOB_CHARS = frozenset("[]{}*?")

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)


class SourceError(ValueError):
    """The data input cannot be read: missing file, unknown format, unsupported object, bad column."""


@dataclass
class Source:
    """One resolved input: a file of a known format, or an Arrow table held in memory.

    ``read_path`` is what the engines open: the file itself, or a plain-named symlink to
    it when its name holds glob characters (removed when the Source is collected).
    """

    kind: SourceKind
    path: Path | None = None
    table: pa.Table | None = None
    columns: list[str] = field(default_factory=list)
    read_path: Path | None = None

    @property
    def label(self) -> str:
        return str(self.path) if self.path is not None else "<in-memory table>"

    @property
    def engine_path(self) -> str:
        """The path to hand to an engine's reader (never a glob pattern)."""
        p = self.read_path or self.path
        assert p is not None
        return str(p)

    def size_hint(self) -> int:
        """Bytes (files) or rows (tables), for deciding whether to show progress."""
        if self.path is not None:
            return self.path.stat().st_size
        return self.table.num_rows if self.table is not None else 0


def resolve(source: Any, *, fmt: str | None = None) -> Source:
    """Turn a path, Arrow table, pandas or polars frame into a :class:`Source`."""
    if isinstance(source, Source):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source).expanduser()
        kind = SUFFIXES.get(path.suffix.lower()) if fmt is None else SUFFIXES.get("." + fmt)
        if kind is None or kind == "arrow":
            raise SourceError(
                f"cannot tell the format of {str(path)!r} from its suffix; "
                "use .parquet, .csv or .jsonl (or pass the format explicitly)"
            )
        if not path.is_file():
            raise SourceError(f"data file not found: {str(path)!r}")
        path = path.resolve()
        src = Source(kind, path=path)
        src.read_path = _literal_path(src, path)
        src.columns = _file_columns(src)
        return src
    table = _to_arrow(source)
    return Source("arrow", table=table, columns=list(table.column_names))


def _literal_path(owner: Source, path: Path) -> Path:
    """``path`` itself, or a symlink to it under a name no engine reads as a glob."""
    if not GLOB_CHARS.intersection(str(path)):
        return path
    tmp = tempfile.mkdtemp(prefix="filterlang-")
    if GLOB_CHARS.intersection(tmp):  # pragma: no cover - a TMPDIR with glob characters
        shutil.rmtree(tmp, ignore_errors=True)
        raise SourceError(f"cannot read {str(path)!r} literally: the temporary directory {tmp!r} holds glob characters")
    alias = Path(tmp) / ("data" + path.suffix.lower())
    try:
        alias.symlink_to(path)
    except OSError:  # pragma: no cover - no symlinks (some Windows setups): a copy is still literal
        shutil.copyfile(path, alias)
    weakref.finalize(owner, shutil.rmtree, tmp, True)
    return alias


def _to_arrow(obj: Any) -> pa.Table:
    module = type(obj).__module__.split(".")[0]
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(obj, pa.Table):
            return obj
        if isinstance(obj, pa.RecordBatch):
            return pa.Table.from_batches([obj])
        if isinstance(obj, pa.RecordBatchReader):
            return obj.read_all()
    if module == "pandas":
        import pyarrow as pa

        return pa.Table.from_pandas(obj, preserve_index=False)
    if module == "polars":
        return obj.to_arrow()
    if module == "duckdb" and hasattr(obj, "to_arrow_table"):  # a DuckDBPyRelation
        return obj.to_arrow_table()
    raise SourceError(
        f"unsupported data source of type {type(obj).__name__}: pass a Parquet/CSV/JSONL path, "
        "a pyarrow Table, a pandas/polars DataFrame or a DuckDB relation (row dicts go to engine='reference')"
    )


def _file_columns(src: Source) -> list[str]:
    """Column names of a file, read from its header or footer only (never the whole file)."""
    kind = src.kind
    try:
        if kind == "parquet":
            return _parquet_columns(src.engine_path)
        with open(src.engine_path, encoding="utf-8", newline="") as fh:
            first = fh.readline()
        if kind == "csv":
            import csv

            return next(csv.reader([first]), [])
        row = json.loads(first) if first.strip() else {}
        if not isinstance(row, dict):
            raise SourceError(f"{src.label!r}: a JSONL file needs one JSON object per line")
        return list(row)
    except SourceError:
        raise
    except UnicodeDecodeError as exc:
        raise SourceError(f"cannot read {src.label!r} as {kind}: it is not UTF-8 text ({exc.reason})") from None
    except Exception as exc:  # a corrupt or mislabelled file: say which and why
        raise SourceError(f"cannot read {src.label!r} as {kind}: {_one_line(exc)}") from exc


def _parquet_columns(path: str) -> list[str]:
    """Parquet column names with whichever reader is installed (DuckDB needs no pyarrow)."""
    try:
        import duckdb
    except ImportError:
        duckdb = None  # type: ignore[assignment]
    if duckdb is not None:
        con = duckdb.connect(":memory:")
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_q_duck_str(path)})").fetchall()
        finally:
            con.close()
        return [str(r[0]) for r in rows]
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise SourceError("reading Parquet needs DuckDB: pip install 'filterlang[duckdb]'") from None
    return list(pq.read_schema(path).names)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def table_from_rows(rows: Iterable[Mapping[str, Any]], columns: Iterable[str] | None = None) -> pa.Table:
    """An Arrow table in the flat layout from row dicts (the reference evaluator's input).

    Used by tests and small in-memory data sets; timezone-aware datetimes become naive UTC
    ``timestamp[ms]``, dicts become maps.
    """
    import pyarrow as pa

    rows = list(rows)
    names = list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))
    arrow_types: dict[str, pa.DataType] = {
        "text": pa.string(),
        "int": pa.int64(),
        "cost": pa.float64(),
        "timestamp": pa.timestamp("ms", tz="UTC"),
        "bool": pa.bool_(),
        "map": pa.map_(pa.string(), pa.string()),
        "score_map": pa.map_(pa.string(), pa.int64()),
    }
    arrays = []
    for name in names:
        logical = FLAT_TYPES.get(name, "text")
        values = [r.get(name) for r in rows]
        if logical in MAP_TYPES:
            values = [None if v is None else list(v.items()) for v in values]
        arr = pa.array(values, type=arrow_types[logical])
        if logical == "timestamp":
            arr = arr.cast(pa.timestamp("ms"))  # keep the UTC wall clock, drop the zone
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=names)


# ---------------------------------------------------------------- column types (semantics.md §8)

# What a file's column type is, engine by engine, as one of a few kinds. "wide": an integer
# that may not fit Int64 (read through a checked cast); "null": a column with no values.
DUCKDB_KINDS: dict[str, str] = {
    **dict.fromkeys(("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"), "int"),
    **dict.fromkeys(("UBIGINT", "HUGEINT", "UHUGEINT"), "wide"),
    **dict.fromkeys(("FLOAT", "DOUBLE"), "float"),
    "VARCHAR": "text",
    "BOOLEAN": "bool",
    **dict.fromkeys(
        ("TIMESTAMP", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_S", "TIMESTAMP WITH TIME ZONE"), "timestamp"
    ),
    "MAP(VARCHAR, VARCHAR)": "map",
    **{f"MAP(VARCHAR, {t})": "score_map" for t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT")},
    '"NULL"': "null",
    "NULL": "null",
}
CLICKHOUSE_KINDS: dict[str, str] = {
    **dict.fromkeys(("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32"), "int"),
    **dict.fromkeys(("UInt64", "Int128", "UInt128", "Int256", "UInt256"), "wide"),
    **dict.fromkeys(("Float32", "Float64", "BFloat16"), "float"),
    "String": "text",
    "Bool": "bool",
    "DateTime": "timestamp",
    "Map(String, String)": "map",
    **{f"Map(String, {t})": "score_map" for t in ("Int8", "Int16", "Int32", "Int64")},
    "Nothing": "null",
}
# logical type of the layout -> the kinds a file column may have, and the words for it
ACCEPTS: dict[str, tuple[frozenset[str], str]] = {
    "text": (frozenset({"text", "null"}), "text"),
    "int": (frozenset({"int", "wide", "null"}), "an integer (64-bit)"),
    "cost": (frozenset({"int", "float", "decimal", "null"}), "a number (USD)"),
    "bool": (frozenset({"bool", "null"}), "a boolean"),
    "timestamp": (frozenset({"timestamp", "null"}), "a timestamp (UTC)"),
    "map": (frozenset({"map", "null"}), "a map of text to text"),
    "score_map": (frozenset({"score_map", "null"}), "a map of text to integers"),
}


def _strip_wrappers(type_name: str) -> str:
    """``Nullable(LowCardinality(String))`` -> ``String``; map values lose Nullable too."""
    t = type_name.strip()
    changed = True
    while changed:
        changed = False
        for w in ("Nullable(", "LowCardinality("):
            if t.startswith(w) and t.endswith(")"):
                t, changed = t[len(w) : -1], True
    if t.startswith("Map(") and t.endswith(")"):
        key, _, value = t[4:-1].partition(",")
        return f"Map({_strip_wrappers(key)}, {_strip_wrappers(value)})"
    return t


def type_kind(type_name: str, engine: str) -> str:
    """The kind (``int``, ``float``, ``text`` ...) of an engine's type name; ``other`` if none fits."""
    if engine == "duckdb":
        t = type_name.strip()
        if t.startswith("DECIMAL"):
            return "decimal"
        if t.startswith("TIMESTAMP"):
            return "timestamp"
        return DUCKDB_KINDS.get(t, "other")
    t = _strip_wrappers(type_name)
    if t.startswith("Decimal"):
        return "decimal"
    if t.startswith("DateTime64") or t.startswith("DateTime("):
        return "timestamp"
    return CLICKHOUSE_KINDS.get(t, "other")


def arrow_kind(t: pa.DataType) -> str:
    """The kind of an Arrow type (in-memory tables are checked from their own schema)."""
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_integer(t):
        return "wide" if t.bit_width == 64 and pa.types.is_unsigned_integer(t) else "int"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_decimal(t):
        return "decimal"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "text"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_null(t):
        return "null"
    if pa.types.is_map(t) and (pa.types.is_string(t.key_type) or pa.types.is_large_string(t.key_type)):
        item = t.item_type
        if pa.types.is_string(item) or pa.types.is_large_string(item):
            return "map"
        if pa.types.is_signed_integer(item):
            return "score_map"
    return "other"


def check_types(schema: Mapping[str, str], engine: str, label: str) -> dict[str, str]:
    """Each flat column of ``schema`` (name -> engine type) as its kind; an error for a misfit.

    The error names the column, the type found and what the layout needs, before any row is
    read: a mistyped column is bad data, never something to convert silently.
    """
    kinds: dict[str, str] = {}
    bad: list[str] = []
    for name, type_name in schema.items():
        logical = FLAT_TYPES.get(name)
        if logical is None:
            continue
        if engine == "arrow":  # "<arrow type>:<kind>", classified by arrow_kind
            type_name, _, kind = type_name.rpartition(":")
        else:
            kind = type_kind(type_name, engine)
        allowed, words = ACCEPTS[logical]
        if kind not in allowed:
            bad.append(f"column {name!r} has type {type_name}, but the flat layout needs {words}")
        kinds[name] = kind
    if bad:
        raise SourceError(f"{label}: " + "; ".join(bad))
    return kinds


def _require_columns(src: Source, required: tuple[str, ...] = REQUIRED_COLUMNS) -> None:
    missing = [c for c in required if c not in src.columns]
    if missing:
        raise SourceError(
            f"{src.label} has no column {', '.join(repr(c) for c in missing)}, which every overview needs "
            f"(it has: {', '.join(src.columns) or 'no columns'})"
        )


# ---------------------------------------------------------------- text formats, read strictly

# CSV and JSONL carry no schema, and each engine's own readers convert differently (DuckDB
# rounds a JSON 200.5 into an integer column, chDB refuses it; both read the JSON text "1.5"
# as a cost; ClickHouse reads a quoted empty CSV field in an integer column as 0). So every
# known column is read raw (CSV: the field's text, NULL for an empty unquoted field; JSONL:
# the JSON value) and converted here, by one rule per logical type that both engines spell
# out, with a bad value an error naming the column. The patterns are RE2 on both engines.
INT_TEXT = "^-?[0-9]+$"
NUMBER_TEXT = (
    "^-?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$"  # no backslashes: SQL string literals differ on them
)
TIMESTAMP_TEXT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,9})?Z?$"
TEXT_WORDS: dict[str, str] = {
    "text": "text",
    "int": "a 64-bit integer",
    "cost": "a number",
    "bool": "true or false",
    "timestamp": "a UTC time like 2026-01-05 12:00:00.000",
    "map": "a JSON object of text values",
    "score_map": "a JSON object of integer values",
}

# (format, logical type) -> (the condition under which a non-NULL raw value {v} is bad, its value)
DUCKDB_TEXT_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("csv", "text"): ("false", "{v}"),
    ("csv", "int"): (
        f"NOT regexp_matches({{v}}, '{INT_TEXT}') OR TRY_CAST({{v}} AS BIGINT) IS NULL",
        "TRY_CAST({v} AS BIGINT)",
    ),
    ("csv", "cost"): (f"NOT regexp_matches({{v}}, '{NUMBER_TEXT}')", "TRY_CAST({v} AS DOUBLE)"),
    ("csv", "bool"): ("lower({v}) NOT IN ('true', 'false')", "lower({v}) = 'true'"),
    ("csv", "timestamp"): (
        f"NOT regexp_matches({{v}}, '{TIMESTAMP_TEXT}') OR TRY_CAST(rtrim({{v}}, 'Z') AS TIMESTAMP) IS NULL",
        "TRY_CAST(rtrim({v}, 'Z') AS TIMESTAMP)",
    ),
    ("csv", "map"): (
        "json_type(TRY_CAST({v} AS JSON)) IS DISTINCT FROM 'OBJECT'",
        "TRY_CAST(CAST({v} AS JSON) AS {t})",
    ),
    ("csv", "score_map"): (
        "json_type(TRY_CAST({v} AS JSON)) IS DISTINCT FROM 'OBJECT'",
        "TRY_CAST(CAST({v} AS JSON) AS {t})",
    ),
    ("jsonl", "text"): ("json_type({v}) <> 'VARCHAR'", "json_extract_string({v}, '$')"),
    ("jsonl", "int"): (
        "json_type({v}) NOT IN ('BIGINT', 'UBIGINT') OR TRY_CAST({v} AS BIGINT) IS NULL",
        "TRY_CAST({v} AS BIGINT)",
    ),
    ("jsonl", "cost"): ("json_type({v}) NOT IN ('BIGINT', 'UBIGINT', 'DOUBLE')", "TRY_CAST({v} AS DOUBLE)"),
    ("jsonl", "bool"): ("json_type({v}) <> 'BOOLEAN'", "TRY_CAST({v} AS BOOLEAN)"),
    ("jsonl", "timestamp"): (
        f"json_type({{v}}) <> 'VARCHAR' OR NOT regexp_matches(json_extract_string({{v}}, '$'), '{TIMESTAMP_TEXT}')",
        "TRY_CAST(rtrim(json_extract_string({v}, '$'), 'Z') AS TIMESTAMP)",
    ),
    ("jsonl", "map"): ("json_type({v}) <> 'OBJECT'", "TRY_CAST({v} AS {t})"),
    ("jsonl", "score_map"): ("json_type({v}) <> 'OBJECT'", "TRY_CAST({v} AS {t})"),
}
# ClickHouse: CSV fields arrive as Nullable(String) columns; for JSONL, {v} is a key's raw JSON
# text (``m['key']``, '' when absent), itself a small JSON document for JSONType/JSONExtract.
CLICKHOUSE_TEXT_RULES: dict[tuple[str, str], tuple[str, str]] = {
    ("csv", "text"): ("NOT isValidUTF8({v})", "{v}"),  # DuckDB's reader refuses bad UTF-8 itself
    ("csv", "int"): (f"NOT match({{v}}, '{INT_TEXT}') OR isNull(toInt64OrNull({{v}}))", "toInt64OrNull({v})"),
    ("csv", "cost"): (f"NOT match({{v}}, '{NUMBER_TEXT}')", "toFloat64OrNull({v})"),
    ("csv", "bool"): ("lower({v}) NOT IN ('true', 'false')", "lower({v}) = 'true'"),
    ("csv", "timestamp"): (
        f"NOT match({{v}}, '{TIMESTAMP_TEXT}')",
        "parseDateTime64BestEffortOrNull({v}, 3, 'UTC')",
    ),
    ("csv", "map"): ("NOT isValidJSON({v}) OR JSONType({v}) != 'Object'", "JSONExtract(ifNull({v}, '{}'), {t})"),
    ("csv", "score_map"): (
        "NOT isValidJSON({v}) OR JSONType({v}) != 'Object'",
        "JSONExtract(ifNull({v}, '{}'), {t})",
    ),
    ("jsonl", "text"): (
        "JSONType({v}) != 'String' OR NOT isValidUTF8(JSONExtractString({v}))",
        "JSONExtract({v}, 'Nullable(String)')",
    ),
    ("jsonl", "int"): ("JSONType({v}) != 'Int64'", "JSONExtract({v}, 'Nullable(Int64)')"),
    ("jsonl", "cost"): ("JSONType({v}) NOT IN ('Int64', 'UInt64', 'Double')", "JSONExtract({v}, 'Nullable(Float64)')"),
    ("jsonl", "bool"): ("JSONType({v}) != 'Bool'", "JSONExtract({v}, 'Nullable(Bool)')"),
    ("jsonl", "timestamp"): (
        f"JSONType({{v}}) != 'String' OR NOT match(JSONExtractString({{v}}), '{TIMESTAMP_TEXT}')",
        "parseDateTime64BestEffortOrNull(JSONExtractString({v}), 3, 'UTC')",
    ),
    ("jsonl", "map"): ("JSONType({v}) != 'Object'", "JSONExtract({v}, {t})"),
    ("jsonl", "score_map"): ("JSONType({v}) != 'Object'", "JSONExtract({v}, {t})"),
}


def _fill(template: str, v: str, t: str = "") -> str:
    """A rule with its raw value ``{v}`` and type ``{t}`` filled in (not str.format: the
    patterns hold RE2 braces like ``{4}``)."""
    return template.replace("{v}", v).replace("{t}", t)


def _bad_value(column: str, fmt: str, logical: str) -> str:
    # no file name: the engine's error wrapper names the file
    return f"column {column!r} holds a value that is not {TEXT_WORDS[logical]} (read from {fmt})"


# ---------------------------------------------------------------- DuckDB


def quote_duckdb_ident(name: str) -> str:
    """A DuckDB identifier (a file's column name), quoted by sqlglot."""
    return quote_identifier(name, "duckdb")


def _q_duck_str(value: str) -> str:
    return quote_string(value, "duckdb")


# RFC 4180 with a header, every option that matters pinned (DuckDB sniffs the rest otherwise)
DUCKDB_CSV_OPTIONS = "header = true, delim = ',', quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false"


def _duck_inner(con: duckdb.DuckDBPyConnection, src: Source, name: str) -> str:
    """The reader expression for ``src``: typed files as they are, text formats raw."""
    if src.kind == "arrow":
        assert src.table is not None
        con.register(f"{name}__arrow", src.table)
        return quote_duckdb_ident(f"{name}__arrow")
    path = _q_duck_str(src.engine_path)
    if src.kind == "parquet":
        return f"read_parquet({path})"
    if src.kind == "csv":  # every field as its text: conversions are the table's, not the sniffer's
        return f"read_csv({path}, {DUCKDB_CSV_OPTIONS}, all_varchar = true)"
    spec = ", ".join(f"{_q_duck_str(c)}: 'JSON'" for c in FLAT_TYPES)  # every known key, raw
    return f"read_json({path}, format = 'newline_delimited', columns = {{{spec}}})"


def duckdb_relation(
    con: duckdb.DuckDBPyConnection,
    src: Source,
    name: str = "requests",
    *,
    temporary: bool = True,
    required: tuple[str, ...] = REQUIRED_COLUMNS,
) -> None:
    """Create the view ``name`` over ``src``: exactly the flat layout's columns and types
    (temporary: for this connection only).

    A view (not a CTE) because DuckDB may materialise a CTE referenced twice (the users_view
    join reads the requests twice), which would copy every row; a view is always inlined, so
    projection and filter pushdown reach the Parquet reader. ``temporary=False`` makes it
    visible to the connection's cursors (a server's per-request connections); in-memory
    tables need the temporary kind (a registered Arrow table is per connection).
    ``required``: the columns the caller cannot do without (the overview groups by
    ``user_id``; completion's value vocabulary needs none).
    """
    _require_columns(src, required)
    types = PHYSICAL["duckdb"]
    if not temporary and src.kind == "arrow":
        raise SourceError("an in-memory table can back only a temporary view; write it to a Parquet file first")
    inner = _duck_inner(con, src, name)
    kinds: dict[str, str] = {}
    if src.kind in ("parquet", "arrow"):
        rows = con.execute(f"DESCRIBE SELECT * FROM {inner}").fetchall()
        kinds = check_types({str(r[0]): str(r[1]) for r in rows}, "duckdb", src.label)
    present = set(src.columns) | (set(FLAT_TYPES) if src.kind == "jsonl" else set())
    exprs = []
    for c, logical in FLAT_TYPES.items():
        q, t = quote_duckdb_ident(c), types[logical]
        if c not in present:
            value = f"CAST(MAP() AS {t})" if logical in MAP_TYPES else f"CAST(NULL AS {t})"
        elif src.kind in ("csv", "jsonl"):
            bad, conv = DUCKDB_TEXT_RULES[(src.kind, logical)]
            msg = _q_duck_str(_bad_value(c, src.kind, logical))
            raw = f"{q}" if src.kind == "csv" else f"(CASE WHEN json_type({q}) = 'NULL' THEN NULL ELSE {q} END)"
            value = (
                f"CASE WHEN {raw} IS NOT NULL AND ({_fill(bad, raw)}) THEN error({msg}) "
                f"ELSE CAST({_fill(conv, raw, t)} AS {t}) END"
            )
            if logical in MAP_TYPES:
                value = f"coalesce({value}, CAST(MAP() AS {t}))"
        elif kinds.get(c) == "wide":
            msg = _q_duck_str(f"column {c!r} holds a value beyond the 64-bit integer range")
            value = f"CASE WHEN {q} > {INT64_MAX} OR {q} < {INT64_MIN} THEN error({msg}) ELSE CAST({q} AS {t}) END"
        else:
            value = f"CAST({q} AS {t})"
        exprs.append(f"{value} AS {q}")
    kind = "TEMP VIEW" if temporary else "VIEW"
    con.execute(f"CREATE OR REPLACE {kind} {quote_duckdb_ident(name)} AS SELECT {', '.join(exprs)} FROM {inner}")


# ---------------------------------------------------------------- ClickHouse (chDB)


def _q_ch_str(value: str) -> str:
    return quote_string(value, "clickhouse")


def _q_ch_ident(name: str) -> str:
    return quote_identifier(name, "clickhouse")


CH_FORMATS: dict[str, str] = {"parquet": "Parquet", "csv": "CSVWithNames", "jsonl": "JSONEachRow"}
# RFC 4180 as semantics.md §8 reads it: ClickHouse trims unquoted spaces and reads \N as NULL by default
CH_CSV_SETTINGS = (
    "input_format_csv_trim_whitespaces = 0, format_csv_null_representation = '', "
    "format_csv_allow_single_quotes = 0, format_csv_delimiter = ','"
)


@contextmanager
def clickhouse_table(src: Source, *, checked: Iterable[str] | None = None) -> Iterator[str]:
    """A ClickHouse table expression over ``src`` in the flat layout, for chDB.

    ``checked``: the columns the query reads (default: all), whose values are checked on
    every row before any filter sees them. ClickHouse evaluates ``OR``/``AND``/``if``
    lazily, so a check inside a column's expression would be skipped on rows an earlier
    condition already decided, and the same file could pass on one engine and fail on
    another; the subquery's ``WHERE`` sums the checks, which evaluates them all.
    In-memory tables are spilled to a temporary Parquet file for the duration: chDB reads
    files natively and in parallel, and the file is removed afterwards.
    """
    names = set(FLAT_TYPES) if checked is None else set(checked)
    if src.kind == "arrow":
        import pyarrow.parquet as pq

        assert src.table is not None
        fd, tmp = tempfile.mkstemp(suffix=".parquet", prefix="filterlang-")
        os.close(fd)
        try:
            pq.write_table(src.table, tmp)
            spilled = Source("parquet", path=Path(tmp), columns=src.columns)
            # the table's own schema says what chDB would find in the spilled file
            schema = {f.name: f"{f.type}:{arrow_kind(f.type)}" for f in src.table.schema}
            kinds = check_types(schema, "arrow", src.label)
            yield _file_expr(spilled, label=src.label, checked=names, kinds=kinds)
        finally:
            os.unlink(tmp)
        return
    yield _file_expr(src, label=src.label, checked=names)


def _clickhouse_schema(path: str, fmt: str) -> dict[str, str]:
    import chdb

    out = chdb.query(f"DESCRIBE file({_q_ch_str(path)}, {fmt})", "JSONCompactEachRow")  # type: ignore[no-untyped-call]
    rows = [json.loads(line) for line in str(out).splitlines() if line.strip()]
    return {str(r[0]): str(r[1]) for r in rows}


def _file_expr(src: Source, *, label: str, checked: set[str], kinds: dict[str, str] | None = None) -> str:
    _require_columns(src)
    types = PHYSICAL["clickhouse"]
    path = _q_ch_str(src.engine_path)
    if kinds is None and src.kind == "parquet":
        try:
            schema = _clickhouse_schema(src.engine_path, "Parquet")
        except RuntimeError as e:
            raise SourceError(f"cannot read {label} as parquet: {_one_line(e)}") from e
        kinds = check_types(schema, "clickhouse", label)
    kinds = kinds or {}
    present = [c for c in src.columns if c in FLAT_TYPES]
    if src.kind == "jsonl":  # each line as one string; every key read by the rules
        # one parse per line: every key's raw JSON text, read by the rules as a small document
        reader = (
            "(SELECT json, CAST(JSONExtractKeysAndValuesRaw(json), 'Map(String, String)') AS m "
            f"FROM file({path}, JSONAsString, 'json String'))"
        )
        present = list(FLAT_TYPES)
    else:
        structure = []
        for c in present:
            logical = FLAT_TYPES[c]
            if src.kind == "csv":
                t = types["text"]  # the field's text; converted below
            elif kinds.get(c) == "wide":
                t = "Nullable(Int128)"  # every "wide" Parquet integer fits; checked below
            else:
                t = types[logical]
            structure.append(f"{_q_ch_ident(c)} {t}")
        reader = f"file({path}, {CH_FORMATS[src.kind]}, {_q_ch_str(', '.join(structure))})"
    exprs = []
    checks = []
    for c, logical in FLAT_TYPES.items():
        # the file's own column is always qualified: ClickHouse resolves a bare name in WHERE
        # to this SELECT's alias of the same name (the converted value)
        q, t = f"raw.{_q_ch_ident(c)}", types[logical]
        if c not in present:
            value = f"CAST(map(), {_q_ch_str(t)})" if logical in MAP_TYPES else f"CAST(NULL, {_q_ch_str(t)})"
        elif src.kind in ("csv", "jsonl"):
            bad, conv = CLICKHOUSE_TEXT_RULES[(src.kind, logical)]
            raw = q if src.kind == "csv" else f"raw.m[{_q_ch_str(c)}]"
            present_value = f"isNotNull({q})" if src.kind == "csv" else f"JSONType({raw}) != 'Null'"
            msg = _q_ch_str(_bad_value(c, src.kind, logical))
            converted = f"CAST({_fill(conv, raw, _q_ch_str(t))}, {_q_ch_str(t)})"
            check = f"throwIf(ifNull({present_value} AND ({_fill(bad, raw)}), 0), {msg})"
            value = f"if({check} = 0, {converted}, {'map()' if logical in MAP_TYPES else 'NULL'})"
            if c in checked:
                checks.append(check)
        elif kinds.get(c) == "wide":
            msg = _q_ch_str(f"column {c!r} holds a value beyond the 64-bit integer range")
            check = f"throwIf(ifNull({q} > {INT64_MAX} OR {q} < {INT64_MIN}, 0), {msg})"
            value = f"if({check} = 0, CAST({q}, {_q_ch_str(t)}), NULL)"
            if c in checked:
                checks.append(check)
        else:
            value = q
        exprs.append(f"{value} AS {_q_ch_ident(c)}")
    if src.kind == "jsonl":  # a line JSONExtract cannot read would otherwise be all NULLs
        msg = _q_ch_str("a line is not a valid JSON object (UTF-8 text, one object per line)")
        checks.insert(0, f"throwIf(JSONType(raw.json) != 'Object', {msg})")  # invalid JSON: 'Null'
    where = f" WHERE ({' + '.join(checks)}) = 0" if checks else ""
    settings = f" SETTINGS {CH_CSV_SETTINGS}" if src.kind == "csv" else ""
    return f"(SELECT {', '.join(exprs)} FROM {reader} AS raw{where}{settings})"
