"""``js_number_to_string`` against a table of awkward doubles and, when Node.js is installed,
against JavaScript itself on random doubles."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filterlang.metrics.jsnum import js_number_to_string, shortest_digits

TABLE: list[tuple[float, str]] = [
    (0.0, "0"),
    (-0.0, "0"),
    (1.0, "1"),
    (-1.0, "-1"),
    (4.5, "4.5"),
    (100.0, "100"),
    (1e21, "1e+21"),
    (1e20, "100000000000000000000"),
    (123456789012345680000.0, "123456789012345680000"),
    (1.5e21, "1.5e+21"),
    (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"),
    (1e-6, "0.000001"),
    (1.2345e-5, "0.000012345"),
    (0.1 + 0.2, "0.30000000000000004"),
    (123456789.125, "123456789.125"),
    (5e-324, "5e-324"),
    (-5e-324, "-5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"),
    (2.0**53, "9007199254740992"),
    (2.0**53 + 2, "9007199254740994"),
    (123e-20, "1.23e-18"),
    (0.0032156669999999997, "0.0032156669999999997"),
    (1 / 3, "0.3333333333333333"),
    (2.5e-8, "2.5e-8"),
    (float("nan"), "NaN"),
    (float("inf"), "Infinity"),
    (float("-inf"), "-Infinity"),
]


@pytest.mark.parametrize(("x", "want"), TABLE, ids=[w for _, w in TABLE])
def test_table(x: float, want: str) -> None:
    assert js_number_to_string(x) == want


def test_shortest_digits() -> None:
    assert shortest_digits(1234.5) == ("12345", 4)
    assert shortest_digits(0.00012) == ("12", -3)
    assert shortest_digits(1e21) == ("1", 22)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_round_trips(x: float) -> None:
    s = js_number_to_string(x)
    assert float(s) == x  # JS and Python read each other's numbers
    assert not s.endswith(".0") and "e0" not in s and "e+0" not in s and "e-0" not in s


NODE = shutil.which("node") or shutil.which("nodejs")


@pytest.mark.skipif(NODE is None, reason="Node.js not installed: JavaScript differential test skipped")
@settings(max_examples=5)
@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=200, max_size=400),
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), min_size=100, max_size=200),
)
def test_against_javascript(floats: list[float], bit_patterns: list[int]) -> None:
    # Arbitrary bit patterns reach every exponent; floats() favours "interesting" values.
    xs = floats + [struct.unpack("<d", struct.pack("<Q", b))[0] for b in bit_patterns]
    xs = [x for x in xs if x == x and abs(x) != float("inf")] + [x for x, _ in TABLE if x == x]
    # Each double travels as its bit pattern, so no decimal parsing is involved.
    bits = [str(struct.unpack("<Q", struct.pack("<d", x))[0]) for x in xs]
    script = (
        "const b=JSON.parse(require('fs').readFileSync(0,'utf8'));"
        "const v=new DataView(new ArrayBuffer(8));"
        "console.log(JSON.stringify(b.map(s=>{v.setBigUint64(0,BigInt(s),true);return String(v.getFloat64(0,true));})))"
    )
    assert NODE is not None
    out = subprocess.run([NODE, "-e", script], input=json.dumps(bits), capture_output=True, text=True, check=True)
    want = json.loads(out.stdout)
    got = [js_number_to_string(x) for x in xs]
    assert got == want
