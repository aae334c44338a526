"""``filterlang sql`` end to end through the CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from filterlang.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_list_dialects(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sql", "--list-dialects")
    assert rc == 0 and "clickhouse" in out.split() and "tsql" in out.split()
    assert "postgres  (also: postgresql)" in out.splitlines()  # aliases are shown


def test_select_with_params(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sql", 'model ~ "gpt%" and cost > 2.5', "--dialect", "clickhouse", "--profile", "helicone")
    assert rc == 0
    sql, params = out.strip().split("\n")
    assert sql.startswith("SELECT request_response_rmt.* FROM request_response_rmt WHERE")
    assert json.loads(params) == {"p0": "gpt%", "p1": 2_500_000_000}


def test_where_inline(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sql", 'model = "it\'s"', "-d", "postgres", "--where", "--inline")
    assert rc == 0 and out == "requests.model = 'it''s'\n"


def test_org_guard_and_json_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    f = tmp_path / "f.json"
    f.write_text(json.dumps({"request_response_rmt": {"model": {"equals": "x"}}}), encoding="utf-8")
    rc, out, _ = run(capsys, "sql", "--file", str(f), "-d", "clickhouse", "-p", "helicone", "--tenant", "o1", "--where")
    assert rc == 0
    assert out.splitlines()[0] == (
        "request_response_rmt.organization_id = {p0: String} AND (request_response_rmt.model = {p1: String})"
    )


def test_errors_exit_1_with_message(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, err = run(capsys, "sql", 'modle = "x"')
    assert rc == 1 and "did you mean `model`" in err
    rc, _, err = run(capsys, "sql", 'model = "x"', "-d", "duckdbb")
    assert rc == 2 and "unknown SQL dialect" in err and "did you mean `duckdb`" in err
    rc, _, err = run(capsys, "sql", 'scores_column = "x"', "-d", "clickhouse", "-p", "helicone")
    assert rc == 1 and "not mapped in SQL profile 'helicone'" in err
    rc, _, _ = run(capsys, "sql")
    assert rc == 2


def test_where_or_is_parenthesised(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = run(capsys, "sql", "status = 200 or latency = 500", "--where", "--inline")
    assert rc == 0
    assert out.strip() == "(requests.status = 200 OR requests.latency = 500)"


def test_dsl_and_json_file_together_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "f.json"
    f.write_text('{"request_response_rmt": {"model": {"equals": "a"}}}')
    assert main(["sql", "status = 5", "--file", str(f)]) == 2
    assert "not both" in capsys.readouterr().err
