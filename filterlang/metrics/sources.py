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
    import pyarrow.parquet as pq

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
        kind = type_kind(type_name, engine)
        allowed, words = ACCEPTS[logical]
        if kind not in allowed:
            bad.append(f"column {name!r} has type {type_name}, but the flat layout needs {words}")
        kinds[name] = kind
    if bad:
        raise SourceError(f"{label}: " + "; ".join(bad))
    return kinds


def _require_columns(src: Source) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in src.columns]
    if missing:
        raise SourceError(
            f"{src.label} has no column {', '.join(repr(c) for c in missing)}, which every overview needs "
            f"(it has: {', '.join(src.columns) or 'no columns'})"
        )


# ---------------------------------------------------------------- DuckDB


def quote_duckdb_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _q_duck_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# RFC 4180 with a header, every option that matters pinned (DuckDB sniffs the rest otherwise)
DUCKDB_CSV_OPTIONS = "header = true, delim = ',', quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false"


def _duck_inner(con: duckdb.DuckDBPyConnection, src: Source, name: str) -> str:
    """The reader expression for ``src`` (file columns as they are, text formats typed)."""
    types = PHYSICAL["duckdb"]
    if src.kind == "arrow":
        assert src.table is not None
        con.register(f"{name}__arrow", src.table)
        return quote_duckdb_ident(f"{name}__arrow")
    path = _q_duck_str(src.engine_path)
    if src.kind == "parquet":
        return f"read_parquet({path})"
    known = [c for c in src.columns if c in FLAT_TYPES]
    if src.kind == "csv":  # maps arrive as JSON object text
        decl = {c: types["text"] if FLAT_TYPES[c] in MAP_TYPES else types[FLAT_TYPES[c]] for c in known}
        spec = ", ".join(f"{_q_duck_str(c)}: {_q_duck_str(t)}" for c, t in decl.items())
        return f"read_csv({path}, {DUCKDB_CSV_OPTIONS}, types = {{{spec}}})"
    decl = {c: types[FLAT_TYPES.get(c, "text")] for c in src.columns}
    spec = ", ".join(f"{_q_duck_str(c)}: {_q_duck_str(t)}" for c, t in decl.items())
    return f"read_json({path}, format = 'newline_delimited', columns = {{{spec}}})"


def duckdb_relation(con: duckdb.DuckDBPyConnection, src: Source, name: str = "requests") -> None:
    """Create the temporary view ``name`` over ``src``: exactly the flat layout's columns and types.

    A view (not a CTE) because DuckDB may materialise a CTE referenced twice (the users_view
    join reads the requests twice), which would copy every row; a view is always inlined, so
    projection and filter pushdown reach the Parquet reader.
    """
    _require_columns(src)
    types = PHYSICAL["duckdb"]
    inner = _duck_inner(con, src, name)
    kinds: dict[str, str] = {}
    if src.kind in ("parquet", "arrow"):
        rows = con.execute(f"DESCRIBE SELECT * FROM {inner}").fetchall()
        kinds = check_types({str(r[0]): str(r[1]) for r in rows}, "duckdb", src.label)
    present = set(src.columns)
    exprs = []
    for c, logical in FLAT_TYPES.items():
        q, t = quote_duckdb_ident(c), types[logical]
        if c not in present:
            value = f"CAST(MAP() AS {t})" if logical in MAP_TYPES else f"CAST(NULL AS {t})"
        elif src.kind == "csv" and logical in MAP_TYPES:
            value = f"CAST(CAST({q} AS JSON) AS {t})"
        elif kinds.get(c) == "wide":
            msg = _q_duck_str(f"{src.label}: column {c!r} holds a value beyond the 64-bit integer range")
            value = f"CASE WHEN {q} > {INT64_MAX} OR {q} < {INT64_MIN} THEN error({msg}) ELSE CAST({q} AS {t}) END"
        else:
            value = f"CAST({q} AS {t})"
        exprs.append(f"{value} AS {q}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_duckdb_ident(name)} AS SELECT {', '.join(exprs)} FROM {inner}")


# ---------------------------------------------------------------- ClickHouse (chDB)


def _q_ch_str(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _q_ch_ident(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


CH_FORMATS: dict[str, str] = {"parquet": "Parquet", "csv": "CSVWithNames", "jsonl": "JSONEachRow"}
# RFC 4180 as semantics.md §8 reads it: ClickHouse trims unquoted spaces and reads \N as NULL by default
CH_CSV_SETTINGS = (
    "input_format_csv_trim_whitespaces = 0, format_csv_null_representation = '', "
    "format_csv_allow_single_quotes = 0, format_csv_delimiter = ','"
)


@contextmanager
def clickhouse_table(src: Source) -> Iterator[str]:
    """A ClickHouse table expression over ``src`` in the flat layout, for chDB.

    In-memory tables are spilled to a temporary Parquet file for the duration: chDB reads
    files natively and in parallel, and the file is removed afterwards.
    """
    if src.kind == "arrow":
        import pyarrow.parquet as pq

        assert src.table is not None
        fd, tmp = tempfile.mkstemp(suffix=".parquet", prefix="filterlang-")
        os.close(fd)
        try:
            pq.write_table(src.table, tmp)
            spilled = Source("parquet", path=Path(tmp), columns=src.columns)
            yield _file_expr(spilled, label=src.label)
        finally:
            os.unlink(tmp)
        return
    yield _file_expr(src, label=src.label)


def _clickhouse_schema(path: str, fmt: str) -> dict[str, str]:
    import chdb

    out = chdb.query(f"DESCRIBE file({_q_ch_str(path)}, {fmt})", "JSONCompactEachRow")  # type: ignore[no-untyped-call]
    rows = [json.loads(line) for line in str(out).splitlines() if line.strip()]
    return {str(r[0]): str(r[1]) for r in rows}


def _file_expr(src: Source, *, label: str) -> str:
    _require_columns(src)
    types = PHYSICAL["clickhouse"]
    path = _q_ch_str(src.engine_path)
    kinds: dict[str, str] = {}
    if src.kind == "parquet":
        try:
            schema = _clickhouse_schema(src.engine_path, "Parquet")
        except RuntimeError as e:
            raise SourceError(f"cannot read {label} as parquet: {_one_line(e)}") from e
        kinds = check_types(schema, "clickhouse", label)
    present = [c for c in src.columns if c in FLAT_TYPES]
    structure = []
    for c in present:
        logical = FLAT_TYPES[c]
        if src.kind == "csv" and logical in MAP_TYPES:
            t = types["text"]
        elif kinds.get(c) == "wide":
            t = "Nullable(Int128)"  # every "wide" Parquet integer fits; checked below
        else:
            t = types[logical]
        structure.append(f"{_q_ch_ident(c)} {t}")
    reader = f"file({path}, {CH_FORMATS[src.kind]}, {_q_ch_str(', '.join(structure))})"
    exprs = []
    for c, logical in FLAT_TYPES.items():
        q, t = _q_ch_ident(c), types[logical]
        if c not in src.columns:
            value = f"CAST(map(), {_q_ch_str(t)})" if logical in MAP_TYPES else f"CAST(NULL, {_q_ch_str(t)})"
        elif src.kind == "csv" and logical in MAP_TYPES:
            value = f"JSONExtract(ifNull({q}, '{{}}'), {_q_ch_str(t)})"
        elif kinds.get(c) == "wide":
            msg = _q_ch_str(f"{label}: column {c!r} holds a value beyond the 64-bit integer range")
            value = f"if(throwIf({q} > {INT64_MAX} OR {q} < {INT64_MIN}, {msg}) = 0, CAST({q}, {_q_ch_str(t)}), NULL)"
        else:
            value = q
        exprs.append(f"{value} AS {q}")
    settings = f" SETTINGS {CH_CSV_SETTINGS}" if src.kind == "csv" else ""
    return f"(SELECT {', '.join(exprs)} FROM {reader}{settings})"
