"""`filterlang parse | format | check` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "filterlang.cli"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], check=False, input=stdin, capture_output=True, text=True, timeout=60)


def test_parse_prints_api_json() -> None:
    r = run("parse", 'user_cost > 5 and model ~ "gpt%"')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "left": {"users_view": {"user_cost": {"gt": 5}}},
        "operator": "and",
        "right": {"request_response_rmt": {"model": {"like": "gpt%"}}},
    }


def test_parse_compact_and_stdin_and_now() -> None:
    r = run("parse", "-", "--compact", "--now", "2026-01-08T00:00:00Z", stdin="request_created_at > now - 7d")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '{"request_response_rmt":{"request_created_at":{"gt":"2026-01-01T00:00:00.000Z"}}}'


def test_parse_error_exits_1_with_caret_on_stderr() -> None:
    r = run("parse", "user_cost >")
    assert r.returncode == 1
    assert "expected a value after `>`" in r.stderr and "^" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


def test_format_reads_json_file_and_stdin(tmp_path: Path) -> None:
    doc = {
        "left": {"request_response_rmt": {"status": {"gte": 500}}},
        "operator": "or",
        "right": {"request_response_rmt": {"properties": {"env name": {"equals": "prod"}}}},
    }
    f = tmp_path / "filter.json"
    f.write_text(json.dumps(doc))
    expected = 'status >= 500 or properties["env name"] = "prod"'
    assert run("format", "--file", str(f)).stdout.strip() == expected
    assert run("format", "-", stdin=json.dumps(doc)).stdout.strip() == expected
    assert run("format", json.dumps(doc)).stdout.strip() == expected
    assert run("format", "-", stdin="status>=500").stdout.strip() == "status >= 500"
    r = run("format", str(f))  # a path as FILTER is DSL text; the error says how to read the file
    assert r.returncode == 1 and f"pass --file {f}" in r.stderr


def test_format_bad_json_names_the_path() -> None:
    r = run("format", "-", stdin='{"request_response_rmt": {"statsu": {"gte": 1}}}')
    assert r.returncode == 1
    assert "$.request_response_rmt.statsu" in r.stderr and "did you mean `status`" in r.stderr


def test_check_dsl_and_json_with_warnings(tmp_path: Path) -> None:
    r = run("check", 'model = "a"')
    assert r.returncode == 0 and r.stdout.startswith("ok: valid DSL filter")
    f = tmp_path / "f.json"
    f.write_text(
        json.dumps(
            {
                "request_response_rmt": {"model": {"like": "a%"}, "status": {"gt": 1}},
                "users_view": {"user_cost": {"gt": 1}},
            }
        )
    )
    r = run("check", "--file", str(f))
    assert r.returncode == 0, r.stderr
    assert "ok: valid JSON filter" in r.stdout
    assert "upstream keeps only the first" in r.stdout and "users_view conditions are dropped" in r.stdout
    assert run("check", "--file", str(f), "--strict").returncode == 1
    r = run("check", 'request_created_at = "2026-01-01T00:00:00.250Z" or model contains "50%" or cost > 3')
    assert r.stdout.count("warning:") == 3


def test_check_invalid_exits_1() -> None:
    r = run("check", "user_cots > 1")
    assert r.returncode == 1 and "did you mean `user_cost`" in r.stderr


@pytest.mark.parametrize("args", [[], ["nonsense"], ["parse"], ["parse", "--bogus", "x"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run(*args).returncode == 2
