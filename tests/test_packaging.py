"""The wheel carries the grammar and the contract, and works from outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from contract import shared_contract_dir

from filterlang.contract import OPENAPI_FILE, openapi_text

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_grammar_and_parses_from_it(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("filterlang-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "filterlang/grammar/filter.lark" in names and "filterlang/py.typed" in names
    assert "filterlang/contract/metrics-overview.openapi.yaml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys, filterlang; from filterlang.dsl import parser as P; "
        "assert filterlang.__file__.startswith(sys.argv[1]), filterlang.__file__; "
        "print(filterlang.to_json(filterlang.parse('model ~ \"gpt%\"')))"
    )
    # Only the extracted wheel and the interpreter's third-party packages are importable.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    env = {"PYTHONPATH": ":".join([str(site), *deps]), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = {[str(site), *deps]!r}; " + code, str(site)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "gpt%" in out.stdout


def test_packaged_contract_equals_the_shared_one() -> None:
    shared = shared_contract_dir()
    if shared is None or not (shared / OPENAPI_FILE).is_file():
        pytest.skip("no ../shared/contract beside this checkout: nothing to compare the packaged copy with")
    assert openapi_text() == (shared / OPENAPI_FILE).read_text(encoding="utf-8")


def test_overview_is_always_the_function() -> None:
    """``filterlang.overview`` stays the function whatever is imported, in any order."""
    code = (
        "import filterlang.metrics.histogram, filterlang, types; "
        "assert not isinstance(filterlang.overview, types.ModuleType), filterlang.overview; "
        "import filterlang.metrics; assert callable(filterlang.overview); "
        "from filterlang import overview; assert overview.__module__ == 'filterlang.metrics'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
