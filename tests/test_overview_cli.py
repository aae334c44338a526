"""``filterlang sample`` / ``filterlang overview`` end to end, and the chart rendering."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from filterlang.cli import main
from filterlang.metrics.cli import ProgressLine
from filterlang.metrics.render import format_count, format_usd, render_histogram

pytest.importorskip("duckdb")
pytest.importorskip("numpy")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "requests.parquet"
    assert main(["sample", "--rows", "5000", "--out", str(path), "--seed", "3"]) == 0
    return path


def test_sample_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"s.{fmt}"
        assert main(["sample", "--rows", "300", "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    assert "wrote 300 rows" in capsys.readouterr().err
    assert main(["sample", "--rows", "10", "--out", str(tmp_path / "t.data"), "--format", "csv"]) == 0


def test_overview_charts(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["overview", 'model ~ "gpt%" and status = 200', "--data", str(data), "--p-size", "p99"]) == 0
    out = capsys.readouterr().out
    assert "Requests per user" in out and "Spend per user (USD)" in out
    assert "users kept after the p99 cut" in out and "fractional user counts" in out
    assert "requests" in out and "$" in out and "█" in out
    lines = [ln for ln in out.splitlines() if "requests " in ln and "–" in ln]
    assert len(lines) >= 2
    assert len({ln.index("–") for ln in lines}) == 1  # ranges aligned on the dash


@pytest.mark.parametrize("engine", ["duckdb", "chdb", "reference"])
def test_overview_json_is_the_api_result(data: Path, engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    if engine == "chdb":
        pytest.importorskip("chdb")
    args = ["overview", "properties.tier = 'pro'", "--data", str(data), "--interquartile", "--p-size", "p75"]
    assert main([*args, "--engine", engine, "--json", "--method", "equal", "--bins", "5"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["error"] is None
    assert set(result["data"]) == {"request_count", "user_cost"}
    assert 1 <= len(result["data"]["request_count"]) <= 5
    row = result["data"]["user_cost"][0]
    assert isinstance(row["range_start"], str) and isinstance(row["value"], int | float)


def test_overview_filter_json_and_all(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = json.dumps({"request_response_rmt": {"status": {"gte": 400}}})
    assert main(["overview", f, "--data", str(data), "--json", "--compact"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert main(["overview", "status >= 400", "--data", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == one
    assert main(["overview", "--data", str(data), "--json"]) == 0  # no EXPR: all
    assert json.loads(capsys.readouterr().out)["data"]["request_count"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["overview", "modle = 'x'"], "model"),  # typo: did-you-mean
        (["overview", "model = "], "error"),
        (["overview", "all", "--data", "/nonexistent/requests.parquet"], "not found"),
        (["overview", "user_cost > 'x'"], "error"),
        (["overview", "{"], "JSON"),
    ],
)
def test_overview_errors_exit_1(data: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    if "--data" not in argv:
        argv = [*argv, "--data", str(data)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unreachable_clickhouse_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("clickhouse_connect")
    assert main(["overview", "all", "--engine", "clickhouse", "--url", "http://127.0.0.1:9/"]) == 1
    err = capsys.readouterr().err
    assert "cannot connect to http://127.0.0.1:9/" in err and "Traceback" not in err


def test_overview_usage_errors_exit_2(data: Path) -> None:
    with pytest.raises(SystemExit) as e:
        main(["overview", "all", "--data", str(data), "--p-size", "p96"])
    assert e.value.code == 2


def test_missing_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("user_id,cost\na,1.5\nb,2\n")
    assert main(["overview", "all", "--data", str(narrow), "--json"]) == 0
    capsys.readouterr()
    # semantics.md §8: a missing column reads as NULL, so nothing is kept, and the note says why
    assert main(["overview", "model = 'x'", "--data", str(narrow)]) == 0
    assert "kept none of the 2 requests" in capsys.readouterr().err
    no_user = tmp_path / "no_user.csv"
    no_user.write_text("model,cost\na,1.5\n")
    assert main(["overview", "all", "--data", str(no_user)]) == 1
    assert "no column 'user_id'" in capsys.readouterr().err


def test_progress_only_when_visible() -> None:
    quiet = io.StringIO()
    p = ProgressLine("scanning", large=False, stream=quiet)
    p.update(0.5)
    p.done()
    assert quiet.getvalue() == ""
    log = io.StringIO()
    p = ProgressLine("scanning big.parquet", large=True, stream=log)
    p.update(0.5)  # not a TTY: no redraw frames
    p.done("overview of big.parquet")
    lines = log.getvalue().splitlines()
    assert lines[0] == "scanning big.parquet…" and lines[1].startswith("overview of big.parquet in ")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    p = ProgressLine("scanning", large=False, stream=tty)
    p.update(0.25)
    p.update(None)
    p.done()
    assert " 25.0%" in tty.getvalue() and "\r" in tty.getvalue()


def test_number_formats() -> None:
    assert format_usd(0.0012) == "$0.0012"
    assert format_usd(0.05) == "$0.05"
    assert format_usd(0.4) == "$0.40" and format_usd(0.123) == "$0.12" and format_usd(0.1234, 3) == "$0.123"
    assert format_usd(12.345) == "$12.35"
    assert format_usd(1234.5) == "$1,234.5"
    assert format_usd(0) == "$0"
    assert format_count(1) == "1" and format_count(1.5) == "1.5" and format_count(12345) == "12,345"
    assert format_count(2.7500001) == "2.75"


def test_usd_labels_share_one_precision() -> None:
    from filterlang.metrics.render import usd_labels

    assert usd_labels([0.4, 12.345, 1234.5]) == ["$0.40", "$12.35", "$1,234.50"]
    assert usd_labels([0.0012, 0.05, 1.2]) == ["$0.0012", "$0.0500", "$1.2000"]
    assert usd_labels([1e-7, 2e-7]) == ["$0.00000010", "$0.00000020"]
    assert usd_labels([0.0, 0.5]) == ["$0.00", "$0.50"]


def test_render_histogram_distinguishes_edges() -> None:
    rows = [
        {"range_start": "0.0012", "range_end": "0.00121", "value": 2.75},
        {"range_start": "0.00121", "range_end": "0.05", "value": 1},
    ]
    text = render_histogram("user_cost", rows, cut="p95")
    # one number of decimals for every money label of a chart
    assert "$0.00120 – $0.00121 " in text and "$0.00121 – $0.05000" in text
    assert "users kept after the p95 cut" in text
    assert "2.75" in text and text.splitlines()[0].startswith("Spend per user")
    assert "(no users kept)" in render_histogram("request_count", [])
    counts = render_histogram("request_count", [{"range_start": "1", "range_end": "1.5", "value": 3}])
    assert "1 – 1.5 requests" in counts
    assert "#" in render_histogram(
        "request_count", [{"range_start": "1", "range_end": "2", "value": 3}], ascii_only=True
    )


@pytest.mark.parametrize("engine", ["duckdb", "chdb", "reference"])
def test_bad_data_is_a_clear_error(tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]) -> None:
    if engine == "chdb":
        pytest.importorskip("chdb")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("user_id,cost\na,abc\nb,2\n")
    bad_jsonl = tmp_path / "bad.jsonl"
    bad_jsonl.write_text('{"user_id": "a", "cost": 1}\nnot json\n')
    for path in (bad_csv, bad_jsonl):
        assert main(["overview", "all", "--data", str(path), "--engine", engine]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: cannot") and str(path) in err and "Traceback" not in err


def test_profile_options(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["overview", "all", "--data", str(data), "--profile", "helicone"]) == 2
    assert "--engine clickhouse" in capsys.readouterr().err
    assert main(["overview", "all", "--engine", "clickhouse", "--profile", "nope", "--url", "http://127.0.0.1:9/"]) == 2
    err = capsys.readouterr().err
    assert "unknown profile 'nope'" in err and "overview of" not in err


@pytest.mark.parametrize("engine", ["duckdb", "chdb", "reference"])
def test_bad_cell_deep_in_a_file_is_a_short_clear_error(
    tmp_path: Path, engine: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # QA: past DuckDB's first chunk the error reaches the reference's Arrow stream as a plain
    # OSError carrying DuckDB's 25-line report; wide rows made the message kilobytes long.
    if engine == "chdb":
        pytest.importorskip("chdb")
    bad = tmp_path / "bad.csv"
    wide = "x" * 2000
    lines = [f"u{k % 50},{'oops' if k == 20_000 else k / 10},{wide if k == 20_000 else 'm'}" for k in range(30_000)]
    bad.write_text("user_id,cost,model\n" + "\n".join(lines) + "\n")
    assert main(["overview", "all", "--data", str(bad), "--engine", engine]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot") and str(bad) in err and "Traceback" not in err
    assert len(err) < 600 and err.count("\n") == 1, err


@pytest.mark.parametrize("users", ["0", "-3"])
def test_sample_without_users_is_a_clear_error(tmp_path: Path, users: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "u.parquet"
    code = _exit_code(["sample", "--rows", "10", "--users", users, "--out", str(out)])
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert "users" in err and "Traceback" not in err
    assert not out.exists()


def _exit_code(argv: list[str]) -> int:
    """main's return value, or argparse's exit status for a usage error."""
    try:
        return main(argv)
    except SystemExit as e:
        return int(e.code or 0)


@pytest.mark.parametrize("engine", ["duckdb", "chdb", "reference", "clickhouse"])
@pytest.mark.parametrize("bins", ["300", "251", "0", "-1", "ten"])
def test_bins_out_of_range_is_a_usage_error_on_every_engine(
    data: Path, engine: str, bins: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # QA: --bins 300 ran on duckdb/reference (exit 0) and dumped 2 KB of SQL on chDB.
    argv = ["overview", "all", "--data", str(data), "--engine", engine, "--bins", bins]
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert "argument --bins" in err and "SELECT" not in err and len(err) < 1500


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["overview", "all"], "--data"),
        (["overview", "all", "--engine", "chdb"], "--data"),
        (["overview", "all", "--bins", "0"], "--bins"),
        (["sample", "--rows", "-5", "--out", "OUT.parquet"], "--rows"),
        (["sample", "--rows", "5", "--seed", "-1", "--out", "OUT.parquet"], "--seed"),
        (["sample", "--rows", "5", "--seed", "x", "--out", "OUT.parquet"], "--seed"),
        (["sample", "--rows", "5", "--users", "0", "--out", "OUT.parquet"], "--users"),
        (["sample", "--rows", "5", "--out", "OUT.txt"], "--out"),
        (["sample", "--rows", "5", "--out", "OUT"], "--out"),
        (["sample", "--rows", "5", "--out", "OUT.parquet", "--format", "xlsx"], "--format"),
    ],
)
def test_usage_errors_exit_2_and_name_the_option(
    tmp_path: Path, argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.replace("OUT", str(tmp_path / "out")) for a in argv]
    assert _exit_code(argv) == 2
    err = capsys.readouterr().err
    assert f"argument {option}" in err and "usage:" in err and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing written


def test_sample_out_suffix_or_format(tmp_path: Path) -> None:
    assert main(["sample", "--rows", "5", "--out", str(tmp_path / "x.txt"), "--format", "csv"]) == 0
    assert "user_id" in (tmp_path / "x.txt").read_text().splitlines()[0]  # CSV header
    assert main(["sample", "--rows", "5", "--out", str(tmp_path / "x.ndjson")]) == 0
    assert (tmp_path / "x.ndjson").read_text().startswith("{")


def test_unreachable_clickhouse_without_driver_noise(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # QA: clickhouse-connect logged "Unexpected Http Driver Exception" before our error.
    import logging

    pytest.importorskip("clickhouse_connect")
    caplog.set_level(logging.DEBUG)
    before = logging.getLogger("clickhouse_connect").level
    assert main(["overview", "all", "--engine", "clickhouse", "--url", "http://127.0.0.1:9/"]) == 1
    err = capsys.readouterr().err
    assert "Unexpected Http Driver Exception" not in err and err.count("error:") == 1
    assert not [r for r in caplog.records if r.name.startswith("clickhouse_connect")]
    assert logging.getLogger("clickhouse_connect").level == before  # restored after the call
