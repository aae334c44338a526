"""Every subcommand × bad inputs: one reason on stderr, exit 1 (bad input) or 2 (usage), never a traceback.

In process (``main``) for speed; ``test_cli_lang.py`` runs the real executable too.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from filterlang.cli import main

FILTER_COMMANDS = ["parse", "format", "check", "sql", "overview"]
DEEP = 5000

# (name, argv after the subcommand, stdin bytes or None, expected exit code). `DATA` becomes
# a small valid data file (overview needs one), `DIR` the test's directory.
FILTER_INPUTS: list[tuple[str, list[str], bytes | None, int]] = [
    ("non-UTF-8 file", ["--file", "DIR/latin1.txt"], None, 1),
    ("non-UTF-8 stdin", ["-"], b'model = "caf\xe9"', 1),
    ("missing file", ["--file", "DIR/nope.json"], None, 1),
    ("deep [ in JSON", ['{"request_response_rmt": ' + "[" * DEEP + "]" * DEEP + "}"], None, 1),
    ("deep { in JSON", ['{"left": ' * DEEP + "1" + "}" * DEEP], None, 1),
    ("deep ( in DSL", ["(" * DEEP + "status = 1" + ")" * DEEP], None, 1),
    ("5000-digit int JSON", ['{"request_response_rmt": {"status": {"equals": ' + "9" * DEEP + "}}}"], None, 1),
    ("5000-digit int DSL", ["status = " + "9" * DEEP], None, 1),
    ("5000-digit float DSL", ["cost > 0." + "1" * DEEP], None, 0),
    ("broken JSON", ['{"request_response_rmt": '], None, 1),
    ("JSON duplicate key", ['{"users_view": {}, "users_view": {}}'], None, 1),
    ("typo", ["modle = 1"], None, 1),
    ("FILTER and --file", ["status = 1", "--file", "DIR/latin1.txt"], None, 2),
    ("bad --now", ["status = 1", "--now", "yesterday"], None, 2),
    ("--now with JSON", ['{"request_response_rmt": {}}', "--now", "2026-01-01T00:00:00Z"], None, 2),
    ("unknown option", ["status = 1", "--bogus"], None, 2),
]


def _run(argv: list[str], stdin: bytes | None, monkeypatch: pytest.MonkeyPatch) -> int:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    try:
        return main(argv)
    except SystemExit as e:  # argparse's own usage errors
        return int(e.code or 0)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("d") / "r.csv"
    path.write_text("user_id,cost,status,model\na,1.5,200,gpt-4o\nb,0.5,500,claude\n", encoding="utf-8")
    return path


def _expand(argv: list[str], tmp_path: Path, data: Path) -> list[str]:
    (tmp_path / "latin1.txt").write_bytes('model = "café"'.encode("latin-1"))
    return [a.replace("DIR", str(tmp_path)).replace("DATA", str(data)) for a in argv]


def _assert_reported(err: str, code: int, want: int) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == want, err
    if want:
        first = err.splitlines()[-1] if want == 2 else err.splitlines()[0]
        assert first.startswith(("error:", "invalid:", "filterlang")), err
        assert len(err) < 2000, err  # a reason, not a dump of the input


@pytest.mark.parametrize("command", FILTER_COMMANDS)
@pytest.mark.parametrize(("name", "args", "stdin", "want"), FILTER_INPUTS, ids=[c[0] for c in FILTER_INPUTS])
def test_every_filter_command_reports_bad_input(
    command: str,
    name: str,
    args: list[str],
    stdin: bytes | None,
    want: int,
    tmp_path: Path,
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [command, *_expand(args, tmp_path, data)]
    if command == "overview":
        argv += ["--data", str(data), "--json"]
    code = _run(argv, stdin, monkeypatch)
    _assert_reported(capsys.readouterr().err, code, want)


OPTION_CASES: list[tuple[str, list[str], int, str]] = [
    # sql
    ("unknown dialect", ["sql", "status = 1", "-d", "postgress"], 2, "did you mean `postgres`"),
    ("--tenant without helicone", ["sql", "status = 1", "--tenant", "o1"], 2, "--profile helicone"),
    ("missing profile file", ["sql", "status = 1", "-p", "DIR/p.toml"], 2, "not found"),
    ("unknown profile", ["sql", "status = 1", "-p", "helicone2"], 2, "did you mean `helicone`?"),
    ("--columns typo", ["sql", "status = 1", "--columns", "modle"], 2, "did you mean `model`?"),
    ("--columns template name", ["sql", "status = 1", "--columns", "__v__"], 2, "unknown field"),
    ("--columns placeholder", ["sql", "status = 1", "--columns", ":p0"], 2, "unknown field"),
    ("--columns placeholder 2", ["sql", "status = 1", "--columns", "{p0:String}"], 2, "unknown field"),
    ("--columns empty", ["sql", "status = 1", "--columns", "model,"], 2, "empty name"),
    ("--columns with --where", ["sql", "status = 1", "--columns", "model", "--where"], 2, "--where"),
    ("--list-dialects with a filter", ["sql", "status = 1", "--list-dialects"], 2, "no filter"),
    ("no filter", ["sql"], 2, "give a filter"),
    # overview
    ("--url without clickhouse", ["overview", "--data", "DATA", "--url", "http://x"], 2, "--engine clickhouse"),
    ("--table without clickhouse", ["overview", "--data", "DATA", "--table", "t"], 2, "--engine clickhouse"),
    ("--tenant without clickhouse", ["overview", "--data", "DATA", "--tenant", "o"], 2, "--engine clickhouse"),
    ("--compact without --json", ["overview", "--data", "DATA", "--compact"], 2, "needs --json"),
    ("--data with clickhouse", ["overview", "--data", "DATA", "--engine", "clickhouse"], 2, "--table"),
    ("no --data", ["overview", "status = 1"], 2, "--data"),
    ("missing data", ["overview", "--data", "DIR/none.parquet"], 1, "not found"),
    ("non-UTF-8 data", ["overview", "--data", "DIR/latin1.csv"], 1, "not UTF-8"),
    ("data format by suffix", ["overview", "--data", "DIR/latin1.txt"], 1, "suffix"),
    ("missing clickhouse profile", ["overview", "--engine", "clickhouse", "--profile", "DIR/x.toml"], 2, "not found"),
    # sample
    ("format vs suffix", ["sample", "--rows", "1", "--format", "csv", "--out", "DIR/x.parquet"], 2, "--format"),
    (
        "end before start",
        ["sample", "--rows", "1", "--out", "DIR/x.csv", "--start", "2026-02-01", "--end", "2026-01-01"],
        2,
        "--end",
    ),
    ("bad start", ["sample", "--rows", "1", "--out", "DIR/x.csv", "--start", "yesterday"], 2, "--start"),
]


@pytest.mark.parametrize(("name", "argv", "want", "says"), OPTION_CASES, ids=[c[0] for c in OPTION_CASES])
def test_options_are_checked(
    name: str,
    argv: list[str],
    want: int,
    says: str,
    tmp_path: Path,
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "latin1.csv").write_bytes("user_id,model\ncafé,x\n".encode("latin-1"))
    code = _run(_expand(argv, tmp_path, data), None, monkeypatch)
    err = capsys.readouterr().err
    _assert_reported(err, code, want)
    assert says in err
    assert not list(tmp_path.glob("x.*"))  # nothing written


@pytest.mark.parametrize("command", FILTER_COMMANDS)
def test_every_filter_command_reads_a_filter_the_same_way(
    command: str, tmp_path: Path, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dsl = "status >= 500"
    js = '{"request_response_rmt": {"status": {"gte": 500}}}'
    (tmp_path / "f.dsl").write_text(dsl)
    (tmp_path / "f.json").write_text(js)
    extra = ["--data", str(data), "--json"] if command == "overview" else []
    outs = []
    for argv, stdin in [
        ([dsl], None),
        ([js], None),
        (["-"], dsl.encode()),
        (["-"], js.encode()),
        (["--file", str(tmp_path / "f.dsl")], None),
        (["--file", str(tmp_path / "f.json")], None),
    ]:
        assert _run([command, *argv, *extra], stdin, monkeypatch) == 0
        outs.append(capsys.readouterr().out.replace("JSON filter", "DSL filter"))
    assert len(set(outs)) == 1, outs


@pytest.mark.parametrize("command", FILTER_COMMANDS)
def test_now_anchors_relative_times_everywhere(
    command: str, data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--data", str(data), "--json"] if command == "overview" else []
    argv = [command, "request_created_at > now - 7d", "--now", "2026-01-08T00:00:00Z", *extra]
    assert _run(argv, None, monkeypatch) == 0
    out = capsys.readouterr().out
    if command != "overview":
        assert "2026-01-01" in out, out
